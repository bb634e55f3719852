// Optional request parameters some OpenAI-compatible servers refuse. OpenAI accepts
// `prompt_cache_key`; a strict server (a proxy validating against an older schema, vLLM with extra
// fields forbidden) answers 400 or 422 naming it. The client then asks again without it and
// remembers the answer per server, so only the first request after a start pays the round trip.
export class RefusedParameters {
  private readonly refused = new Map<string, Set<string>>();

  has(baseUrl: string, parameter: string): boolean {
    return this.refused.get(baseUrl)?.has(parameter) ?? false;
  }

  add(baseUrl: string, parameter: string): void {
    let set = this.refused.get(baseUrl);
    if (!set) this.refused.set(baseUrl, (set = new Set()));
    set.add(parameter);
  }
}

/** The parts of an HTTP error that say which parameter was refused (the SDK's APIError has them). */
interface RefusalLike {
  status?: number;
  param?: string | null;
  message?: string;
}

/** Whether `error` is the server refusing `parameter` itself, rather than any other bad request. */
export function refusesParameter(error: unknown, parameter: string): boolean {
  const e = (error ?? {}) as RefusalLike;
  if (e.status !== 400 && e.status !== 422) return false;
  return e.param === parameter || String(e.message ?? '').includes(parameter);
}
