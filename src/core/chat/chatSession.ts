// The chat: the open conversation, sending questions (with attached context) through the metered
// client, streaming answers out as protocol events, stop / regenerate / retry / edit / re-ask with
// the strong model, and saving every change. Pure: the webview adapter carries the events.
import * as l10n from '@vscode/l10n';
import type { AttachmentInfo, ChatMessage, ChatSnapshot, ChatSuggestion, EventEnvelope, EventName, ExtensionEvents, MessageCost } from '../../shared/protocol';
import { formatUsd } from '../cost/format';
import { costOf, type PriceBook } from '../cost/pricing';
import { countChatTokens } from '../cost/tokenCount';
import type { MeteredResult, MeteredRunner } from '../meteredClient';
import type { ChatMessageParam } from '../openaiClient';
import { errorMessage, PennyError, userError } from '../errors';
import { Emitter } from '../event';
import type { UseEvent } from '../useRecorder';
import { redactSecretsInText } from '../secrets';
import { titleOf, totalUsd, type AnswerRequest, type ConversationStore, type StoredConversation } from './conversationStore';

export const CHAT_SYSTEM_PROMPT =
  'You are Penny, a concise and precise programming assistant inside VS Code. Answer in GitHub-flavoured markdown. ' +
  'Put code in fenced blocks with a language tag. Prefer short, correct answers.';

/** An attachment with its content, which stays in the extension (the webview sees only its info). */
export interface Attachment extends AttachmentInfo {
  content: string;
  languageId: string;
}

export interface ChatSessionDeps {
  metered: MeteredRunner;
  models: () => string[];
  defaultModel: () => string;
  escalationModel: () => string;
  priceBook: () => PriceBook;
  /** Whether to offer escalation after repeated regenerations or "that's wrong". */
  suggestEscalation: () => boolean;
  store?: ConversationStore;
  onError?: (message: string) => void;
  /** Writes what became of an answer to the ledger (see UseRecorder). */
  recordUse?: (event: UseEvent) => void;
  newId?: () => string;
  now?: () => Date;
}

interface AnswerOptions {
  /** One request past an enforced budget: this one only. */
  allowOverBudget?: boolean;
  alternativeOf?: string;
  escalated?: boolean;
  /** The answer this one takes the place of (a retry). */
  replaces?: ChatMessage;
}

const SAYS_WRONG = /\b(wrong|incorrect|doesn'?t work|does not work|not right|still (?:fails|broken|wrong)|that'?s not it)\b/i;
/** Regenerations of the same question before Penny offers the strong model. */
const REGENERATIONS_BEFORE_SUGGESTION = 2;

export class ChatSession {
  private conversation: StoredConversation;
  private pending: Attachment[] = [];
  private running?: AbortController;
  private regenerations = 0;
  /** The answer under which the strong model is offered. */
  private offeredUnder?: string;
  private suggestedIn = new Set<string>();
  /** By answer id: the prompt tokens of re-asking it (counting is slow; prices are applied per snapshot). */
  private readonly reaskPromptTokens = new Map<string, number>();
  private lastSave: Promise<void> = Promise.resolve();
  private readonly events = new Emitter<EventEnvelope>();
  /** What the view shows follows these: snapshots, streamed text, finished answers, notices. */
  readonly onEvent = this.events.event;
  private readonly newId: () => string;
  private readonly now: () => Date;

  constructor(private readonly deps: ChatSessionDeps) {
    let counter = 0;
    this.newId = deps.newId ?? (() => `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
    this.now = deps.now ?? (() => new Date());
    this.conversation = this.emptyConversation();
  }

  /**
   * Code of answer `messageId` was used (copied, inserted, applied, opened as a file): recorded as
   * `used` the first time only (the answer keeps that it was), and as `rewriteApplied` when it was an
   * escalated rewrite applied to the code it was asked about.
   */
  codeUsed(messageId: string, options: { rewriteApplied?: boolean } = {}): void {
    const answer = this.conversation.messages.find((m) => m.id === messageId && m.role === 'assistant');
    if (!answer?.recordId) return; // never sent: no request to count it against
    const request = { ref: answer.recordId, feature: this.conversation.requests?.[messageId]?.feature ?? 'chat', model: answer.model ?? '' };
    if (!answer.codeUsed) {
      answer.codeUsed = true;
      this.deps.recordUse?.({ ...request, use: 'used' });
      this.publish();
    }
    if (options.rewriteApplied) this.deps.recordUse?.({ ...request, use: 'rewriteApplied' });
  }

  /** Stops the answer that streams, if any; no events after this. */
  dispose(): void {
    this.stop();
    this.events.dispose();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Opens the most recent saved conversation, if any (at start-up). */
  async restore(): Promise<void> {
    const latest = await this.deps.store?.latest();
    if (latest && !this.busy && this.conversation.messages.length === 0) {
      this.conversation = latest;
      this.publish();
    }
  }

  snapshot(): ChatSnapshot {
    const escalationEstimates = this.escalationEstimates();
    return {
      conversationId: this.conversation.id,
      messages: this.conversation.messages.map((m) => ({ ...m })),
      models: this.deps.models(),
      selectedModel: this.conversation.model || this.deps.defaultModel(),
      busy: this.busy,
      totalUsd: totalUsd(this.conversation.messages),
      attachments: this.pending.map(({ id, kind, label, tokens }) => ({ id, kind, label, tokens })),
      escalationModel: this.deps.escalationModel(),
      escalationEstimates,
      suggestion: this.suggestion(escalationEstimates),
    };
  }

  /** The models or prices changed: the view gets the figures in force now. */
  settingsChanged(): void {
    this.emit('snapshot', this.snapshot());
  }

  /** Resolves once every change so far is on disk. */
  saved(): Promise<void> {
    return this.lastSave;
  }

  selectModel(model: string): void {
    this.conversation.model = model;
    this.publish();
  }

  newChat(): void {
    this.stop();
    this.conversation = this.emptyConversation();
    this.pending = [];
    this.offeredUnder = undefined;
    this.regenerations = 0;
    this.publish();
  }

  async open(id: string): Promise<void> {
    this.assertIdle();
    const loaded = await this.deps.store?.load(id);
    if (!loaded) throw userError(l10n.t('That conversation could not be read.'));
    this.conversation = loaded;
    this.offeredUnder = undefined;
    this.regenerations = 0;
    this.publish();
  }

  async history() {
    return (await this.deps.store?.list()) ?? [];
  }

  async deleteConversation(id: string): Promise<void> {
    await this.deps.store?.delete(id);
    if (id === this.conversation.id) this.newChat();
  }

  attach(attachment: Attachment): void {
    this.pending = [...this.pending.filter((a) => a.label !== attachment.label), attachment];
    this.publish();
  }

  removeAttachment(id: string): void {
    this.pending = this.pending.filter((a) => a.id !== id);
    this.publish();
  }

  stop(): void {
    this.running?.abort();
  }

  /** Asks a question with the pending attachments; resolves when the answer is finished, stopped or failed. */
  async send(question: string, model: string): Promise<ChatMessage> {
    this.assertIdle();
    const { text, count: secrets } = redactSecretsInText(question);
    if (secrets > 0)
      this.emit('notice', { text: l10n.t('Removed {0} secret-looking string(s) from your question before sending.', secrets), severity: 'warning' });
    const attachments = this.pending;
    this.pending = [];
    this.conversation.model = model;
    const message: ChatMessage = {
      id: this.newId(),
      role: 'user',
      text,
      status: 'done',
      attachments: attachments.map(({ id, kind, label, tokens }) => ({ id, kind, label, tokens })),
    };
    if (attachments.length > 0) {
      this.conversation.contexts = {
        ...this.conversation.contexts,
        [message.id]: attachments.map(({ label, languageId, content }) => ({ label, languageId, content })),
      };
    }
    const lastAnswer = this.lastAnswer();
    this.conversation.messages.push(message);
    this.regenerations = 0;
    if (lastAnswer && SAYS_WRONG.test(text)) this.offerEscalation(lastAnswer);
    return this.answer({ model, feature: 'chat' });
  }

  /** Shows an escalation from the editor as a question in this conversation, answered by the escalation model. */
  async sendEscalation(userText: string, requestMessages: ChatMessageParam[], model: string): Promise<ChatMessage> {
    this.assertIdle();
    this.conversation.messages.push({ id: this.newId(), role: 'user', text: userText, status: 'done' });
    return this.answer({ model, feature: 'escalation', messages: requestMessages }, { escalated: true });
  }

  /** Answers the last question again with the same model, for another answer. */
  async regenerate(): Promise<ChatMessage | undefined> {
    if (this.busy) return undefined;
    const last = this.lastAnswer();
    if (last?.alternativeOf) {
      // Regenerating a re-ask asks the strong model again; the original answer stays.
      this.conversation.messages.pop();
      return this.askStronger(last.alternativeOf);
    }
    this.dropTrailingAnswers();
    if (!this.conversation.messages.length) return undefined;
    const model = last?.escalated ? this.deps.escalationModel() : this.conversation.model || this.deps.defaultModel();
    this.regenerations++;
    const answer = await this.answer({ model, feature: 'chat' }, { escalated: last?.escalated });
    if (this.regenerations >= REGENERATIONS_BEFORE_SUGGESTION && this.offerEscalation(answer)) this.publish();
    return answer;
  }

  /** Replaces the last question's text and answers it again. */
  async editLast(text: string): Promise<ChatMessage | undefined> {
    this.assertIdle();
    this.dropTrailingAnswers();
    const question = this.conversation.messages.at(-1);
    if (!question || question.role !== 'user') return undefined;
    question.text = text;
    return this.answer({ model: this.conversation.model || this.deps.defaultModel(), feature: 'chat' });
  }

  /**
   * Sends the request behind answer `messageId` (one that failed) again, and puts the new answer in
   * its place: a re-ask asks the strong model the same question again; any other answer is asked
   * with the history up to its question and the model it was asked with. Throws at once, having
   * sent nothing, for an unknown answer or while one is streaming.
   */
  retry(messageId: string, options: Pick<AnswerOptions, 'allowOverBudget'> = {}): Promise<ChatMessage> {
    this.assertIdle();
    const failed = this.conversation.messages.find((m) => m.id === messageId);
    if (failed?.role !== 'assistant') throw userError(l10n.t('That answer is no longer in this conversation.'));
    // Conversations saved before retries existed do not say how their answers were asked.
    const request: AnswerRequest = this.conversation.requests?.[failed.id] ?? {
      model: failed.model ?? this.deps.defaultModel(),
      feature: failed.escalated ? 'escalation' : 'chat',
    };
    return this.answer(request, {
      allowOverBudget: options.allowOverBudget,
      alternativeOf: failed.alternativeOf,
      escalated: failed.escalated,
      replaces: failed,
    });
  }

  /** Re-asks the question behind `messageId` with the escalation model; both answers stay visible. */
  async askStronger(messageId: string): Promise<ChatMessage | undefined> {
    this.assertIdle();
    const index = this.conversation.messages.findIndex((m) => m.id === messageId);
    if (index < 0) return undefined;
    this.offeredUnder = undefined;
    return this.answer({ model: this.deps.escalationModel(), feature: 'escalation' }, { alternativeOf: messageId, escalated: true });
  }

  /** Asks `request` and streams the answer into the conversation; the history is what precedes the answer's place. */
  private async answer(request: AnswerRequest, options: AnswerOptions = {}): Promise<ChatMessage> {
    const { model, feature } = request;
    const answer: ChatMessage = {
      id: this.newId(),
      role: 'assistant',
      text: '',
      status: 'streaming',
      model,
      escalated: options.escalated || undefined,
      alternativeOf: options.alternativeOf,
    };
    this.insertAnswer(answer, options.replaces);
    (this.conversation.requests ??= {})[answer.id] = request;
    const history = request.messages ?? this.requestMessages(this.messagesBefore(answer));
    this.running = new AbortController();
    this.publish();
    let result: MeteredResult;
    try {
      result = await this.runMetered(
        feature,
        {
          model,
          modelSetting: feature === 'escalation' ? 'penny.escalationModel' : 'penny.chatModel',
          messages: history,
          signal: this.running.signal,
          onDelta: (delta) => {
            answer.text += delta;
            this.emit('messageDelta', { id: answer.id, text: delta, cost: answer.cost });
          },
        },
        {
          allowOverBudget: options.allowOverBudget,
          onCost: (usd, usage, exact) => {
            answer.cost = { ...usage, usd, exact };
          },
        },
      );
    } finally {
      this.running = undefined;
    }
    answer.model = result.model;

    if (result.record) {
      answer.cost = costOfRecord(result.record);
      answer.recordId = result.record.id;
    }
    answer.status = result.outcome === 'cancelled' ? 'stopped' : result.error ? 'error' : 'done';
    if (result.error) answer.error = { message: result.error.message, actions: result.error.actions };
    // A complete-looking answer that was cut by max_tokens says so.
    if (result.outcome === 'length') answer.error = { message: l10n.t('The answer reached the output token limit and is incomplete.'), actions: ['retry'] };
    // The answers after this one would now be re-asked with another history.
    if (this.conversation.messages.at(-1) !== answer) this.reaskPromptTokens.clear();
    this.emit('messageFinished', { ...answer });
    this.publish();
    return answer;
  }

  /** The metered client never rejects by contract; should it, the answer still ends, as an error. */
  private async runMetered(...args: Parameters<MeteredRunner['run']>): Promise<MeteredResult> {
    try {
      return await this.deps.metered.run(...args);
    } catch (error) {
      const message = l10n.t('Penny failed to send the request: {0}', errorMessage(error));
      return {
        text: '',
        model: args[1].model,
        serviceTier: 'default',
        outcome: 'error',
        sent: false,
        latencyMs: 0,
        promptTokensEstimate: 0,
        error: new PennyError('unknown', message, { actions: ['retry'] }),
      };
    }
  }

  /** The conversation as the API gets it: the system prompt, then each question (with its context) and kept answer. */
  private requestMessages(messages: ChatMessage[]): ChatMessageParam[] {
    // An answer that was re-asked with another model is replaced by the newer one.
    const replaced = new Set(messages.map((m) => m.alternativeOf).filter(Boolean));
    const turns: ChatMessageParam[] = messages
      .filter((m) => m.text.trim() !== '' && !replaced.has(m.id))
      .map((m) => ({ role: m.role, content: m.role === 'user' ? this.withContext(m) : m.text }));
    return [{ role: 'system', content: CHAT_SYSTEM_PROMPT }, ...turns];
  }

  private withContext(question: ChatMessage): string {
    const context = this.conversation.contexts?.[question.id] ?? [];
    if (context.length === 0) return question.text;
    const blocks = context.map((a) => `${a.label}:\n\`\`\`${a.languageId}\n${a.content}\n\`\`\``);
    return `${blocks.join('\n\n')}\n\n${question.text}`;
  }

  /** What precedes `answer`'s question: for a re-ask, what precedes the answer it re-asks. */
  private messagesBefore(answer: ChatMessage): ChatMessage[] {
    const messages = this.conversation.messages;
    return messages.slice(
      0,
      messages.findIndex((m) => m.id === (answer.alternativeOf ?? answer.id)),
    );
  }

  /** What re-asking each everyday-model answer with the strong model would cost, about, at the strong model's price now. */
  private escalationEstimates(): Record<string, number | null> {
    const price = this.deps.priceBook().lookup(this.deps.escalationModel());
    const out: Record<string, number | null> = {};
    this.conversation.messages.forEach((message, index) => {
      if (message.role !== 'assistant' || message.escalated || message.status === 'streaming') return;
      if (this.conversation.messages.some((m) => m.alternativeOf === message.id)) return;
      if (!price) {
        out[message.id] = null;
        return;
      }
      let promptTokens = this.reaskPromptTokens.get(message.id);
      if (promptTokens === undefined) {
        promptTokens = countChatTokens(this.requestMessages(this.conversation.messages.slice(0, index)));
        this.reaskPromptTokens.set(message.id, promptTokens);
      }
      const completionTokens = Math.max(message.cost?.completionTokens ?? 0, 200);
      out[message.id] = costOf({ promptTokens, cachedTokens: 0, completionTokens }, price);
    });
    return out;
  }

  /** A retry takes the place of the answer it retries; a re-ask goes right after the answer it re-asks (and its earlier re-asks); anything else at the end. */
  private insertAnswer(answer: ChatMessage, replaces?: ChatMessage): void {
    const messages = this.conversation.messages;
    if (replaces) {
      messages.splice(messages.indexOf(replaces), 1, answer);
      return;
    }
    if (!answer.alternativeOf) {
      messages.push(answer);
      return;
    }
    let at = messages.findIndex((m) => m.id === answer.alternativeOf) + 1;
    while (at < messages.length && messages[at].alternativeOf === answer.alternativeOf) at++;
    messages.splice(at, 0, answer);
  }

  /** Offers the strong model once per conversation; returns whether it did. */
  private offerEscalation(answer: ChatMessage): boolean {
    const strong = this.deps.escalationModel();
    if (!this.deps.suggestEscalation() || answer.escalated || this.suggestedIn.has(this.conversation.id)) return false;
    if (answer.model && answer.model.startsWith(strong) && !answer.model.startsWith(`${strong}-mini`)) return false;
    this.suggestedIn.add(this.conversation.id);
    this.offeredUnder = answer.id;
    return true;
  }

  /** The offer, worded when shown: with the strong model and its price in force now. */
  private suggestion(estimates: Record<string, number | null>): ChatSuggestion | undefined {
    if (!this.offeredUnder) return undefined;
    const strong = this.deps.escalationModel();
    const estimate = estimates[this.offeredUnder];
    const text =
      estimate === undefined
        ? l10n.t('Not quite right? Ask {0}.', strong)
        : estimate === null
          ? l10n.t('Not quite right? Ask {0} (price unknown).', strong)
          : l10n.t('Not quite right? Ask {0} (about {1}).', strong, formatUsd(estimate));
    return { messageId: this.offeredUnder, text };
  }

  private lastAnswer(): ChatMessage | undefined {
    const last = this.conversation.messages.at(-1);
    return last?.role === 'assistant' ? last : undefined;
  }

  private dropTrailingAnswers(): void {
    while (this.conversation.messages.at(-1)?.role === 'assistant') this.conversation.messages.pop();
  }

  private assertIdle(): void {
    if (this.busy) throw userError(l10n.t('An answer is still streaming; stop it first.'));
  }

  private emit<E extends EventName>(event: E, data: ExtensionEvents[E]): void {
    this.events.fire({ kind: 'event', event, data } as EventEnvelope);
  }

  private emptyConversation(): StoredConversation {
    const now = this.now().toISOString();
    return { id: this.newId(), title: l10n.t('New chat'), createdAt: now, updatedAt: now, model: '', messages: [] };
  }

  /** Sends the snapshot to the view and saves the conversation (once it has something in it). */
  private publish(): void {
    this.emit('snapshot', this.snapshot());
    if (this.conversation.messages.length === 0 || !this.deps.store) return;
    this.conversation.title = titleOf(this.conversation.messages);
    this.conversation.updatedAt = this.now().toISOString();
    const messages = this.conversation.messages.filter((m) => m.status !== 'streaming');
    // Only the requests of the answers kept: regenerated and retried ones are gone.
    const { requests = {} } = this.conversation;
    const settled = { ...this.conversation, messages, requests: Object.fromEntries(messages.filter((m) => requests[m.id]).map((m) => [m.id, requests[m.id]])) };
    this.lastSave = this.deps.store.save(settled).catch((error: unknown) => this.deps.onError?.(`Could not save the conversation: ${errorMessage(error)}`));
  }
}

function costOfRecord(record: NonNullable<MeteredResult['record']>): MessageCost {
  return {
    promptTokens: record.promptTokens,
    cachedTokens: record.cachedTokens,
    completionTokens: record.completionTokens,
    usd: record.costUsd,
    exact: record.exact,
  };
}
