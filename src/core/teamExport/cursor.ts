// Where the team export is in the ledger, and what it has sent: a small JSON file beside the month files
// (`team-export.json`), so that every VS Code window, and the next start, resumes from the same place.
//
// The cursor is, per month file, the byte offset just after the last complete line the collector has
// acknowledged. It moves only with the totals those lines made (one atomic write of the whole state:
// temporary file, then rename), so the exported cumulative values always equal the sum of the lines
// before the cursor, whatever crashed or failed in between.

import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMissing, listMonths, monthFilePath, readRecords } from '../cost/monthFile';
import type { ParsedLine } from '../cost/record';
import { emptyTotals, type Totals } from './mapping';

export const STATE_FILE = 'team-export.json';
const STATE_VERSION = 1;

export interface ExportState {
  version: typeof STATE_VERSION;
  /** `service.instance.id`: this ledger's own series. */
  instanceId: string;
  /** The start time of every cumulative series (epoch ms): when the export first ran on this ledger. */
  startTimeMs: number;
  /** Per month (YYYY-MM): bytes of complete lines exported. A month not listed starts at 0. */
  cursor: Record<string, number>;
  /** Cumulative totals of every line before the cursor. */
  totals: Totals;
  /** When the collector last acknowledged an export (epoch ms). */
  lastSuccessMs?: number;
}

export function newState(nowMs: number, instanceId: string = randomUUID()): ExportState {
  return { version: STATE_VERSION, instanceId, startTimeMs: nowMs, cursor: {}, totals: emptyTotals() };
}

function isState(value: unknown): value is ExportState {
  const v = value as ExportState | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === STATE_VERSION &&
    typeof v.instanceId === 'string' &&
    Number.isFinite(v.startTimeMs) &&
    typeof v.cursor === 'object' &&
    v.cursor !== null &&
    typeof v.totals?.counters === 'object' &&
    typeof v.totals?.histograms === 'object'
  );
}

/**
 * The saved state, or a new one when there is none. A state file that cannot be read as one is set aside
 * (renamed with `.corrupt`) and the export starts over: at-least-once, never stuck.
 */
export async function loadState(dir: string, nowMs: number, onWarning: (message: string) => void): Promise<ExportState> {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return newState(nowMs);
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (isState(value)) return value;
  } catch {
    // handled below
  }
  onWarning(`Penny's team export state ${file} was unreadable; the export starts over from the oldest ledger file.`);
  await fs.rename(file, `${file}.corrupt`).catch(() => undefined);
  return newState(nowMs);
}

export async function saveState(dir: string, state: ExportState): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  const temporary = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(state));
  await fs.rename(temporary, file);
}

/** Lines read past the cursor, and where the cursor goes once they are acknowledged. */
export interface Batch {
  month: string;
  lines: ParsedLine[];
  /** The cursor's new offset in `month`. */
  end: number;
}

/**
 * The next lines after the cursor: from the oldest month file with unread complete lines, at most about
 * `maxBytes` of them (one line longer than that is read whole), or undefined when all is exported. A
 * last line still being written (no '\n' yet) waits for the next read. A file shorter than its cursor
 * was replaced, not appended to: it is read again from its start.
 */
export async function readBatch(dir: string, cursor: Readonly<Record<string, number>>, maxBytes: number): Promise<Batch | undefined> {
  for (const month of await listMonths(dir)) {
    const file = monthFilePath(dir, month);
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch (error) {
      if (isMissing(error)) continue; // removed by the ledger's clean-up since listed
      throw error;
    }
    let start = cursor[month] ?? 0;
    if (start > size) start = 0;
    for (let window = maxBytes; start < size; window *= 2) {
      const lines: ParsedLine[] = [];
      const end = Math.min(size, start + window);
      const read = await readRecords(file, { start, end, chunkBytes: Math.min(window, 1024 * 1024), firstLine: 1 }, (parsed) => lines.push(parsed));
      if (read.linesEnd > start) return { month, lines, end: read.linesEnd };
      if (end === size) break; // only a line still being written: nothing complete in this file yet
    }
  }
  return undefined;
}

/** Complete lines after the cursor, over all month files: what is still to export. Reads them, a chunk at a time. */
export async function backlog(dir: string, cursor: Readonly<Record<string, number>>): Promise<{ requests: number; lines: number }> {
  let requests = 0;
  let lines = 0;
  for (const month of await listMonths(dir)) {
    const file = monthFilePath(dir, month);
    try {
      const size = (await fs.stat(file)).size;
      const start = (cursor[month] ?? 0) > size ? 0 : (cursor[month] ?? 0);
      await readRecords(file, { start, end: size, chunkBytes: 1024 * 1024, firstLine: 1 }, (parsed) => {
        lines++;
        if ('record' in parsed) requests++;
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return { requests, lines };
}

/** The cursor without months whose files the ledger has deleted. */
export async function pruneCursor(dir: string, cursor: Record<string, number>): Promise<Record<string, number>> {
  const months = new Set(await listMonths(dir));
  return Object.fromEntries(Object.entries(cursor).filter(([month]) => months.has(month)));
}
