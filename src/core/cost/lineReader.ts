// Reads the lines of a byte range of a file a chunk at a time, so memory stays at a chunk plus the
// longest line however large the file is: a file longer than the longest string V8 allows is still
// read. Only whole lines are decoded (a '\n' byte is never part of a multi-byte UTF-8 character), so a
// character split between two reads is decoded whole.

import { promises as fs } from 'node:fs';

const NEWLINE = 0x0a;

export interface LineRange {
  /** First byte to read. */
  start: number;
  /** Byte to stop before; Infinity reads to the end of the file. */
  end: number;
  /** Bytes read at a time (at least 1). */
  chunkBytes: number;
  /**
   * `start` may fall inside a line (a window read back from the end): the bytes up to the first '\n'
   * are dropped, and the first line passed on is the one after it.
   */
  startsMidLine?: boolean;
}

export interface LinesRead {
  /** Where the first line passed on starts (`start` unless it started mid-line). */
  firstLineStart: number;
  /** Where the last complete line ends: where a read of what is appended later resumes. */
  linesEnd: number;
  /** The bytes after `linesEnd`: a last line still lacking its '\n', or none. */
  rest: Buffer;
}

/** Calls `onLine` with each complete line of the range, without its '\n', in file order. */
export async function readLines(file: string, range: LineRange, onLine: (line: string) => void): Promise<LinesRead> {
  const { start, end, chunkBytes } = range;
  let buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, end - start)));
  /** `buffer` holds file bytes [linesEnd, linesEnd + held): the start of a line not yet complete. */
  let linesEnd = start;
  let held = 0;
  let skipping = range.startsMidLine === true && start > 0;
  let firstLineStart = start;
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
      if (lastNewline === -1) {
        if (skipping) [linesEnd, held] = [linesEnd + held, 0]; // all of the cut line: never needed
        continue;
      }
      const complete = fresh + lastNewline + 1;
      let from = 0;
      if (skipping) {
        skipping = false;
        from = buffer.subarray(0, held).indexOf(NEWLINE) + 1;
        firstLineStart = linesEnd + from;
      }
      if (complete > from) for (const line of buffer.toString('utf8', from, complete - 1).split('\n')) onLine(line);
      buffer.copy(buffer, 0, complete, held);
      held -= complete;
      linesEnd += complete;
    }
    if (skipping) firstLineStart = linesEnd; // no line starts in the range
    return { firstLineStart, linesEnd, rest: buffer.subarray(0, held) };
  } finally {
    await handle.close();
  }
}

/** How many lines end before byte `end` of a file. */
export async function countLines(file: string, end: number, chunkBytes: number): Promise<number> {
  let lines = 0;
  await readLines(file, { start: 0, end, chunkBytes }, () => lines++);
  return lines;
}
