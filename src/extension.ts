// Penny's composition root: builds the services, registers every contribution, and hands each
// disposable to VS Code. Logic lives in src/core (no vscode) and the adapters in src/vscode.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { runInBackground } from './core/background';
import { ChatSession } from './core/chat/chatSession';
import { ConversationStore } from './core/chat/conversationStore';
import { Ledger } from './core/cost/ledger';
import type { LedgerRecord } from './core/cost/record';
import { warmUpTokenizer } from './core/cost/tokenCount';
import { CostMeter, type MeterState } from './core/costMeter';
import { MeteredClient } from './core/meteredClient';
import { UseRecorder } from './core/useRecorder';
import { ApiKeyStore, clearApiKeyCommand, setApiKeyCommand } from './vscode/apiKey';
import { Proposals } from './vscode/applyDiff';
import { watchBudgets } from './vscode/budgetNotifier';
import { ChatViewProvider } from './vscode/chatView';
import { CodeBlockActions } from './vscode/codeBlockActions';
import { WorkspaceAttachments } from './vscode/attachments';
import { ClientProvider } from './vscode/clientProvider';
import { CostReportPanel } from './vscode/costReport';
import { Escalations, type EscalateArgs, type EscalationEvent } from './vscode/escalate';
import { EditorActivity } from './vscode/editorActivity';
import { PennyInlineCompletions } from './vscode/inlineCompletions';
import { VsCodeLanguageFacts } from './vscode/languageFacts';
import { createLogger } from './vscode/logger';
import { excludedFiles, onSettingsChanged, readSettings, setInlineCompletionsEnabled } from './vscode/settings';
import { createCompletionToggle, createCostStatusBar } from './vscode/statusBar';
import { showWalkthroughOnFirstRun } from './vscode/walkthrough';
import { setTeamExportHeadersCommand, TeamExport } from './vscode/teamExport';
import type { ChatMessage, ChatSnapshot, CodeActionId } from './shared/protocol';

const TOKENIZER_WARM_UP_DELAY_MS = 1500;
const TEAM_EXPORT_START_DELAY_MS = 3000;

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
  const ledgerDir = vscode.Uri.joinPath(context.globalStorageUri, 'ledger').fsPath;
  const ledger = new Ledger(ledgerDir, { onWarning: (m) => log.warn(m) });
  const meter = new CostMeter();
  const metered = new MeteredClient({
    client: () => clients.get(),
    priceBook: () => clients.priceBook(),
    budget: () => readSettings().budget,
    ledger,
    meter,
    onLedgerError: (m) => log.error(m),
  });
  // What today's money bought, in the status bar's tooltip: read again from the ledger after each use record.
  const refreshValue = () =>
    runInBackground(
      ledger.totals().then(({ todayValue }) => meter.setTodayValue(todayValue)),
      'reading what today bought',
      (m) => log.warn(m),
    );
  const uses = new UseRecorder({ ledger, onError: (m) => log.error(m), onRecorded: refreshValue });
  const chatDir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'conversations').fsPath;
  const session = new ChatSession({
    metered,
    models: () => chatModels(),
    defaultModel: () => readSettings().chatModel,
    escalationModel: () => readSettings().escalationModel,
    priceBook: () => clients.priceBook(),
    suggestEscalation: () => readSettings().suggestEscalation,
    store: new ConversationStore(chatDir, { onWarning: (m) => log.warn(m) }),
    onError: (m) => log.error(m),
    recordUse: (event) => uses.record(event),
  });
  runInBackground(session.restore(), 'restoring the chat', (m) => log.warn(m));
  const proposals = new Proposals(log);
  const codeActions = new CodeBlockActions(proposals, (messageId, rewriteApplied) => session.codeUsed(messageId, { rewriteApplied }));
  const chat = new ChatViewProvider(context.extensionUri, session, new WorkspaceAttachments(), codeActions, log);
  const escalations = new Escalations(chat, clients);
  const activity = new EditorActivity(excludedFiles);
  const completions = new PennyInlineCompletions(
    metered,
    log,
    (reason) => meter.setBudget(meter.state().budget, reason),
    new VsCodeLanguageFacts(),
    activity,
    (event) => uses.record(event),
  );
  // Off unless penny.teamExport.otlpEndpoint is set; OpenTelemetry is loaded only then.
  const teamExport = new TeamExport(ledgerDir, context.secrets, String(context.extension.packageJSON.version), log);
  const report = new CostReportPanel(context.extensionUri, ledger, log, () => teamExport.status());

  context.subscriptions.push(
    log,
    keys,
    clients,
    session,
    chat,
    activity,
    completions,
    report,
    teamExport,
    createCostStatusBar(meter),
    createCompletionToggle(),
    watchBudgets(meter, metered, log),
    proposals,
    // The chat's models and the prices of its "Ask …" buttons follow the settings, as do completions.
    onSettingsChanged(() => {
      session.settingsChanged();
      completions.settingsChanged();
      teamExport.update();
    }),
    keys.onDidChange(() => completions.settingsChanged()),
    vscode.commands.registerCommand('penny.setApiKey', () => setApiKeyCommand(keys, log)),
    vscode.commands.registerCommand('penny.clearApiKey', () => clearApiKeyCommand(keys)),
    vscode.commands.registerCommand('penny.showCostReport', () => report.show()),
    vscode.commands.registerCommand('penny.focusChat', () => chat.focus()),
    vscode.commands.registerCommand('penny.askAboutSelection', () => chat.askAboutSelection()),
    vscode.commands.registerCommand('penny.escalateSelection', (args?: EscalateArgs) => escalations.run(args)),
    vscode.commands.registerCommand('penny.setTeamExportHeaders', () => setTeamExportHeadersCommand(context.secrets)),
    vscode.commands.registerCommand('penny.toggleInlineCompletions', () => setInlineCompletionsEnabled(!readSettings().inlineCompletionsEnabled)),
  );

  runInBackground(showWalkthroughOnFirstRun(context), 'showing the walkthrough', (m) => log.warn(m));
  // The tokenizer (~0.4 s to load) is needed to price the first request: load it once VS Code has settled.
  const warmUp = setTimeout(() => warmUpTokenizer(), TOKENIZER_WARM_UP_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });

  // The team export (when on) starts once VS Code has settled, like the tokenizer's warm-up.
  const exportStart = setTimeout(() => teamExport.update(), TEAM_EXPORT_START_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(exportStart) });

  // Today's totals come from the ledger without holding up activation.
  runInBackground(
    Promise.all([ledger.totals(), ledger.recent(8)]).then(([{ today, todayByFeature, todayValue }, recent]) => {
      meter.setTotals(today.usd, todayByFeature, recent);
      meter.setTodayValue(todayValue);
    }),
    'reading the ledger',
    (m) => log.error(m),
  );

  const activationMs = performance.now() - started;
  log.info(`Penny activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    costState: () => meter.state(),
    recentCosts: (count) => ledger.recent(count),
    ask: (question, model) => session.send(question, model ?? readSettings().chatModel),
    chatSnapshot: () => session.snapshot(),
    stopChat: () => session.stop(),
    codeAction: (action, code, messageId) => codeActions.run(action, code, undefined, messageId),
    escalationEvents: () => [...escalations.events],
    chatVisible: () => chat.visible,
  };
}

/** The chat offers the everyday model and the escalation model. */
function chatModels(): string[] {
  const { chatModel, escalationModel } = readSettings();
  return [...new Set([chatModel, escalationModel])];
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
