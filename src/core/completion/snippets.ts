// Relevant code from other open files for a completion prompt: windows of lines that share the
// most identifiers with the code just before the cursor (Jaccard similarity, as Copilot does).
import type { ContextQuery, ContextSource } from './context/gatherer';
import type { Snippet } from './prompt';

export interface OpenDocument {
  path: string;
  text: string;
}

const WINDOW_LINES = 20;
const STEP_LINES = 10;
const QUERY_LINES = 20;
const MAX_SNIPPETS = 3;
const MIN_SCORE = 0.1;
/** Longer files are searched in their first part only: this runs once per request, not per keystroke. */
const MAX_SCANNED_CHARS = 200_000;

export function relevantSnippets(prefix: string, documents: readonly OpenDocument[], maxSnippets = MAX_SNIPPETS): Snippet[] {
  const query = identifiers(prefix.split('\n').slice(-QUERY_LINES).join('\n'));
  if (query.size === 0) return [];
  const scored: { score: number; snippet: Snippet }[] = [];
  for (const document of documents) {
    const lines = document.text.slice(0, MAX_SCANNED_CHARS).split('\n');
    let best: { score: number; start: number } | undefined;
    for (let start = 0; start < Math.max(1, lines.length - STEP_LINES); start += STEP_LINES) {
      const score = jaccard(query, identifiers(lines.slice(start, start + WINDOW_LINES).join('\n')));
      if (!best || score > best.score) best = { score, start };
    }
    if (best && best.score >= MIN_SCORE) {
      scored.push({ score: best.score, snippet: { path: document.path, text: lines.slice(best.start, best.start + WINDOW_LINES).join('\n') } });
    }
  }
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, maxSnippets)
    .map((s) => s.snippet);
}

/** The similar windows as a context source: `documents` are the open and recently viewed files, none of them excluded. */
export class SimilarFilesSource implements ContextSource {
  readonly name = 'similarFiles';

  constructor(private readonly documents: () => readonly OpenDocument[]) {}

  async gather(query: ContextQuery): Promise<Snippet[]> {
    return relevantSnippets(
      query.prefix.slice(-2_000),
      this.documents().filter((d) => d.path !== query.path),
    );
  }
}

function identifiers(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][A-Za-z0-9_$]{2,}/g) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}
