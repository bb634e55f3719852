// The cost ledger: every request Penny makes, priced, in append-only JSON-lines files.
//
// Layout: one file per UTC month (monthFile.ts), one record per line (record.ts). A record is written
// with a single append of a whole line, so a crash loses at most the line in flight; a torn or corrupt
// line is skipped and reported once, and never blocks reading or later appends. Several VS Code windows
// may append to the same files: reads only assume that files grow, and pick up lines other processes
// appended.
//
// Reports are grouped by LOCAL day and month of `now()` (tallies.ts); a report reads every file that
// can hold a record of its window. Every read goes through `readRecords` (monthFile.ts), a chunk at a
// time, so memory stays flat however large a month file grows.
//
// Speed: what was read is kept as per-day tallies per file, valid while the file's size, mtime and
// inode are unchanged; a grown file is read only from where the last read stopped, and this process's
// own appends update the tallies directly.

import { promises as fs, type Stats } from 'node:fs';
import { localDay, localDayMemo, monthsBefore, utcMonth } from './dates';
import { CsvExport } from './export';
import { isMissing, listMonths, monthFilePath, readRecords, SkippedLineLog, type RecordRange, type RecordsRead } from './monthFile';
import { isRequestLine, parseLine, serializeRecord, serializeUse, type LedgerRecord, type ParsedLine, type UseRecord } from './record';
import { addToDay, costReport, DayTally, monthFirstFile, periodTotals, reportFirstFile, type CostReport, type DayEntry, type PeriodTotals } from './tallies';

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
/** First window `recent()` reads from the end of a file: a few hundred records. */
const RECENT_WINDOW_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** What has been read from one month file. */
interface FileState {
  /** Size, mtime and inode of the file when last read: any change means new lines or a new file. */
  size: number;
  mtimeMs: number;
  ino: number;
  /** Bytes of complete lines (ending in '\n') already tallied: the next read starts here. */
  consumed: number;
  /** Complete lines tallied, to number the lines of the next read. */
  lines: number;
  days: Map<string, DayTally>;
  /** A valid record at the very end without its '\n' (re-read with the file, not in `days`). */
  unterminated?: DayEntry;
}

export class Ledger {
  private readonly now: () => Date;
  private readonly onWarning: (message: string) => void;
  private readonly keepMonths: number;
  private readonly readChunkBytes: number;
  private readonly files = new Map<string, FileState>();
  private readonly skippedLines: SkippedLineLog;
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
    this.skippedLines = new SkippedLineLog(this.onWarning);
    const keep = options.keepMonths ?? DEFAULT_KEEP_MONTHS;
    this.keepMonths = Number.isInteger(keep) && keep >= 1 ? keep : DEFAULT_KEEP_MONTHS;
    const chunk = options.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
    this.readChunkBytes = Number.isSafeInteger(chunk) && chunk >= 1 ? chunk : DEFAULT_READ_CHUNK_BYTES;
  }

  /** Appends one request record as one line. Rejects a record that would not read back (a caller's bug). */
  append(record: LedgerRecord): Promise<void> {
    return this.appendLine(serializeRecord(record));
  }

  /** Appends what became of a request's answer (offered, accepted, used ...), as one line. */
  appendUse(use: UseRecord): Promise<void> {
    return this.appendLine(serializeUse(use));
  }

  private appendLine(line: string): Promise<void> {
    return this.enqueue(async () => {
      const parsed = parseLine(line);
      if (!parsed) throw new TypeError(`Ledger: malformed record not written: ${line}`);
      const month = utcMonth(new Date(parsed.timeMs));
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

  /** The last 30 local days and this local month, in all, by day, model and feature. */
  report(): Promise<CostReport> {
    return this.enqueue(async () => {
      const now = this.now();
      return costReport(await this.daysFrom(reportFirstFile(now)), now);
    });
  }

  /** Today's and this month's totals, from this month's files only: what every budget check needs, in one pass. */
  totals(): Promise<PeriodTotals> {
    return this.enqueue(async () => {
      const now = this.now();
      return periodTotals(await this.daysFrom(monthFirstFile(now)), now);
    });
  }

  /** The last `n` records written, newest first. */
  recent(n: number): Promise<LedgerRecord[]> {
    return this.enqueue(async () => {
      const result: LedgerRecord[] = [];
      for (const month of (await listMonths(this.dir)).reverse()) {
        if (result.length >= n) break;
        for (const record of await this.readNewest(month, n - result.length)) result.push(record);
      }
      return result;
    });
  }

  /** Every record kept, oldest first, as RFC 4180 CSV (CRLF line ends, header row). */
  exportCsv(): Promise<string> {
    return this.enqueue(async () => {
      const csv = new CsvExport();
      for (const month of await listMonths(this.dir)) {
        let read: RecordsRead;
        try {
          read = await this.read(month, { start: 0, end: Infinity, firstLine: 1 }, (parsed) => isRequestLine(parsed) && csv.add(parsed.record));
        } catch (error) {
          if (isMissing(error)) continue;
          throw error;
        }
        if (read.unterminated && isRequestLine(read.unterminated)) csv.add(read.unterminated.record);
      }
      return csv.text();
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
    return monthFilePath(this.dir, month);
  }

  /** The one read path: records of a byte range of a month file, its skipped lines reported once. */
  private async read(month: string, range: Omit<RecordRange, 'chunkBytes'>, onRecord: (parsed: ParsedLine) => void): Promise<RecordsRead> {
    const file = this.pathOf(month);
    const read = await readRecords(file, { ...range, chunkBytes: this.readChunkBytes }, onRecord);
    this.skippedLines.report(file, read.skipped);
    return read;
  }

  /** Deletes month files older than `keepMonths`, once per process start and month. */
  private async cleanUpOldFiles(): Promise<void> {
    const current = utcMonth(this.now());
    if (this.cleanedFor === current) return;
    this.cleanedFor = current;
    const oldestKept = monthsBefore(current, this.keepMonths - 1);
    for (const month of await listMonths(this.dir)) {
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
  private noteAppend(month: string, before: Stats, after: Stats, bytes: number, startedClean: boolean, parsed: ParsedLine): void {
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
    addToDay(state.days, localDay(new Date(parsed.timeMs)), parsed);
    state.lines++;
    state.size = state.consumed = after.size;
    state.mtimeMs = after.mtimeMs;
  }

  /** The day tallies of every file from `firstMonth` on, each brought up to date. */
  private async daysFrom(firstMonth: string): Promise<DayEntry[]> {
    const days: DayEntry[] = [];
    for (const month of await listMonths(this.dir)) {
      if (month < firstMonth) continue;
      const state = await this.refresh(month);
      if (!state) continue;
      days.push(...state.days);
      if (state.unterminated) days.push(state.unterminated);
    }
    return days;
  }

  /** Tallies of one month file, brought up to date by reading only what was appended since the last read. */
  private async refresh(month: string): Promise<FileState | undefined> {
    let stats: Stats;
    try {
      stats = await fs.stat(this.pathOf(month));
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
    const dayOf = localDayMemo();
    let read: RecordsRead;
    try {
      read = await this.read(month, { start: current.consumed, end: stats.size, firstLine: current.lines + 1 }, (parsed) =>
        addToDay(current.days, dayOf(parsed.timeMs), parsed),
      );
    } catch (error) {
      // The tallies may hold part of the new lines: forget them, so the next read starts over.
      this.files.delete(month);
      throw error;
    }
    current.consumed = read.linesEnd;
    current.lines += read.lines;
    current.size = read.end;
    current.mtimeMs = stats.mtimeMs;
    current.unterminated = undefined;
    if (read.unterminated) {
      // A complete record that only lacks its '\n' counts, but is read again with the file.
      const day = dayOf(read.unterminated.timeMs);
      const single = new Map<string, DayTally>();
      addToDay(single, day, read.unterminated);
      current.unterminated = [day, single.get(day)!];
    }
    return current;
  }

  /**
   * The last `limit` valid records of one month file, newest first. Reads a growing window from the end,
   * so listing the latest requests stays quick in a large file.
   */
  private async readNewest(month: string, limit: number): Promise<LedgerRecord[]> {
    let size: number;
    try {
      size = (await fs.stat(this.pathOf(month))).size;
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    for (let window = RECENT_WINDOW_BYTES; ; window *= 4) {
      const start = Math.max(0, size - window);
      const records: LedgerRecord[] = [];
      // A window that starts mid-file may start mid-line: that line is only read from a larger window.
      const read = await this.read(
        month,
        { start, end: size, firstLine: start === 0 ? 1 : undefined },
        (parsed) => isRequestLine(parsed) && records.push(parsed.record),
      );
      if (read.unterminated && isRequestLine(read.unterminated)) records.push(read.unterminated.record);
      if (records.length >= limit || start === 0) return records.slice(Math.max(0, records.length - limit)).reverse();
    }
  }
}
