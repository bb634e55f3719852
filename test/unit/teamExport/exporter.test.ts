// The team export's loop with a sink in memory: the cursor moves only on acknowledgement, a failure
// loses nothing and backs off, a restart resumes the same cumulative series, one window exports at a time.
import assert from 'node:assert/strict';
import { Ledger } from '../../../src/core/cost/ledger';
import { usdToUnits } from '../../../src/core/cost/pricing';
import { loadState } from '../../../src/core/teamExport/cursor';
import { TeamExporter, type ExportSink } from '../../../src/core/teamExport/exporter';
import type { Attributes, MetricPoints, RequestEvent } from '../../../src/core/teamExport/mapping';
import { makeRecord, tempDir } from '../cost/helpers';

class MemorySink implements ExportSink {
  metrics: { points: MetricPoints[]; resource: Attributes; startTimeMs: number }[] = [];
  events: RequestEvent[] = [];
  fail: Error | undefined;
  async sendMetrics(points: MetricPoints[], resource: Attributes, startTimeMs: number): Promise<void> {
    if (this.fail) throw this.fail;
    this.metrics.push({ points, resource, startTimeMs });
  }
  async sendEvents(events: RequestEvent[]): Promise<void> {
    if (this.fail) throw this.fail;
    this.events.push(...events);
  }
  async shutdown(): Promise<void> {}
  /** The cost in nano-dollars of the last metrics sent, over every series. */
  lastCostUnits(): number {
    const cost = this.metrics.at(-1)?.points.find((p) => p.definition.name === 'penny.cost');
    return (cost?.counters ?? []).reduce((sum, c) => sum + usdToUnits(c.value), 0);
  }
}

describe('team export: the loop', () => {
  let dir: string;
  let remove: () => void;
  const exporters: TeamExporter[] = [];
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(async () => {
    await Promise.all(exporters.splice(0).map((e) => e.dispose()));
    remove();
  });

  function exporter(sink: ExportSink, options: Partial<ConstructorParameters<typeof TeamExporter>[0]> = {}): TeamExporter {
    const e = new TeamExporter({ dir, sink, target: 'memory', version: '0.0.0-test', member: 'ada', batchBytes: 1024, random: () => 0.5, ...options });
    exporters.push(e);
    return e;
  }

  async function append(ledger: Ledger, count: number, from = 0): Promise<number> {
    let units = 0;
    for (let i = from; i < from + count; i++) {
      const costUsd = (i + 1) * 0.00000015 + 0.0001;
      units += usdToUnits(costUsd);
      await ledger.append(makeRecord({ id: `r${i}`, costUsd, feature: i % 3 === 0 ? 'completion' : 'chat' }));
    }
    return units;
  }

  it('exports every record in bounded batches, the cumulative cost equal to the ledger to the nano-dollar', async () => {
    const ledger = new Ledger(dir);
    const units = await append(ledger, 25);
    const sink = new MemorySink();
    await exporter(sink).runOnce();
    assert.deepEqual(
      sink.events.map((e) => e.attributes['penny.record.id']),
      Array.from({ length: 25 }, (_, i) => `r${i}`),
    );
    assert.ok(sink.metrics.length > 3, `a 1 KiB budget sends several batches (${sink.metrics.length})`);
    assert.equal(sink.lastCostUnits(), units);
    assert.equal(sink.metrics[0].resource['penny.member'], 'ada');
    assert.deepEqual((await exporters[0].status()).backlog, { requests: 0, lines: 0 });
  });

  it('a failure moves nothing: the retry sends the same lines, and the totals are never counted twice', async () => {
    const ledger = new Ledger(dir);
    let units = await append(ledger, 5);
    const sink = new MemorySink();
    const e = exporter(sink, { backoff: { initialMs: 1000, maxMs: 4000 }, now: () => 1_000_000 });
    sink.fail = new Error('ECONNREFUSED');
    await e.runOnce();
    units += await append(ledger, 5, 5);
    await e.runOnce();
    let status = await e.status();
    assert.equal(status.failures, 2);
    assert.equal(status.lastError, 'ECONNREFUSED');
    assert.equal(status.nextAttemptMs, 1_000_000 + 2000, 'the second failure waits twice the first');
    assert.deepEqual(status.backlog, { requests: 10, lines: 10 });
    for (let i = 0; i < 5; i++) await e.runOnce();
    assert.equal((await e.status()).nextAttemptMs, 1_000_000 + 4000, 'capped');
    sink.fail = undefined;
    await e.runOnce();
    status = await e.status();
    assert.equal(status.failures, 0);
    assert.equal(sink.events.length, 10);
    assert.equal(sink.lastCostUnits(), units);
  });

  it('a restart resumes from the saved cursor, in the same cumulative series', async () => {
    const ledger = new Ledger(dir);
    let units = await append(ledger, 4);
    const first = new MemorySink();
    const a = exporter(first);
    await a.runOnce();
    await a.dispose();
    units += await append(ledger, 3, 4);
    const second = new MemorySink();
    await exporter(second).runOnce();
    assert.deepEqual(
      second.events.map((e) => e.attributes['penny.record.id']),
      ['r4', 'r5', 'r6'],
      'only what the first did not send',
    );
    assert.equal(second.lastCostUnits(), units, 'the totals go on from the first run');
    assert.equal(second.metrics[0].startTimeMs, first.metrics[0].startTimeMs);
    assert.equal(second.metrics[0].resource['service.instance.id'], first.metrics[0].resource['service.instance.id']);
  });

  it('one exporter per ledger: a second window waits while the first holds the lock, and takes over a stale one', async () => {
    const ledger = new Ledger(dir);
    await append(ledger, 2);
    const sinkA = new MemorySink();
    const sinkB = new MemorySink();
    const a = exporter(sinkA, { lockStaleMs: 60_000 });
    await a.runOnce();
    const b = exporter(sinkB, { lockStaleMs: 60_000 });
    await append(ledger, 2, 2);
    await b.runOnce();
    assert.equal(sinkB.events.length, 0);
    assert.equal((await b.status()).exporting, false);
    await a.runOnce();
    assert.equal(sinkA.events.length, 4);
    // A window that dies leaves its lock: another takes it over once stale.
    const c = exporter(sinkB, { lockStaleMs: 1 });
    await append(ledger, 1, 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await c.runOnce();
    assert.deepEqual(
      sinkB.events.map((e) => e.attributes['penny.record.id']),
      ['r4'],
    );
    assert.equal((await loadState(dir, 0, () => undefined)).cursor['2026-11'] > 0, true);
  });

  it('resends the totals when due even with nothing new (a collector ages out series it has not heard of)', async () => {
    const ledger = new Ledger(dir);
    await append(ledger, 1);
    let now = 0;
    const sink = new MemorySink();
    const e = exporter(sink, { heartbeatMs: 60_000, now: () => now });
    await e.runOnce();
    assert.equal(sink.metrics.length, 1);
    now = 30_000;
    await e.runOnce();
    assert.equal(sink.metrics.length, 1);
    now = 61_000;
    await e.runOnce();
    assert.equal(sink.metrics.length, 2);
    assert.equal(sink.events.length, 1, 'events are never resent');
  });
});
