// Typed requests from the webview to the extension: each gets one `response` envelope, matched by id.
import * as l10n from '@vscode/l10n';
import type { RequestEnvelope, RequestMethod, RequestParams, RequestResult, ResponseEnvelope } from '../shared/protocol';

/**
 * How long to wait for each reply. Requests that may wait on the user (an API key input box,
 * a diff to accept) get minutes; `send` should be answered once the request is accepted, not
 * when the answer is done (the answer arrives as events).
 */
const timeoutMs: Record<RequestMethod, number> = {
  ready: 10_000,
  send: 30_000,
  stop: 10_000,
  newChat: 10_000,
  codeAction: 300_000,
  errorAction: 300_000,
  selectModel: 10_000,
  // These start an answer and reply once it has started.
  regenerate: 30_000,
  editLast: 30_000,
  askStronger: 30_000,
  // Reading a large file and counting its tokens may take a moment.
  attach: 60_000,
  removeAttachment: 10_000,
  fileSuggestions: 30_000,
  history: 30_000,
  openConversation: 30_000,
  deleteConversation: 30_000,
};

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** `[]` for requests without params, `[params]` otherwise. */
type ParamsArgs<M extends RequestMethod> = RequestParams<M> extends void ? [] : [params: RequestParams<M>];

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: RequestEnvelope) => void) {}

  request<M extends RequestMethod>(method: M, ...args: ParamsArgs<M>): Promise<RequestResult<M>> {
    const id = this.nextId++;
    return new Promise<RequestResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(l10n.t('Penny did not answer "{0}" in time.', method)));
      }, timeoutMs[method]);
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      // TypeScript cannot tie `method` to `params` inside a generic body; ParamsArgs did at the call site.
      this.post({ kind: 'request', id, method, params: args[0] } as RequestEnvelope);
    });
  }

  /** Settles the request this reply belongs to; replies to unknown (timed out) ids are dropped. */
  handleResponse(response: ResponseEnvelope): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    clearTimeout(pending.timer);
    if (response.ok) pending.resolve(response.result);
    else pending.reject(new Error(response.error));
  }
}
