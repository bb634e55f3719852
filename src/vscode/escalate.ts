// `penny.escalateSelection`: the selection (or the enclosing function) goes to the escalation model,
// with its estimated cost shown before anything is sent, and a confirmation above a threshold.
import * as vscode from 'vscode';
import { formatUsd } from '../core/cost/format';
import { contextWindow } from '../core/cost/pricing';
import { ESCALATION_MAX_TOKENS, TASK_INSTRUCTIONS, escalationPrompt, estimateEscalation, type EscalationTask } from '../core/escalation';
import type { ChatViewProvider } from './chatView';
import type { ClientProvider } from './clientProvider';
import { readSettings } from './settings';

const CONFIRM_ABOVE_DEFAULT = 0.01;

export async function escalateSelection(chat: ChatViewProvider, clients: ClientProvider): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Penny: open a file and select the code to escalate.'));
    return;
  }
  const target = await codeToEscalate(editor);
  if (!target) return;
  const settings = readSettings();
  const prices = clients.priceBook();
  const relativePath = vscode.workspace.asRelativePath(editor.document.uri, false);
  const base = { code: target.code, languageId: editor.document.languageId, relativePath, origin: target.origin };

  const estimateFor = (instruction: string) =>
    estimateEscalation(escalationPrompt({ ...base, instruction }).messages, settings.escalationModel, settings.chatModel, prices);
  const describe = (instruction: string) => {
    const e = estimateFor(instruction);
    return vscode.l10n.t(
      '{0} in: {1} · answer ~{2}, at most {3} · on {4} ~{5}',
      e.promptTokens.toLocaleString('en-US'),
      formatUsd(e.inputUsd),
      formatUsd(e.typicalUsd),
      formatUsd(e.maxUsd),
      e.cheapModel,
      formatUsd(e.cheapTypicalUsd),
    );
  };
  const tasks: { label: string; task: EscalationTask }[] = [
    { label: vscode.l10n.t('Explain'), task: 'explain' },
    { label: vscode.l10n.t('Find bugs'), task: 'findBugs' },
    { label: vscode.l10n.t('Improve'), task: 'improve' },
    { label: vscode.l10n.t('Write tests'), task: 'writeTests' },
    { label: vscode.l10n.t('Ask a question…'), task: 'ask' },
  ];
  const picked = await vscode.window.showQuickPick(
    tasks.map((t) => ({ ...t, detail: t.task === 'ask' ? undefined : describe(TASK_INSTRUCTIONS[t.task]) })),
    { title: vscode.l10n.t('Escalate {0} to {1}', target.origin, settings.escalationModel), placeHolder: vscode.l10n.t('What should {0} do?', settings.escalationModel) },
  );
  if (!picked) return;
  const instruction =
    picked.task === 'ask'
      ? await vscode.window.showInputBox({ title: vscode.l10n.t('Ask {0} about {1}', settings.escalationModel, target.origin), ignoreFocusOut: true })
      : TASK_INSTRUCTIONS[picked.task];
  if (!instruction) return;

  const { userText, messages } = escalationPrompt({ ...base, instruction });
  const estimate = estimateFor(instruction);
  const window = contextWindow(settings.escalationModel);
  if (window !== undefined && estimate.promptTokens + ESCALATION_MAX_TOKENS > window) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Penny: the selection is {0} tokens; {1} takes at most {2} with room for the answer. Select less.', estimate.promptTokens.toLocaleString('en-US'), settings.escalationModel, (window - ESCALATION_MAX_TOKENS).toLocaleString('en-US')),
    );
    return;
  }
  const threshold = vscode.workspace.getConfiguration('penny').get<number>('escalation.confirmAbove', CONFIRM_ABOVE_DEFAULT);
  if (estimate.maxUsd === null || estimate.maxUsd > threshold) {
    const send = vscode.l10n.t('Send to {0}', settings.escalationModel);
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Escalate to {0}?', settings.escalationModel),
      { modal: true, detail: describe(instruction) },
      send,
    );
    if (choice !== send) return;
  }
  await chat.focus();
  await chat.session.sendEscalation(userText, messages, settings.escalationModel);
}

async function codeToEscalate(editor: vscode.TextEditor): Promise<{ code: string; origin: string } | undefined> {
  const { document, selection } = editor;
  if (!selection.isEmpty) {
    return { code: document.getText(selection), origin: lines(selection.start.line, selection.end.line) };
  }
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri);
  const enclosing = innermost(symbols ?? [], selection.active);
  if (enclosing) {
    return { code: document.getText(enclosing.range), origin: `${vscode.SymbolKind[enclosing.kind].toLowerCase()} ${enclosing.name} (${lines(enclosing.range.start.line, enclosing.range.end.line)})` };
  }
  const whole = vscode.l10n.t('Use the whole file');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Penny: nothing is selected and no enclosing function was found.'), whole);
  return choice === whole ? { code: document.getText(), origin: vscode.l10n.t('the whole file') } : undefined;
}

const CODE_SYMBOLS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor, vscode.SymbolKind.Class]);

function innermost(symbols: vscode.DocumentSymbol[], position: vscode.Position): vscode.DocumentSymbol | undefined {
  for (const symbol of symbols) {
    if (!symbol.range.contains(position)) continue;
    const inner = innermost(symbol.children, position);
    if (inner) return inner;
    if (CODE_SYMBOLS.has(symbol.kind)) return symbol;
  }
  return undefined;
}

function lines(start: number, end: number): string {
  return start === end ? `line ${start + 1}` : `lines ${start + 1}-${end + 1}`;
}
