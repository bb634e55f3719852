// The ledger's month files, `ledger-YYYY-MM.jsonl` (the UTC month of the records' `time`), and the one
// way they are read: lines a chunk at a time (lineReader.ts), each parsed by `parseLine`; a line that
// is neither a request nor a use record is skipped and numbered in one `SkippedLines`, which `SkippedLineLog` reports.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { countLines, readLines } from './lineReader';
import { parseLine, type ParsedLine } from './record';

const FILE_NAME = /^ledger-(\d{4}-\d{2})\.jsonl$/;
/** Skipped lines reported one by one per read; beyond that, one summary warning. */
const MAX_LINE_WARNINGS_PER_READ = 5;

export function monthFilePath(dir: string, month: string): string {
  return path.join(dir, `ledger-${month}.jsonl`);
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Months (YYYY-MM) that have a ledger file in `dir`, oldest first; none if `dir` does not exist. */
export async function listMonths(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return names.flatMap((name) => FILE_NAME.exec(name)?.[1] ?? []).sort();
}

/** Lines of one read that hold no record (blank lines are not counted: they are harmless). */
export interface SkippedLines {
  /** 1-based line numbers in the file, ascending. */
  lines: number[];
  /** The last of them ends the file without its '\n': a write in flight, or one torn by a crash. */
  lastIncomplete: boolean;
}

export interface RecordsRead {
  /** Where the last complete line ends: where a read of what is appended later resumes. */
  linesEnd: number;
  /** Where the bytes read end (after `linesEnd` when the last line lacks its '\n'). */
  end: number;
  /** Complete lines read, skipped and blank ones included. */
  lines: number;
  /** A valid record that only lacks its '\n', at the very end (not passed to `onRecord`: it may still grow). */
  unterminated?: ParsedLine;
  skipped: SkippedLines;
}

export interface RecordRange {
  start: number;
  /** Infinity reads to the end of the file. */
  end: number;
  chunkBytes: number;
  /**
   * The number of the line at `start`, which must then start a line. Without it, `start` may fall
   * inside a line, which is dropped, and lines are numbered by counting those before them, which is
   * only done when a line is skipped.
   */
  firstLine?: number;
}

/** Every record of a byte range of a month file, in file order, and the lines that are not records. */
export async function readRecords(file: string, range: RecordRange, onRecord: (parsed: ParsedLine) => void): Promise<RecordsRead> {
  const skippedAt: number[] = []; // numbered from 1 at the first line read, until the read is done
  let lines = 0;
  const read = await readLines(file, { ...range, startsMidLine: range.firstLine === undefined }, (line) => {
    lines++;
    const parsed = parseLine(line);
    if (parsed) onRecord(parsed);
    else if (line.trim() !== '') skippedAt.push(lines);
  });
  let unterminated: ParsedLine | undefined;
  let lastIncomplete = false;
  if (read.rest.length > 0) {
    // Usually a line torn by a crash; a complete record that only lacks its '\n' still counts.
    const text = read.rest.toString('utf8');
    unterminated = parseLine(text);
    if (!unterminated && text.trim() !== '') {
      skippedAt.push(lines + 1);
      lastIncomplete = true;
    }
  }
  let firstLine = range.firstLine ?? 1;
  if (range.firstLine === undefined && skippedAt.length > 0 && read.firstLineStart > 0) {
    firstLine += await countLines(file, read.firstLineStart, range.chunkBytes);
  }
  return {
    linesEnd: read.linesEnd,
    end: read.linesEnd + read.rest.length,
    lines,
    unterminated,
    skipped: { lines: skippedAt.map((line) => line + firstLine - 1), lastIncomplete },
  };
}

/** Reports skipped lines: each line of a file once, at most five one by one per read, the rest in one summary. */
export class SkippedLineLog {
  /** Line numbers already reported, by file. */
  private readonly reported = new Map<string, Set<number>>();

  constructor(private readonly onWarning: (message: string) => void) {}

  report(file: string, skipped: SkippedLines): void {
    if (skipped.lines.length === 0) return;
    let seen = this.reported.get(file);
    if (!seen) this.reported.set(file, (seen = new Set()));
    const last = skipped.lines[skipped.lines.length - 1];
    let shown = 0;
    let more = 0;
    for (const line of skipped.lines) {
      if (seen.has(line)) continue;
      seen.add(line);
      if (shown++ >= MAX_LINE_WARNINGS_PER_READ) more++;
      else {
        const what = skipped.lastIncomplete && line === last ? 'an incomplete' : 'a corrupt';
        this.onWarning(`Penny skipped ${what} line in its cost ledger ${file}, line ${line}.`);
      }
    }
    if (more > 0) this.onWarning(`Penny skipped ${more} more corrupt lines in its cost ledger ${file}.`);
  }
}
