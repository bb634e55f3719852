// What the user did lately, for completion context: the ranges they edited (every change event)
// and the files they looked at (the active editor), most recent first.
import * as vscode from 'vscode';
import { RecentEdits } from '../core/completion/context/recentEdits';
import type { OpenDocument } from '../core/completion/snippets';
import { Disposable } from '../core/disposable';

/** Documents that are code the user works on, not output panes, the SCM input or settings UIs. */
export const EDITOR_SCHEMES = new Set(['file', 'untitled', 'vscode-remote']);
const MAX_VIEWED = 20;

export class EditorActivity extends Disposable {
  readonly edits = new RecentEdits();
  /** URI strings, most recently viewed last. */
  private readonly viewed: string[] = [];

  constructor(private readonly isExcluded: () => (path: string) => boolean) {
    super();
    this.register(
      vscode.workspace.onDidChangeTextDocument((event) => {
        const { document } = event;
        if (!EDITOR_SCHEMES.has(document.uri.scheme)) return;
        const path = vscode.workspace.asRelativePath(document.uri, false);
        for (const change of event.contentChanges) {
          this.edits.record(document.uri.toString(), path, change.range.start.line, change.range.end.line, change.text.split('\n').length);
        }
      }),
    );
    this.register(vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.sawDocument(editor.document.uri)));
    if (vscode.window.activeTextEditor) this.sawDocument(vscode.window.activeTextEditor.document.uri);
  }

  /** Open documents not excluded, the recently viewed first (for similar windows). */
  openDocuments(): OpenDocument[] {
    const excluded = this.isExcluded();
    const rank = (d: vscode.TextDocument) => this.viewed.indexOf(d.uri.toString());
    return vscode.workspace.textDocuments
      .filter((d) => EDITOR_SCHEMES.has(d.uri.scheme))
      .sort((a, b) => rank(b) - rank(a))
      .map((d) => ({ path: vscode.workspace.asRelativePath(d.uri, false), document: d }))
      .filter(({ path }) => !excluded(path))
      .slice(0, MAX_VIEWED)
      .map(({ path, document }) => ({ path, text: document.getText() }));
  }

  private sawDocument(uri: vscode.Uri): void {
    if (!EDITOR_SCHEMES.has(uri.scheme)) return;
    const key = uri.toString();
    const at = this.viewed.indexOf(key);
    if (at !== -1) this.viewed.splice(at, 1);
    this.viewed.push(key);
    if (this.viewed.length > MAX_VIEWED) this.viewed.shift();
  }
}
