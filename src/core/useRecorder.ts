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
}

/** Uses remembered to record each (request, use) once; older ones are forgotten first. */
const REMEMBERED_USES = 2_000;

export class UseRecorder {
  private readonly recorded = new Set<string>();

  constructor(private readonly deps: UseRecorderDeps) {}

  /** Records `event` unless the same use of the same request was recorded already (a cached completion shown again). */
  record(event: UseEvent): void {
    const key = `${event.ref}\u0000${event.use}`;
    if (this.recorded.has(key)) return;
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
