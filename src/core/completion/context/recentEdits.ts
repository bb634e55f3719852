// Code the user edited lately, in other files or far from the cursor: what Copilot and Cody call
// recent edits. The editor reports each change; the ranges are kept in lines, shifted by later
// edits above them, merged when close, and shown as they read now.
import type { Snippet } from '../prompt';
import type { FactsDocument } from './definitions';
import type { ContextQuery, ContextSource } from './gatherer';

export interface EditedRange {
  documentKey: string;
  path: string;
  /** Zero-based, inclusive, in the document as it is now. */
  startLine: number;
  endLine: number;
}

/** Ranges this close (in lines) are one edit. */
const MERGE_LINES = 3;
const MAX_RANGES = 16;

export class RecentEdits {
  /** Most recent last. */
  private ranges: EditedRange[] = [];

  /**
   * An edit replaced lines `startLine`..`oldEndLine` with text of `newLineCount` lines (as VS Code's
   * change events say: range.start.line, range.end.line, and the line breaks in the new text plus one).
   */
  record(documentKey: string, path: string, startLine: number, oldEndLine: number, newLineCount: number): void {
    const endLine = startLine + newLineCount - 1;
    const shift = endLine - oldEndLine;
    let merged: EditedRange = { documentKey, path, startLine, endLine };
    const kept: EditedRange[] = [];
    for (const range of this.ranges) {
      if (range.documentKey !== documentKey) {
        kept.push(range);
        continue;
      }
      // Ranges below the edit move with it; ranges it touches become part of it.
      const moved = range.startLine > oldEndLine ? { ...range, startLine: range.startLine + shift, endLine: range.endLine + shift } : range;
      if (moved.startLine <= merged.endLine + MERGE_LINES && moved.endLine >= merged.startLine - MERGE_LINES) {
        merged = { ...merged, startLine: Math.min(merged.startLine, moved.startLine), endLine: Math.max(merged.endLine, moved.endLine) };
      } else {
        kept.push(moved);
      }
    }
    kept.push(merged);
    this.ranges = kept.slice(-MAX_RANGES);
  }

  /** Most recent first. */
  recent(): EditedRange[] {
    return [...this.ranges].reverse();
  }

  forget(documentKey: string): void {
    this.ranges = this.ranges.filter((r) => r.documentKey !== documentKey);
  }
}

export interface RecentEditsOptions {
  isExcluded: (path: string) => boolean;
  read: (documentKey: string) => Promise<FactsDocument | undefined>;
  /** Edits in the current file this many lines from the cursor are in the prompt anyway. */
  visibleLines?: number;
}

const MAX_SNIPPETS = 3;
/** Lines shown around an edited range, and at most this many in all. */
const AROUND_LINES = 2;
const MAX_LINES = 14;

export class RecentEditsSource implements ContextSource {
  readonly name = 'recentEdits';

  constructor(
    private readonly edits: RecentEdits,
    private readonly options: RecentEditsOptions,
  ) {}

  async gather(query: ContextQuery, signal: AbortSignal): Promise<Snippet[]> {
    const current = await this.options.read(query.documentKey);
    const cursorLine = current ? current.text.slice(0, query.offset).split('\n').length - 1 : undefined;
    const out: Snippet[] = [];
    for (const range of this.edits.recent()) {
      if (out.length >= MAX_SNIPPETS || signal.aborted) break;
      if (this.options.isExcluded(range.path)) continue;
      if (range.documentKey === query.documentKey && cursorLine !== undefined && Math.abs(range.startLine - cursorLine) < (this.options.visibleLines ?? 60))
        continue;
      const document = await this.options.read(range.documentKey);
      if (!document) continue;
      const lines = document.text.split('\n');
      const from = Math.max(0, range.startLine - AROUND_LINES);
      const to = Math.min(lines.length, range.endLine + AROUND_LINES + 1, from + MAX_LINES);
      const text = lines.slice(from, to).join('\n');
      // Labelled without a line number: typing above it moves its lines, and its label stays byte-identical (the prompt cache).
      if (text.trim() !== '') out.push({ path: `${range.path} (edited recently)`, text });
    }
    return out;
  }
}
