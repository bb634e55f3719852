// Scripts a MockOpenAIServer running in another process (an extension host, a UI test) through its
// `/__mock/*` control API. Function replies cannot cross a process boundary: only ScriptedReply data.
import type { RecordedRequest, ScriptedReply } from './mockOpenAI';

export class MockControl {
  private readonly origin: string;

  /** `baseUrl`: the server's `/v1` URL or its origin. */
  constructor(baseUrl: string) {
    this.origin = new URL(baseUrl).origin;
  }

  async enqueue(...replies: ScriptedReply[]): Promise<void> {
    await this.call('POST', 'enqueue', replies);
  }

  async setDefault(reply: ScriptedReply): Promise<void> {
    await this.call('POST', 'default', reply);
  }

  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  requests(): Promise<RecordedRequest[]> {
    return this.call('GET', 'requests') as Promise<RecordedRequest[]>;
  }

  /** The server waits, so this is one round trip; rejects with the server's message on timeout. */
  waitForRequests(count: number, timeoutMs = 2000): Promise<RecordedRequest[]> {
    return this.call('GET', `requests?atLeast=${count}&timeoutMs=${timeoutMs}`) as Promise<RecordedRequest[]>;
  }

  private async call(method: 'GET' | 'POST', command: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.origin}/__mock/${command}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as { error?: { message?: string } };
    if (!response.ok) throw new Error(`mock control ${method} ${command}: ${response.status} ${payload.error?.message ?? ''}`.trim());
    return payload;
  }
}
