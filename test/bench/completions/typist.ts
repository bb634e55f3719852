// The simulated user. Types a region of a real file with human timing; the editor asks the engine
// for a suggestion after every keystroke (cancelling the previous ask, as VS Code does). A suggestion
// that has been on screen for the user's reaction time and is exactly what they were about to type
// is accepted with Tab: its characters are not typed. Anything else is ignored and typing goes on.
import { performance } from 'node:perf_hooks';
import type { RecentEdits } from '../../../src/core/completion/context/recentEdits';
import type { CompletionOrigin, EngineRequest } from '../../../src/core/completion/engine';
import { completionUse } from '../../../src/core/completion/uses';
import type { UseEvent } from '../../../src/core/useRecorder';
import { documentWindow } from '../../../src/core/completion/prompt';
import { relevantSnippets, type OpenDocument } from '../../../src/core/completion/snippets';
import { keystrokeLength, type Region } from './corpus';
import type { VirtualClock } from './virtualClock';
import type { TypedDocument } from './workspace';

/** What the editor calls: CompletionEngine.complete, or any engine with the same shape. */
export type CompleteFn = (
  request: EngineRequest,
  signal: AbortSignal,
) => Promise<{ text: string; source: 'cache' | 'network'; origin?: CompletionOrigin } | undefined>;

/** Whether the user takes a suggestion: only when it is exactly what they were about to type next. */
export function acceptable(aboutToType: string, suggestion: string): boolean {
  return suggestion.length > 0 && aboutToType.startsWith(suggestion);
}

export interface TypingMetrics {
  /** Keys the user pressed to type (Tabs not included). */
  typedKeys: number;
  tabs: number;
  /** engine.complete calls: one per keystroke and one after each accept. */
  calls: number;
  suggestionsShown: number;
  shownFromCache: number;
  suggestionsIgnored: number;
  acceptedChars: number;
  /** Last keystroke to suggestion on screen, virtual ms. */
  latencyMs: number[];
  latencyNetworkMs: number[];
  /** Engine CPU per call, real ms: the synchronous part of complete(), prompt building, cleaning. */
  cpuMs: number[];
}

export function newTypingMetrics(): TypingMetrics {
  return {
    typedKeys: 0,
    tabs: 0,
    calls: 0,
    suggestionsShown: 0,
    shownFromCache: 0,
    suggestionsIgnored: 0,
    acceptedChars: 0,
    latencyMs: [],
    latencyNetworkMs: [],
    cpuMs: [],
  };
}

export interface Call {
  controller: AbortController;
  keyTime: number;
  pos: number;
  /** What the editor passed to the engine. */
  request: EngineRequest;
  cpuMs: number;
  /** performance.now() when the backend handed its answer to the engine. */
  answeredAt?: number;
}

interface Shown {
  text: string;
  pos: number;
  since: number;
  origin?: CompletionOrigin;
}

export interface SessionOptions {
  clock: VirtualClock;
  complete: CompleteFn;
  region: Region;
  /** Pause before the keystroke at each position (typingGaps). */
  gaps: Map<number, number>;
  metrics: TypingMetrics;
  /** How long a suggestion must be on screen before the user takes it. */
  reactionMs: number;
  /** Pause after the last keystroke before the user leaves the region. */
  leaveAfterMs?: number;
  /** The other files open beside this one (none by default). */
  openDocuments?: readonly OpenDocument[];
  /**
   * Whether the request carries snippets of the open files, as the extension's requests did before
   * the engine gathered context itself (default true).
   */
  snippetsInRequest?: boolean;
  /** Told of every edit, as VS Code's change events tell the extension (recent edits). */
  edits?: RecentEdits;
  /**
   * What became of each suggestion, as the extension's provider records it (completionUse): offered
   * when shown, accepted with its characters on Tab (UseRecorder.record in the bench).
   */
  onUse?: (event: UseEvent) => void;
}

/** One region typed by the simulated user; `start()` schedules it on the virtual clock. */
export class TypingSession {
  /** Cursor offset in the file: the document is text[0, pos) + text[end, ...). */
  pos: number;
  /** The call whose answer may still be shown (the latest one). */
  current?: Call;
  private shown?: Shown;
  private nextKey?: { at: number; timer: { cancelled: boolean } };
  private documentAt?: { pos: number; text: string };
  private readonly text: string;
  /** Bumped by every edit, like a TextDocument's version. */
  private version = 1;

  constructor(private readonly options: SessionOptions) {
    this.pos = options.region.start;
    this.text = options.region.file.text;
  }

  get region(): Region {
    return this.options.region;
  }

  /** What the user is about to type from the cursor to the end of the region. */
  get aboutToType(): string {
    return this.text.slice(this.pos, this.options.region.end);
  }

  start(): void {
    this.scheduleKey();
  }

  /** The document in the editor: the file with the rest of the region not typed yet. */
  get document(): string {
    if (this.documentAt?.pos !== this.pos) {
      const { end } = this.options.region;
      this.documentAt = { pos: this.pos, text: this.text.slice(0, this.pos) + this.text.slice(end) };
    }
    return this.documentAt.text;
  }

  /** The document as the language providers see it. */
  get typed(): TypedDocument {
    return { relativePath: this.options.region.file.relativePath, text: () => this.document, version: this.version };
  }

  /**
   * What the extension passes to the engine at the cursor (src/vscode/inlineCompletions.ts): the
   * document's window around the cursor from documentWindow, with `prefixOffset` and the document's
   * version, and (as before the engine gathered context) the snippets of the other open files.
   */
  request(): EngineRequest {
    const { file } = this.options.region;
    const text = this.document;
    const offset = this.pos;
    const open = this.options.openDocuments ?? [];
    return {
      documentKey: `file:///node_modules/${file.relativePath}`,
      ...documentWindow(text, offset),
      languageId: file.languageId,
      relativePath: `node_modules/${file.relativePath}`,
      version: this.version,
      snippets: this.options.snippetsInRequest === false ? undefined : () => relevantSnippets(text.slice(Math.max(0, offset - 2_000), offset), open),
    };
  }

  /** The user inserted text.slice(from, to) at `from`. */
  private edited(from: number, to: number): void {
    this.version++;
    const line = this.text.slice(0, from).split('\n').length - 1;
    const { file } = this.options.region;
    this.options.edits?.record(
      `file:///node_modules/${file.relativePath}`,
      `node_modules/${file.relativePath}`,
      line,
      line,
      this.text.slice(from, to).split('\n').length,
    );
  }

  private scheduleKey(): void {
    const { clock, region, gaps } = this.options;
    if (this.pos >= region.end) {
      this.nextKey = undefined;
      clock.schedule(this.options.leaveAfterMs ?? 1500, () => this.current?.controller.abort());
      return;
    }
    const gap = gaps.get(this.pos) ?? 120;
    this.nextKey = { at: clock.now() + gap, timer: clock.schedule(gap, () => this.typeKey()) };
  }

  private typeKey(): void {
    const length = keystrokeLength(this.text, this.pos, this.options.region.end);
    this.edited(this.pos, this.pos + length);
    this.pos += length;
    this.options.metrics.typedKeys++;
    this.ask();
    this.scheduleKey();
  }

  /** The editor asks for a suggestion at the cursor, cancelling its previous ask. */
  private ask(): void {
    const { clock, metrics } = this.options;
    const previous = this.shown;
    this.shown = undefined;
    this.current?.controller.abort();
    const call: Call = { controller: new AbortController(), keyTime: clock.now(), pos: this.pos, request: this.request(), cpuMs: 0 };
    this.current = call;
    metrics.calls++;
    const started = performance.now();
    const pending = this.options.complete(call.request, call.controller.signal);
    call.cpuMs += performance.now() - started;
    void pending.then(
      (result) => this.answered(call, result, previous),
      () => this.answered(call, undefined, previous),
    );
  }

  private answered(call: Call, result: Awaited<ReturnType<CompleteFn>>, previous: Shown | undefined): void {
    const { clock, metrics } = this.options;
    if (call.answeredAt !== undefined) call.cpuMs += performance.now() - call.answeredAt;
    metrics.cpuMs.push(call.cpuMs);
    if (!result || call !== this.current || call.controller.signal.aborted) return;
    const now = clock.now();
    metrics.suggestionsShown++;
    if (result.source === 'cache') metrics.shownFromCache++;
    if (result.origin) this.options.onUse?.(completionUse('offered', result.origin));
    metrics.latencyMs.push(now - call.keyTime);
    if (result.source === 'network') metrics.latencyNetworkMs.push(now - call.keyTime);
    // Typing through a suggestion keeps it on screen: the user has been seeing it since it first came.
    const typed = previous ? this.text.slice(previous.pos, call.pos) : '';
    const continues = previous !== undefined && previous.text === typed + result.text;
    const shown: Shown = { text: result.text, pos: call.pos, since: continues ? previous.since : now, origin: result.origin };
    this.shown = shown;
    const decideAt = Math.max(now, shown.since + this.options.reactionMs);
    // The user looks at it before their next keystroke only if it is there long enough.
    if (this.nextKey && decideAt >= this.nextKey.at) return;
    clock.schedule(decideAt - now, () => this.decide(shown));
  }

  private decide(shown: Shown): void {
    if (this.shown !== shown) return;
    const { metrics } = this.options;
    if (!acceptable(this.aboutToType, shown.text)) {
      metrics.suggestionsIgnored++;
      return;
    }
    if (this.nextKey) this.nextKey.timer.cancelled = true;
    this.edited(this.pos, this.pos + shown.text.length);
    this.pos += shown.text.length;
    metrics.tabs++;
    metrics.acceptedChars += shown.text.length;
    if (shown.origin) this.options.onUse?.(completionUse('accepted', shown.origin, shown.text.length));
    this.shown = undefined;
    // The editor asks again at the new cursor position; the user goes on typing after their usual pause.
    this.ask();
    this.scheduleKey();
  }
}
