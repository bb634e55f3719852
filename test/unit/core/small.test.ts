import assert from 'node:assert/strict';
import { costReportBody } from '../../../src/core/costReportHtml';
import { escapeHtml } from '../../../src/core/html';
import type { LedgerRecord } from '../../../src/core/cost/record';
import type { CostReport, Totals } from '../../../src/core/cost/tallies';
import { PriceBook } from '../../../src/core/cost/pricing';
import { CostMeter } from '../../../src/core/costMeter';
import { classifyError, PennyError, redactSecrets, retryAfterMs, toPennyError, userError } from '../../../src/core/errors';
import { escalationPrompt, estimateEscalation } from '../../../src/core/escalation';
import { compileExcludes, DEFAULT_EXCLUDES } from '../../../src/core/exclusions';
import { meterView } from '../../../src/core/meterView';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
const ctx = { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', baseUrl: 'https://api.openai.com/v1' };

describe('errors', () => {
  it('redacts keys and bearer tokens', () => {
    assert.equal(redactSecrets('key sk-proj-abcdefghij123 used'), 'key [redacted] used');
    assert.equal(redactSecrets('Authorization: Bearer abcdefghijklmnop'), 'Authorization: [redacted]');
    assert.equal(redactSecrets('my key is hunter2-long-secret', 'hunter2-long-secret'), 'my key is [redacted]');
  });
  it('reads retry-after-ms, retry-after seconds and dates', () => {
    assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250' })), 250);
    assert.equal(retryAfterMs(headers({ 'retry-after': '3' })), 3000);
    assert.equal(retryAfterMs(headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000), 6000);
    assert.equal(retryAfterMs(headers({})), undefined);
  });
  it('classifies each status into an actionable message', () => {
    assert.equal(classifyError({ status: 401, message: 'Incorrect API key provided: sk-abc***xyz' }, ctx).kind, 'auth');
    assert.ok(!classifyError({ status: 401, message: 'Incorrect API key provided: sk-abcdefgh***xyz' }, ctx).message.includes('sk-'));
    assert.equal(classifyError({ status: 403, message: 'region' }, ctx).kind, 'forbidden');
    assert.equal(classifyError({ status: 429, code: 'insufficient_quota' }, ctx).retryable, false);
    const limited = classifyError({ status: 429, code: 'rate_limit_exceeded', headers: headers({ 'retry-after': '20' }) }, ctx);
    assert.equal(limited.retryAfterMs, 20_000);
    assert.match(limited.message, /wait 20 s/);
    assert.equal(classifyError({ status: 503 }, ctx).retryable, true);
    assert.equal(classifyError({ status: 400, message: 'bad param' }, ctx).kind, 'badRequest');
    assert.equal(classifyError(new TypeError('fetch failed'), ctx).kind, 'offline');
  });
  it('has one error type: a PennyError is an Error, kept as it is when caught, and anything else becomes one', () => {
    const limited = classifyError({ status: 429 }, ctx);
    assert.ok(limited instanceof PennyError && limited instanceof Error);
    assert.equal(classifyError(limited, ctx), limited, 'classifying a PennyError again changes nothing');
    assert.equal(toPennyError(limited), limited);
    const unexpected = toPennyError(new RangeError('index 7 out of range'));
    assert.deepEqual([unexpected.kind, unexpected.message, unexpected.actions], ['unknown', 'index 7 out of range', ['retry']]);
    assert.equal(toPennyError('a thrown string').message, 'a thrown string');
    const refused = userError('Open a file first.');
    assert.deepEqual([refused.kind, refused.retryable, refused.actions], ['unavailable', false, []]);
    const redacted = limited.withMessage('changed');
    assert.deepEqual([redacted.kind, redacted.status, redacted.retryable, redacted.message], ['rateLimit', 429, true, 'changed']);
  });
});

describe('excluded files', () => {
  const excluded = compileExcludes([...DEFAULT_EXCLUDES, 'config/private/**']);
  for (const path of [
    '.env',
    '.env.production',
    'app/.env.local',
    'certs/server.pem',
    'id_rsa',
    'home/.ssh/id_rsa.pub',
    'tls.key',
    'secrets/db.json',
    'deploy/secrets/token.txt',
    'config/private/a/b.yaml',
  ]) {
    it(`never sends ${path}`, () => assert.equal(excluded(path), true));
  }
  for (const path of ['src/env.ts', 'src/keyboard.ts', 'docs/secrets.md', 'environment.yml', 'config/public/a.yaml']) {
    it(`allows ${path}`, () => assert.equal(excluded(path), false));
  }
});

describe('status bar view', () => {
  const record = (over: Partial<LedgerRecord> = {}): LedgerRecord => ({
    id: 'r1',
    time: '2026-11-25T10:00:00.000Z',
    feature: 'chat',
    model: 'gpt-4o-mini-2024-07-18',
    tier: 'default',
    promptTokens: 1000,
    cachedTokens: 0,
    completionTokens: 200,
    costUsd: 0.00027,
    exact: true,
    latencyMs: 900,
    outcome: 'ok',
    ...over,
  });

  it('shows the live cost while a request runs, then the last request and today', () => {
    const meter = new CostMeter();
    const id = meter.begin('chat', 'gpt-4o-mini', 0.00015, 1000);
    assert.match(meterView(meter.state()).text, /loading~spin\) ~\$0\.00015/);
    meter.update(id, 0.00021, 100);
    assert.match(meterView(meter.state()).text, /~\$0\.00021/);
    meter.finish(id, record());
    const view = meterView(meter.state());
    assert.equal(view.text, '$(pulse) $0.00027 · $0.00027 today');
    assert.match(view.tooltip, /\| chat \| gpt-4o-mini-2024-07-18 \| 1,000 \| 0 \| 200 \| \$0\.00027 \|/);
  });

  it('marks estimated requests and shows a pause reason', () => {
    const meter = new CostMeter();
    meter.finish(meter.begin('completion', 'gpt-4o-mini', 0, 10), record({ feature: 'completion', exact: false, outcome: 'cancelled', costUsd: 0.00002 }));
    meter.setBudget({ level: 'exceeded', blocked: true, message: 'Daily budget $1.00: $1.02 spent (102%)' }, 'Completions paused: budget');
    const view = meterView(meter.state());
    assert.match(view.text, /debug-pause.*~\$0\.00002/);
    assert.equal(view.severity, 'error');
    assert.match(view.tooltip, /completion \(cancelled\).*\(estimated\)/);
    assert.match(view.tooltip, /Today: \*\*\$0\.00002\*\* \(completion \$0\.00002\)/);
  });
});

describe('cost report', () => {
  it('escapes every name that comes from data', () => {
    const totals: Totals = { usd: 0.5, requests: 3, unpriced: 0, estimatedUsd: 0 };
    const report: CostReport = {
      today: totals,
      month: totals,
      byDay: [{ day: '2026-11-25', totals }],
      byModel: { '<img src=x onerror=alert(1)>': totals },
      byFeature: { chat: totals },
      value: [],
      valueByDay: [],
    };
    const html = costReportBody(report);
    assert.ok(!html.includes('<img'));
    assert.ok(html.includes(escapeHtml('<img src=x onerror=alert(1)>')));
    assert.match(html, /<svg class="chart"/);
  });
});

describe('escalation estimate', () => {
  it('counts the prompt exactly and prices input, a typical and a maximum answer, beside mini', () => {
    const { messages, userText } = escalationPrompt({
      instruction: 'Find bugs',
      code: 'let x = 1;\nx++',
      languageId: 'javascript',
      relativePath: 'a.js',
      origin: 'lines 1-2',
    });
    assert.match(userText, /```javascript\nlet x = 1;\nx\+\+\n```/);
    const estimate = estimateEscalation(messages, 'gpt-4o', 'gpt-4o-mini', new PriceBook());
    assert.ok(estimate.promptTokens > 20 && estimate.promptTokens < 120);
    assert.ok(Math.abs(estimate.inputUsd! - (estimate.promptTokens * 2.5) / 1e6) < 1e-12);
    assert.ok(Math.abs(estimate.maxUsd! - (estimate.promptTokens * 2.5 + 4096 * 10) / 1e6) < 1e-12);
    assert.ok(estimate.cheapTypicalUsd! < estimate.typicalUsd! / 15);
    assert.equal(estimateEscalation(messages, 'unknown-model', 'gpt-4o-mini', new PriceBook()).maxUsd, null);
  });
});
