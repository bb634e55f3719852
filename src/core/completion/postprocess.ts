// Turns what a chat model really returns into the text to insert at the cursor: it cuts tags,
// markdown fences and prose, removes what repeats the code before the cursor or overlaps the
// code after it, keeps one line or one block, and returns undefined when nothing useful is left.
import { CLOSE_TAG, CURSOR, OPEN_TAG } from './prompt';

export interface CleanContext {
  prefix: string;
  suffix: string;
  multiline: boolean;
}

const PROSE_LINE =
  /^(?:here(?:'s| is| are)|sure|certainly|of course|okay|ok[,.]|the (?:completion|code|missing)|this (?:completes|code)|to complete|i (?:would|will|'ll)|you can)\b.*$/i;

export function cleanCompletion(raw: string, context: CleanContext): string | undefined {
  let text = extractTagged(raw);
  text = stripFences(text);
  text = stripProse(text);
  text = text.split(CURSOR).join('');
  if (text.trim() === '') return undefined;

  const linePrefix = context.prefix.slice(context.prefix.lastIndexOf('\n') + 1);
  text = removePrefixRepeat(text, context.prefix, linePrefix);
  if (linePrefix.trim() !== '' && !context.multiline) text = text.replace(/^\n+/, '');
  text = context.multiline ? keepBlock(text, linePrefix) : text.split('\n', 1)[0];
  text = removeSuffixOverlap(text, context.suffix);
  text = text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');
  if (linePrefix.trim() === '' && /^\s+/.test(text) && /^\s+$/.test(linePrefix)) {
    // The cursor already sits after the line's indentation: do not indent twice.
    text = text.startsWith(linePrefix) ? text.slice(linePrefix.length) : text.replace(/^[ \t]+/, '');
  }
  if (text.trim() === '') return undefined;
  if (repeatsNeighbours(text, context)) return undefined;
  return text;
}

/** Text inside <COMPLETION> tags when the model used them (the stop sequence may eat the close tag). */
function extractTagged(raw: string): string {
  const open = raw.indexOf(OPEN_TAG);
  if (open === -1) return raw.split(CLOSE_TAG).join('');
  const start = open + OPEN_TAG.length;
  const close = raw.indexOf(CLOSE_TAG, start);
  return raw.slice(start, close === -1 ? undefined : close);
}

/** The body of the first fenced block, if the answer has one. */
function stripFences(text: string): string {
  const fence = /```[^\n`]*\n([\s\S]*?)(?:\n?```|$)/.exec(text);
  if (!fence) return text.replace(/^`([^`\n]+)`$/, '$1');
  return fence[1];
}

function stripProse(text: string): string {
  const lines = text.split('\n');
  while (lines.length > 1 && (PROSE_LINE.test(lines[0].trim()) || (lines[0].trim().endsWith(':') && looksLikeProse(lines[0])))) {
    lines.shift();
    // The blank line that separates prose from code goes with the prose; a second one is the code's.
    if (lines.length > 1 && lines[0].trim() === '') lines.shift();
  }
  while (lines.length > 1 && PROSE_LINE.test(lines[lines.length - 1].trim())) lines.pop();
  return lines.join('\n');
}

function looksLikeProse(line: string): boolean {
  const words = line.trim().split(/\s+/);
  return words.length >= 3 && !/[;{}()=<>[\]]/.test(line);
}

/** Cuts what the model repeated from before the cursor: whole lines, or the start of the current line or word. */
function removePrefixRepeat(text: string, prefix: string, linePrefix: string): string {
  // Whole lines repeated from the end of the prefix (e.g. the function header again).
  const prefixLines = prefix.split('\n');
  const textLines = text.split('\n');
  for (let n = Math.min(8, prefixLines.length - 1, textLines.length - 1); n >= 1; n--) {
    const above = prefixLines.slice(prefixLines.length - 1 - n, prefixLines.length - 1);
    const head = textLines.slice(0, n);
    if (above.map((l) => l.trim()).join('\n') !== head.map((l) => l.trim()).join('\n')) continue;
    // Lines of only closing brackets repeat all the time in real code: they count as an echo only
    // when they repeat the lines above exactly, indentation included.
    const meaningful = above.some((line) => !/^[\s)\]};,]*$/.test(line));
    const asWritten = head.map((l) => l.trimEnd());
    const atCursor = [(linePrefix + head[0]).trimEnd(), ...asWritten.slice(1)];
    const exact = [asWritten, atCursor].some((lines) => lines.join('\n') === above.map((l) => l.trimEnd()).join('\n'));
    if (meaningful || (exact && above.some((line) => line.trim() !== ''))) {
      return removePrefixRepeat(textLines.slice(n).join('\n'), prefix, linePrefix);
    }
  }
  const trimmedLine = linePrefix.trimStart();
  if (trimmedLine && text.trimStart().startsWith(trimmedLine)) return text.trimStart().slice(trimmedLine.length);
  // A partly typed word repeated in full: "fo" + "foo(1)" -> "o(1)".
  for (let k = Math.min(linePrefix.length, text.length); k >= 1; k--) {
    const overlap = text.slice(0, k);
    if (!linePrefix.endsWith(overlap)) continue;
    const before = linePrefix.charAt(linePrefix.length - k - 1);
    if (/\w/.test(overlap.charAt(0)) && (before === '' || /\W/.test(before))) return text.slice(k);
  }
  return text;
}

/**
 * Keeps one block: stops at the first line that leaves the cursor's block, either by indentation
 * (a closing bracket there is kept, anything else is not) or by closing more brackets than it opened.
 */
function keepBlock(text: string, linePrefix: string): string {
  const baseIndent = indentWidth(linePrefix);
  // After a block opener the block's lines are deeper than the opener's line; at an empty line, as deep.
  const afterOpener = linePrefix.trim() !== '';
  const lines = text.split('\n');
  const kept: string[] = [];
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = indentWidth(line);
    const leaves = i > 0 && line.trim() !== '' && (afterOpener ? indent <= baseIndent : indent < baseIndent);
    if (leaves) {
      if (/^[)\]}]/.test(line.trim())) kept.push(line);
      break;
    }
    kept.push(line);
    for (const char of stripStrings(line)) {
      if ('{(['.includes(char)) depth++;
      else if ('})]'.includes(char)) depth--;
    }
    if (depth < 0) break;
  }
  return kept.join('\n');
}

function stripStrings(line: string): string {
  return line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '').replace(/\/\/.*$|#.*$/, '');
}

/** A line's indentation in columns, a tab counted as four. */
export function indentWidth(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/** Removes the end of the completion that the code after the cursor already has ("a + b)" before ")"). */
function removeSuffixOverlap(text: string, suffix: string): string {
  const lineSuffix = suffix.split('\n', 1)[0];
  if (lineSuffix.trim() !== '') {
    for (let k = Math.min(lineSuffix.length, text.length); k >= 1; k--) {
      const head = lineSuffix.slice(0, k).trimEnd();
      // `bar(1)` before `)` closes its own paren: only what the completion closes twice is repeated.
      if (head && text.trimEnd().endsWith(head) && closesAll(text, head)) return text.trimEnd().slice(0, text.trimEnd().length - head.length);
    }
  }
  // Trailing lines equal to the lines right after the cursor (a closing brace that is already there).
  const nextLines = suffix
    .split('\n')
    .slice(lineSuffix.trim() === '' ? 1 : 0)
    .filter((l) => l.trim() !== '');
  const lines = text.split('\n');
  for (let n = Math.min(lines.length - 1, nextLines.length); n >= 1; n--) {
    // Indentation counts: `    }` closes an inner block, `  }` the one already in the file.
    const tail = lines.slice(lines.length - n).map((l) => l.trimEnd());
    if (tail.every((line, i) => line === nextLines[i].trimEnd())) return lines.slice(0, lines.length - n).join('\n');
  }
  return text;
}

/** A suggestion that only repeats the line above or the lines below helps nobody. */
function repeatsNeighbours(text: string, context: CleanContext): boolean {
  const lines = context.prefix.split('\n');
  const lineAbove = (lines.length >= 2 ? lines[lines.length - 2] : '').trim();
  const linePrefix = lines[lines.length - 1];
  const first = (linePrefix + text.split('\n', 1)[0]).trim();
  if (lineAbove.length > 3 && first === lineAbove) return true;
  const below = context.suffix
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim());
  const ours = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (ours.length === 0 || below.length < ours.length) return false;
  return ours.every((line, i) => line === below[i]) && ours.join('').length > 3;
}

/** For streaming: a single-line answer is complete once a line of code (not prose or a fence) has ended. */
export function singleLineComplete(raw: string): boolean {
  if (raw.includes(CLOSE_TAG)) return true;
  const finishedLines = extractTagged(raw).split('\n').slice(0, -1);
  return finishedLines.some((line) => {
    const trimmed = line.trim();
    return trimmed !== '' && !trimmed.startsWith('```') && !PROSE_LINE.test(trimmed) && !(trimmed.endsWith(':') && looksLikeProse(trimmed));
  });
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const QUOTES = new Set(['"', "'", '`']);
/** What an editor puts after the cursor by itself: auto-closed brackets and quotes, and `;` `,`. */
const AUTO_SUFFIX = /^[)\]}"'`;,\s]*$/;

/**
 * How many characters after the cursor, on its line, the completion should replace rather than be
 * inserted before. With auto-closing brackets on (VS Code's default), typing `removeItem(` leaves
 * `removeItem(|)`; a completion `cart: Cart): Cart {…}` writes that `)` itself, and inserted before
 * the old one it would give `…}\n)`. The completion covers the line's rest when every bracket there
 * is closed by the completion (more closers than openers of its kind), every quote by an odd number
 * of that quote, and the rest's characters appear in the completion in order (so VS Code can still
 * draw it as ghost text around them). Otherwise 0: `foo(|)` + `bar(1)` stays `foo(bar(1))`.
 */
export function coveredSuffixLength(completion: string, suffix: string): number {
  const rest = suffix.split('\n', 1)[0].trimEnd();
  if (rest === '' || !AUTO_SUFFIX.test(rest) || !closesAll(completion, rest)) return 0;
  let at = 0;
  for (const char of rest.replace(/\s/g, '')) {
    at = completion.indexOf(char, at);
    if (at === -1) return 0;
    at++;
  }
  return rest.length;
}

/** Whether `text` closes every bracket and quote in `closers` itself: more closers than openers of each kind, an odd number of each quote. */
function closesAll(text: string, closers: string): boolean {
  const needed = [...closers].filter((c) => CLOSERS[c] || QUOTES.has(c));
  return [...new Set(needed)].every((char) => {
    const wanted = needed.filter((c) => c === char).length;
    if (CLOSERS[char]) return count(text, char) - count(text, CLOSERS[char]) >= wanted;
    return count(text, char) % 2 === wanted % 2;
  });
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
