// The current file's map: what the model needs of the file beyond the code around the cursor. Its
// imports whole, and the first line of every declaration it makes: top-level statements (which
// catches what no symbol provider lists, like `Runner.prototype.run = function`), the members of
// its classes, the fields their constructors and methods assign (`this.x =`), and where room is
// left the JSDoc tags that type them (a JavaScript file's signatures). Most of what a
// completion names that is defined in its own file is on one of those lines; each costs a line
// where its body would cost dozens. Chosen by priority to fit a budget, shown in the file's order.
// It does not depend on where the cursor is, so every prompt in the file starts with the same bytes
// (OpenAI's prompt cache); the function around the cursor is shown apart (scopeText).
import { memberLines, type OutlineSymbol } from './declarations';

/** Lines of an import statement shown whole; longer ones show their first lines. */
const IMPORT_LINES = 8;
const IMPORT = /(?:^import\b|^export\b[^=]*\bfrom\b|\brequire\s*\(|^from\s+\S+\s+import\b|^#include\b|^using\s|^use\s)/;
/** `'use strict';` and the like: nothing a completion names. */
const DIRECTIVE = /^['"]use [\w ]+['"];?\s*$/;
const COMMENT_OR_CLOSER = /^(?:\/\/|\/\*|\*|#(?!include)|[)\]}]|<\/)/;
/** Where code assigns an instance's field (JS/TS `this.x =`, Python `self.x =`): the field's name. */
const FIELD = /^\s*(?:this|self)\.([\w$#]+)\s*=(?!=)/;

/** Most important first: imports, the file's top level, its classes' members, the fields assigned anywhere, then JSDoc's types for them. */
const enum Priority {
  Import,
  TopLevel,
  Member,
  Field,
  DocTag,
}

/** A doc comment's line that types a declaration (JSDoc: what a JavaScript file has for a signature's types). */
const DOC_TAG = /^\s*\*\s*@(?:param|arg|argument|returns?|type|typedef|property|prop|template)\b/;
const DOC_COMMENT = /^\s*(?:\/\*\*|\*)/;

/**
 * The map of `text`, at most `maxChars` long, or '' when there is nothing to show; `skipLine` (the
 * line being typed) is left out.
 */
export function fileMapText(text: string, outline: readonly OutlineSymbol[], maxChars: number, skipLine = -1): string {
  const lines = text.split('\n');
  const starts = lineStarts(text);
  const lineOf = (at: number) => lineIndexAt(starts, at);
  const chosen = new Map<number, Priority>();
  const add = (line: number, priority: Priority) => {
    if (line < 0 || line >= lines.length || line === skipLine || lines[line].trim() === '') return;
    const before = chosen.get(line);
    if (before === undefined || priority < before) chosen.set(line, priority);
  };

  for (const statement of topLevelStatements(lines)) {
    const first = lines[statement.start].trim();
    const whole = lines.slice(statement.start, statement.end).join('\n');
    if (IMPORT.test(first) || (IMPORT.test(whole) && statement.end - statement.start <= IMPORT_LINES)) {
      for (let line = statement.start; line < Math.min(statement.end, statement.start + IMPORT_LINES); line++) add(line, Priority.Import);
    } else add(statement.start, Priority.TopLevel);
  }

  for (const symbol of allContainers(outline)) {
    add(lineOf(symbol.range.start), Priority.Member);
    for (const child of symbol.children) addLinesOf(memberLines(text, child), lineOf(child.range.start), lines, add, Priority.Member);
  }

  const fields = new Set<string>();
  lines.forEach((line, i) => {
    const field = FIELD.exec(line)?.[1];
    if (field === undefined || fields.has(field)) return;
    fields.add(field);
    add(i, Priority.Field);
  });

  // What the doc comments above the chosen lines say of their types (`@param {boolean} [opts.delay]`).
  for (const line of [...chosen.keys()]) {
    for (let above = line - 1; above >= 0 && DOC_COMMENT.test(lines[above]); above--) if (DOC_TAG.test(lines[above])) add(above, Priority.DocTag);
  }

  // The most important lines that fit, shown in the file's order.
  const byPriority = [...chosen].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const kept: number[] = [];
  let left = maxChars;
  for (const [line] of byPriority) {
    const cost = lines[line].trimEnd().length + 1;
    if (cost > left) continue;
    kept.push(line);
    left -= cost;
  }
  return kept
    .sort((a, b) => a - b)
    .map((line) => lines[line].trimEnd())
    .join('\n');
}

/** Lines of a map that may differ before a new one replaces it. */
const MAP_CHANGED_SHARE = 0.1;

/**
 * Whether the old map still tells the truth about `text`, so it is kept with its bytes (and the
 * prompt cache): the new one adds at most a tenth of its lines, and what it lacks of the old one is
 * still in the file. Code being typed often leaves a brace open, and the symbols after it then vanish
 * from the outline (or move into the function being typed) until it is closed: their lines stay in
 * the file, and on the map.
 */
export function mapStillHolds(before: string, after: string, text: string): boolean {
  const old = before.split('\n');
  const lines = after.split('\n');
  const allowed = Math.floor(Math.max(old.length, lines.length) * MAP_CHANGED_SHARE);
  const inOld = new Set(old);
  if (lines.filter((line) => !inOld.has(line)).length > allowed) return false;
  const inNew = new Set(lines);
  const missing = old.filter((line) => !inNew.has(line));
  if (missing.length <= allowed) return true;
  const inFile = new Set(text.split('\n').map((line) => line.trimEnd()));
  return missing.every((line) => inFile.has(line));
}

/**
 * A new map, with the old one's lines that are still in the file and that it lacks, in the file's
 * order, as room allows (the new map's lines first). An open brace can swallow the symbols after it
 * for as long as the user types there, and their declarations are still in the file: still true.
 */
export function mergedMap(before: string, after: string, text: string, maxChars: number): string {
  const fresh = after.split('\n');
  const inFresh = new Set(fresh);
  const fileLines = text.split('\n').map((line) => line.trimEnd());
  const firstAt = new Map<string, number>();
  fileLines.forEach((line, i) => firstAt.has(line) || firstAt.set(line, i));
  let left = maxChars - after.length;
  const kept = before.split('\n').filter((line) => {
    if (inFresh.has(line) || !firstAt.has(line) || line.length + 1 > left) return false;
    left -= line.length + 1;
    return true;
  });
  if (kept.length === 0) return after;
  // Every line of either map is a line of the file: shown where it first appears there (a stable sort keeps repeats in order).
  return [...fresh, ...kept]
    .map((line) => ({ line, at: firstAt.get(line) ?? -1 }))
    .sort((a, b) => a.at - b.at)
    .map((entry) => entry.line)
    .join('\n');
}

/** Identifies the scopes around the cursor (outlined, or found by indentation): where it changes, the map is made again (the file may have changed). */
export function scopeKey(scopes: readonly OutlineSymbol[]): string {
  return scopes.map((scope) => scope.name).join('\u0000');
}

interface Statement {
  /** First line. */
  start: number;
  /** Line after the last. */
  end: number;
}

/** Statements starting at column 0, each to its last line of code before the next (a `} = require(…)` line included). */
function topLevelStatements(lines: readonly string[]): Statement[] {
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (line !== '' && !/^\s/.test(line) && !COMMENT_OR_CLOSER.test(line) && !DIRECTIVE.test(line)) starts.push(i);
  });
  return starts.map((start, n) => {
    let end = starts[n + 1] ?? lines.length;
    while (end > start + 1 && (lines[end - 1].trim() === '' || (COMMENT_OR_CLOSER.test(lines[end - 1].trim()) && !/^[)\]}]/.test(lines[end - 1].trim()))))
      end--;
    return { start, end };
  });
}

/** Finds each of a member's shown lines in the file, from its first line on. */
function addLinesOf(
  shown: readonly string[],
  from: number,
  lines: readonly string[],
  add: (line: number, priority: Priority) => void,
  priority: Priority,
): void {
  let at = from;
  for (const text of shown) {
    while (at < lines.length && lines[at] !== text) at++;
    if (at < lines.length) add(at, priority);
  }
}

function allContainers(symbols: readonly OutlineSymbol[]): OutlineSymbol[] {
  return symbols.flatMap((s) =>
    s.shape === 'container' ? [s, ...allContainers(s.children)] : allContainers(s.children.filter((c) => c.shape === 'container')),
  );
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function lineIndexAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}
