// The chat sidebar: the webview view `penny.chat`. Serves the webview bundle under a strict CSP,
// answers its typed requests, and forwards the session's events to it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ChatSession } from '../core/chat/chatSession';
import type { MeteredClient } from '../core/meteredClient';
import {
  isRequestEnvelope,
  type CodeActionId,
  type ErrorActionId,
  type RequestEnvelope,
  type ToWebview,
} from '../shared/protocol';
import { applyWithDiff } from './applyDiff';
import type { Logger } from './logger';
import { readSettings } from './settings';

export const CHAT_VIEW_ID = 'penny.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view?: vscode.WebviewView;
  private readonly disposables: vscode.Disposable[] = [];
  readonly session: ChatSession;

  constructor(
    private readonly extensionUri: vscode.Uri,
    metered: MeteredClient,
    private readonly log: Logger,
  ) {
    this.session = new ChatSession({
      metered,
      emit: (event, data) => this.post({ kind: 'event', event, data } as ToWebview),
      models: () => chatModels(),
      defaultModel: () => readSettings().chatModel,
    });
    this.disposables.push(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, this, { webviewOptions: { retainContextWhenHidden: false } }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')];
    view.webview.options = { enableScripts: true, localResourceRoots: roots };
    view.webview.html = this.html(view.webview);
    this.disposables.push(
      view.webview.onDidReceiveMessage((message: unknown) => {
        if (isRequestEnvelope(message)) void this.handle(message);
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  /** Shows the view and focuses its input. */
  async focus(): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  private async handle(request: RequestEnvelope): Promise<void> {
    try {
      const result = await this.dispatch(request);
      this.post({ kind: 'response', id: request.id, ok: true, result });
    } catch (error) {
      this.post({ kind: 'response', id: request.id, ok: false, error: (error as Error).message });
    }
  }

  private async dispatch(request: RequestEnvelope): Promise<unknown> {
    switch (request.method) {
      case 'ready':
        return this.session.snapshot();
      case 'send':
        // Reply at once; the answer arrives as events.
        void this.session.send(request.params.text, request.params.model).catch((error: Error) => this.log.error(`chat: ${error.message}`));
        return undefined;
      case 'stop':
        this.session.stop();
        return undefined;
      case 'newChat':
        this.session.newChat();
        return undefined;
      case 'codeAction':
        return this.codeAction(request.params.action, request.params.code, request.params.language);
      case 'errorAction':
        return this.errorAction(request.params.action);
    }
  }

  private async codeAction(action: CodeActionId, code: string, language?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(code);
        return;
      case 'insert':
        if (!editor) throw new Error(vscode.l10n.t('Open an editor to insert the code into.'));
        await editor.edit((edit) => edit.insert(editor.selection.active, code));
        return;
      case 'apply':
        if (!editor) throw new Error(vscode.l10n.t('Open an editor to apply the code to.'));
        await applyWithDiff(editor, editor.selection.isEmpty ? undefined : editor.selection, code);
        return;
      case 'newFile': {
        const document = await vscode.workspace.openTextDocument({ content: code, language: language || undefined });
        await vscode.window.showTextDocument(document);
        return;
      }
    }
  }

  private async errorAction(action: ErrorActionId): Promise<void> {
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
        void this.session.retry();
        return;
      case 'allowOnce':
        void this.session.retry({ allowOverBudget: true });
        return;
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
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>Penny Chat</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.session.stop();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function chatModels(): string[] {
  const { chatModel, escalationModel } = readSettings();
  return [...new Set([chatModel, escalationModel])];
}
