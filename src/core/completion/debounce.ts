// How long a keystroke waits before its completion request goes out, from the user's typing rhythm
// and the cursor's position (as Tabby does): in the middle of a word the user is about to type
// more, so the full setting is waited; a pause after `.`, `(` or `=`, longer than most gaps in the
// user's rhythm, is where suggestions are taken, so the request goes sooner; at a new line and
// right after an accepted suggestion, at once (as Copilot asks for the next suggestion on accept).

/** Gaps longer than this are pauses, not the rhythm of typing. */
const PAUSE_MS = 1_000;
const HISTORY = 40;
/** Before the rhythm is known: the fixed debounce. */
const MIN_HISTORY = 8;
const FLOOR_MS = 60;
/** Multiples of the typical gap between keys: how sure the position makes us that typing has stopped. */
const RATE_AFTER_TRIGGER = 1.25;
const RATE_DEFAULT = 1.5;
const TRIGGER = /(?:[.([{,=:]|=>|\s)$/;

export class AdaptiveDebounce {
  private last?: number;
  private readonly gaps: number[] = [];

  /** A keystroke at `now`. */
  keystroke(now: number): void {
    if (this.last !== undefined) {
      const gap = now - this.last;
      if (gap > 0 && gap < PAUSE_MS) {
        this.gaps.push(gap);
        if (this.gaps.length > HISTORY) this.gaps.shift();
      }
    }
    this.last = now;
  }

  /**
   * The wait for a request with this text before the cursor, at most `ceilingMs`. Right after the
   * user took a suggestion, or at a new line's indentation, they stop to read or think: no wait
   * beyond the floor (which still joins the editor's repeated asks).
   */
  delayMs(linePrefix: string, ceilingMs: number, afterAccept = false): number {
    if (afterAccept || linePrefix.trim() === '') return Math.min(ceilingMs, FLOOR_MS);
    if (this.gaps.length < MIN_HISTORY || /\w$/.test(linePrefix)) return ceilingMs;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    // The slow end of the user's rhythm: a gap longer than most of theirs means they stopped.
    const typical = sorted[Math.floor(sorted.length * 0.9)];
    const rate = TRIGGER.test(linePrefix) ? RATE_AFTER_TRIGGER : RATE_DEFAULT;
    return Math.round(Math.min(ceilingMs, Math.max(FLOOR_MS, typical * rate)));
  }
}
