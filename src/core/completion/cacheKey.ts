// OpenAI's `prompt_cache_key` for completions. Requests are routed by a hash of the prompt's start
// plus this key, and one route serves about 15 requests a minute before spilling to machines whose
// cache is cold. One key per file keeps a file's requests on its warm cache without other files
// crowding it; a file asked more often than that spills over into a second key of its own (warm too
// after its first request) instead of onto random machines. The key is a hash: no path leaves the machine.

/** Below OpenAI's ~15 a minute, for headroom. */
const PER_KEY_PER_MINUTE = 12;
const MINUTE_MS = 60_000;

export class PromptCacheKeys {
  /** Send times of the last minute, per key. */
  private readonly sends = new Map<string, number[]>();

  constructor(private readonly perMinute = PER_KEY_PER_MINUTE) {}

  /** The key for a request about `scope` (a document) sent at `now`; counts it as sent. */
  keyFor(scope: string, now: number): string {
    const base = `penny-${fnv1a(scope)}`;
    for (let bucket = 0; ; bucket++) {
      const key = bucket === 0 ? base : `${base}-${bucket}`;
      const recent = (this.sends.get(key) ?? []).filter((at) => now - at < MINUTE_MS);
      if (recent.length < this.perMinute) {
        recent.push(now);
        this.sends.set(key, recent);
        this.forgetIdle(now);
        return key;
      }
      this.sends.set(key, recent);
    }
  }

  private forgetIdle(now: number): void {
    if (this.sends.size < 64) return;
    for (const [key, times] of this.sends) if (times.every((at) => now - at >= MINUTE_MS)) this.sends.delete(key);
  }
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable name for a document. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
