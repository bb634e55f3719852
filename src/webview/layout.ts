// Which messages are shown together and which buttons each one gets. No DOM here, so the unit
// tests run it in Node.
import * as l10n from '@vscode/l10n';
import type { ChatMessage, ChatSnapshot } from '../shared/protocol';
import { askStrongerLabel } from './format';

/**
 * The messages in display order, in groups: an answer re-asked with another model (`alternativeOf`)
 * joins the group of the answer it re-asks, so both are shown side by side where the original was.
 * Most groups hold one message. Unknown or non-answer targets leave a message on its own.
 */
export function groupAlternatives(messages: readonly ChatMessage[]): ChatMessage[][] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const rootOf = (message: ChatMessage): string => {
    let current = message;
    const seen = new Set<string>();
    while (current.role === 'assistant' && current.alternativeOf && !seen.has(current.id)) {
      const target = byId.get(current.alternativeOf);
      if (!target || target.role !== 'assistant') break;
      seen.add(current.id);
      current = target;
    }
    return current.id;
  };
  const groups = new Map<string, ChatMessage[]>();
  for (const message of messages) {
    const root = rootOf(message);
    const group = groups.get(root);
    if (group) group.push(message);
    else groups.set(root, [message]);
  }
  // The re-asked answer first, whatever order the messages came in.
  return [...groups].map(([root, group]) => [...group.filter((m) => m.id === root), ...group.filter((m) => m.id !== root)]);
}

export interface MessageActions {
  /** "Regenerate": under the last answer on screen. */
  regenerate: boolean;
  /** "Edit": on the last question. */
  edit: boolean;
  /** "Ask gpt-4o (~$0.004)": answers the strong model could re-ask. */
  askStronger?: { label: string; title: string };
}

/**
 * The buttons of each message (by id) that gets any. Regenerate and Edit only when no answer is
 * streaming; Ask stays visible while one is, and the view disables it.
 */
export function messageActions(snapshot: ChatSnapshot, groups: readonly ChatMessage[][], busy: boolean): Map<string, MessageActions> {
  const actions = new Map<string, MessageActions>();
  const get = (id: string) => {
    let entry = actions.get(id);
    if (!entry) actions.set(id, (entry = { regenerate: false, edit: false }));
    return entry;
  };
  if (!busy) {
    const lastShown = groups.at(-1)?.at(-1);
    if (lastShown?.role === 'assistant' && lastShown.status !== 'streaming') get(lastShown.id).regenerate = true;
    const lastQuestion = snapshot.messages.findLast((m) => m.role === 'user');
    if (lastQuestion) get(lastQuestion.id).edit = true;
  }
  const estimates = snapshot.escalationEstimates ?? {};
  for (const message of snapshot.messages) {
    if (message.role !== 'assistant' || !Object.hasOwn(estimates, message.id)) continue;
    const model = snapshot.escalationModel || l10n.t('the strong model');
    get(message.id).askStronger = {
      label: askStrongerLabel(model, estimates[message.id] ?? null),
      title: l10n.t('Ask this question again with {0}; both answers stay visible. The price is an estimate.', model),
    };
  }
  return actions;
}
