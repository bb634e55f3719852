// The team export's loop: reads the ledger from the cursor a bounded batch at a time, sends the batch's
// request events and the new cumulative totals through a sink (OTLP, otlp.ts), and moves the cursor only
// once the collector acknowledged both. Runs on its own timer in the background: it never touches the
// `Ledger` object (it reads the month files, which only grow), so a slow or dead collector never delays
// a request, an append or the UI, and it loses nothing: the lines stay in the ledger until acknowledged.
//
// Temporality: CUMULATIVE, on purpose. Each export carries every series' total since the export started
// on this ledger (`startTimeMs`, persisted), recomputed from the acknowledged cursor. A failed send is
// simply superseded by the next one, and a send whose acknowledgement was lost is repeated with the same
// value, which a receiver takes as no change: the last value received equals the ledger's sum up to the
// cursor, to the nano-dollar (cost is summed in integer nano-dollars), through outages and restarts, with
// no state in the collector. DELTA would lose an increment whose send failed after the SDK reset it, add it
// twice when an acknowledgement is lost, and reset Prometheus' delta-to-cumulative accumulation whenever
// the series' start times do not chain (every restart). The per-request events are the exactly-countable
// record: at least once, with `penny.record.id` to de-duplicate by.

import { errorMessage } from '../errors';
import { backlog, loadState, pruneCursor, readBatch, saveState, type ExportState } from './cursor';
import { ExportLock } from './lock';
import {
  addObservation,
  cloneTotals,
  metricPoints,
  observationsOf,
  requestEvent,
  resourceAttributes,
  type Attributes,
  type MetricPoints,
  type RequestEvent,
} from './mapping';

/** Where the export goes: resolves once the collector acknowledged, rejects on any failure. */
export interface ExportSink {
  sendMetrics(points: MetricPoints[], resource: Attributes, startTimeMs: number, timeMs: number): Promise<void>;
  sendEvents(events: RequestEvent[], resource: Attributes): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TeamExporterOptions {
  /** The ledger's folder (month files, the state and lock files). */
  dir: string;
  sink: ExportSink;
  /** Shown in the status: the endpoint, never its headers. */
  target: string;
  member?: string;
  version: string;
  onInfo?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** How often the ledger is checked for new lines (default 10 s). */
  pollMs?: number;
  /** Totals are sent again at least this often, so a collector never ages a series out (default 60 s). */
  heartbeatMs?: number;
  /** Ledger bytes per batch: the bound on what is read and sent at once (default 256 KiB, ~1,000 records). */
  batchBytes?: number;
  /** Retries wait `initialMs`, doubling (with ±20% jitter) up to `maxMs` (defaults 5 s and 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  /** A lock untouched for this long is taken over (default 2 min). */
  lockStaleMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface TeamExportStatus {
  target: string;
  /** Whether this window is the one exporting (another window of the same installation may be). */
  exporting: boolean;
  lastSuccessMs?: number;
  lastError?: string;
  lastErrorMs?: number;
  /** Failed attempts in a row. */
  failures: number;
  nextAttemptMs?: number;
  /** Ledger lines not yet acknowledged, and of them request records. */
  backlog?: { requests: number; lines: number };
}

const DEFAULTS = { pollMs: 10_000, heartbeatMs: 60_000, batchBytes: 256 * 1024, backoff: { initialMs: 5_000, maxMs: 300_000 }, lockStaleMs: 120_000 };

export class TeamExporter {
  private readonly options: Required<Omit<TeamExporterOptions, 'member'>> & { member?: string };
  private readonly lock: ExportLock;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;
  private exporting = false;
  private failures = 0;
  private lastError: { message: string; atMs: number } | undefined;
  private lastSuccessMs: number | undefined;
  private lastMetricsMs = -Infinity;
  private nextAttemptMs: number | undefined;

  constructor(options: TeamExporterOptions) {
    this.options = {
      onInfo: () => undefined,
      onWarning: () => undefined,
      now: Date.now,
      random: Math.random,
      ...DEFAULTS,
      ...options,
    };
    this.lock = new ExportLock(options.dir, this.options.lockStaleMs);
  }

  /** Starts the loop: a first export at once, then on the timer. */
  start(): void {
    this.schedule(0);
  }

  /** Runs one export cycle and resolves when it is done (tests; the timer for everyone else). */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    await this.cycle();
  }

  async status(): Promise<TeamExportStatus> {
    let state: ExportState | undefined;
    try {
      state = await loadState(this.options.dir, this.options.now(), () => undefined);
    } catch {
      state = undefined;
    }
    return {
      target: this.options.target,
      exporting: this.exporting,
      lastSuccessMs: this.lastSuccessMs ?? state?.lastSuccessMs,
      lastError: this.lastError?.message,
      lastErrorMs: this.lastError?.atMs,
      failures: this.failures,
      nextAttemptMs: this.nextAttemptMs,
      backlog: state ? await backlog(this.options.dir, state.cursor).catch(() => undefined) : undefined,
    };
  }

  /** Stops the loop, waits for a send in flight (bounded by the sink's timeout), releases the lock. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.lock.release().catch(() => undefined);
    await this.options.sink.shutdown().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.nextAttemptMs = this.options.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.cycle().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref?.();
  }

  private async cycle(): Promise<void> {
    let delay = this.options.pollMs;
    try {
      this.exporting = await this.lock.acquire();
      // Another window exports: look again now and then, in case it closes.
      if (!this.exporting) delay = this.options.lockStaleMs / 2;
      else await this.exportAll();
      if (this.failures > 0) this.options.onInfo(`Team export: ${this.options.target} acknowledged again after ${this.failures} failed attempts.`);
      this.failures = 0;
      this.lastError = undefined;
    } catch (error) {
      this.failures++;
      const message = errorMessage(error);
      if (this.failures === 1 || message !== this.lastError?.message) {
        this.options.onWarning(`Team export to ${this.options.target} failed (${message}); nothing is lost, Penny retries with backoff.`);
      }
      this.lastError = { message, atMs: this.options.now() };
      delay = this.backoffMs();
    }
    this.schedule(delay);
  }

  private backoffMs(): number {
    const { initialMs, maxMs } = this.options.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.round(base * (0.8 + 0.4 * this.options.random()));
  }

  /** Sends batches until the cursor reaches the end of the ledger; then the totals if they are due. */
  private async exportAll(): Promise<void> {
    const { dir, batchBytes, sink } = this.options;
    // Read afresh every cycle: another window may have exported while this one did not hold the lock.
    let state = await loadState(dir, this.options.now(), this.options.onWarning);
    state.cursor = await pruneCursor(dir, state.cursor);
    const resource = resourceAttributes({ member: this.options.member, instanceId: state.instanceId, version: this.options.version });
    for (;;) {
      if (this.disposed) return;
      const batch = await readBatch(dir, state.cursor, batchBytes);
      if (!batch) break;
      const totals = cloneTotals(state.totals);
      const events: RequestEvent[] = [];
      for (const parsed of batch.lines) {
        for (const observation of observationsOf(parsed)) addObservation(totals, observation);
        if ('record' in parsed) events.push(requestEvent(parsed.record, parsed.timeMs));
      }
      // Metrics first: if the events fail after them, the same totals are sent again (no change) with the retry.
      await sink.sendMetrics(metricPoints(totals), resource, state.startTimeMs, this.options.now());
      if (events.length > 0) await sink.sendEvents(events, resource);
      this.lastMetricsMs = this.lastSuccessMs = this.options.now();
      state = { ...state, cursor: { ...state.cursor, [batch.month]: batch.end }, totals, lastSuccessMs: this.lastSuccessMs };
      await saveState(dir, state);
      // Still ours? (and marked fresh between the batches of a long backlog)
      if (!(await this.lock.acquire())) return void (this.exporting = false);
    }
    const points = metricPoints(state.totals);
    if (points.length > 0 && this.options.now() - this.lastMetricsMs >= this.options.heartbeatMs) {
      await sink.sendMetrics(points, resource, state.startTimeMs, this.options.now());
      this.lastMetricsMs = this.lastSuccessMs = this.options.now();
    }
  }
}
