// The completion engine as the extension configures it, in one place: the extension
// (src/vscode/inlineCompletions.ts) and the benchmark run exactly these.
import type { GathererOptions } from './context/gatherer';
import type { EngineOptions } from './engine';

/** Everything but the debounce, which is the user's setting (`penny.inlineCompletions.debounceMs`, its ceiling). */
export const PENNY_ENGINE: Omit<EngineOptions, 'debounceMs'> = {
  maxPromptTokens: 2_000,
  cacheSize: 100,
  adaptiveDebounce: true,
  layout: 'cacheAware',
  promptCacheKey: true,
};

/** Gathering stops at this deadline; a request takes what is ready when its debounce ends. */
export const PENNY_CONTEXT: Pick<GathererOptions, 'budgetMs' | 'maxChars'> = {
  budgetMs: 150,
  maxChars: 12_000,
};
