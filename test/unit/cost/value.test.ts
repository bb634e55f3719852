// What the money bought: use records in the ledger, tallied by feature, model, language and day,
// shown in the report and the status bar's tooltip.
import assert from 'node:assert/strict';
import { Ledger } from '../../../src/core/cost/ledger';
import type { UseRecord } from '../../../src/core/cost/record';
import { costReport, type ValueFigures } from '../../../src/core/cost/tallies';
import { CostMeter } from '../../../src/core/costMeter';
import { costReportBody } from '../../../src/core/costReportHtml';
import { formatUsd } from '../../../src/core/cost/format';
import { escapeHtml } from '../../../src/core/html';
import { meterView } from '../../../src/core/meterView';
import { TYPED_THROUGH_GRACE_MS, UseRecorder } from '../../../src/core/useRecorder';
import { makeRecord, tempDir, withTimeout } from './helpers';

const NOW = new Date(2026, 10, 25, 15, 0, 0);
const at = (hour: number) => new Date(2026, 10, 25, hour).toISOString();
const yesterday = new Date(2026, 10, 24, 12).toISOString();

function use(ref: string, kind: UseRecord['use'], over: Partial<UseRecord> = {}): UseRecord {
  return { time: at(14), use: kind, ref, feature: 'completion', model: 'gpt-4o-mini', language: 'typescript', ...over };
}

describe('value per dollar', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  async function ledgerWithADay(): Promise<Ledger> {
    const ledger = new Ledger(dir, { now: () => NOW });
    const completion = (id: string, costUsd: number, language = 'typescript') =>
      makeRecord({ id, time: at(10), feature: 'completion', model: 'gpt-4o-mini', language, costUsd });
    // Four TypeScript completions for $0.004: three offered, two accepted (30 + 10 characters), one typed through.
    for (const [id, usd] of [
      ['c1', 0.001],
      ['c2', 0.001],
      ['c3', 0.001],
      ['c4', 0.001],
    ] as const)
      await ledger.append(completion(id, usd));
    await ledger.appendUse(use('c1', 'offered'));
    await ledger.appendUse(use('c1', 'accepted', { chars: 30 }));
    await ledger.appendUse(use('c2', 'offered'));
    await ledger.appendUse(use('c2', 'accepted', { chars: 10 }));
    await ledger.appendUse(use('c3', 'offered'));
    await ledger.appendUse(use('c3', 'typedThrough', { chars: 12 }));
    // A Python completion never shown.
    await ledger.append(completion('p1', 0.0005, 'python'));
    // Two chat answers for $0.02, one used; an escalation for $0.05 used and its rewrite applied.
    await ledger.append(makeRecord({ id: 'a1', time: at(11), feature: 'chat', model: 'gpt-4o-mini', costUsd: 0.01 }));
    await ledger.append(makeRecord({ id: 'a2', time: at(11), feature: 'chat', model: 'gpt-4o-mini', costUsd: 0.01 }));
    await ledger.appendUse(use('a2', 'used', { feature: 'chat', language: undefined }));
    await ledger.append(makeRecord({ id: 'e1', time: at(12), feature: 'escalation', model: 'gpt-4o', costUsd: 0.05 }));
    await ledger.appendUse(use('e1', 'used', { feature: 'escalation', model: 'gpt-4o', language: undefined }));
    await ledger.appendUse(use('e1', 'rewriteApplied', { feature: 'escalation', model: 'gpt-4o', language: undefined }));
    // Yesterday: one completion, accepted.
    await ledger.append(makeRecord({ id: 'y1', time: yesterday, feature: 'completion', model: 'gpt-4o-mini', language: 'typescript', costUsd: 0.002 }));
    await ledger.appendUse(use('y1', 'offered', { time: yesterday }));
    await ledger.appendUse(use('y1', 'accepted', { time: yesterday, chars: 100 }));
    return ledger;
  }

  const pick = (rows: ValueFigures[], feature: string, language = '') => rows.find((r) => r.feature === feature && r.language === language)!;

  it('a completion taken in parts (its first line, then its rest) is one accept with all its characters', async () => {
    const ledger = new Ledger(dir, { now: () => NOW });
    await ledger.append(makeRecord({ id: 'm1', time: at(10), feature: 'completion', model: 'gpt-4o-mini', language: 'typescript', costUsd: 0.001 }));
    await ledger.appendUse(use('m1', 'offered'));
    await ledger.appendUse(use('m1', 'accepted', { chars: 12 }));
    await ledger.appendUse(use('m1', 'acceptedMore', { chars: 30 }));
    const ts = pick((await ledger.report()).value, 'completion', 'typescript');
    assert.deepEqual([ts.offered, ts.accepted, ts.acceptedChars, ts.acceptanceRate], [1, 1, 42, 1]);
  });

  it('adds up acceptance, characters and the price of what was used, by feature, model and language', async () => {
    const report = await (await ledgerWithADay()).report();
    const ts = pick(report.value, 'completion', 'typescript');
    assert.deepEqual(
      [ts.requests, ts.offered, ts.accepted, ts.acceptedChars, ts.typedThrough, ts.typedChars, ts.acceptanceRate],
      [5, 4, 3, 140, 1, 12, 0.75],
      'this month: four today and one yesterday',
    );
    assert.equal(ts.usd, 0.006);
    assert.ok(Math.abs(ts.usdPer1kAcceptedChars! - (0.006 * 1000) / 140) < 1e-12);
    const py = pick(report.value, 'completion', 'python');
    assert.deepEqual([py.requests, py.offered, py.acceptanceRate, py.usdPer1kAcceptedChars], [1, 0, null, null]);
    const chat = pick(report.value, 'chat');
    assert.deepEqual([chat.requests, chat.usd, chat.usedAnswers, chat.usdPerUsedAnswer], [2, 0.02, 1, 0.02]);
    const escalation = pick(report.value, 'escalation');
    assert.deepEqual([escalation.model, escalation.usedAnswers, escalation.rewritesApplied, escalation.usdPerUsedAnswer], ['gpt-4o', 1, 1, 0.05]);
    assert.equal(report.value[0].feature, 'escalation', 'most spent first');
    // The money in the value rows is the month's money: nothing lost, nothing counted twice.
    assert.equal(
      report.value.reduce((sum, r) => sum + r.requests, 0),
      report.month.requests,
    );

    const today = report.valueByDay.at(-1)!;
    assert.deepEqual([today.completions.requests, today.completions.accepted, today.completions.acceptedChars], [5, 2, 40]);
    assert.ok(Math.abs(today.completions.usdPer1kAcceptedChars! - (0.0045 * 1000) / 40) < 1e-12);
    assert.deepEqual([today.answers.requests, today.answers.usedAnswers, today.answers.usdPerUsedAnswer], [3, 2, 0.035]);
    assert.deepEqual(report.valueByDay.at(-2)!.completions.acceptanceRate, 1);
  });

  it('gives the same figures from a cold read, from our own appends and to the period totals', async () => {
    const warm = await ledgerWithADay();
    const warmReport = await warm.report();
    const cold = await new Ledger(dir, { now: () => NOW }).report();
    assert.deepEqual(cold.value, warmReport.value);
    assert.deepEqual(cold.valueByDay, warmReport.valueByDay);
    const { todayValue } = await warm.totals();
    assert.deepEqual(
      todayValue,
      warmReport.valueByDay.at(-1) && { completions: warmReport.valueByDay.at(-1)!.completions, answers: warmReport.valueByDay.at(-1)!.answers },
    );
  });

  it('reads a ledger written before use records and ids existed as before', async () => {
    const { appendFileSync } = await import('node:fs');
    const { id: _id, ...old } = makeRecord({ time: at(9), feature: 'completion', costUsd: 0.25 });
    appendFileSync(`${dir}/ledger-2026-11.jsonl`, `${JSON.stringify(old)}\n`);
    const warnings: string[] = [];
    const report = await new Ledger(dir, { now: () => NOW, onWarning: (m) => warnings.push(m) }).report();
    assert.deepEqual(warnings, []);
    assert.equal(report.today.usd, 0.25);
    assert.deepEqual(
      report.value.map((r) => [r.feature, r.language, r.requests, r.offered, r.acceptanceRate]),
      [['completion', '', 1, 0, null]],
    );
  });

  it('shows the figures in the report, names escaped, and today’s in the status bar tooltip', async () => {
    const ledger = await ledgerWithADay();
    await ledger.append(makeRecord({ id: 'x', time: at(13), feature: 'completion', model: '<img src=x onerror=alert(1)>', language: '<b>', costUsd: 0 }));
    const report = costReport([], NOW);
    assert.match(costReportBody(report), /What it bought/);
    const html = costReportBody(await ledger.report());
    assert.ok(!html.includes('<img') && !html.includes('<b>'));
    assert.ok(html.includes(escapeHtml('<img src=x onerror=alert(1)>')));
    assert.match(
      html,
      /<td>typescript<\/td><td class="num">5<\/td><td class="num">\$0\.006<\/td><td class="num">4<\/td><td class="num">3 \(75%\)<\/td><td class="num">140<\/td>/,
    );

    const meter = new CostMeter();
    meter.setTodayValue((await ledger.totals()).todayValue);
    const { tooltip } = meterView(meter.state());
    assert.ok(tooltip.includes(`Completions: 2 of 3 accepted (67%), 40 characters · ${formatUsd(0.1125)} per 1,000 accepted characters`), tooltip);
    assert.ok(tooltip.includes(`Answers: code used from 2 of 3 · ${formatUsd(0.035)} per used answer`), tooltip);
  });

  it('records each use of a request once, never waits for the disk, and tells a failed write', async () => {
    const written: UseRecord[] = [];
    let recorded = 0;
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const errors: string[] = [];
    const recorder = new UseRecorder({
      ledger: {
        appendUse: async (u) => {
          if (u.ref === 'broken') throw new Error('disk full');
          await slow;
          written.push(u);
        },
      },
      onError: (m) => errors.push(m),
      onRecorded: () => recorded++,
      now: () => NOW,
    });
    recorder.record({ ref: 'c1', use: 'offered', feature: 'completion', model: 'm' });
    recorder.record({ ref: 'c1', use: 'offered', feature: 'completion', model: 'm' }); // the same completion shown again from the cache
    recorder.record({ ref: 'c1', use: 'accepted', feature: 'completion', model: 'm', chars: 5 });
    recorder.record({ ref: 'broken', use: 'offered', feature: 'completion', model: 'm' });
    assert.equal(written.length, 0, 'record() returned before the disk was written');
    release();
    await withTimeout(
      (async () => {
        while (written.length < 2 || errors.length < 1) await new Promise((r) => setImmediate(r));
      })(),
      2000,
      'the two writes and the failure',
    );
    assert.deepEqual(
      written.map((u) => [u.ref, u.use, u.time]),
      [
        ['c1', 'offered', NOW.toISOString()],
        ['c1', 'accepted', NOW.toISOString()],
      ],
    );
    assert.equal(recorded, 2);
    assert.match(errors[0], /recording what became of an answer: disk full/);
  });
});

describe('use records: accepted or typed through', () => {
  function recorder() {
    const written: UseRecord[] = [];
    const deferred: (() => void)[] = [];
    const uses = new UseRecorder({
      ledger: { appendUse: async (u) => void written.push(u) },
      onError: assert.fail,
      now: () => NOW,
      defer: (write, ms) => {
        assert.equal(ms, TYPED_THROUGH_GRACE_MS);
        deferred.push(write);
      },
    });
    const settle = () => withTimeout(new Promise((r) => setImmediate(r)), 1000, 'the writes');
    return { written, deferred, uses, settle };
  }
  const event = (ref: string, use: UseRecord['use'], chars?: number) => ({ ref, use, feature: 'completion' as const, model: 'm', chars });

  it('writes a completion typed through after the grace period, unless it is accepted meanwhile: one outcome per request', async () => {
    const { written, deferred, uses, settle } = recorder();
    uses.record(event('a', 'typedThrough', 5));
    uses.record(event('b', 'typedThrough', 7));
    uses.record(event('a', 'accepted', 5)); // the accept command ran after the next request's lookup
    await settle();
    assert.deepEqual(
      written.map((u) => [u.ref, u.use]),
      [['a', 'accepted']],
    );
    for (const write of deferred) write();
    await settle();
    assert.deepEqual(
      written.map((u) => [u.ref, u.use]),
      [
        ['a', 'accepted'],
        ['b', 'typedThrough'],
      ],
    );
    uses.record(event('b', 'accepted', 7));
    uses.record(event('a', 'typedThrough', 5));
    await settle();
    assert.equal(written.length, 2, 'an outcome already written stays the only one');
    uses.record(event('a', 'accepted', 9)); // the rest of an answer whose first line was accepted
    await settle();
    assert.deepEqual(
      written.slice(2).map((u) => [u.ref, u.use, u.chars]),
      [['a', 'acceptedMore', 9]],
      'a later accept of an accepted completion adds its characters',
    );
    assert.equal(deferred.length, 2);
  });
});
