// The buttons of a code block in an answer: Copy, Insert at the cursor, Apply (a diff to accept or
// reject) and New File. An escalated answer's rewrite applies to the code it was asked about, which
// is remembered per answer (and carried over to the answer that retries it).
import * as vscode from 'vscode';
import { userError } from '../core/errors';
import type { CodeActionId } from '../shared/protocol';
import type { Proposals } from './applyDiff';

export interface CodeTarget {
  uri: vscode.Uri;
  range: vscode.Range;
}

export class CodeBlockActions {
  private readonly targets = new Map<string, CodeTarget>();

  constructor(private readonly proposals: Proposals) {}

  /** Answer `answerId`'s code applies to `target` (an escalated selection). */
  setTarget(answerId: string, target: CodeTarget): void {
    this.targets.set(answerId, target);
  }

  /** Answer `toId` retries `fromId`: its code applies where the first one's would have. */
  carryTarget(fromId: string, toId: string): void {
    const target = this.targets.get(fromId);
    if (target) this.targets.set(toId, target);
  }

  async run(action: CodeActionId, code: string, language?: string, messageId?: string): Promise<unknown> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(code);
        return;
      case 'insert':
        if (!editor) throw userError(vscode.l10n.t('Open an editor to insert the code into.'));
        await editor.edit((edit) => edit.insert(editor.selection.active, code));
        return;
      case 'apply': {
        const target = messageId ? this.targets.get(messageId) : undefined;
        if (target) return this.proposals.propose(await vscode.workspace.openTextDocument(target.uri), target.range, code);
        if (!editor) throw userError(vscode.l10n.t('Open an editor to apply the code to.'));
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
}
