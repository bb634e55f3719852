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

export interface ChatMessage {
  id: string;
  role: ChatRole;
  text: string;
  status: MessageStatus;
  /** The model that answered (assistant messages), as the API resolved it when known. */
  model?: string;
  cost?: MessageCost;
  error?: ChatErrorInfo;
}

export interface ChatSnapshot {
  conversationId: string;
  messages: ChatMessage[];
  models: string[];
  selectedModel: string;
  busy: boolean;
  /** Sum of the known costs of the conversation's answers; null if any answer's price is unknown. */
  totalUsd: number | null;
}

export type CodeActionId = 'copy' | 'insert' | 'apply' | 'newFile';

/** Webview -> extension requests: `method: [params, result]`. */
export interface WebviewRequests {
  ready: [void, ChatSnapshot];
  send: [{ text: string; model: string }, void];
  stop: [void, void];
  newChat: [void, void];
  codeAction: [{ action: CodeActionId; code: string; language?: string }, void];
  errorAction: [{ action: ErrorActionId; messageId: string }, void];
}

/** Extension -> webview events: `event: data`. */
export interface ExtensionEvents {
  snapshot: ChatSnapshot;
  messageStarted: ChatMessage;
  /** Text appended to a streaming message, with the live cost estimate so far. */
  messageDelta: { id: string; text: string; cost?: MessageCost };
  messageFinished: ChatMessage;
}

export type RequestMethod = keyof WebviewRequests;
export type RequestParams<M extends RequestMethod> = WebviewRequests[M][0];
export type RequestResult<M extends RequestMethod> = WebviewRequests[M][1];
export type EventName = keyof ExtensionEvents;

export type RequestEnvelope = {
  [M in RequestMethod]: { kind: 'request'; id: number; method: M; params: RequestParams<M> };
}[RequestMethod];

export type ResponseEnvelope =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string };

export type EventEnvelope = {
  [E in EventName]: { kind: 'event'; event: E; data: ExtensionEvents[E] };
}[EventName];

export type ToExtension = RequestEnvelope;
export type ToWebview = ResponseEnvelope | EventEnvelope;

export function isRequestEnvelope(value: unknown): value is RequestEnvelope {
  const v = value as Partial<RequestEnvelope> | null;
  return !!v && v.kind === 'request' && typeof v.id === 'number' && typeof v.method === 'string';
}
