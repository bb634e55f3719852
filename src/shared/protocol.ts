// The one definition of the messages between the extension and the chat webview.
// Requests go from the webview to the extension and get exactly one reply, matched by id;
// events go from the extension to the webview. Nothing here imports `vscode` or the DOM.

export type ChatRole = 'user' | 'assistant';
export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

/** What an answer cost. `usd` is null when the model has no known price (never a silent $0). */
export interface MessageCost {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  usd: number | null;
  /** True once the API reported usage; false while streaming or when the stream ended without it. */
  exact: boolean;
}

/** Buttons the webview may show under an error; the extension knows how to carry each out. */
export type ErrorActionId = 'setApiKey' | 'retry' | 'openSettings' | 'raiseBudget' | 'allowOnce';

export interface ChatErrorInfo {
  message: string;
  actions: ErrorActionId[];
}

/** Context attached to a question: shown with its size before sending. */
export interface AttachmentInfo {
  id: string;
  kind: 'selection' | 'file';
  /** e.g. `src/app.ts` or `src/app.ts:10-42`. */
  label: string;
  tokens: number;
}

export interface ChatMessage {
  id: string;
  role: ChatRole;
  text: string;
  status: MessageStatus;
  /** The model that answered (assistant messages), as the API resolved it when known. */
  model?: string;
  cost?: MessageCost;
  error?: ChatErrorInfo;
  /** User messages: the context that went with the question. */
  attachments?: AttachmentInfo[];
  /** Answered by the escalation model (from the editor or "Ask gpt-4o"). */
  escalated?: boolean;
  /** Assistant messages: the answer this one re-asks with another model; both stay visible. */
  alternativeOf?: string;
  /** Assistant messages: the id of the request's ledger record, which use records refer to. */
  recordId?: string;
  /** Assistant messages: some of its code was used (copied, inserted, applied, opened as a file). */
  codeUsed?: boolean;
}

/** A one-time offer shown under an answer, e.g. to escalate after two regenerations. */
export interface ChatSuggestion {
  messageId: string;
  text: string;
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
  messageCount: number;
  totalUsd: number | null;
}

export interface ChatSnapshot {
  conversationId: string;
  messages: ChatMessage[];
  models: string[];
  selectedModel: string;
  busy: boolean;
  /** Sum of the known costs of the conversation's answers; null if any answer's price is unknown. */
  totalUsd: number | null;
  /** Context waiting to go with the next question. */
  attachments: AttachmentInfo[];
  /** The strong model that "Ask …" re-asks with, and its estimated cost per answer id. */
  escalationModel: string;
  escalationEstimates: Record<string, number | null>;
  suggestion?: ChatSuggestion;
}

export type CodeActionId = 'copy' | 'insert' | 'apply' | 'newFile';

/** Webview -> extension requests: `method: [params, result]`. */
export interface WebviewRequests {
  ready: [void, ChatSnapshot];
  send: [{ text: string; model: string }, void];
  stop: [void, void];
  newChat: [void, void];
  /** `messageId`: the answer the code block is in (an escalated answer applies to the code it was asked about). */
  codeAction: [{ action: CodeActionId; code: string; language?: string; messageId?: string }, void];
  /** `messageId`: the answer the error is under; Retry and Allow Once send its request again, in its place. */
  errorAction: [{ action: ErrorActionId; messageId: string }, void];
  selectModel: [{ model: string }, void];
  /** Answers the last question again with the same model. */
  regenerate: [void, void];
  /** Replaces the last question with new text and answers it. */
  editLast: [{ text: string }, void];
  /** Re-asks the question behind an answer with the escalation model; both answers stay. */
  askStronger: [{ messageId: string }, void];
  /** Attaches the editor's selection, the current file, or a workspace file by path. */
  attach: [{ kind: 'selection' | 'currentFile' | 'file'; path?: string }, void];
  removeAttachment: [{ id: string }, void];
  /** Workspace files matching what follows an `@` in the input. */
  fileSuggestions: [{ query: string }, string[]];
  history: [void, ConversationSummary[]];
  openConversation: [{ id: string }, void];
  deleteConversation: [{ id: string }, void];
}

/** Extension -> webview events: `event: data`. */
export interface ExtensionEvents {
  snapshot: ChatSnapshot;
  /** Text appended to a streaming message, with the live cost estimate so far. */
  messageDelta: { id: string; text: string; cost?: MessageCost };
  messageFinished: ChatMessage;
  /** A short message for the user (e.g. a secret file that was not attached). */
  notice: { text: string; severity: 'info' | 'warning' };
}

export type RequestMethod = keyof WebviewRequests;
export type RequestParams<M extends RequestMethod> = WebviewRequests[M][0];
export type RequestResult<M extends RequestMethod> = WebviewRequests[M][1];
export type EventName = keyof ExtensionEvents;

export type RequestEnvelope = {
  [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: RequestParams<M> };
}[RequestMethod];

export type ResponseEnvelope = { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: string };

export type EventEnvelope = {
  [E in EventName]: { kind: 'event'; event: E; data: ExtensionEvents[E] };
}[EventName];

export type ToExtension = RequestEnvelope;
export type ToWebview = ResponseEnvelope | EventEnvelope;

export function isRequestEnvelope(value: unknown): value is RequestEnvelope {
  const v = value as Partial<RequestEnvelope> | null;
  return !!v && v.kind === 'request' && typeof v.id === 'number' && typeof v.method === 'string';
}

/** The cost report's webview -> extension messages: its buttons, one handler each. */
export interface CostReportRequests {
  exportCsv: void;
  refresh: void;
}

export interface CostReportMessage {
  type: keyof CostReportRequests;
}

const COST_REPORT_TYPES: readonly string[] = ['exportCsv', 'refresh'] satisfies (keyof CostReportRequests)[];

export function isCostReportMessage(value: unknown): value is CostReportMessage {
  const type = (value as Partial<CostReportMessage> | null)?.type;
  return typeof type === 'string' && COST_REPORT_TYPES.includes(type);
}
