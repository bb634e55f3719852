// Context recall: at each request, of the identifiers in the true continuation that are defined
// (in the project) outside what the prompt shows of the current file, the share whose definition
// or signature (any one of its definitions) the prompt contains: `client.retry(` needs `retry`'s signature in the prompt. The
// simulated model writes the truth only up to the first such identifier the prompt lacks (answerable).
import { CURSOR } from '../../../src/core/completion/prompt';
import type { Region } from './corpus';
import { collapse, identifiersIn, type Workspaces } from './workspace';

export interface RecallCount {
  /** Identifiers that needed a definition the prompt's view of the current file does not show. */
  needed: number;
  /** Of those, the ones whose definition's first line is in the prompt. */
  shown: number;
  /** Some of the definitions a prompt lacked, `file: signature`, most frequent first in the report. */
  missed: Map<string, number>;
}

export function newRecall(): RecallCount {
  return { needed: 0, shown: 0, missed: new Map() };
}

/** How far the prompt shows the document verbatim around the cursor and after the cursor's line (typed-document offsets). */
function shownWindows(prompt: string, document: string, pos: number): [number, number][] {
  const at = prompt.indexOf(CURSOR);
  if (at === -1) return [];
  let left = 0;
  while (left < pos && at - 1 - left >= 0 && prompt[at - 1 - left] === document[pos - 1 - left]) left++;
  const after = at + CURSOR.length;
  let right = 0;
  while (pos + right < document.length && prompt[after + right] === document[pos + right]) right++;
  const windows: [number, number][] = [[pos - left, pos + right]];
  // A layout that shows the code after the cursor's line elsewhere (before the code up to the cursor).
  const nextLine = document.indexOf('\n', pos) + 1;
  if (nextLine > 0 && nextLine > pos + right) {
    const probe = document.slice(nextLine, nextLine + 80);
    const found = probe.trim().length >= 20 ? prompt.indexOf(probe) : -1;
    if (found !== -1) {
      let length = 0;
      while (nextLine + length < document.length && prompt[found + length] === document[nextLine + length]) length++;
      windows.push([nextLine, nextLine + length]);
    }
  }
  return windows;
}

/** One identifier of a true continuation that needs a definition the prompt's view of the current file does not show. */
export interface Need {
  /** Where it starts in the continuation. */
  offset: number;
  /** Whether the prompt contains its definition's first line (signature). */
  shown: boolean;
  /** `file: signature` of the definition. */
  what: string;
}

/**
 * The identifiers of the continuation at `pos` (in the original file; the region's rest is not typed
 * yet) that are defined outside what the prompt shows of the current file, in order, each once: what
 * a model needs the prompt to tell it. An identifier with several definitions (a field assigned in
 * three places) is shown when the prompt contains any of them, and needs none when the prompt shows
 * one of them in the file's code.
 */
export function neededDefinitions(workspaces: Workspaces, region: Region, pos: number, continuation: string, prompt: string): Need[] {
  const { file, end } = region;
  const document = file.text.slice(0, pos) + file.text.slice(end);
  const windows = shownWindows(prompt, document, pos);
  const flat = collapse(prompt);
  const seen = new Set<string>();
  const needs: Need[] = [];
  for (const identifier of identifiersIn(file.text, pos, pos + continuation.length)) {
    const outside: { key: string; what: string; signature: string }[] = [];
    let inSight = false;
    for (const definition of workspaces.definitionsAt(file.relativePath, identifier.offset)) {
      if (definition.file === file.relativePath) {
        // Defined by the code still to be typed: nothing any context could show.
        if (definition.offset >= pos && definition.offset < end) continue;
        const typedOffset = definition.offset < pos ? definition.offset : definition.offset - (end - pos);
        if (windows.some(([from, to]) => typedOffset >= from && typedOffset < to)) inSight = true;
      }
      if (definition.signature.length < 4) continue;
      outside.push({
        key: `${definition.file}\u0000${definition.offset}`,
        what: `${definition.file}: ${definition.signature}`,
        signature: definition.signature,
      });
    }
    if (inSight || outside.length === 0) continue;
    const key = outside.map((d) => d.key).join('\u0001');
    if (seen.has(key)) continue;
    seen.add(key);
    const shown = outside.find((d) => flat.includes(d.signature));
    needs.push({ offset: identifier.offset - pos, shown: shown !== undefined, what: (shown ?? outside[0]).what });
  }
  return needs;
}

/** Adds one request's needs to the count. */
export function countRecall(count: RecallCount, needs: readonly Need[]): void {
  for (const need of needs) {
    count.needed++;
    if (need.shown) count.shown++;
    else count.missed.set(need.what, (count.missed.get(need.what) ?? 0) + 1);
  }
}

/**
 * What a model that knows only what its prompt shows can write at the cursor: the true continuation
 * up to the first identifier defined outside the prompt's view of the file whose definition the
 * prompt does not contain. A real model could not know `client.retry(` without `retry`'s signature;
 * past that point it would guess, so the simulated model stops there. The same needs as context
 * recall, so recall and answer quality agree.
 */
export function answerable(continuation: string, needs: readonly Need[]): string {
  let stop = continuation.length;
  for (const need of needs) if (!need.shown && need.offset < stop) stop = need.offset;
  // A model that stops before a name does not end on the space before it.
  return stop < continuation.length ? continuation.slice(0, stop).replace(/[ \t]+$/, '') : continuation;
}
