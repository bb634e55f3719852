// Ghost text from Penny's completion engine, for real documents only (files and untitled),
// never for output panes, the SCM input or other non-editor text.
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import { Disposable } from '../core/disposable';
import { CompletionBudgetPause } from '../core/budgetWatch';
import { meteredCompletionBackend } from '../core/completion/backend';
import type { LanguageFacts } from '../core/completion/context/definitions';
import { PENNY_ENGINE, pennyContext } from '../core/completion/defaults';
import { CompletionEngine, realClock, type CompletionOrigin } from '../core/completion/engine';
import { completionUse } from '../core/completion/uses';
import type { PennyError } from '../core/errors';
import { coveredSuffixLength } from '../core/completion/postprocess';
import { windowOffsets } from '../core/completion/prompt';
import type { MeteredClient } from '../core/meteredClient';
import type { UseEvent } from '../core/useRecorder';
import type { EditorActivity } from './editorActivity';
import type { Logger } from './logger';
import { editorShowsInlineSuggestions, excludedFiles, readSettings } from './settings';

const DOCUMENT_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }];
const NEEDS_THE_USER = new Set(['noKey', 'auth', 'forbidden', 'modelNotFound', 'quota']);
/** Run by VS Code when a suggestion is accepted (the item's `command`): the stable API's only accept signal. */
const ACCEPTED_COMMAND = 'penny.completionAccepted';

export class PennyInlineCompletions extends Disposable implements vscode.InlineCompletionItemProvider {
  private readonly engine: CompletionEngine;
  private readonly budgetPause: CompletionBudgetPause;
  /** Problems the user must fix are told once per session, not on every keystroke. */
  private readonly told = new Set<string>();

  constructor(
    metered: MeteredClient,
    private readonly log: Logger,
    onBudgetPause: (reason: string | undefined) => void,
    facts: LanguageFacts,
    activity: EditorActivity,
    private readonly recordUse: (event: UseEvent) => void,
  ) {
    super();
    this.budgetPause = new CompletionBudgetPause(metered, { onChange: onBudgetPause, onError: (m) => log.warn(m) });
    const backend = meteredCompletionBackend(
      metered,
      () => readSettings().completionModel,
      (error) => this.failed(error),
    );
    const context = pennyContext({
      facts,
      edits: activity.edits,
      openDocuments: () => activity.openDocuments(),
      isExcluded: (path) => excludedFiles()(path),
      clock: realClock,
      onError: (m) => log.warn(m),
    });
    const onTypedThrough = (origin: CompletionOrigin, chars: number) => recordUse(completionUse('typedThrough', origin, chars));
    this.engine = new CompletionEngine(backend, { ...PENNY_ENGINE, debounceMs: readSettings().debounceMs, onTypedThrough }, realClock, context);
    this.register(vscode.languages.registerInlineCompletionItemProvider(DOCUMENT_SELECTOR, this));
    this.register(vscode.commands.registerCommand(ACCEPTED_COMMAND, (event: UseEvent) => recordUse(event)));
  }

  /** Settings or the key changed: apply them, and tell about problems afresh. */
  settingsChanged(): void {
    this.engine.configure({ debounceMs: readSettings().debounceMs });
    this.told.clear();
    this.budgetPause.resumeIfAllowed();
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!this.enabledFor(document)) return undefined;
    // With the suggest widget open, VS Code shows ghost text only if it extends the selected item:
    // complete as if that item were accepted (as Copilot does), so Tab takes the item, then the rest.
    const selected = context.selectedCompletionInfo;
    const replaceStart = selected?.range.start ?? position;
    const replaceEnd = selected?.range.end ?? position;
    const accepted = selected?.text ?? '';
    // Only the window around the cursor is read: copying the whole document on every keystroke costs.
    const { prefixOffset, suffixEnd } = windowOffsets(document.offsetAt(position));
    const prefix = document.getText(new vscode.Range(document.positionAt(prefixOffset), replaceStart)) + accepted;
    const suffix = document.getText(new vscode.Range(replaceEnd, document.positionAt(Math.max(suffixEnd, document.offsetAt(replaceEnd)))));
    const signal = abortSignalOf(token);
    const result = await this.engine.complete(
      {
        documentKey: document.uri.toString(),
        prefix,
        suffix,
        prefixOffset,
        languageId: document.languageId,
        relativePath: vscode.workspace.asRelativePath(document.uri, false),
        version: document.version,
      },
      signal,
    );
    if (!result || token.isCancellationRequested) return undefined;
    // Auto-closed brackets the completion writes itself are replaced, not pushed behind it.
    const end = replaceEnd.translate(0, coveredSuffixLength(result.text, suffix));
    const item = new vscode.InlineCompletionItem(accepted + result.text, new vscode.Range(replaceStart, end));
    if (result.origin) {
      this.recordUse(completionUse('offered', result.origin));
      item.command = { command: ACCEPTED_COMMAND, title: vscode.l10n.t('Accepted'), arguments: [completionUse('accepted', result.origin, result.text.length)] };
    }
    return [item];
  }

  private enabledFor(document: vscode.TextDocument): boolean {
    if (!readSettings().inlineCompletionsEnabled) return false;
    if (!editorShowsInlineSuggestions(document)) return false;
    if (!vscode.workspace.isTrusted) return false;
    if (this.budgetPause.holdsCompletions()) return false;
    return !excludedFiles()(vscode.workspace.asRelativePath(document.uri, false));
  }

  private failed(error: PennyError): void {
    if (error.kind === 'budget') {
      this.budgetPause.pause(vscode.l10n.t('Completions paused: {0}', error.message));
      return;
    }
    this.log.warn(`completion failed: ${error.message}`);
    if (NEEDS_THE_USER.has(error.kind))
      runInBackground(this.tellOnce(error.kind, error.message, error.actions), 'telling about a completion problem', (m) => this.log.warn(m));
  }

  private async tellOnce(kind: string, message: string, actions: readonly string[]): Promise<void> {
    if (this.told.has(kind)) return;
    this.told.add(kind);
    const setKey = vscode.l10n.t('Set API Key');
    const openSettings = vscode.l10n.t('Open Settings');
    const buttons = [...(actions.includes('setApiKey') ? [setKey] : []), ...(actions.includes('openSettings') ? [openSettings] : [])];
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Penny completions: {0}', message), ...buttons);
    if (choice === setKey) await vscode.commands.executeCommand('penny.setApiKey');
    if (choice === openSettings) await vscode.commands.executeCommand('workbench.action.openSettings', 'penny.');
  }
}

function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
