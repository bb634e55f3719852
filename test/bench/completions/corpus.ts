// What the simulated user types: regions of real source files that nobody here wrote (files of
// well-known packages in node_modules), the answer a perfect model would give at any point in them,
// and human timing for typing them.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Small-to-medium, unminified JS and TS files of packages the project already depends on. */
export const DEFAULT_FILES = [
  'mocha/lib/runner.js',
  'mocha/lib/suite.js',
  'openai/src/core/streaming.ts',
  'openai/src/lib/AbstractChatCompletionRunner.ts',
  'openai/src/lib/parser.ts',
  'highlight.js/lib/languages/javascript.js',
  'semver/classes/range.js',
  'commander/lib/command.js',
  'minimatch/dist/commonjs/ast.js',
];

export interface SourceFile {
  /** Relative to node_modules, e.g. `mocha/lib/runner.js`. */
  relativePath: string;
  languageId: string;
  text: string;
}

/**
 * A stretch of a file the user types again. The document while typing is
 * `text[0, pos) + text[end, ...)`: what comes after the region is already there, so the cursor's line
 * ends where the region ends: at a line break, or before a line's closing `);`.
 */
export interface Region {
  file: SourceFile;
  start: number;
  end: number;
}

export { mulberry32 as prng } from '../../support/random';

export function between(random: () => number, low: number, high: number): number {
  return low + (high - low) * random();
}

function languageOf(file: string): string {
  if (/\.tsx?$/.test(file)) return 'typescript';
  if (/\.[cm]?js$/.test(file)) return 'javascript';
  return 'plaintext';
}

export function loadFiles(nodeModules: string, files = DEFAULT_FILES): SourceFile[] {
  const loaded: SourceFile[] = [];
  for (const relativePath of files) {
    const full = path.join(nodeModules, relativePath);
    if (!existsSync(full)) continue;
    const text = readFileSync(full, 'utf8').replace(/\r\n?/g, '\n');
    const longest = Math.max(...text.split('\n').map((line) => line.length));
    if (longest > 400) continue; // minified: not what anybody types
    loaded.push({ relativePath, languageId: languageOf(relativePath), text });
  }
  return loaded;
}

/**
 * Per file, `perFile` block regions of about `length` characters each, from a line's first
 * character to a line end in the middle 80% of the file (past the license header and imports), and `perFile` line
 * regions: the inside of a call on one line, from after its `(` to before the line's closing
 * `);`, so that the cursor has code after it on its line. No two regions overlap.
 */
export function pickRegions(files: SourceFile[], perFile: number, length: number, random: () => number): Region[] {
  const regions: Region[] = [];
  for (const file of files) {
    const text = file.text;
    const lineStarts: number[] = [];
    for (let i = 0; i < text.length; i++) if (i === 0 || text[i - 1] === '\n') lineStarts.push(i);
    const taken: [number, number][] = [];
    const free = (from: number, to: number) => !taken.some(([s, e]) => from < e + 100 && to + 100 > s);
    const randomLine = () => lineStarts[Math.floor(between(random, 0.1, 0.9) * lineStarts.length)];
    let blocks = 0;
    for (let attempt = 0; attempt < perFile * 20 && blocks < perFile; attempt++) {
      const lineStart = randomLine();
      // Start at a line with code on it, after its indentation (the editor put it there on Enter).
      const indent = /^[ \t]*/.exec(text.slice(lineStart))![0].length;
      const from = lineStart + indent;
      if (text[from] === '\n' || from >= text.length) continue;
      const end = text.indexOf('\n', from + length);
      if (end === -1 || !free(from, end)) continue;
      taken.push([from, end]);
      regions.push({ file, start: from, end });
      blocks++;
    }
    let lines = 0;
    for (let attempt = 0; attempt < perFile * 50 && lines < perFile; attempt++) {
      const lineStart = randomLine();
      const lineEnd = text.indexOf('\n', lineStart);
      const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
      const open = line.indexOf('(');
      const closing = /\)[)\]}'"`;,]*$/.exec(line);
      if (open === -1 || !closing || closing.index - open < 12 || /^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      const from = lineStart + open + 1;
      const end = lineStart + closing.index;
      if (!free(from, end)) continue;
      taken.push([from, end]);
      regions.push({ file, start: from, end });
      lines++;
    }
  }
  return regions;
}

/** A keystroke: one character, or a line break together with the next line's indentation (the editor auto-indents). */
export function keystrokeLength(text: string, pos: number, end: number): number {
  if (text[pos] !== '\n') return 1;
  let next = pos + 1;
  while (next < end && (text[next] === ' ' || text[next] === '\t')) next++;
  return next - pos;
}

/**
 * Human timing: the pause before each keystroke of a region, indexed by the character position it
 * types. Bursts of 5-15 keys 80-150 ms apart; after a burst a hesitation of 200-500 ms or, one time
 * in three, a pause of 0.5-3 s; at a line end a pause of 0.5-3 s half of the time.
 */
export function typingGaps(region: Region, random: () => number): Map<number, number> {
  const gaps = new Map<number, number>();
  const text = region.file.text;
  let burstLeft = Math.round(between(random, 5, 15));
  let afterLineEnd = false;
  for (let pos = region.start; pos < region.end;) {
    let gap: number;
    if (afterLineEnd && random() < 0.5) {
      gap = between(random, 500, 3000);
      burstLeft = Math.round(between(random, 5, 15));
    } else if (burstLeft <= 0) {
      gap = random() < 1 / 3 ? between(random, 500, 3000) : between(random, 200, 500);
      burstLeft = Math.round(between(random, 5, 15));
    } else {
      gap = between(random, 80, 150);
    }
    burstLeft--;
    gaps.set(pos, Math.round(gap));
    const length = keystrokeLength(text, pos, region.end);
    afterLineEnd = text[pos] === '\n';
    // Positions inside an auto-indent are reached only by accepting a suggestion: give them a gap too.
    for (let inner = pos + 1; inner < pos + length; inner++) gaps.set(inner, Math.round(between(random, 80, 150)));
    pos += length;
  }
  return gaps;
}

const OPENER = /(?:[{([]|=>|:|\bthen|\bdo)\s*$/;

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/**
 * What a perfect model answers at `pos`: for a single-line request the rest of the current line;
 * for a multi-line request the rest of the block the cursor is in (at most `maxLines` lines): up to
 * the first line that leaves it by indentation (its closing bracket included) or that closes more
 * brackets than the block opened. Never past the region's end: what follows it is already there.
 */
export function trueContinuation(text: string, pos: number, end: number, multiline: boolean, maxLines = 8): string {
  const lineEnd = text.indexOf('\n', pos);
  const restOfLine = text.slice(pos, Math.min(lineEnd === -1 ? text.length : lineEnd, end));
  if (!multiline) return restOfLine;
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const linePrefix = text.slice(lineStart, pos);
  const currentLine = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  const baseIndent = indentOf(currentLine);
  const afterOpener = linePrefix.trim() !== '' && OPENER.test(linePrefix);
  const lines = text.slice(pos, end).split('\n');
  const kept: string[] = [];
  let depth = 0;
  for (let i = 0; i < lines.length && kept.length < maxLines; i++) {
    const line = lines[i];
    if (i > 0 && line.trim() !== '') {
      const indent = indentOf(line);
      const leaves = afterOpener ? indent <= baseIndent : indent < baseIndent;
      if (leaves) {
        // The closing bracket of the block belongs to it.
        if (afterOpener && /^[)\]}]/.test(line.trim())) kept.push(line);
        break;
      }
    }
    kept.push(line);
    depth += bracketBalance(line);
    if (depth < 0) break;
  }
  while (kept.length > 1 && kept[kept.length - 1].trim() === '') kept.pop();
  return kept.join('\n');
}

/** Opening minus closing brackets on a line, outside strings and line comments. */
function bracketBalance(line: string): number {
  const code = line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '').replace(/\/\/.*$/, '');
  let balance = 0;
  for (const char of code) {
    if (char === '{' || char === '(' || char === '[') balance++;
    else if (char === '}' || char === ')' || char === ']') balance--;
  }
  return balance;
}
