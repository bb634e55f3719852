// `penny.escalateSelection`: the selection (or the enclosing function) goes to the escalation model,
// with its estimated cost shown before anything is sent, and a confirmation above a threshold.
// Command arguments (`{ task, question }`) skip the task picker, for keybindings and tests.
import * as vscode from 'vscode';
import { formatUsd } from '../core/cost/format';
import { contextWindow } from '../core/cost/pricing';
import {
  ESCALATION_MAX_TOKENS,
  TASK_INSTRUCTIONS,
  escalationPrompt,
  estimateEscalation,
  type EscalationEstimate,
  type EscalationTask,
} from '../core/escalation';
import { redactSecretsInText } from '../core/secrets';
import type { ChatViewProvider } from './chatView';
import type { ClientProvider } from './clientProvider';
import { readSettings } from './settings';

export interface EscalateArgs {
  task?: EscalationTask;
  question?: string;
}

/** What happened to each escalation: shown to tests and in the log. */
export interface EscalationEvent {
  stage: 'estimated' | 'confirming' | 'declined' | 'sent' | 'refused';
  estimate?: EscalationEstimate;
  origin?: string;
}

export class Escalations {
  readonly events: EscalationEvent[] = [];

  constructor(
    private readonly chat: ChatViewProvider,
    private readonly clients: ClientProvider,
  ) {}

  async run(args: EscalateArgs = {}): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Penny: open a file and select the code to escalate.'));
      return;
    }
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Penny: this workspace is not trusted, so none of its code is sent. Trust it to escalate.'));
      return;
    }
    const target = await codeToEscalate(editor);
    if (!target) return;
    const settings = readSettings();
    const relativePath = vscode.workspace.asRelativePath(editor.document.uri, false);
    const { text: code, count: secrets } = redactSecretsInText(editor.document.getText(target.range));
    if (secrets > 0) void vscode.window.showWarningMessage(vscode.l10n.t('Penny removed {0} secret-looking string(s) from the code before sending.', secrets));
    const base = { code, languageId: editor.document.languageId, relativePath, origin: target.origin };
    const estimateFor = (instruction: string) =>
      estimateEscalation(escalationPrompt({ ...base, instruction }).messages, settings.escalationModel, settings.chatModel, this.clients.priceBook());

    const instruction = await this.chooseInstruction(args, target.origin, estimateFor);
    if (!instruction) return;
    const { userText, messages } = escalationPrompt({ ...base, instruction });
    const estimate = estimateFor(instruction);
    this.events.push({ stage: 'estimated', estimate, origin: target.origin });

    const window = contextWindow(settings.escalationModel);
    if (window !== undefined && estimate.promptTokens + ESCALATION_MAX_TOKENS > window) {
      this.events.push({ stage: 'refused', estimate, origin: target.origin });
      void vscode.window.showErrorMessage(
        vscode.l10n.t(
          'Penny: the selection is {0} tokens; {1} takes at most {2} with room for the answer. Select less.',
          estimate.promptTokens.toLocaleString('en-US'),
          settings.escalationModel,
          (window - ESCALATION_MAX_TOKENS).toLocaleString('en-US'),
        ),
      );
      return;
    }
    const threshold = settings.escalationConfirmAboveUsd;
    if (estimate.maxUsd === null || estimate.maxUsd > threshold) {
      this.events.push({ stage: 'confirming', estimate, origin: target.origin });
      if (!(await confirm(estimate, threshold))) {
        this.events.push({ stage: 'declined', estimate, origin: target.origin });
        return;
      }
    }
    this.events.push({ stage: 'sent', estimate, origin: target.origin });
    await this.chat.focus();
    await this.chat.escalate(userText, messages, settings.escalationModel, { uri: editor.document.uri, range: target.range });
  }

  private async chooseInstruction(args: EscalateArgs, origin: string, estimateFor: (instruction: string) => EscalationEstimate): Promise<string | undefined> {
    if (args.task === 'ask') return args.question;
    if (args.task) return TASK_INSTRUCTIONS[args.task];
    const model = readSettings().escalationModel;
    const tasks: { label: string; task: EscalationTask }[] = [
      { label: vscode.l10n.t('Explain'), task: 'explain' },
      { label: vscode.l10n.t('Find bugs'), task: 'findBugs' },
      { label: vscode.l10n.t('Improve'), task: 'improve' },
      { label: vscode.l10n.t('Write tests'), task: 'writeTests' },
      { label: vscode.l10n.t('Ask a question…'), task: 'ask' },
    ];
    const picked = await vscode.window.showQuickPick(
      tasks.map((t) => ({ ...t, detail: t.task === 'ask' ? undefined : describe(estimateFor(TASK_INSTRUCTIONS[t.task])) })),
      { title: vscode.l10n.t('Escalate {0} to {1}', origin, model), placeHolder: vscode.l10n.t('What should {0} do? (estimated cost below each)', model) },
    );
    if (!picked) return undefined;
    if (picked.task !== 'ask') return TASK_INSTRUCTIONS[picked.task];
    return vscode.window.showInputBox({ title: vscode.l10n.t('Ask {0} about {1}', model, origin), ignoreFocusOut: true });
  }
}

function describe(e: EscalationEstimate): string {
  return vscode.l10n.t(
    '{0} tokens in: {1} · answer ~{2}, at most {3} · same on {4}: ~{5}',
    e.promptTokens.toLocaleString('en-US'),
    formatUsd(e.inputUsd),
    formatUsd(e.typicalUsd),
    formatUsd(e.maxUsd),
    e.cheapModel,
    formatUsd(e.cheapTypicalUsd),
  );
}

/** A quick pick rather than a modal, so it can be answered from the keyboard and driven by tests. */
async function confirm(estimate: EscalationEstimate, threshold: number): Promise<boolean> {
  const send = { label: vscode.l10n.t('$(rocket) Send to {0}', estimate.model), detail: describe(estimate), send: true };
  const cancel = { label: vscode.l10n.t('$(close) Cancel'), detail: vscode.l10n.t('Nothing is sent.'), send: false };
  const why =
    estimate.maxUsd === null
      ? vscode.l10n.t('its price is unknown')
      : vscode.l10n.t('it may cost up to {0} (above {1})', formatUsd(estimate.maxUsd), formatUsd(threshold));
  const choice = await vscode.window.showQuickPick([send, cancel], {
    title: vscode.l10n.t('Escalate to {0}? {1}', estimate.model, why),
    ignoreFocusOut: true,
  });
  return choice?.send === true;
}

async function codeToEscalate(editor: vscode.TextEditor): Promise<{ range: vscode.Range; origin: string } | undefined> {
  const { document, selection } = editor;
  if (!selection.isEmpty) {
    // Whole lines selected end at column 0 of the next line, which is not part of the selection.
    const lastLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
    return { range: selection, origin: lines(selection.start.line, lastLine) };
  }
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri);
  const enclosing = innermost(symbols ?? [], selection.active);
  if (enclosing) {
    const where = lines(enclosing.range.start.line, enclosing.range.end.line);
    return { range: enclosing.range, origin: symbolOrigin(enclosing, where) };
  }
  const whole = vscode.l10n.t('Use the Whole File');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Penny: nothing is selected and no enclosing function was found.'), whole);
  if (choice !== whole) return undefined;
  return { range: new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), origin: vscode.l10n.t('the whole file') };
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
  return start === end ? vscode.l10n.t('line {0}', start + 1) : vscode.l10n.t('lines {0}-{1}', start + 1, end + 1);
}

/** "function parse (lines 3-9)": one of the kinds in CODE_SYMBOLS. */
function symbolOrigin(symbol: vscode.DocumentSymbol, where: string): string {
  switch (symbol.kind) {
    case vscode.SymbolKind.Method:
      return vscode.l10n.t('method {0} ({1})', symbol.name, where);
    case vscode.SymbolKind.Constructor:
      return vscode.l10n.t('constructor {0} ({1})', symbol.name, where);
    case vscode.SymbolKind.Class:
      return vscode.l10n.t('class {0} ({1})', symbol.name, where);
    default:
      return vscode.l10n.t('function {0} ({1})', symbol.name, where);
  }
}
