// Context recall: at each request, of the identifiers in the true continuation that are defined
// (in the project) outside what the prompt shows of the current file, the share whose definition
// or signature the prompt contains. A simulated model answers the truth whatever it is sent; this
// says whether a real one could have: `client.retry(` needs `retry`'s signature in the prompt.
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

/** Adds one request's count: `pos` is the cursor in the original file, the region's rest is not typed yet. */
export function countRecall(count: RecallCount, workspaces: Workspaces, region: Region, pos: number, continuation: string, prompt: string): void {
  const { file, end } = region;
  const document = file.text.slice(0, pos) + file.text.slice(end);
  const windows = shownWindows(prompt, document, pos);
  const flat = collapse(prompt);
  const seen = new Set<string>();
  for (const identifier of identifiersIn(file.text, pos, pos + continuation.length)) {
    for (const definition of workspaces.definitionsAt(file.relativePath, identifier.offset)) {
      if (definition.file === file.relativePath) {
        // Defined by the code still to be typed: nothing any context could show.
        if (definition.offset >= pos && definition.offset < end) continue;
        const typedOffset = definition.offset < pos ? definition.offset : definition.offset - (end - pos);
        if (windows.some(([from, to]) => typedOffset >= from && typedOffset < to)) continue;
      }
      if (definition.signature.length < 4) continue;
      const key = `${definition.file}\u0000${definition.offset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      count.needed++;
      if (flat.includes(definition.signature)) count.shown++;
      else {
        const what = `${definition.file}: ${definition.signature}`;
        count.missed.set(what, (count.missed.get(what) ?? 0) + 1);
      }
    }
  }
}
