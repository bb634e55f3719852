// One chat conversation: its messages, sending a question through the metered client, streaming
// the answer out as protocol events, stopping, retrying. Pure: the webview adapter carries the events.
import type { ChatMessage, ChatSnapshot, ExtensionEvents, MessageCost } from '../../shared/protocol';
import type { Feature } from '../cost/ledger';
import type { ChatMessageParam } from '../openaiClient';
import type { MeteredClient, MeteredResult } from '../meteredClient';

export const CHAT_SYSTEM_PROMPT =
  'You are Penny, a concise and precise programming assistant inside VS Code. Answer in GitHub-flavoured markdown. ' +
  'Put code in fenced blocks with a language tag. Prefer short, correct answers.';

export type Emit = <E extends keyof ExtensionEvents>(event: E, data: ExtensionEvents[E]) => void;

export interface ChatSessionDeps {
  metered: MeteredClient;
  emit: Emit;
  models: () => string[];
  defaultModel: () => string;
  newId?: () => string;
}

export interface SendOptions {
  feature?: Feature;
  allowOverBudget?: boolean;
  /** The request's messages when they are not simply the conversation (an escalation's prompt). */
  requestMessages?: ChatMessageParam[];
  modelSetting?: string;
}

export class ChatSession {
  private messages: ChatMessage[] = [];
  private conversationId: string;
  private selectedModel?: string;
  private running?: AbortController;
  private readonly newId: () => string;

  constructor(private readonly deps: ChatSessionDeps) {
    let counter = 0;
    this.newId = deps.newId ?? (() => `${Date.now().toString(36)}-${(counter++).toString(36)}`);
    this.conversationId = this.newId();
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  snapshot(): ChatSnapshot {
    const answers = this.messages.filter((m) => m.role === 'assistant' && m.cost);
    const totalUsd = answers.some((m) => m.cost!.usd === null) ? null : answers.reduce((sum, m) => sum + (m.cost!.usd ?? 0), 0);
    return {
      conversationId: this.conversationId,
      messages: this.messages.map((m) => ({ ...m })),
      models: this.deps.models(),
      selectedModel: this.selectedModel ?? this.deps.defaultModel(),
      busy: this.busy,
      totalUsd,
    };
  }

  newChat(): void {
    this.stop();
    this.messages = [];
    this.conversationId = this.newId();
    this.deps.emit('snapshot', this.snapshot());
  }

  stop(): void {
    this.running?.abort();
  }

  /** Asks a question; resolves when the answer is finished, stopped or failed. */
  async send(text: string, model: string, options: SendOptions = {}): Promise<ChatMessage> {
    if (this.busy) throw new Error('An answer is still streaming; stop it first.');
    this.selectedModel = model;
    this.messages.push({ id: this.newId(), role: 'user', text, status: 'done' });
    return this.answer(model, options);
  }

  /** Shows an escalation as a question in this conversation and answers it with the escalation model. */
  async sendEscalation(userText: string, requestMessages: ChatMessageParam[], model: string): Promise<ChatMessage> {
    if (this.busy) throw new Error('An answer is still streaming; stop it first.');
    this.messages.push({ id: this.newId(), role: 'user', text: userText, status: 'done' });
    return this.answer(model, { feature: 'escalation', requestMessages, modelSetting: 'penny.escalationModel' });
  }

  /** Answers the last question again (after an error, or to regenerate). */
  async retry(options: SendOptions = {}): Promise<ChatMessage | undefined> {
    if (this.busy) return undefined;
    while (this.messages.length > 0 && this.messages[this.messages.length - 1].role === 'assistant') this.messages.pop();
    if (this.messages.length === 0) return undefined;
    return this.answer(this.selectedModel ?? this.deps.defaultModel(), options);
  }

  private async answer(model: string, options: SendOptions): Promise<ChatMessage> {
    const history = options.requestMessages ?? this.requestMessages();
    const answer: ChatMessage = { id: this.newId(), role: 'assistant', text: '', status: 'streaming', model };
    this.messages.push(answer);
    this.running = new AbortController();
    this.deps.emit('snapshot', this.snapshot());
    let result: MeteredResult;
    try {
      result = await this.deps.metered.run(
        options.feature ?? 'chat',
        {
          model,
          modelSetting: options.modelSetting ?? 'penny.chatModel',
          messages: history,
          signal: this.running.signal,
          onDelta: (delta) => {
            answer.text += delta;
            this.deps.emit('messageDelta', { id: answer.id, text: delta, cost: answer.cost });
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
    if (result.record) answer.cost = costOfRecord(result.record);
    answer.status = result.outcome === 'cancelled' ? 'stopped' : result.error ? 'error' : 'done';
    if (result.error) answer.error = { message: result.error.message, actions: result.error.actions };
    this.deps.emit('messageFinished', { ...answer });
    this.deps.emit('snapshot', this.snapshot());
    return answer;
  }

  /** The conversation as the API gets it: the system prompt, then every question and kept answer. */
  private requestMessages(): ChatMessageParam[] {
    // Partial answers (stopped, cut) stay in the context; empty failed ones do not.
    const turns: ChatMessageParam[] = this.messages
      .filter((m) => m.text.trim() !== '')
      .map((m) => ({ role: m.role, content: m.text }));
    return [{ role: 'system', content: CHAT_SYSTEM_PROMPT }, ...turns];
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
