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
  /** What was recorded under each key. */
  private readonly recorded = new Map<string, UseEvent['use']>();
  /** Typed-through completions waiting out the grace period. */
  private readonly waiting = new Set<string>();

  constructor(private readonly deps: UseRecorderDeps) {}

  /**
   * Records `event` unless the same use of the same request was recorded already (a cached completion
   * shown again); a completion's outcome (accepted or typed through) once, an accept winning. A later
   * accept of the same request adds its characters (acceptedMore).
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
    if (this.recorded.has(key)) {
      // A completion taken in parts (its first lines shown early, then its rest): the characters count, the accept once.
      // After typing through, an accept is the same characters, late.
      if (event.use === 'accepted' && this.recorded.get(key) === 'accepted') this.write(key, { ...event, use: 'acceptedMore' });
      return;
    }
    this.waiting.delete(key); // an accept replaces a typing-through still waiting
    this.write(key, event);
  }

  private write(key: string, event: UseEvent): void {
    if (!this.recorded.has(key)) this.recorded.set(key, event.use);
    if (this.recorded.size > REMEMBERED_USES) this.recorded.delete(this.recorded.keys().next().value as string);
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
