import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInBackground } from '../../../src/core/background';
import { CompletionBudgetPause, trackBudgets } from '../../../src/core/budgetWatch';
import { budgetStatus, type BudgetSettings, type BudgetStatus } from '../../../src/core/cost/budget';
import { Ledger } from '../../../src/core/cost/ledger';
import { PriceBook } from '../../../src/core/cost/pricing';
import { CostMeter } from '../../../src/core/costMeter';
import { MeteredClient, type BudgetSource } from '../../../src/core/meteredClient';
import { waitUntil } from '../../harness/workbench';

/** One turn of the event loop: Node reports a rejection left unhandled at the end of the turn it happened in. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `work`, which resolves once what it started has visibly finished (its failure logged), then
 * lets the event loop turn once, and returns the rejections nobody handled meanwhile: any rejection
 * of that work has been reported by then, so no fixed wait is needed.
 */
async function unhandledRejectionsDuring(work: () => Promise<void>): Promise<string[]> {
  const unhandled: string[] = [];
  const listener = (reason: unknown) => void unhandled.push(String(reason));
  process.on('unhandledRejection', listener);
  try {
    await work();
    await nextTurn();
  } finally {
    process.off('unhandledRejection', listener);
  }
  return unhandled;
}

/** Resolves with the first message logged, or with nothing after a second. */
function firstLogged(): { log: (message: string) => void; logged: Promise<string | undefined> } {
  let log!: (message: string) => void;
  const logged = new Promise<string | undefined>((resolve) => {
    log = resolve;
    setTimeout(() => resolve(undefined), 1000).unref();
  });
  return { log, logged };
}

describe('work in the background', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'penny-background-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Budget checks against a ledger whose folder is a file: every read fails. */
  function unreadableLedger(): MeteredClient {
    const ledgerDir = join(dir, 'ledger');
    writeFileSync(ledgerDir, 'not a directory');
    return new MeteredClient({
      client: async () => assert.fail('only the budget is read here: no request is sent'),
      priceBook: () => new PriceBook(),
      budget: (): BudgetSettings => ({ daily: 1, monthly: null, enforce: true }),
      ledger: new Ledger(ledgerDir),
      meter: new CostMeter(),
    });
  }

  it('runInBackground logs a failure with what was being done, and leaves no rejection unhandled', async () => {
    const logged: string[] = [];
    const unhandled = await unhandledRejectionsDuring(async () => {
      runInBackground(Promise.reject(new Error('disk on fire')), 'reading the ledger', (m) => logged.push(m));
      runInBackground(Promise.reject('a bare reason'), 'saving', (m) => logged.push(m));
      runInBackground(Promise.resolve('fine'), 'nothing to tell', (m) => logged.push(m));
      await waitUntil('both failures to be logged', () => logged.length >= 2, { timeoutMs: 1000, intervalMs: 1, describe: () => JSON.stringify(logged) });
    });
    assert.deepEqual(unhandled, []);
    assert.deepEqual(logged, ['reading the ledger: disk on fire', 'saving: a bare reason']);
  });

  it('budget warnings: an unreadable ledger is logged, not an unhandled rejection, and warns nobody', async () => {
    const { log, logged } = firstLogged();
    const warned: BudgetStatus[] = [];
    const meter = new CostMeter();
    let watch: { dispose(): void } | undefined;
    let message: string | undefined;
    const unhandled = await unhandledRejectionsDuring(async () => {
      watch = trackBudgets(meter, unreadableLedger(), { warn: async (status) => void warned.push(status), onError: log });
      message = await logged;
    });
    watch?.dispose();
    assert.deepEqual(unhandled, []);
    assert.match(message ?? '(nothing logged)', /^checking the budget: \S/);
    assert.deepEqual(warned, []);
    assert.equal(meter.state().budget, undefined);
  });

  it('budget warnings: warn once per threshold after each request, and keep the meter current', async () => {
    let spent = 0.5;
    const answered: BudgetStatus[] = [];
    const metered: BudgetSource = {
      budgetStatus: async () => {
        const status = budgetStatus(spent, spent, { daily: 1, monthly: null, enforce: true });
        answered.push(status);
        return status;
      },
    };
    const warned: string[] = [];
    const meter = new CostMeter();
    const watch = trackBudgets(meter, metered, { warn: async (status) => void warned.push(status.level), onError: assert.fail });
    let requests = 0;
    const finishRequest = async (usd: number) => {
      spent += usd;
      requests++;
      meter.finish(meter.begin('chat', 'gpt-4o-mini', usd, 10), {
        id: `request-${requests}`,
        time: '',
        feature: 'chat',
        model: 'gpt-4o-mini',
        tier: 'default',
        promptTokens: 10,
        cachedTokens: 0,
        completionTokens: 1,
        costUsd: usd,
        exact: true,
        latencyMs: 1,
        outcome: 'ok',
      });
      // The budget is checked at the start and after each request. This request's check is over once
      // it has answered and the meter shows the very status it read (the warning is decided in the
      // same step): only then may "no second warning" be judged.
      await waitUntil(
        `the budget check after request ${requests} ($${usd}) to reach the meter`,
        () => answered.length >= requests + 1 && meter.state().budget === answered.at(-1),
        { timeoutMs: 1000, intervalMs: 1, describe: () => `${answered.length} check(s) answered, the meter shows ${JSON.stringify(meter.state().budget)}` },
      );
    };
    await finishRequest(0.35);
    await finishRequest(0.01);
    await finishRequest(0.2);
    watch.dispose();
    assert.deepEqual(warned, ['warn', 'exceeded']);
    assert.equal(meter.state().budget?.level, 'exceeded');
  });

  it('completions paused by a budget: an unreadable ledger is logged, not an unhandled rejection, and they stay paused', async () => {
    const { log, logged } = firstLogged();
    const reasons: (string | undefined)[] = [];
    const pause = new CompletionBudgetPause(unreadableLedger(), { onChange: (reason) => reasons.push(reason), onError: log });
    let message: string | undefined;
    const unhandled = await unhandledRejectionsDuring(async () => {
      pause.pause('Completions paused: budget reached');
      pause.resumeIfAllowed();
      message = await logged;
    });
    assert.deepEqual(unhandled, []);
    assert.match(message ?? '(nothing logged)', /^checking whether completions may resume: \S/);
    assert.equal(pause.holdsCompletions(), true);
    assert.deepEqual(reasons, ['Completions paused: budget reached']);
  });

  it('completions paused by a budget resume once it no longer blocks, checked at most once a minute', async () => {
    let blocked = true;
    let checks = 0;
    const metered: BudgetSource = {
      budgetStatus: async (): Promise<BudgetStatus> => {
        checks++;
        return { level: blocked ? 'exceeded' : 'ok', blocked };
      },
    };
    let now = 0;
    const reasons: (string | undefined)[] = [];
    const pause = new CompletionBudgetPause(metered, { onChange: (reason) => reasons.push(reason), onError: assert.fail, now: () => now });
    pause.pause('paused');
    assert.equal(pause.holdsCompletions(), true);
    blocked = false;
    now = 30_000;
    assert.equal(pause.holdsCompletions(), true);
    assert.equal(checks, 0, 'not within the minute');
    now = 61_000;
    pause.holdsCompletions();
    await waitUntil('completions to resume', () => reasons.length >= 2, { timeoutMs: 1000, intervalMs: 1, describe: () => JSON.stringify(reasons) });
    assert.equal(checks, 1);
    assert.equal(pause.holdsCompletions(), false);
    assert.deepEqual(reasons, ['paused', undefined]);
  });
});
