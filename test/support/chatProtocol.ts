// Messages, snapshots and events of the chat protocol, built for tests and benchmarks.
import type { ChatMessage, ChatSnapshot, EventEnvelope } from '../../src/shared/protocol';

export function snapshotOf(messages: ChatMessage[], extra: Partial<ChatSnapshot> = {}): ChatSnapshot {
  return {
    conversationId: 'c-test',
    messages,
    models: ['gpt-4o-mini', 'gpt-4o'],
    selectedModel: 'gpt-4o-mini',
    busy: false,
    totalUsd: 0,
    attachments: [],
    escalationModel: 'gpt-4o',
    escalationEstimates: {},
    ...extra,
  };
}

export function userMessage(id: string, text: string): ChatMessage {
  return { id, role: 'user', text, status: 'done' };
}

export function assistantMessage(id: string, text: string, status: ChatMessage['status'] = 'done'): ChatMessage {
  const cost = { promptTokens: 120, cachedTokens: 0, completionTokens: Math.ceil(text.length / 4), usd: 0.00012, exact: status === 'done' };
  return { id, role: 'assistant', text, status, model: 'gpt-4o-mini-2024-07-18', cost };
}

/**
 * What the extension sends when answers start (chatSession.ts `answer`): a snapshot with them
 * streaming (the text so far, no cost yet) after `before`, and `busy`.
 */
export function answersStarted(before: ChatMessage[], answers: ChatMessage[], extra: Partial<ChatSnapshot> = {}): EventEnvelope {
  const streaming = answers.map((a): ChatMessage => ({ ...a, status: 'streaming', cost: undefined }));
  return event('snapshot', snapshotOf([...before, ...streaming], { busy: true, ...extra }));
}

export function event<E extends EventEnvelope['event']>(name: E, data: Extract<EventEnvelope, { event: E }>['data']): EventEnvelope {
  return { kind: 'event', event: name, data } as EventEnvelope;
}
