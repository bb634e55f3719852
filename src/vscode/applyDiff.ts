// Applying model code to a document through a diff the user accepts or rejects:
// the document changes only on Accept.
import * as vscode from 'vscode';

const SCHEME = 'penny-proposal';
const proposals = new Map<string, string>();

export function registerProposalProvider(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
    provideTextDocumentContent: (uri) => proposals.get(uri.toString()) ?? '',
  });
}

/**
 * Shows the document with `range` (or the whole document) replaced by `code` next to the current
 * text, then asks. Returns whether the change was applied.
 */
export async function applyWithDiff(editor: vscode.TextEditor, range: vscode.Range | undefined, code: string): Promise<boolean> {
  const document = editor.document;
  const target = range ?? new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  const version = document.version;
  const proposed = document.getText().slice(0, document.offsetAt(target.start)) + code + document.getText().slice(document.offsetAt(target.end));
  const proposalUri = vscode.Uri.from({ scheme: SCHEME, path: document.uri.path, query: `v=${Date.now()}` });
  proposals.set(proposalUri.toString(), proposed);
  try {
    const name = document.uri.path.split('/').pop() ?? 'document';
    await vscode.commands.executeCommand('vscode.diff', document.uri, proposalUri, vscode.l10n.t('{0} ↔ Penny\'s proposal', name), { preview: true });
    const accept = vscode.l10n.t('Accept');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Apply Penny\'s change to {0}?', name), accept, vscode.l10n.t('Reject'));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    if (choice !== accept) return false;
    if (document.version !== version) {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed while the diff was open; nothing was applied.', name));
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, target, code);
    return vscode.workspace.applyEdit(edit);
  } finally {
    proposals.delete(proposalUri.toString());
  }
}
