// Virtual time for the completion benchmark: a discrete-event loop whose clock implements the
// engine's `Clock`. Typing, debounce timers and simulated server latency all live in virtual time,
// so hours of typing replay in seconds. Real asynchronous work (the HTTP round trip to the local
// server) is tracked, and virtual time only moves on once it has settled: the loop never jumps past
// a timer that real work was about to set.
import type { Clock } from '../../../src/core/completion/engine';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** Real asynchronous work the event loop must wait for before it advances virtual time. */
export class RealWork {
  private readonly pending = new Set<Promise<unknown>>();

  /** Returns a promise settling like `work`; until it settles the loop does not advance. */
  track<T>(work: Promise<T>): Promise<T> {
    const tracked: Promise<T> = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves once no tracked work is pending and every microtask it caused has run. */
  async settle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pending.size === 0) return;
      await Promise.allSettled([...this.pending]);
    }
  }
}

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  /** A binary min-heap by (at, seq): equal times fire in the order they were scheduled. */
  private readonly heap: Timer[] = [];
  /** Called with the timer about to fire (the benchmark times what the engine does after it). */
  onFire?: () => void;

  constructor(
    private readonly work = new RealWork(),
    start = 0,
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        timer.cancelled = true;
        resolve(false);
      };
      const timer = this.schedule(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fire` after `ms` of virtual time (0: at the current time, after what is already due). */
  schedule(ms: number, fire: () => void): { cancelled: boolean } {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fire, cancelled: false };
    this.push(timer);
    return timer;
  }

  /** Timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /**
   * Fires timers in time order until none is left (or virtual time would pass `until`), waiting
   * for real work and microtasks to settle before each step.
   */
  async run(until = Infinity): Promise<void> {
    for (;;) {
      await this.work.settle();
      while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
      if (this.heap.length === 0 || this.heap[0].at > until) break;
      const timer = this.pop()!;
      this.time = Math.max(this.time, timer.at);
      this.onFire?.();
      timer.fire();
    }
    if (until !== Infinity && until > this.time) this.time = until;
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
