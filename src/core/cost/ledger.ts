// The cost ledger: every request Penny makes, priced, in append-only JSON-lines files.
//
// Layout: one file per UTC month, `ledger-YYYY-MM.jsonl` (the month of the record's `time`), one record
// per line. A record is written with a single append of a whole line, so a crash loses at most the
// line in flight; a torn or corrupt line is skipped with one warning and never blocks reading or
// later appends. Several VS Code windows may append to the same files: reads only assume that files
// grow, and pick up lines other processes appended.
//
// Reports are grouped by LOCAL day and month of `now()`: users think of "today" in their own time
// zone. Files are keyed by UTC month only so a record's file never depends on the time zone; a report
// reads every file that can hold a record of its window.
//
// Speed: what was read is kept as per-day tallies per file, valid while the file's size, mtime and
// inode are unchanged; a grown file is read only from where the last read stopped, and this process's
// own appends update the tallies directly. Money is summed in integer nano-dollars (see pricing.ts).
// Reports and exports read a file a chunk at a time (1 MiB by default) and decode whole lines only, so
// a read holds a chunk plus the longest line, never the whole file: a report's memory stays flat
// however large a month file grows, and a file longer than the longest string V8 allows is still read.

import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { unitsToUsd, usdToUnits } from './pricing';

export type Feature = 'completion' | 'chat' | 'escalation';
export type Outcome = 'ok' | 'cancelled' | 'error' | 'cut' | 'stalled' | 'length';

export interface LedgerRecord {
  /** ISO 8601 UTC, when the request started. */
  time: string;
  feature: Feature;
  /** The resolved model if the API said, else the requested one. */
  model: string;
  /** Service tier ('default' if unknown). */
  tier: string;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  /** null: price unknown. */
  costUsd: number | null;
  /** false: estimated (usage never arrived). */
  exact: boolean;
  latencyMs: number;
  outcome: Outcome;
}

export interface Totals {
  /** Everything priced, estimated costs included. */
  usd: number;
  requests: number;
  /** Requests whose price is unknown (not in `usd`). */
  unpriced: number;
  /** The part of `usd` that is estimated rather than reported by the API. */
  estimatedUsd: number;
}

export interface CostReport {
  /** The local day of `now()`. */
  today: Totals;
  /** The local calendar month of `now()`. */
  month: Totals;
  /** The last 30 local days, oldest first, days without requests included; `day` is YYYY-MM-DD. */
  byDay: { day: string; totals: Totals }[];
  /** This local calendar month, by model. */
  byModel: Record<string, Totals>;
  /** This local calendar month, by feature. */
  byFeature: Record<string, Totals>;
}

export interface LedgerOptions {
  now?: () => Date;
  onWarning?: (message: string) => void;
  /** Month files kept, the current one included (default 13); older ones are deleted. */
  keepMonths?: number;
  /** Bytes read from a file at a time (default 1 MiB). Tests make it tiny so lines straddle reads. */
  readChunkBytes?: number;
}

const DEFAULT_KEEP_MONTHS = 13;
/** Large enough that reading in chunks costs no more than one whole read, small enough to keep memory flat. */
const DEFAULT_READ_CHUNK_BYTES = 1024 * 1024;
const REPORT_DAYS = 30;
/** First window `recent()` reads from the end of a file: a few hundred records. */
const RECENT_WINDOW_BYTES = 64 * 1024;
/** Corrupt lines reported one by one per read of a file; beyond that, one summary warning. */
const MAX_LINE_WARNINGS_PER_READ = 5;
const NEWLINE = 0x0a;
const FILE_NAME = /^ledger-(\d{4}-\d{2})\.jsonl$/;

const CSV_COLUMNS = [
  'time',
  'feature',
  'model',
  'tier',
  'promptTokens',
  'cachedTokens',
  'completionTokens',
  'costUsd',
  'exact',
  'latencyMs',
  'outcome',
] as const satisfies readonly (keyof LedgerRecord)[];

/** Running sums; money in integer nano-dollars so totals are exact. */
class Tally {
  units = 0;
  requests = 0;
  unpriced = 0;
  estimatedUnits = 0;

  add(units: number | null, exact: boolean): void {
    this.requests++;
    if (units === null) {
      this.unpriced++;
      return;
    }
    this.units += units;
    if (!exact) this.estimatedUnits += units;
  }

  merge(other: Tally): void {
    this.units += other.units;
    this.requests += other.requests;
    this.unpriced += other.unpriced;
    this.estimatedUnits += other.estimatedUnits;
  }

  toTotals(): Totals {
    return {
      usd: unitsToUsd(this.units),
      requests: this.requests,
      unpriced: this.unpriced,
      estimatedUsd: unitsToUsd(this.estimatedUnits),
    };
  }
}

class DayTally {
  readonly total = new Tally();
  readonly byModel = new Map<string, Tally>();
  readonly byFeature = new Map<string, Tally>();

  add(record: LedgerRecord): void {
    const units = record.costUsd === null ? null : usdToUnits(record.costUsd);
    this.total.add(units, record.exact);
    tallyFor(this.byModel, record.model).add(units, record.exact);
    tallyFor(this.byFeature, record.feature).add(units, record.exact);
  }
}

function tallyFor(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (!tally) map.set(key, (tally = new Tally()));
  return tally;
}

function mergeInto(target: Map<string, Tally>, source: Map<string, Tally>): void {
  for (const [key, tally] of source) tallyFor(target, key).merge(tally);
}

function totalsOf(map: Map<string, Tally>): Record<string, Totals> {
  const result: Record<string, Totals> = {};
  for (const [key, tally] of map) result[key] = tally.toTotals();
  return result;
}

/** What has been read from one month file. */
interface FileState {
  /** Size, mtime and inode of the file when last read: any change means new lines or a new file. */
  size: number;
  mtimeMs: number;
  ino: number;
  /** Bytes of complete lines (ending in '\n') already tallied: the next read starts here. */
  consumed: number;
  /** Complete lines tallied, for line numbers in warnings. */
  lines: number;
  days: Map<string, DayTally>;
  /** A valid record at the very end without its '\n' (re-read with the file, not in `days`). */
  unterminated?: ParsedRecord;
}

interface ParsedRecord {
  record: LedgerRecord;
  day: string;
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The record in one line, or undefined when the line is not a complete, well-formed record. */
function parseRecord(line: string, dayOf: (ms: number) => string = (ms) => localDay(new Date(ms))): ParsedRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const ms = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
  // Feature and outcome are checked as strings only: a newer Penny may write values this one does not
  // know, and their money must still count.
  const valid =
    Number.isFinite(ms) &&
    typeof r.feature === 'string' &&
    typeof r.model === 'string' &&
    typeof r.tier === 'string' &&
    isCount(r.promptTokens) &&
    isCount(r.cachedTokens) &&
    isCount(r.completionTokens) &&
    (r.costUsd === null || isNonNegative(r.costUsd)) &&
    typeof r.exact === 'boolean' &&
    isNonNegative(r.latencyMs) &&
    typeof r.outcome === 'string';
  return valid ? { record: value as LedgerRecord, day: dayOf(ms) } : undefined;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** YYYY-MM-DD of the local day. */
function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/**
 * `localDay` for many times, memoized per UTC quarter hour: every time zone offset in use, and every
 * daylight-saving switch, falls on a quarter hour, so all times in one share a local day. Made per
 * read, so a memo never outlives a change of time zone for long.
 */
function localDayMemo(): (ms: number) => string {
  const days = new Map<number, string>();
  return (ms) => {
    const quarter = Math.floor(ms / 900_000);
    let day = days.get(quarter);
    if (day === undefined) days.set(quarter, (day = localDay(new Date(ms))));
    return day;
  };
}

/** YYYY-MM of the UTC month: the file a record at this time belongs to. */
function utcMonth(date: Date): string {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}`;
}

/** The UTC month `monthsBack` months before `month` (YYYY-MM). */
function monthsBefore(month: string, monthsBack: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - monthsBack;
  return `${Math.floor(index / 12)}-${pad2((index % 12) + 1)}`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Serializes a record with a fixed key order and nothing but the record's own fields. */
function serialize(record: LedgerRecord): string {
  const ordered: LedgerRecord = {
    time: record.time,
    feature: record.feature,
    model: record.model,
    tier: record.tier,
    promptTokens: record.promptTokens,
    cachedTokens: record.cachedTokens,
    completionTokens: record.completionTokens,
    costUsd: record.costUsd,
    exact: record.exact,
    latencyMs: record.latencyMs,
    outcome: record.outcome,
  };
  return JSON.stringify(ordered);
}

/** RFC 4180 field; text that a spreadsheet would run as a formula gets a leading apostrophe. */
function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** USD as a plain decimal to the nano-dollar (no exponent: 1.5e-7 is written 0.00000015). */
function csvUsd(usd: number | null): string {
  if (usd === null) return '';
  return unitsToUsd(usdToUnits(usd))
    .toFixed(9)
    .replace(/\.?0+$/, '');
}

export class Ledger {
  private readonly now: () => Date;
  private readonly onWarning: (message: string) => void;
  private readonly keepMonths: number;
  private readonly readChunkBytes: number;
  private readonly files = new Map<string, FileState>();
  /** Lines already warned about (`file:line`), so each problem is reported once. */
  private readonly warned = new Set<string>();
  /** Every operation runs in turn: appends never interleave and reads never see our own half-written line. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The UTC month old files were last cleaned up for: cleanup runs at start and when the month turns. */
  private cleanedFor: string | undefined;

  constructor(
    private readonly dir: string,
    options: LedgerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.onWarning = options.onWarning ?? (() => undefined);
    const keep = options.keepMonths ?? DEFAULT_KEEP_MONTHS;
    this.keepMonths = Number.isInteger(keep) && keep >= 1 ? keep : DEFAULT_KEEP_MONTHS;
    const chunk = options.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
    this.readChunkBytes = Number.isSafeInteger(chunk) && chunk >= 1 ? chunk : DEFAULT_READ_CHUNK_BYTES;
  }

  /** Appends one record as one line. Rejects a record that would not read back (a caller's bug). */
  append(record: LedgerRecord): Promise<void> {
    return this.enqueue(async () => {
      const line = serialize(record);
      const parsed = parseRecord(line);
      if (!parsed) throw new TypeError(`Ledger: malformed record not written: ${line}`);
      const month = utcMonth(new Date(Date.parse(record.time)));
      await fs.mkdir(this.dir, { recursive: true });
      const file = await fs.open(this.pathOf(month), 'a+');
      try {
        const before = await file.stat();
        // A torn last line (a crash mid-write) must not swallow this record: start a new line.
        let separator = '';
        if (before.size > 0) {
          const last = Buffer.alloc(1);
          await file.read(last, 0, 1, before.size - 1);
          if (last[0] !== NEWLINE) separator = '\n';
        }
        const data = Buffer.from(`${separator}${line}\n`);
        await file.appendFile(data);
        this.noteAppend(month, before, await file.stat(), data.length, separator === '', parsed);
      } finally {
        await file.close();
      }
    });
  }

  report(): Promise<CostReport> {
    return this.enqueue(async () => (await this.summarize()).report);
  }

  async todayTotal(): Promise<number> {
    return (await this.report()).today.usd;
  }

  async monthTotal(): Promise<number> {
    return (await this.report()).month.usd;
  }

  /** Today's spend in USD by feature. */
  todayByFeature(): Promise<Record<string, number>> {
    return this.enqueue(async () => {
      const { todayByFeature } = await this.summarize();
      const result: Record<string, number> = {};
      for (const [feature, tally] of todayByFeature) result[feature] = unitsToUsd(tally.units);
      return result;
    });
  }

  /** The last `n` records written, newest first. */
  recent(n: number): Promise<LedgerRecord[]> {
    return this.enqueue(async () => {
      const result: LedgerRecord[] = [];
      for (const month of (await this.months()).reverse()) {
        if (result.length >= n) break;
        for (const record of await this.readNewest(month, n - result.length)) result.push(record);
      }
      return result;
    });
  }

  /** Every record kept, oldest first, as RFC 4180 CSV (CRLF line ends, header row). */
  exportCsv(): Promise<string> {
    return this.enqueue(async () => {
      const rows = [CSV_COLUMNS.join(',')];
      for (const month of await this.months()) {
        for (const record of await this.readAll(month)) {
          rows.push(CSV_COLUMNS.map((column) => (column === 'costUsd' ? csvUsd(record.costUsd) : csvField(record[column]))).join(','));
        }
      }
      return rows.join('\r\n') + '\r\n';
    });
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      try {
        await this.cleanUpOldFiles();
      } catch (error) {
        // Housekeeping must never cost a record: warn and carry on.
        this.onWarning(`Penny could not clean up old cost ledgers in ${this.dir}: ${String(error)}`);
      }
      return operation();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private pathOf(month: string): string {
    return path.join(this.dir, `ledger-${month}.jsonl`);
  }

  /** Months that have a ledger file, oldest first. */
  private async months(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return names.flatMap((name) => FILE_NAME.exec(name)?.[1] ?? []).sort();
  }

  /** Deletes month files older than `keepMonths`, once per process start and month. */
  private async cleanUpOldFiles(): Promise<void> {
    const current = utcMonth(this.now());
    if (this.cleanedFor === current) return;
    this.cleanedFor = current;
    const oldestKept = monthsBefore(current, this.keepMonths - 1);
    for (const month of await this.months()) {
      if (month >= oldestKept) break;
      this.files.delete(month);
      try {
        await fs.unlink(this.pathOf(month));
      } catch (error) {
        if (!isMissing(error)) this.onWarning(`Penny could not delete the old cost ledger ${this.pathOf(month)}: ${String(error)}`);
      }
    }
  }

  /** Updates the cached tallies with our own append when nothing else touched the file, saving a re-read. */
  private noteAppend(month: string, before: Stats, after: Stats, bytes: number, startedClean: boolean, parsed: ParsedRecord): void {
    const onlyOurs = after.size === before.size + bytes;
    let state = this.files.get(month);
    if (!state && before.size === 0 && onlyOurs) {
      state = { size: 0, mtimeMs: before.mtimeMs, ino: before.ino, consumed: 0, lines: 0, days: new Map() };
      this.files.set(month, state);
    }
    const upToDate =
      state !== undefined &&
      startedClean &&
      onlyOurs &&
      state.size === before.size &&
      state.mtimeMs === before.mtimeMs &&
      state.ino === before.ino &&
      state.consumed === before.size;
    if (!state || !upToDate) return; // stale: the next read picks the new lines up from `consumed`
    dayTally(state.days, parsed.day).add(parsed.record);
    state.lines++;
    state.size = state.consumed = after.size;
    state.mtimeMs = after.mtimeMs;
  }

  /** Tallies of one month file, brought up to date by reading only what was appended since the last read. */
  private async refresh(month: string): Promise<FileState | undefined> {
    const file = this.pathOf(month);
    let stats: Stats;
    try {
      stats = await fs.stat(file);
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.files.delete(month);
      return undefined;
    }
    let state = this.files.get(month);
    const sameFile = state !== undefined && state.ino === stats.ino;
    if (state && sameFile && state.size === stats.size && state.mtimeMs === stats.mtimeMs) return state;
    if (!state || !sameFile || stats.size <= state.size) {
      // First read, or the file was replaced or rewritten rather than appended to: start over.
      state = { size: 0, mtimeMs: 0, ino: stats.ino, consumed: 0, lines: 0, days: new Map() };
      this.files.set(month, state);
    }
    const current = state;
    const warnings = this.lineWarnings(file);
    const dayOf = localDayMemo();
    let read: { linesEnd: number; rest: Buffer };
    try {
      read = await readLines(file, current.consumed, stats.size, this.readChunkBytes, (line) => {
        current.lines++;
        const parsed = parseRecord(line, dayOf);
        if (parsed) dayTally(current.days, parsed.day).add(parsed.record);
        else if (line.trim() !== '') warnings.corrupt(current.lines);
      });
    } catch (error) {
      // The tallies may hold part of the new lines: forget them, so the next read starts over.
      this.files.delete(month);
      throw error;
    }
    current.consumed = read.linesEnd;
    current.size = read.linesEnd + read.rest.length;
    current.mtimeMs = stats.mtimeMs;
    current.unterminated = undefined;
    if (read.rest.length > 0) {
      // Usually a line torn by a crash; a complete record that only lacks its '\n' still counts.
      current.unterminated = parseRecord(read.rest.toString('utf8'));
      if (!current.unterminated) warnings.corrupt(current.lines + 1, 'incomplete');
    }
    warnings.done();
    return current;
  }

  /** Every valid record of one month file, in file order (uncached: for the rare full export). */
  private async readAll(month: string): Promise<LedgerRecord[]> {
    const file = this.pathOf(month);
    const warnings = this.lineWarnings(file);
    const records: LedgerRecord[] = [];
    let lineNumber = 0;
    const take = (line: string, kind: 'corrupt' | 'incomplete'): void => {
      lineNumber++;
      const parsed = parseRecord(line);
      if (parsed) records.push(parsed.record);
      else if (line.trim() !== '') warnings.corrupt(lineNumber, kind);
    };
    let rest: Buffer;
    try {
      ({ rest } = await readLines(file, 0, Infinity, this.readChunkBytes, (line) => take(line, 'corrupt')));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    take(rest.toString('utf8'), 'incomplete');
    warnings.done();
    return records;
  }

  /**
   * The last `limit` valid records of one month file, newest first. Reads a growing window from the end
   * and parses only the lines it needs, so listing the latest requests stays quick in a large file.
   */
  private async readNewest(month: string, limit: number): Promise<LedgerRecord[]> {
    const file = this.pathOf(month);
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    for (let window = RECENT_WINDOW_BYTES; ; window *= 4) {
      const windowStart = Math.max(0, size - window);
      const bytes = await readRange(file, windowStart, size);
      const warnings = this.lineWarnings(file);
      const records: LedgerRecord[] = [];
      // Inside a window that starts mid-file, the first line may be cut: it is only read from a larger window.
      const firstNewline = bytes.indexOf(NEWLINE);
      const firstLine = windowStart === 0 ? 0 : firstNewline === -1 ? bytes.length : firstNewline + 1;
      let lineEnd = bytes.length > 0 && bytes[bytes.length - 1] === NEWLINE ? bytes.length - 1 : bytes.length;
      while (lineEnd >= firstLine && records.length < limit) {
        const lineStart = lineEnd === 0 ? 0 : Math.max(firstLine, bytes.lastIndexOf(NEWLINE, lineEnd - 1) + 1);
        const line = bytes.toString('utf8', lineStart, lineEnd);
        const parsed = parseRecord(line);
        if (parsed) records.push(parsed.record);
        else if (line.trim() !== '') {
          const lineNumber = (await this.countLines(file, windowStart)) + lineNumberAt(bytes, lineStart);
          warnings.corrupt(lineNumber, lineEnd === bytes.length ? 'incomplete' : 'corrupt');
        }
        lineEnd = lineStart - 1;
      }
      warnings.done();
      if (records.length >= limit || windowStart === 0) return records;
    }
  }

  /** Lines that end before byte `offset` of a file (only needed to number a corrupt line). */
  private async countLines(file: string, offset: number): Promise<number> {
    let lines = 0;
    await readLines(file, 0, offset, this.readChunkBytes, () => lines++);
    return lines;
  }

  /** Reports skipped lines once each, at most a few per read, then one summary. */
  private lineWarnings(file: string): { corrupt(line: number, kind?: 'corrupt' | 'incomplete'): void; done(): void } {
    let reported = 0;
    let unreported = 0;
    return {
      corrupt: (line, kind = 'corrupt') => {
        const key = `${file}:${line}`;
        if (this.warned.has(key)) return;
        this.warned.add(key);
        if (reported++ < MAX_LINE_WARNINGS_PER_READ) {
          this.onWarning(`Penny skipped ${kind === 'incomplete' ? 'an incomplete' : 'a corrupt'} line in its cost ledger ${file}, line ${line}.`);
        } else {
          unreported++;
        }
      },
      done: () => {
        if (unreported > 0) this.onWarning(`Penny skipped ${unreported} more corrupt lines in its cost ledger ${file}.`);
      },
    };
  }

  /** Tallies everything the report needs: the last 30 local days and this local month. */
  private async summarize(): Promise<{ report: CostReport; todayByFeature: Map<string, Tally> }> {
    const now = this.now();
    const today = localDay(now);
    const thisMonth = today.slice(0, 7);
    const windowDays: string[] = [];
    for (let back = REPORT_DAYS - 1; back >= 0; back--) {
      windowDays.push(localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - back)));
    }
    // Local midnight of the window's first day; records before it cannot be in the report.
    const firstDay = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (REPORT_DAYS - 1));
    const monthStart = new Date(now.getFullYear(), now.getMonth(), 1);
    const firstFile = utcMonth(firstDay < monthStart ? firstDay : monthStart);

    const byDay = new Map(windowDays.map((day) => [day, new Tally()]));
    const month = new Tally();
    const byModel = new Map<string, Tally>();
    const byFeature = new Map<string, Tally>();
    const todayTally = new DayTally();
    const addDay = (day: string, tally: DayTally): void => {
      byDay.get(day)?.merge(tally.total);
      if (day === today) {
        todayTally.total.merge(tally.total);
        mergeInto(todayTally.byFeature, tally.byFeature);
      }
      if (day.startsWith(thisMonth)) {
        month.merge(tally.total);
        mergeInto(byModel, tally.byModel);
        mergeInto(byFeature, tally.byFeature);
      }
    };

    for (const fileMonth of await this.months()) {
      if (fileMonth < firstFile) continue;
      const state = await this.refresh(fileMonth);
      if (!state) continue;
      for (const [day, tally] of state.days) addDay(day, tally);
      if (state.unterminated) {
        const single = new DayTally();
        single.add(state.unterminated.record);
        addDay(state.unterminated.day, single);
      }
    }

    return {
      report: {
        today: todayTally.total.toTotals(),
        month: month.toTotals(),
        byDay: windowDays.map((day) => ({ day, totals: (byDay.get(day) as Tally).toTotals() })),
        byModel: totalsOf(byModel),
        byFeature: totalsOf(byFeature),
      },
      todayByFeature: todayTally.byFeature,
    };
  }
}

function dayTally(days: Map<string, DayTally>, day: string): DayTally {
  let tally = days.get(day);
  if (!tally) days.set(day, (tally = new DayTally()));
  return tally;
}

/**
 * Reads bytes [start, end) of a file at most `chunkBytes` at a time and calls `onLine` with each complete
 * line, without its '\n', so memory stays at a chunk plus the longest line however large the file is.
 * Only whole lines are decoded (a '\n' byte is never part of a multi-byte UTF-8 character), so a
 * character split between two reads is decoded whole. Returns where the last complete line ends, which
 * is where the next read must resume, and the bytes after it: a line still lacking its '\n', or none.
 */
async function readLines(
  file: string,
  start: number,
  end: number,
  chunkBytes: number,
  onLine: (line: string) => void,
): Promise<{ linesEnd: number; rest: Buffer }> {
  let buffer = Buffer.allocUnsafe(chunkBytes);
  /** `buffer` holds file bytes [linesEnd, linesEnd + held): the start of a line not yet complete. */
  let linesEnd = start;
  let held = 0;
  const handle = await fs.open(file, 'r');
  try {
    while (linesEnd + held < end) {
      if (held === buffer.length) {
        // One line fills the buffer: make room for the rest of it.
        const larger = Buffer.allocUnsafe(2 * buffer.length);
        buffer.copy(larger, 0, 0, held);
        buffer = larger;
      }
      const wanted = Math.min(chunkBytes, buffer.length - held, end - linesEnd - held);
      const { bytesRead } = await handle.read(buffer, held, wanted, linesEnd + held);
      if (bytesRead === 0) break; // the file is shorter by now
      const fresh = held;
      held += bytesRead;
      const lastNewline = buffer.subarray(fresh, held).lastIndexOf(NEWLINE);
      if (lastNewline === -1) continue;
      const complete = fresh + lastNewline + 1;
      for (const line of buffer.toString('utf8', 0, complete - 1).split('\n')) onLine(line);
      buffer.copy(buffer, 0, complete, held);
      held -= complete;
      linesEnd += complete;
    }
    return { linesEnd, rest: buffer.subarray(0, held) };
  } finally {
    await handle.close();
  }
}

/** Bytes [start, end) of a file (fewer if it is shorter by now). */
async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, end - start));
  if (buffer.length === 0) return buffer;
  const handle = await fs.open(file, 'r');
  try {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** 1-based number of the line starting at byte `offset`. */
function lineNumberAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(NEWLINE); i !== -1 && i < offset; i = bytes.indexOf(NEWLINE, i + 1)) line++;
  return line;
}
