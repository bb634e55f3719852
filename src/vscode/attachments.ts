// What the chat may attach from the workspace: the selection, the current file or a file by path,
// refused in untrusted workspaces and for secret or excluded files, secrets redacted, and kept
// within the model's context window. Also the files offered after `@` in the chat input.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Attachment } from '../core/chat/chatSession';
import { contextWindow } from '../core/cost/pricing';
import { countTextTokens } from '../core/cost/tokenCount';
import { userError } from '../core/errors';
import { redactSecretsInText } from '../core/secrets';
import type { ExtensionEvents } from '../shared/protocol';
import { excludedFiles } from './settings';

export type AttachmentKind = 'selection' | 'currentFile' | 'file';
type Notice = ExtensionEvents['notice'];

/** What attaching gave: the attachment (unless refused) and what the user should be told. */
export interface Gathered {
  attachment?: Attachment;
  notice?: Notice;
}

const MAX_FILE_SUGGESTIONS = 30;
/** Attachments may fill this share of the model's context window; the question and answer need the rest. */
const WINDOW_SHARE = 0.9;

export class WorkspaceAttachments {
  /**
   * Reads what `kind` names for a question to `model`, with `attachedTokens` already attached.
   * Throws a PennyError the user can act on when it cannot be attached.
   */
  async gather(kind: AttachmentKind, path: string | undefined, model: string, attachedTokens: number): Promise<Gathered> {
    if (!vscode.workspace.isTrusted) throw userError(vscode.l10n.t('This workspace is not trusted: Penny sends none of its files.'));
    const { document, range } = await this.source(kind, path);
    const relative = vscode.workspace.asRelativePath(document.uri, false);
    if (excludedFiles()(relative)) {
      return { notice: { text: vscode.l10n.t('{0} looks like a secret file and was not attached.', relative), severity: 'warning' } };
    }
    const { text: content, count: secrets } = redactSecretsInText(document.getText(range));
    const tokens = countTextTokens(content);
    const window = contextWindow(model);
    if (window !== undefined && tokens + attachedTokens > window * WINDOW_SHARE) {
      throw userError(
        vscode.l10n.t(
          '{0} is {1} tokens; with what is attached that exceeds what {2} can take ({3}).',
          relative,
          tokens.toLocaleString('en-US'),
          model,
          window.toLocaleString('en-US'),
        ),
      );
    }
    const attachment: Attachment = {
      id: randomBytes(6).toString('hex'),
      kind: range ? 'selection' : 'file',
      label: range ? `${relative}:${range.start.line + 1}-${range.end.line + 1}` : relative,
      tokens,
      content,
      languageId: document.languageId,
    };
    const notice: Notice | undefined =
      secrets > 0
        ? { text: vscode.l10n.t('Removed {0} secret-looking string(s) from {1} before attaching.', secrets, relative), severity: 'warning' }
        : undefined;
    return { attachment, notice };
  }

  /** Workspace files whose path contains `query`, secret and excluded files left out, shortest first. */
  async fileSuggestions(query: string): Promise<string[]> {
    const pattern = `**/*${query.replace(/[[\]{}*?]/g, '')}*`;
    const files = await vscode.workspace.findFiles(pattern, '{**/node_modules/**,**/.git/**}', 200);
    const isExcluded = excludedFiles();
    return files
      .map((uri) => vscode.workspace.asRelativePath(uri, false))
      .filter((path) => !isExcluded(path))
      .sort((a, b) => a.length - b.length || a.localeCompare(b))
      .slice(0, MAX_FILE_SUGGESTIONS);
  }

  private async source(kind: AttachmentKind, path: string | undefined): Promise<{ document: vscode.TextDocument; range?: vscode.Range }> {
    if (kind === 'file') {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder || !path) throw userError(vscode.l10n.t('Open a folder to attach files.'));
      return { document: await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, path)) };
    }
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    if (!editor) throw userError(vscode.l10n.t('Open a file first.'));
    if (kind === 'currentFile') return { document: editor.document };
    if (editor.selection.isEmpty) throw userError(vscode.l10n.t('Select some code first.'));
    return { document: editor.document, range: editor.selection };
  }
}
