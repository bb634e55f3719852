// The completion engine as the extension configures it, in one place: the extension
// (src/vscode/inlineCompletions.ts) and the benchmark run exactly these.
import { DefinitionsSource, type LanguageFacts } from './context/definitions';
import { ContextGatherer, type GathererOptions } from './context/gatherer';
import { RecentEditsSource, type RecentEdits } from './context/recentEdits';
import type { Clock, EngineOptions } from './engine';
import { contextBudgets } from './prompt';
import { SimilarFilesSource, type OpenDocument } from './snippets';

/** Everything but the debounce, which is the user's setting (`penny.inlineCompletions.debounceMs`, its ceiling). */
export const PENNY_ENGINE: Omit<EngineOptions, 'debounceMs'> = {
  maxPromptTokens: 3_000,
  cacheSize: 100,
  adaptiveDebounce: true,
  layout: 'cacheAware',
  promptCacheKey: true,
  earlyLines: true,
};

const BUDGETS = contextBudgets(PENNY_ENGINE.maxPromptTokens);
/** Of the room for what is about the whole file, what the current file's map may take (the rest is for what it imports). */
const MAP_SHARE = 0.7;

/** Gathering stops at this deadline; a request takes what is ready when its debounce ends. Sized to the prompt's room for context. */
export const PENNY_CONTEXT: Pick<GathererOptions, 'budgetMs' | 'fileWideChars' | 'maxChars' | 'recentChars' | 'minIntervalMs'> = {
  budgetMs: 150,
  fileWideChars: BUDGETS.fileWide,
  maxChars: BUDGETS.cursor,
  recentChars: BUDGETS.recent,
  minIntervalMs: 200,
};

export interface ContextDependencies {
  facts: LanguageFacts;
  edits: RecentEdits;
  /** Open and recently viewed documents, none excluded. */
  openDocuments: () => readonly OpenDocument[];
  /** Paths never read for context; asked at each use, so a changed setting applies at once. */
  isExcluded: (path: string) => boolean;
  clock: Clock;
  onGathered?: (ms: number) => void;
  onError?: (message: string) => void;
  /** Gather the current file's map (default on; the benchmark's Continue-like engine gathers as Continue does, without one). */
  fileMap?: boolean;
}

/** The context sources Penny gathers from: definitions and signatures, recent edits, similar windows of open files. */
export function pennyContext(deps: ContextDependencies): ContextGatherer {
  const { facts, isExcluded, clock } = deps;
  return new ContextGatherer(
    [
      new DefinitionsSource(facts, { isExcluded, clock, mapChars: deps.fileMap === false ? 0 : Math.floor(BUDGETS.fileWide * MAP_SHARE) }),
      new RecentEditsSource(deps.edits, { isExcluded, read: (key) => facts.document(key) }),
      new SimilarFilesSource(deps.openDocuments),
    ],
    clock,
    { ...PENNY_CONTEXT, onGathered: deps.onGathered, onError: deps.onError },
  );
}
