import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompletionOrigin } from '../../../src/core/completion/engine';
import { completionUse } from '../../../src/core/completion/uses';
import { Ledger } from '../../../src/core/cost/ledger';
import { PriceBook, costOf, type TokenUsage } from '../../../src/core/cost/pricing';
import { UseRecorder } from '../../../src/core/useRecorder';
import { requestRecord } from '../../bench/completions/backend';
import type { Region, SourceFile } from '../../bench/completions/corpus';
import { answerable, countRecall, newRecall, type Need } from '../../bench/completions/recall';
import { TypingSession, newTypingMetrics, type CompleteFn } from '../../bench/completions/typist';
import { VirtualClock } from '../../bench/completions/virtualClock';

describe('completion benchmark: what context is worth and what it bought', () => {
  describe('the model knows only what its prompt shows', () => {
    const truth = 'client.retry(request);';
    const need = (offset: number, shown: boolean): Need => ({ offset, shown, what: `x.ts: def ${offset}` });

    it('writes the true continuation when the prompt shows every definition it needs', () => {
      assert.equal(answerable(truth, []), truth);
      assert.equal(answerable(truth, [need(0, true), need(7, true)]), truth);
    });

    it('stops at the first identifier whose definition the prompt lacks', () => {
      assert.equal(answerable(truth, [need(0, true), need(7, false)]), 'client.');
      assert.equal(answerable(truth, [need(7, true), need(0, false)]), '');
      assert.equal(answerable('return x + client.retry();', [need(11, false)]), 'return x +', 'no space left before the unknown name');
    });

    it('counts recall from the same needs', () => {
      const count = newRecall();
      countRecall(count, [need(0, true), need(7, false), need(13, false)]);
      countRecall(count, [need(7, false)]);
      assert.equal(count.needed, 4);
      assert.equal(count.shown, 1);
      assert.equal(count.missed.get('x.ts: def 7'), 2);
    });
  });

  /** A typescript request's record, answered whole. */
  const okRecord = (startedAt: Date, billed: TokenUsage, latencyMs: number) =>
    requestRecord({ startedAt, model: 'gpt-4o-mini', tier: 'default', language: 'typescript', billed, exact: true, outcome: 'ok', latencyMs });

  describe('request records as MeteredClient writes them', () => {
    const billed = { promptTokens: 2048, cachedTokens: 1024, completionTokens: 12 };

    it('priced from usage, with its language and a fresh id', () => {
      const startedAt = new Date('2026-01-05T09:00:00.000Z');
      const record = okRecord(startedAt, billed, 420);
      assert.equal(record.feature, 'completion');
      assert.equal(record.language, 'typescript');
      assert.equal(record.time, startedAt.toISOString());
      assert.equal(record.costUsd, costOf(billed, new PriceBook().lookup('gpt-4o-mini')!));
      assert.equal(record.exact, true);
      assert.match(record.id, /^[0-9a-f]{32}$/);
      const other = requestRecord({ startedAt, model: 'gpt-4o-mini', tier: 'default', billed, exact: false, outcome: 'cancelled', latencyMs: 10 });
      assert.notEqual(other.id, record.id);
      assert.equal('language' in other, false);
      assert.equal(other.exact, false);
    });
  });

  describe("the simulated user's offers and Tabs, through UseRecorder into a Ledger", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'penny-bench-value-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const text = 'const a = 1;\nconst total = items.length;\nreturn total;\n';
    const file: SourceFile = { relativePath: 'x/a.ts', languageId: 'typescript', text };
    const region: Region = { file, start: text.indexOf('items'), end: text.indexOf('\nreturn') };
    const gaps = new Map(Array.from({ length: text.length }, (_, i) => [i, 100]));

    it("gives the ledger's value figures: $ per 1k accepted characters and the acceptance rate", async () => {
      const clock = new VirtualClock();
      const epoch = new Date(2026, 0, 5, 9, 0, 0).getTime();
      const date = () => new Date(epoch + clock.now());
      const ledger = new Ledger(dir, { now: date });
      const errors: string[] = [];
      const uses = new UseRecorder({ ledger, onError: (m) => errors.push(m), now: date, defer: (write, ms) => void clock.schedule(ms, write) });
      const billed = { promptTokens: 1000, cachedTokens: 0, completionTokens: 10 };
      const writes: Promise<void>[] = [];
      // Each request is recorded; after "i" the answer is right (taken), before it wrong (offered only).
      const complete: CompleteFn = async (request, signal) => {
        if (!(await clock.sleep(50, signal))) return undefined;
        const record = okRecord(date(), billed, 50);
        writes.push(ledger.append(record));
        const origin: CompletionOrigin = { recordId: record.id, model: record.model, language: 'typescript' };
        return { text: request.prefix.endsWith('const total = i') ? 'tems.length;' : 'foo();', source: 'network', origin };
      };
      const metrics = newTypingMetrics();
      const session = new TypingSession({ clock, complete, region, gaps, metrics, reactionMs: 20, onUse: (event) => uses.record(event) });
      session.start();
      await clock.run();
      await Promise.all(writes);
      const report = await ledger.report();
      const value = report.valueByDay[report.valueByDay.length - 1].completions;
      assert.deepEqual(errors, []);
      assert.equal(metrics.tabs, 1);
      assert.equal(value.requests, writes.length);
      assert.equal(value.offered, metrics.suggestionsShown);
      assert.equal(value.accepted, 1);
      assert.equal(value.acceptedChars, 'tems.length;'.length);
      assert.equal(value.acceptanceRate, 1 / metrics.suggestionsShown);
      const usd = writes.length * costOf(billed, new PriceBook().lookup('gpt-4o-mini')!);
      assert.ok(Math.abs(value.usdPer1kAcceptedChars! - (usd * 1000) / 'tems.length;'.length) < 1e-9);
    });

    it('an accept within the grace period wins over typing through, in virtual time', async () => {
      const clock = new VirtualClock();
      const recorded: string[] = [];
      const uses = new UseRecorder({
        ledger: { appendUse: async (use) => void recorded.push(`${use.use}:${use.chars ?? ''}`) },
        onError: assert.fail,
        defer: (write, ms) => void clock.schedule(ms, write),
      });
      const origin: CompletionOrigin = { recordId: 'r1', model: 'gpt-4o-mini' };
      uses.record(completionUse('typedThrough', origin, 3));
      clock.schedule(500, () => uses.record(completionUse('accepted', origin, 9)));
      await clock.run();
      assert.deepEqual(recorded, ['accepted:9']);
    });
  });
});
