// Writes what became of an answer (a completion offered, accepted or typed through; an answer's code
// used; a rewrite applied) to the ledger, beside the request records it refers to. Fire and forget:
// the user's action never waits for the disk, and a failed write is told, not thrown.
import { runInBackground } from './background';
import type { UseRecord } from './cost/record';

export type UseEvent = Omit<UseRecord, 'time'>;

export interface UseRecorderDeps {
  ledger: { appendUse(use: UseRecord): Promise<void> };
  onError: (message: string) => void;
  /** After each record is on disk (e.g. to refresh today's figures). */
  onRecorded?: () => void;
  now?: () => Date;
  /** Runs `write` after `ms` (default setTimeout): a typed-through completion waits to see whether it is accepted. */
  defer?: (write: () => void, ms: number) => void;
}

/** Uses remembered to record each (request, use) once; older ones are forgotten first. */
const REMEMBERED_USES = 2_000;
/**
 * A completion is accepted or typed through, not both. Accepting with Tab after typing part of it
 * can look like typing it through, and VS Code may ask for the next suggestion before it runs the
 * accept command: typing through is written only if no accept of the same request comes this soon.
 */
export const TYPED_THROUGH_GRACE_MS = 2_000;

/** The key under which each use is recorded once: accepted and typed through are one outcome. */
function onceKey(event: UseEvent): string {
  const kind = event.use === 'accepted' || event.use === 'typedThrough' ? 'outcome' : event.use;
  return `${event.ref}\u0000${kind}`;
}

export class UseRecorder {
  private readonly recorded = new Set<string>();
  /** Typed-through completions waiting out the grace period. */
  private readonly waiting = new Set<string>();

  constructor(private readonly deps: UseRecorderDeps) {}

  /**
   * Records `event` unless the same use of the same request was recorded already (a cached completion
   * shown again); a completion's outcome (accepted or typed through) once, an accept winning.
   */
  record(event: UseEvent): void {
    const key = onceKey(event);
    if (event.use === 'typedThrough') {
      if (this.recorded.has(key) || this.waiting.has(key)) return;
      this.waiting.add(key);
      (this.deps.defer ?? defaultDefer)(() => {
        if (this.waiting.delete(key)) this.write(key, event);
      }, TYPED_THROUGH_GRACE_MS);
      return;
    }
    if (this.recorded.has(key)) return;
    this.waiting.delete(key); // an accept replaces a typing-through still waiting
    this.write(key, event);
  }

  private write(key: string, event: UseEvent): void {
    this.recorded.add(key);
    if (this.recorded.size > REMEMBERED_USES) this.recorded.delete(this.recorded.values().next().value as string);
    const time = (this.deps.now?.() ?? new Date()).toISOString();
    runInBackground(
      this.deps.ledger.appendUse({ time, ...event }).then(() => this.deps.onRecorded?.()),
      'recording what became of an answer',
      this.deps.onError,
    );
  }
}

function defaultDefer(write: () => void, ms: number): void {
  setTimeout(write, ms).unref?.();
}
