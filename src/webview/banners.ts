// What the view tells the user beside the conversation: the notice above the prompt, the suggestion
// banner under an answer, and the error (with its buttons) under a failed answer.
import * as l10n from '@vscode/l10n';
import type { ChatSnapshot, ChatSuggestion, ErrorActionId } from '../shared/protocol';
import { button, el, errorText } from './dom';
import { errorActionLabel } from './format';
import type { RpcClient } from './rpc';
import { suggestionKey } from './state';

export type NoticeSeverity = 'info' | 'warning' | 'error';

const noticeMs = 8000;

/** A short message above the prompt, hidden again after a while. */
export class Notice {
  readonly element = el('div', 'notice');
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element.id = 'notice';
    this.element.setAttribute('role', 'status');
    this.element.hidden = true;
  }

  /** Request failures are errors; `notice` events say their severity. */
  show(text: string, severity: NoticeSeverity = 'error'): void {
    this.element.textContent = text;
    this.element.dataset.severity = severity;
    this.element.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.element.hidden = true;
    }, noticeMs);
  }
}

export interface SuggestionBannerHost {
  /** "Ask <model>" on the banner: re-ask the answer it is under. */
  askStronger(messageId: string): void;
  /** The banner was closed: draw the list without it and save that. */
  dismissed(): void;
}

/** The extension's one-time offer under an answer (e.g. to ask the stronger model), until the user closes it. */
export class SuggestionBanner {
  /** The suggestion the user closed (see `suggestionKey`), so it stays closed. */
  dismissed: string | undefined;
  private drawn: { key: string; element: HTMLElement } | undefined;

  constructor(private readonly host: SuggestionBannerHost) {}

  /** The snapshot's suggestion, unless it was closed or its answer is gone. */
  visible(snapshot: ChatSnapshot | undefined): ChatSuggestion | undefined {
    const suggestion = snapshot?.suggestion;
    if (!suggestion || suggestionKey(suggestion) === this.dismissed) return undefined;
    return snapshot.messages.some((m) => m.id === suggestion.messageId) ? suggestion : undefined;
  }

  /** The banner element, the same one while nothing it shows changed. */
  element(suggestion: ChatSuggestion, escalationModel: string | undefined, busy: boolean): HTMLElement {
    const model = escalationModel || l10n.t('the stronger model');
    const key = JSON.stringify([suggestion, model, busy]);
    if (this.drawn?.key === key) return this.drawn.element;
    const banner = el('div', 'suggestion-banner');
    banner.dataset.messageId = suggestion.messageId;
    banner.setAttribute('role', 'note');
    const ask = button(l10n.t('Ask {0}', model), l10n.t('Ask this question again with {0}; both answers stay visible', model), { action: 'accept-suggestion' });
    ask.disabled = busy;
    ask.addEventListener('click', () => this.host.askStronger(suggestion.messageId));
    const dismiss = button('×', l10n.t('Dismiss this suggestion'), {
      action: 'dismiss-suggestion',
      label: l10n.t('Dismiss suggestion'),
      className: 'icon-button',
    });
    dismiss.addEventListener('click', () => {
      this.dismissed = suggestionKey(suggestion);
      this.host.dismissed();
    });
    banner.append(el('span', 'suggestion-text', suggestion.text), ask, dismiss);
    this.drawn = { key, element: banner };
    return banner;
  }

  /** No banner is shown: the next one is drawn afresh. */
  forget(): void {
    this.drawn = undefined;
  }
}

/** The error under answer `messageId`, with a button for each action the extension offers. */
export function errorElement(messageId: string, text: string, actions: ErrorActionId[], rpc: RpcClient, showNotice: (text: string) => void): HTMLElement {
  const container = el('div', 'error');
  container.setAttribute('role', 'alert');
  container.append(el('p', 'error-text', text));
  const buttons = el('div', 'error-actions');
  for (const action of actions) {
    const actionButton = button(errorActionLabel(action), errorActionLabel(action), { action });
    actionButton.addEventListener('click', () => {
      actionButton.disabled = true;
      rpc
        .request('errorAction', { action, messageId })
        .catch((error: unknown) => showNotice(errorText(error)))
        .finally(() => {
          actionButton.disabled = false;
        });
    });
    buttons.append(actionButton);
  }
  container.append(buttons);
  return container;
}
