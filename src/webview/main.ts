// Entry of the chat webview: wires the VS Code webview API, the request client and the view.
import * as l10n from '@vscode/l10n';
import type { EventEnvelope, ToExtension, ToWebview } from '../shared/protocol';
import { RpcClient } from './rpc';
import { parseSavedState, type PersistedState } from './state';
import { ChatView } from './view';

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

// The extension hands over VS Code's translations for the display language (chatView.ts); before any view is built.
l10n.config({ contents: document.body.dataset.l10n ?? '{}' });

const vscode = acquireVsCodeApi();
const rpc = new RpcClient((message) => vscode.postMessage(message));
const view = new ChatView(document.getElementById('app') ?? document.body, rpc, (state) => vscode.setState(state));

function dispatch(envelope: EventEnvelope): void {
  switch (envelope.event) {
    case 'snapshot':
      return view.showSnapshot(envelope.data);
    case 'messageDelta':
      return view.messageDelta(envelope.data);
    case 'messageFinished':
      return view.messageFinished(envelope.data);
    case 'notice':
      return view.showNotice(envelope.data.text, envelope.data.severity);
    default:
      envelope satisfies never;
  }
}

window.addEventListener('message', (event: MessageEvent<ToWebview | undefined>) => {
  const message = event.data;
  if (message?.kind === 'response') rpc.handleResponse(message);
  else if (message?.kind === 'event') dispatch(message);
});

// Show the saved conversation at once, then replace it with the extension's authoritative one.
const saved = parseSavedState(vscode.getState());
if (saved) view.restore(saved);
rpc.request('ready').then(
  (snapshot) => view.showSnapshot(snapshot),
  (error: unknown) => view.showNotice(l10n.t('Could not load the chat: {0}', error instanceof Error ? error.message : String(error))),
);
