// Cross-file context for completions, gathered off the keystroke path. Each keystroke only asks for
// a gathering (prepare); the sources run in the background, each against the same deadline, and a
// request takes whatever is ready when its debounce ends (snippets): gathering never delays it.
// The list a document gets is sticky: what was there stays in place and new finds are appended,
// so the prompt's context section stays byte-identical from keystroke to keystroke, the part
// OpenAI's prompt cache bills at half price. New finds are kept apart as `recent` (the prompt puts
// them last, where a change costs little) until they add up to enough to settle into the stable part.
import type { Clock } from '../engine';
import { fitSnippets, snippetChars, type Snippet } from '../prompt';

/** Where the cursor is, as every context source sees it. */
export interface ContextQuery {
  documentKey: string;
  /** Workspace-relative path, as the prompt names the file. */
  path: string;
  languageId: string;
  /** Changes with every edit: a gathering is done once per version. */
  version: number;
  /** The cursor's offset in the document. */
  offset: number;
  /** Text before the cursor (a window of the document ending at `offset`). */
  prefix: string;
}

export interface ContextSource {
  /** Names the source in timings and logs. */
  readonly name: string;
  /** What this source finds for the query; on `signal` (the deadline) it returns what it has so far. */
  gather(query: ContextQuery, signal: AbortSignal): Promise<Snippet[]>;
}

export interface GathererOptions {
  /** Each gathering's deadline: sources still working then contribute what they had. */
  budgetMs: number;
  /** Room for what is about the whole file (as the prompt counts it, snippetChars): kept while the user works in the file. */
  fileWideChars: number;
  /** Room for the stable part about the cursor. */
  maxChars: number;
  /** Recent finds settle into the stable part once they add up to more than this many characters. */
  recentChars: number;
  /** Gatherings start at most this often: a burst of keystrokes asks the language server once or twice, not per key. */
  minIntervalMs?: number;
  /** Told how long each gathering took (ms, by the clock). */
  onGathered?: (ms: number) => void;
  onError?: (message: string) => void;
}

const MAX_DOCUMENTS = 32;
const NEVER = new AbortController().signal;

interface Pending {
  query: ContextQuery;
}

/**
 * A document's context, steadiest first: what is about the whole file, what is about the cursor
 * (changes rarely), and what was found since that last changed.
 */
export interface DocumentContext {
  fileWide: Snippet[];
  stable: Snippet[];
  recent: Snippet[];
  /** What the word being typed may become, as of the last gathering, unless shown in the other parts. */
  typing: Snippet[];
}

const EMPTY: DocumentContext = { fileWide: [], stable: [], recent: [], typing: [] };

export class ContextGatherer {
  private readonly lists = new Map<string, DocumentContext>();
  private running?: Promise<void>;
  private next?: Pending;
  /** The spot (version and offset) last gathered, or being gathered, per document. */
  private readonly asked = new Map<string, string>();

  constructor(
    private readonly sources: readonly ContextSource[],
    private readonly clock: Clock,
    private readonly options: GathererOptions,
  ) {}

  /** Starts a gathering for this spot unless it was gathered at this version already; never waits for it. */
  prepare(query: ContextQuery): void {
    const spot = `${query.version}:${query.offset}`;
    if (this.sources.length === 0 || this.asked.get(query.documentKey) === spot) return;
    this.asked.set(query.documentKey, spot);
    // One gathering at a time; while it runs only the newest ask is kept for afterwards.
    if (this.running) {
      this.next = { query };
      return;
    }
    this.running = this.run(query);
  }

  /** What is ready for the document now, in a stable order. */
  snippets(documentKey: string): DocumentContext {
    return this.lists.get(documentKey) ?? EMPTY;
  }

  /** Resolves once no gathering is running or queued (tests and the benchmark wait on it). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(query: ContextQuery, waitMs = 0): Promise<void> {
    // Off the keystroke path: the sources start after the keystroke's own work is done.
    await this.clock.sleep(waitMs, NEVER);
    // The newest ask may have come while waiting.
    const current = this.takeNext() ?? query;
    const started = this.clock.now();
    try {
      const found = await this.gatherAll(current);
      this.options.onGathered?.(this.clock.now() - started);
      this.merge(current, found);
    } catch (error) {
      this.options.onError?.(`context gathering failed: ${(error as Error).message}`);
    }
    const next = this.takeNext();
    this.running = next ? this.run(next, Math.max(0, started + (this.options.minIntervalMs ?? 0) - this.clock.now())) : undefined;
  }

  private takeNext(): ContextQuery | undefined {
    const next = this.next?.query;
    this.next = undefined;
    return next;
  }

  private async gatherAll(query: ContextQuery): Promise<Snippet[]> {
    const deadline = new AbortController();
    const timer = new AbortController();
    void this.clock.sleep(this.options.budgetMs, timer.signal).then((elapsed) => elapsed && deadline.abort());
    try {
      const results = await Promise.all(
        this.sources.map((source) =>
          source.gather(query, deadline.signal).catch((error: unknown) => {
            this.options.onError?.(`context source ${source.name} failed: ${(error as Error).message}`);
            return [];
          }),
        ),
      );
      return results.flat();
    } finally {
      timer.abort();
    }
  }

  /**
   * Keeps what the document had in place: new finds come as recent, and settle into the stable part
   * once there are enough of them. When the stable part would outgrow its room, it is rebuilt from
   * this gathering's finds, keeping in place (first) what it had and still finds, so its start repeats.
   */
  private merge(query: ContextQuery, found: Snippet[]): void {
    const old = this.lists.get(query.documentKey) ?? EMPTY;
    const known = new Set([...old.fileWide, ...old.stable, ...old.recent].map(identity));
    const all = dedupe(found);
    // What is about the whole file only grows, as far as its room allows: it leads every prompt for the file.
    // A snippet with a slot replaces its predecessor in place.
    const newFileWide = all.filter((s) => s.fileWide && !known.has(identity(s)));
    const replacing = new Map(newFileWide.filter((s) => s.slot !== undefined).map((s) => [s.slot, s]));
    const kept = old.fileWide.map((s) => (s.slot !== undefined && replacing.has(s.slot) ? replacing.get(s.slot)! : s));
    const placed = new Set(kept);
    const fileWide = fitSnippets([...kept, ...newFileWide.filter((s) => !placed.has(s))], this.options.fileWideChars);
    const fresh = all.filter((s) => !s.fileWide && !s.forWord);
    const recent = [...old.recent, ...fresh.filter((s) => !known.has(identity(s)))];
    let merged: Omit<DocumentContext, 'typing'>;
    if (old === EMPTY) merged = { fileWide, stable: fitSnippets(fresh, this.options.maxChars), recent: [] };
    else if (totalChars(recent) <= this.options.recentChars) merged = { fileWide, stable: old.stable, recent };
    else if (totalChars(old.stable) + totalChars(recent) <= this.options.maxChars) merged = { fileWide, stable: [...old.stable, ...recent], recent: [] };
    else {
      const stillFound = new Set(fresh.map(identity));
      const kept = old.stable.filter((s) => stillFound.has(identity(s)));
      const keptIds = new Set(kept.map(identity));
      merged = { fileWide, stable: fitSnippets([...kept, ...fresh.filter((s) => !keptIds.has(identity(s)))], this.options.maxChars), recent: [] };
    }
    // Not kept: once the word is typed, it is a name near the cursor like any other.
    const shown = new Set([...merged.fileWide, ...merged.stable, ...merged.recent].map(identity));
    const typing = all.filter((s) => s.forWord && !shown.has(identity(s)));
    // Most recently gathered last, and only so many documents remembered.
    this.lists.delete(query.documentKey);
    this.lists.set(query.documentKey, { ...merged, typing });
    if (this.lists.size > MAX_DOCUMENTS) this.lists.delete(this.lists.keys().next().value!);
  }
}

function identity(snippet: Snippet): string {
  return `${snippet.path}\u0000${snippet.text}`;
}

/** The snippets without repeats (the same text of the same file found twice), in order; what the word being typed may become apart. */
export function dedupe(snippets: Snippet[]): Snippet[] {
  const seen = new Set<string>();
  const key = (s: Snippet) => `${s.forWord === true}\u0000${identity(s)}`;
  return snippets.filter((s) => !seen.has(key(s)) && seen.add(key(s)) !== undefined);
}

function totalChars(snippets: Snippet[]): number {
  return snippets.reduce((sum, s) => sum + snippetChars(s), 0);
}
