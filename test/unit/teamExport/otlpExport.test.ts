// The team export end to end, in plain Node: the shipped bundle (dist/teamExport.js, OpenTelemetry's
// OTLP/HTTP exporters inside) exports a real ledger to a real OTLP/HTTP receiver that decodes every body
// with the protocol's .proto definitions (test/server/otlpReceiver.ts). Through a receiver outage and an
// exporter restart, the exported cumulative cost equals the ledger's to the nano-dollar and every record
// id arrives; a receiver that hangs never delays an append.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/cost/ledger';
import { usdToUnits } from '../../../src/core/cost/pricing';
import type { LedgerRecord, UseRecord } from '../../../src/core/cost/record';
import type { startTeamExport as StartTeamExport, TeamExporter } from '../../../src/core/teamExport/entry';
import { OtlpReceiver } from '../../server/otlpReceiver';
import { makeRecord, tempDir } from '../cost/helpers';

const root = path.resolve(__dirname, '../../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle as shipped (built by `node esbuild.mjs --tests`)
const { startTeamExport } = require(path.join(root, 'dist', 'teamExport.js')) as { startTeamExport: typeof StartTeamExport };

const TOKEN = 'Bearer team-token-never-in-a-body';

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('team export: to a real OTLP/HTTP receiver', function () {
  this.timeout(60_000);
  let dir: string;
  let remove: () => void;
  let receiver: OtlpReceiver;
  let exporter: TeamExporter | undefined;
  const records: LedgerRecord[] = [];

  beforeEach(async () => {
    ({ dir, remove } = tempDir());
    dir = path.join(dir, 'secret-path-marker');
    receiver = new OtlpReceiver();
    await receiver.start();
    records.length = 0;
  });
  afterEach(async () => {
    await exporter?.dispose();
    exporter = undefined;
    await receiver.stop();
    remove();
  });

  function start(): TeamExporter {
    return (exporter = startTeamExport({
      dir,
      endpoint: receiver.url,
      headers: { Authorization: TOKEN },
      member: 'ada',
      version: '0.1.0-test',
      pollMs: 30,
      batchBytes: 4096,
      backoff: { initialMs: 30, maxMs: 150 },
      timeoutMs: 1000,
    }));
  }

  async function appendRequests(ledger: Ledger, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const n = records.length;
      const record = makeRecord({
        id: `rec-${n}`,
        feature: (['completion', 'chat', 'escalation'] as const)[n % 3],
        model: n % 3 === 2 ? 'gpt-4o-2024-08-06' : 'gpt-4o-mini-2024-07-18',
        promptTokens: 500 + n,
        cachedTokens: n % 2 === 0 ? 256 : 0,
        completionTokens: 20 + n,
        costUsd: n % 11 === 10 ? null : 0.00000015 * (n + 1) + 0.000075 * (n % 4),
        exact: n % 5 !== 4,
        latencyMs: 100 + 37 * n,
        language: n % 3 === 0 ? 'typescript' : undefined,
      });
      records.push(record);
      await ledger.append(record);
      if (record.feature === 'completion') {
        const use: UseRecord = {
          time: record.time,
          use: n % 2 ? 'offered' : 'accepted',
          ref: record.id,
          feature: 'completion',
          model: record.model,
          chars: 12,
        };
        await ledger.appendUse(use);
      }
    }
  }

  const ledgerCostUnits = () => records.reduce((sum, r) => sum + (r.costUsd === null ? 0 : usdToUnits(r.costUsd)), 0);
  const exportedCostUnits = () => [...receiver.latestSums('penny.cost').values()].reduce((sum, p) => sum + usdToUnits(p.value!), 0);
  const receivedIds = () => new Set(receiver.logs.map((l) => l.attributes['penny.record.id']));
  const allArrived = () => records.every((r) => receivedIds().has(r.id)) && exportedCostUnits() === ledgerCostUnits();

  it('exports every record through an outage and a restart; the exported cost equals the ledger to the nano-dollar', async () => {
    const ledger = new Ledger(dir);
    await appendRequests(ledger, 30);
    start();
    await waitFor('the first 30 records', allArrived);

    // Outage: the receiver goes away while the ledger keeps growing.
    await receiver.stop();
    await appendRequests(ledger, 20);
    await waitFor('failed attempts', async () => (await exporter!.status()).failures >= 2);
    const during = await exporter!.status();
    assert.ok(during.lastError, 'the failure is visible');
    assert.ok(during.backlog!.requests >= 20, `backlog ${JSON.stringify(during.backlog)}`);
    await receiver.start();
    await waitFor('the records appended during the outage', allArrived);
    // The cycle that delivered them ends, and with it the failure count.
    await waitFor('the failures cleared', async () => (await exporter!.status()).failures === 0);

    // Restart (a new window): the cumulative series go on from the saved state.
    const before = [...receiver.latestSums('penny.cost').values()][0];
    await exporter!.dispose();
    await appendRequests(ledger, 7);
    start();
    await waitFor('the records appended while no exporter ran', allArrived);
    const after = [...receiver.latestSums('penny.cost').values()].find((p) => p.attributes['penny.feature'] === before.attributes['penny.feature'])!;
    assert.equal(after.startTimeUnixNano, before.startTimeUnixNano, 'same series start: no reset');

    assert.deepEqual(receiver.rejected, [], 'every body is valid OTLP');
    assert.equal(exportedCostUnits(), ledgerCostUnits());
    assert.equal(receivedIds().size, records.length);

    // Names, units, kinds and attributes.
    for (const point of receiver.points.filter((p) => p.name === 'penny.cost')) {
      assert.equal(point.unit, 'USD');
      assert.equal(point.kind, 'sum');
      assert.equal(point.isMonotonic, true);
      assert.equal(point.temporality, 2, 'CUMULATIVE');
      assert.deepEqual(Object.keys(point.attributes).sort(), ['gen_ai.request.model', 'gen_ai.response.model', 'penny.exact', 'penny.feature']);
      assert.deepEqual(point.resource, {
        'service.name': 'penny',
        'service.version': '0.1.0-test',
        'service.instance.id': point.resource['service.instance.id'],
        'penny.member': 'ada',
      });
    }
    const tokens = [...receiver.latestSums('gen_ai.client.token.usage').values()];
    assert.ok(tokens.every((p) => p.kind === 'histogram' && p.unit === '{token}' && p.temporality === 2));
    const tokenSum = (type: string) => tokens.filter((p) => p.attributes['gen_ai.token.type'] === type).reduce((s, p) => s + p.sum!, 0);
    assert.equal(
      tokenSum('input'),
      records.reduce((s, r) => s + r.promptTokens, 0),
    );
    assert.equal(
      tokenSum('output'),
      records.reduce((s, r) => s + r.completionTokens, 0),
    );
    assert.equal(
      tokenSum('cache_read'),
      records.reduce((s, r) => s + r.cachedTokens, 0),
    );
    const durations = [...receiver.latestSums('gen_ai.client.operation.duration').values()];
    assert.ok(durations.every((p) => p.unit === 's'));
    assert.equal(
      durations.reduce((s, p) => s + p.count!, 0),
      records.length,
    );
    const accepted = [...receiver.latestSums('penny.completions.accepted').values()].reduce((s, p) => s + p.value!, 0);
    const completions = records.filter((r) => r.feature === 'completion');
    assert.equal(accepted, completions.filter((_, i) => i % 2 === 0).length);
    const event = receiver.logs.find((l) => l.attributes['penny.record.id'] === 'rec-0')!;
    assert.equal(event.eventName, 'penny.request');
    assert.equal(event.attributes['gen_ai.usage.input_tokens'], 500);
    assert.equal(event.attributes['penny.cost.nano_usd'], usdToUnits(records[0].costUsd!));

    // What left the machine: JSON by default, the headers on every request, and no path or token in any body.
    assert.ok(receiver.requests.every((r) => r.contentType.startsWith('application/json')));
    assert.ok(receiver.requests.every((r) => r.headers.authorization === TOKEN));
    for (const request of receiver.requests) {
      assert.ok(!request.raw.includes('secret-path-marker'), 'no file path');
      assert.ok(!request.raw.includes('team-token'), 'no header value');
      assert.ok(!request.raw.includes(dir));
    }
  });

  it('a receiver that hangs never delays an append, and nothing is lost once it answers again', async () => {
    const ledger = new Ledger(dir);
    receiver.mode = { kind: 'hang' };
    await appendRequests(ledger, 3);
    start();
    await waitFor('a request in flight', () => receiver.requests.length > 0);
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await appendRequests(ledger, 1);
      slowest = Math.max(slowest, performance.now() - t0);
    }
    assert.ok(slowest < 250, `an append took ${slowest.toFixed(0)} ms while the collector hung`);
    receiver.mode = { kind: 'ok' };
    await waitFor('everything, once the receiver answers', allArrived);
  });

  it('a 503 with Retry-After is retried, not dropped', async () => {
    const ledger = new Ledger(dir);
    await appendRequests(ledger, 2);
    receiver.mode = { kind: 'error', status: 503, retryAfter: '0' };
    start();
    await waitFor('refused attempts', () => receiver.requests.length >= 2);
    receiver.mode = { kind: 'ok' };
    await waitFor('everything', allArrived);
  });
});

describe('team export: loaded only when on', () => {
  it('the extension bundle holds no OpenTelemetry; dist/teamExport.js does, and the extension requires it by that name', () => {
    const read = (file: string) => fs.readFileSync(path.join(root, 'dist', file), 'utf8');
    const extension = read('extension.js');
    const marker = 'OTel-OTLP-Exporter-JavaScript'; // the OTLP exporters' User-Agent
    assert.ok(read('teamExport.js').includes(marker));
    assert.ok(!extension.includes(marker), 'dist/extension.js bundles an OTLP exporter');
    assert.ok(!extension.includes('@opentelemetry/'), 'dist/extension.js mentions an @opentelemetry module');
    assert.match(extension, /require\(["']\.\/teamExport\.js["']\)/);
  });
});
