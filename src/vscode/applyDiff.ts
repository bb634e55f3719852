// Applying model code to a document through a diff the user accepts or rejects: the document
// changes only on Accept (`penny.acceptProposal`, in the diff's title bar and the notification).
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import { Disposable } from '../core/disposable';
import type { Logger } from './logger';

const SCHEME = 'penny-proposal';
const CONTEXT_KEY = 'penny.proposalOpen';

interface Pending {
  uri: vscode.Uri;
  range: vscode.Range;
  code: string;
  version: number;
  proposalUri: vscode.Uri;
  settle: (applied: boolean) => void;
}

export class Proposals extends Disposable {
  private readonly texts = new Map<string, string>();
  private pending?: Pending;

  constructor(private readonly log: Logger) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: (uri) => this.texts.get(uri.toString()) ?? '' }));
    this.register(vscode.commands.registerCommand('penny.acceptProposal', () => this.settle(true)));
    this.register(vscode.commands.registerCommand('penny.rejectProposal', () => this.settle(false)));
  }

  /**
   * Shows the document with `range` (or the whole document) replaced by `code` beside the current
   * text. Resolves true once the change is accepted and applied, false when rejected.
   */
  async propose(document: vscode.TextDocument, range: vscode.Range | undefined, code: string): Promise<boolean> {
    await this.settle(false); // one proposal at a time
    const target = range ?? new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
    // Whole lines selected (ending at the start of the next line) are replaced by whole lines.
    if (target.end.character === 0 && target.end.line > target.start.line && !code.endsWith('\n')) code += '\n';
    const text = document.getText();
    const proposed = text.slice(0, document.offsetAt(target.start)) + code + text.slice(document.offsetAt(target.end));
    const proposalUri = vscode.Uri.from({ scheme: SCHEME, path: document.uri.path, query: `v=${Date.now()}` });
    this.texts.set(proposalUri.toString(), proposed);
    const result = new Promise<boolean>((resolve) => {
      this.pending = { uri: document.uri, range: target, code, version: document.version, proposalUri, settle: resolve };
    });
    const name = document.uri.path.split('/').pop() ?? 'document';
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
    await vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, vscode.l10n.t("{0} ↔ Penny's proposal", name), { preview: true });
    const accept = vscode.l10n.t('Accept');
    const reject = vscode.l10n.t('Reject');
    // Dismissing the notification leaves the diff open: its title bar still accepts or rejects.
    const answered = vscode.window
      .showInformationMessage(vscode.l10n.t("Apply Penny's change to {0}?", name), accept, reject)
      .then((choice) => (choice ? this.settle(choice === accept) : undefined));
    runInBackground(answered, 'settling the proposal', (m) => this.log.error(m));
    return result;
  }

  private async settle(accepted: boolean): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    await closeDiff(pending.proposalUri);
    this.texts.delete(pending.proposalUri.toString());
    if (!accepted) return pending.settle(false);
    const document = await vscode.workspace.openTextDocument(pending.uri);
    if (document.version !== pending.version) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The file changed while the diff was open; nothing was applied.'));
      return pending.settle(false);
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.uri, pending.range, pending.code);
    pending.settle(await vscode.workspace.applyEdit(edit));
  }

  override dispose(): void {
    if (this.isDisposed) return;
    runInBackground(this.settle(false), 'closing the proposal', (m) => this.log.warn(m));
    super.dispose();
  }
}

async function closeDiff(proposalUri: vscode.Uri): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposalUri.toString()) {
        await vscode.window.tabGroups.close(tab);
      }
    }
  }
}
