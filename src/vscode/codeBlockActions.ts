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

  /** `onCodeUsed(messageId, rewriteApplied)`: after code of answer `messageId` was used (for Apply: once the diff was accepted). */
  constructor(
    private readonly proposals: Proposals,
    private readonly onCodeUsed: (messageId: string, rewriteApplied: boolean) => void,
  ) {}

  /** Answer `answerId`'s code applies to `target` (an escalated selection). */
  setTarget(answerId: string, target: CodeTarget): void {
    this.targets.set(answerId, target);
  }

  /** Answer `toId` retries `fromId`: its code applies where the first one's would have. */
  carryTarget(fromId: string, toId: string): void {
    const target = this.targets.get(fromId);
    if (target) this.targets.set(toId, target);
  }

  /** Carries out the button; resolves, for Apply, with whether the change was accepted and applied. */
  async run(action: CodeActionId, code: string, language?: string, messageId?: string): Promise<boolean | undefined> {
    const target = messageId ? this.targets.get(messageId) : undefined;
    const used = await this.carryOut(action, code, language, target);
    if (messageId && used !== false) this.onCodeUsed(messageId, action === 'apply' && used === true && target !== undefined);
    return action === 'apply' ? used : undefined;
  }

  /** False when nothing was used (an Apply rejected). */
  private async carryOut(action: CodeActionId, code: string, language: string | undefined, target: CodeTarget | undefined): Promise<boolean> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
    switch (action) {
      case 'copy':
        await vscode.env.clipboard.writeText(code);
        return true;
      case 'insert':
        if (!editor) throw userError(vscode.l10n.t('Open an editor to insert the code into.'));
        return editor.edit((edit) => edit.insert(editor.selection.active, code));
      case 'apply': {
        if (target) return this.proposals.propose(await vscode.workspace.openTextDocument(target.uri), target.range, code);
        if (!editor) throw userError(vscode.l10n.t('Open an editor to apply the code to.'));
        return this.proposals.propose(editor.document, editor.selection.isEmpty ? undefined : editor.selection, code);
      }
      case 'newFile': {
        const known = language && (await vscode.languages.getLanguages()).includes(language) ? language : undefined;
        const document = await vscode.workspace.openTextDocument({ content: code, language: known });
        await vscode.window.showTextDocument(document);
        return true;
      }
    }
  }
}
