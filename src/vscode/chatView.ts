// The chat sidebar: the webview view `penny.chat`. Serves the webview bundle under a strict CSP,
// answers its typed requests, and forwards the session's events to it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import type { ChatSession } from '../core/chat/chatSession';
import { Disposable, DisposableStore } from '../core/disposable';
import { toPennyError, userError } from '../core/errors';
import { escapeHtml } from '../core/html';
import type { ChatMessageParam } from '../core/openaiClient';
import {
  isRequestEnvelope,
  type ErrorActionId,
  type RequestEnvelope,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type ToWebview,
} from '../shared/protocol';
import type { AttachmentKind, WorkspaceAttachments } from './attachments';
import type { CodeBlockActions, CodeTarget } from './codeBlockActions';
import type { Logger } from './logger';

export const CHAT_VIEW_ID = 'penny.chat';

type RequestHandlers = { [M in RequestMethod]: (params: RequestParams<M>) => RequestResult<M> | Promise<RequestResult<M>> };

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view?: vscode.WebviewView;

  constructor(
    private readonly extensionUri: vscode.Uri,
    readonly session: ChatSession,
    private readonly attachments: WorkspaceAttachments,
    private readonly codeActions: CodeBlockActions,
    private readonly log: Logger,
  ) {
    super();
    this.register(session.onEvent((event) => this.post(event)));
    this.register(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, this));
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
    view.webview.options = { enableScripts: true, localResourceRoots: roots };
    view.webview.html = this.html(view.webview);
    // The view's listeners live as long as the view (VS Code resolves it again after it is closed and reopened).
    const listeners = this.register(new DisposableStore());
    listeners.add(
      view.webview.onDidReceiveMessage((message: unknown) => {
        if (isRequestEnvelope(message)) void this.handle(message);
      }),
    );
    listeners.add(
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        listeners.dispose();
      }),
    );
  }

  /** Shows the view and focuses its input. */
  async focus(): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  /** An escalation from the editor: asked in the chat; its proposed rewrite applies to `target`. */
  async escalate(userText: string, messages: ChatMessageParam[], model: string, target: CodeTarget) {
    const answer = await this.session.sendEscalation(userText, messages, model);
    this.codeActions.setTarget(answer.id, target);
    return answer;
  }

  /** `penny.askAboutSelection`: the selection goes into the chat as context, and the chat opens. */
  async askAboutSelection(): Promise<void> {
    await this.attach('selection');
    await this.focus();
  }

  private async handle(request: RequestEnvelope): Promise<void> {
    try {
      // The one untyped step: the envelope's method picks its handler, whose params and result the protocol types.
      const handler = this.handlers[request.method] as (params: unknown) => unknown;
      const result = await handler(request.params);
      this.post({ kind: 'response', id: request.id, ok: true, result });
    } catch (error) {
      this.post({ kind: 'response', id: request.id, ok: false, error: toPennyError(error).message });
    }
  }

  /** One handler per request of the protocol: a missing method, wrong params or a wrong reply is a compile error. */
  private readonly handlers: RequestHandlers = {
    ready: () => this.session.snapshot(),
    send: ({ text, model }) => this.startInBackground(() => this.session.send(text, model)),
    stop: () => this.session.stop(),
    newChat: () => this.session.newChat(),
    selectModel: ({ model }) => this.session.selectModel(model),
    regenerate: () => this.startInBackground(() => this.session.regenerate()),
    editLast: ({ text }) => this.startInBackground(() => this.session.editLast(text)),
    askStronger: ({ messageId }) => this.startInBackground(() => this.session.askStronger(messageId)),
    attach: ({ kind, path }) => this.attach(kind, path),
    removeAttachment: ({ id }) => this.session.removeAttachment(id),
    fileSuggestions: ({ query }) => this.attachments.fileSuggestions(query),
    history: () => this.session.history(),
    openConversation: ({ id }) => this.session.open(id),
    deleteConversation: ({ id }) => this.session.deleteConversation(id),
    codeAction: async ({ action, code, language, messageId }) => {
      await this.codeActions.run(action, code, language, messageId);
    },
    errorAction: ({ action, messageId }) => this.errorAction(action, messageId),
  };

  /** A long-running request replies at once, refused while an answer streams; its answer arrives as events. */
  private startInBackground(work: () => Promise<unknown>): void {
    this.assertIdle();
    runInBackground(work(), 'chat', (m) => this.log.error(m));
  }

  private assertIdle(): void {
    if (this.session.busy) throw userError(vscode.l10n.t('An answer is still streaming; stop it first.'));
  }

  private async attach(kind: AttachmentKind, path?: string): Promise<void> {
    const snapshot = this.session.snapshot();
    const attachedTokens = snapshot.attachments.reduce((sum, a) => sum + a.tokens, 0);
    const { attachment, notice } = await this.attachments.gather(kind, path, snapshot.selectedModel, attachedTokens);
    if (notice) this.post({ kind: 'event', event: 'notice', data: notice });
    if (attachment) this.session.attach(attachment);
  }

  /** Carries out a button under the error of answer `messageId`. */
  private async errorAction(action: ErrorActionId, messageId: string): Promise<void> {
    switch (action) {
      case 'setApiKey':
        await vscode.commands.executeCommand('penny.setApiKey');
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'penny.');
        return;
      case 'raiseBudget':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'penny.budget');
        return;
      case 'retry':
      case 'allowOnce': {
        // Throws at once (unknown answer, one still streaming); the new answer arrives as events.
        const retried = this.session.retry(messageId, { allowOverBudget: action === 'allowOnce' });
        runInBackground(
          retried.then((answer) => this.codeActions.carryTarget(messageId, answer.id)),
          'retrying an answer',
          (m) => this.log.error(m),
        );
        return;
      }
    }
  }

  private post(message: ToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'chat.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>${vscode.l10n.t('Penny Chat')}</title>
</head>
<body data-l10n="${escapeHtml(JSON.stringify(vscode.l10n.bundle ?? {}))}">
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
