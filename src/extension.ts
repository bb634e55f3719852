// Penny's composition root: builds the services, registers every contribution, and hands each
// disposable to VS Code. Logic lives in src/core (no vscode) and the adapters in src/vscode.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { runInBackground } from './core/background';
import { Ledger, type LedgerRecord } from './core/cost/ledger';
import { warmUpTokenizer } from './core/cost/tokenCount';
import { CostMeter, type MeterState } from './core/costMeter';
import { MeteredClient } from './core/meteredClient';
import { ApiKeyStore, clearApiKeyCommand, setApiKeyCommand } from './vscode/apiKey';
import { Proposals } from './vscode/applyDiff';
import { watchBudgets } from './vscode/budgetNotifier';
import { ChatViewProvider } from './vscode/chatView';
import { ClientProvider } from './vscode/clientProvider';
import { CostReportPanel } from './vscode/costReport';
import { Escalations, type EscalateArgs, type EscalationEvent } from './vscode/escalate';
import { EditorActivity } from './vscode/editorActivity';
import { PennyInlineCompletions } from './vscode/inlineCompletions';
import { VsCodeLanguageFacts } from './vscode/languageFacts';
import { createLogger } from './vscode/logger';
import { excludedFiles, onSettingsChanged, readSettings } from './vscode/settings';
import { createCompletionToggle, createCostStatusBar } from './vscode/statusBar';
import type { ChatMessage, ChatSnapshot, CodeActionId } from './shared/protocol';

const TOKENIZER_WARM_UP_DELAY_MS = 1500;

/** What Penny exports to other extensions and to its integration tests. */
export interface PennyApi {
  activationMs: number;
  costState(): MeterState;
  recentCosts(count: number): Promise<LedgerRecord[]>;
  /** Asks the chat a question (the model defaults to `penny.chatModel`) and resolves with the finished answer. */
  ask(question: string, model?: string): Promise<ChatMessage>;
  chatSnapshot(): ChatSnapshot;
  stopChat(): void;
  /** Presses a code block's button (copy, insert, apply, newFile) in answer `messageId`. */
  codeAction(action: CodeActionId, code: string, messageId?: string): Promise<unknown>;
  escalationEvents(): EscalationEvent[];
  /** Whether the chat webview has been resolved and is visible. */
  chatVisible(): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<PennyApi> {
  const started = performance.now();
  // The core and the webview translate with @vscode/l10n: give it VS Code's bundle for the display language.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const log = createLogger();
  const keys = new ApiKeyStore(context.secrets);
  const clients = new ClientProvider(keys, log);
  const ledger = new Ledger(vscode.Uri.joinPath(context.globalStorageUri, 'ledger').fsPath, { onWarning: (m) => log.warn(m) });
  const meter = new CostMeter();
  const metered = new MeteredClient({
    client: () => clients.get(),
    priceBook: () => clients.priceBook(),
    budget: () => readSettings().budget,
    ledger,
    meter,
    onLedgerError: (m) => log.error(m),
  });
  const chatDir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'conversations').fsPath;
  const proposals = new Proposals(log);
  const chat = new ChatViewProvider(context.extensionUri, chatDir, metered, clients, proposals, log);
  const escalations = new Escalations(chat, clients);
  const activity = new EditorActivity(excludedFiles);
  const completions = new PennyInlineCompletions(metered, log, (reason) => meter.setBudget(meter.state().budget, reason), new VsCodeLanguageFacts(), activity);
  const report = new CostReportPanel(context.extensionUri, ledger, log);

  context.subscriptions.push(
    log,
    keys,
    clients,
    chat,
    activity,
    completions,
    report,
    createCostStatusBar(meter),
    createCompletionToggle(),
    watchBudgets(meter, metered, log),
    proposals,
    onSettingsChanged(() => completions.settingsChanged()),
    keys.onDidChange(() => completions.settingsChanged()),
    vscode.commands.registerCommand('penny.setApiKey', () => setApiKeyCommand(keys, log)),
    vscode.commands.registerCommand('penny.clearApiKey', () => clearApiKeyCommand(keys)),
    vscode.commands.registerCommand('penny.showCostReport', () => report.show()),
    vscode.commands.registerCommand('penny.focusChat', () => chat.focus()),
    vscode.commands.registerCommand('penny.askAboutSelection', () => chat.askAboutSelection()),
    vscode.commands.registerCommand('penny.escalateSelection', (args?: EscalateArgs) => escalations.run(args)),
    vscode.commands.registerCommand('penny.toggleInlineCompletions', async () => {
      const enabled = readSettings().inlineCompletionsEnabled;
      await vscode.workspace.getConfiguration('penny').update('inlineCompletions.enabled', !enabled, vscode.ConfigurationTarget.Global);
    }),
  );

  runInBackground(showWalkthroughOnFirstRun(context), 'showing the walkthrough', (m) => log.warn(m));
  // The tokenizer (~0.4 s to load) is needed to price the first request: load it once VS Code has settled.
  const warmUp = setTimeout(() => warmUpTokenizer(), TOKENIZER_WARM_UP_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });

  // Today's totals come from the ledger without holding up activation.
  runInBackground(
    Promise.all([ledger.todayTotal(), ledger.todayByFeature(), ledger.recent(8)]).then(([today, byFeature, recent]) =>
      meter.setTotals(today, byFeature, recent),
    ),
    'reading the ledger',
    (m) => log.error(m),
  );

  const activationMs = performance.now() - started;
  log.info(`Penny activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    costState: () => meter.state(),
    recentCosts: (count) => ledger.recent(count),
    ask: (question, model) => chat.session.send(question, model ?? readSettings().chatModel),
    chatSnapshot: () => chat.session.snapshot(),
    stopChat: () => chat.session.stop(),
    codeAction: (action, code, messageId) => chat.codeAction(action, code, undefined, messageId),
    escalationEvents: () => [...escalations.events],
    chatVisible: () => chat.visible,
  };
}

/** The first time Penny runs, its walkthrough opens, as VS Code's `workbench.welcomePage.walkthroughs.openOnInstall` allows. */
async function showWalkthroughOnFirstRun(context: vscode.ExtensionContext): Promise<void> {
  const seen = 'penny.walkthroughShown';
  if (context.globalState.get<boolean>(seen)) return;
  await context.globalState.update(seen, true);
  if (!vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true)) return;
  // Penny activates after start-up: if the window already shows something (a README, a file), the
  // walkthrough opens as a background tab instead of covering it and taking the keyboard focus.
  const inactive = vscode.window.tabGroups.activeTabGroup.activeTab !== undefined;
  await vscode.commands.executeCommand(
    'workbench.action.openWalkthrough',
    `${context.extension.id}#penny.start`,
    inactive ? { toSide: false, inactive } : false,
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
