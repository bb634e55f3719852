// Entry of the chat webview: wires the VS Code webview API, the request client and the view.
import type { EventEnvelope, ToExtension, ToWebview } from '../shared/protocol';
import { RpcClient } from './rpc';
import { ChatView, type PersistedState } from './view';

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const rpc = new RpcClient((message) => vscode.postMessage(message));
const view = new ChatView(document.getElementById('app') ?? document.body, rpc, (state) => vscode.setState(state));

function dispatch(envelope: EventEnvelope): void {
  switch (envelope.event) {
    case 'snapshot':
      return view.showSnapshot(envelope.data);
    case 'messageStarted':
      return view.messageStarted(envelope.data);
    case 'messageDelta':
      return view.messageDelta(envelope.data);
    case 'messageFinished':
      return view.messageFinished(envelope.data);
    default:
      envelope satisfies never;
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview | undefined>) => {
  const message = event.data;
  if (message?.kind === 'response') rpc.handleResponse(message);
  else if (message?.kind === 'event') dispatch(message);
});

/** State saved by an earlier version of the view may not fit: use only what does. */
function savedState(value: unknown): PersistedState | undefined {
  const state = value as Partial<PersistedState> | undefined;
  if (typeof state?.draft !== 'string') return undefined;
  return {
    draft: state.draft,
    chosenModel: typeof state.chosenModel === 'string' ? state.chosenModel : undefined,
    snapshot: Array.isArray(state.snapshot?.messages) ? state.snapshot : undefined,
  };
}

// Show the saved conversation at once, then replace it with the extension's authoritative one.
const saved = savedState(vscode.getState());
if (saved) view.restore(saved);
rpc.request('ready').then(
  (snapshot) => view.showSnapshot(snapshot),
  (error: unknown) => view.showNotice(`Could not load the chat: ${error instanceof Error ? error.message : String(error)}`),
);
