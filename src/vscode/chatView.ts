// The chat sidebar: the webview view `penny.chat`. Serves the webview bundle under a strict CSP,
// answers its typed requests, and forwards the session's events to it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import { Disposable, DisposableStore } from '../core/disposable';
import { ChatSession, type Attachment } from '../core/chat/chatSession';
import { ConversationStore } from '../core/chat/conversationStore';
import { contextWindow } from '../core/cost/pricing';
import { escapeHtml } from '../core/html';
import { countTextTokens } from '../core/cost/tokenCount';
import type { MeteredClient } from '../core/meteredClient';
import type { ChatMessageParam } from '../core/openaiClient';
import { redactSecretsInText } from '../core/secrets';
import {
  isRequestEnvelope,
  type CodeActionId,
  type ErrorActionId,
  type RequestEnvelope,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
  type ToWebview,
} from '../shared/protocol';
import type { Proposals } from './applyDiff';
import type { ClientProvider } from './clientProvider';
import type { Logger } from './logger';
import { excludedFiles, onSettingsChanged, readSettings } from './settings';

export const CHAT_VIEW_ID = 'penny.chat';

type RequestHandlers = { [M in RequestMethod]: (params: RequestParams<M>) => RequestResult<M> | Promise<RequestResult<M>> };
const MAX_FILE_SUGGESTIONS = 30;

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view?: vscode.WebviewView;
  /** The code each escalated answer was asked about: its rewrite applies there. */
  private readonly escalationTargets = new Map<string, { uri: vscode.Uri; range: vscode.Range }>();
  readonly session: ChatSession;

  constructor(
    private readonly extensionUri: vscode.Uri,
    storageDir: string,
    metered: MeteredClient,
    clients: ClientProvider,
    private readonly proposals: Proposals,
    private readonly log: Logger,
  ) {
    super();
    this.session = new ChatSession({
      metered,
      emit: (event, data) => this.post({ kind: 'event', event, data } as ToWebview),
      models: () => chatModels(),
      defaultModel: () => readSettings().chatModel,
      escalationModel: () => readSettings().escalationModel,
      priceBook: () => clients.priceBook(),
      suggestEscalation: () => readSettings().suggestEscalation,
      store: new ConversationStore(storageDir, { onWarning: (m) => log.warn(m) }),
      onError: (m) => log.error(m),
    });
    runInBackground(this.session.restore(), 'restoring the chat', (m) => log.warn(m));
    this.register(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, this));
    // The models and the prices of the "Ask …" buttons follow the settings.
    this.register(onSettingsChanged(() => this.session.settingsChanged()));
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
  async escalate(userText: string, messages: ChatMessageParam[], model: string, target: { uri: vscode.Uri; range: vscode.Range }) {
    const answer = await this.session.sendEscalation(userText, messages, model);
    this.escalationTargets.set(answer.id, target);
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
      this.post({ kind: 'response', id: request.id, ok: false, error: (error as Error).message });
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
    fileSuggestions: ({ query }) => this.fileSuggestions(query),
    history: () => this.session.history(),
    openConversation: ({ id }) => this.session.open(id),
    deleteConversation: ({ id }) => this.session.deleteConversation(id),
    codeAction: async ({ action, code, language, messageId }) => {
      await this.codeAction(action, code, language, messageId);
    },
    errorAction: ({ action, messageId }) => this.errorAction(action, messageId),
  };

  /** A long-running request replies at once, refused while an answer streams; its answer arrives as events. */
  private startInBackground(work: () => Promise<unknown>): void {
    this.assertIdle();
    runInBackground(work(), 'chat', (m) => this.log.error(m));
  }

  private assertIdle(): void {
    if (this.session.busy) throw new Error(vscode.l10n.t('An answer is still streaming; stop it first.'));
  }

  private async attach(kind: 'selection' | 'currentFile' | 'file', path?: string): Promise<void> {
    if (!vscode.workspace.isTrusted) throw new Error(vscode.l10n.t('This workspace is not trusted: Penny sends none of its files.'));
    let document: vscode.TextDocument;
    let range: vscode.Range | undefined;
    if (kind === 'file') {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder || !path) throw new Error(vscode.l10n.t('Open a folder to attach files.'));
      document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, path));
    } else {
      const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
      if (!editor) throw new Error(vscode.l10n.t('Open a file first.'));
      document = editor.document;
      if (kind === 'selection') {
        if (editor.selection.isEmpty) throw new Error(vscode.l10n.t('Select some code first.'));
        range = editor.selection;
      }
    }
    const relative = vscode.workspace.asRelativePath(document.uri, false);
    if (excludedFiles()(relative)) {
      this.post({
        kind: 'event',
        event: 'notice',
        data: { text: vscode.l10n.t('{0} looks like a secret file and was not attached.', relative), severity: 'warning' },
      });
      return;
    }
    const { text: content, count: secrets } = redactSecretsInText(document.getText(range));
    if (secrets > 0) {
      this.post({
        kind: 'event',
        event: 'notice',
        data: { text: vscode.l10n.t('Removed {0} secret-looking string(s) from {1} before attaching.', secrets, relative), severity: 'warning' },
      });
    }
    const tokens = countTextTokens(content);
    const model = this.session.snapshot().selectedModel;
    const window = contextWindow(model);
    const alreadyAttached = this.session.snapshot().attachments.reduce((sum, a) => sum + a.tokens, 0);
    if (window !== undefined && tokens + alreadyAttached > window * 0.9) {
      throw new Error(
        vscode.l10n.t(
          '{0} is {1} tokens; with what is attached that exceeds what {2} can take ({3}).',
          relative,
          tokens.toLocaleString('en-US'),
          model,
          window.toLocaleString('en-US'),
        ),
      );
    }
    const label = range ? `${relative}:${range.start.line + 1}-${range.end.line + 1}` : relative;
    const attachment: Attachment = {
      id: randomBytes(6).toString('hex'),
      kind: range ? 'selection' : 'file',
      label,
      tokens,
      content,
      languageId: document.languageId,
    };
    this.session.attach(attachment);
  }

  private async fileSuggestions(query: string): Promise<string[]> {
    const pattern = `**/*${query.replace(/[[\]{}*?]/g, '')}*`;
    const files = await vscode.workspace.findFiles(pattern, '{**/node_modules/**,**/.git/**}', 200);
    const isExcluded = excludedFiles();
    return files
      .map((uri) => vscode.workspace.asRelativePath(uri, false))
      .filter((path) => !isExcluded(path))
      .sort((a, b) => a.length - b.length || a.localeCompare(b))
      .slice(0, MAX_FILE_SUGGESTIONS);
  }

  /** Carries out a code block's button; exported through the API so tests can press it too. */
  async codeAction(action: CodeActionId, code: string, language?: string, messageId?: string): Promise<unknown> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(code);
        return;
      case 'insert':
        if (!editor) throw new Error(vscode.l10n.t('Open an editor to insert the code into.'));
        await editor.edit((edit) => edit.insert(editor.selection.active, code));
        return;
      case 'apply': {
        const target = messageId ? this.escalationTargets.get(messageId) : undefined;
        if (target) return this.proposals.propose(await vscode.workspace.openTextDocument(target.uri), target.range, code);
        if (!editor) throw new Error(vscode.l10n.t('Open an editor to apply the code to.'));
        return this.proposals.propose(editor.document, editor.selection.isEmpty ? undefined : editor.selection, code);
      }
      case 'newFile': {
        const known = language && (await vscode.languages.getLanguages()).includes(language) ? language : undefined;
        const document = await vscode.workspace.openTextDocument({ content: code, language: known });
        await vscode.window.showTextDocument(document);
        return;
      }
    }
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
        const target = this.escalationTargets.get(messageId);
        runInBackground(
          retried.then((answer) => target && this.escalationTargets.set(answer.id, target)),
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

  override dispose(): void {
    if (this.isDisposed) return;
    this.session.stop();
    super.dispose();
  }
}

function chatModels(): string[] {
  const { chatModel, escalationModel } = readSettings();
  return [...new Set([chatModel, escalationModel])];
}
