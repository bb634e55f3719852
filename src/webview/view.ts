// The chat view: puts its parts together (header, message list, composer, edit mode, banners)
// around the state derived from the extension's snapshots and events, and saves what the webview
// must not lose while hidden.
import * as l10n from '@vscode/l10n';
import type { ChatMessage, ChatSnapshot, ExtensionEvents } from '../shared/protocol';
import { Notice, SuggestionBanner, type NoticeSeverity } from './banners';
import { ChatState } from './chatState';
import { Composer } from './composer';
import { button, el, errorText } from './dom';
import { EditMode } from './editMode';
import { formatTotal } from './format';
import { HistoryPanel } from './history';
import { MessageList } from './messageList';
import type { RpcClient } from './rpc';
import type { PersistedState } from './state';

const persistDelayMs = 300;

export class ChatView {
  private readonly state = new ChatState();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly totalCost = el('span', 'total-cost');
  private readonly notice = new Notice();
  private readonly history: HistoryPanel;
  private readonly banner: SuggestionBanner;
  private readonly editMode: EditMode;
  private readonly list: MessageList;
  private readonly composer: Composer;

  constructor(
    root: HTMLElement,
    rpc: RpcClient,
    private readonly save: (state: PersistedState) => void,
  ) {
    const showNotice = (text: string) => this.showNotice(text);
    const busy = () => this.state.busy;
    const changed = () => this.schedulePersist();
    this.banner = new SuggestionBanner({
      askStronger: (messageId) => this.list.askStronger(messageId),
      dismissed: () => {
        this.list.render();
        this.schedulePersist();
      },
    });
    this.editMode = new EditMode({
      busy,
      resend: (text) => this.startAnswer(() => rpc.request('editLast', { text })),
      redraw: () => this.list.render(),
      changed,
      editButtonOf: (messageId) => this.list.editButtonOf(messageId),
    });
    this.list = new MessageList({
      rpc,
      state: this.state,
      editMode: this.editMode,
      banner: this.banner,
      showNotice,
      startAnswer: (request, stickToBottom) => this.startAnswer(request, stickToBottom),
      focusPrompt: () => this.composer.prompt.focus(),
    });
    this.composer = new Composer(this.notice.element, {
      rpc,
      busy,
      send: (text, model) => this.startAnswer(() => rpc.request('send', { text, model })),
      showNotice,
      changed,
    });
    this.history = new HistoryPanel({
      rpc,
      showNotice,
      currentConversationId: () => this.state.snapshot?.conversationId,
      opened: () => {
        this.list.pinToBottom();
        this.list.scrollIfPinned();
        this.composer.prompt.focus();
      },
    });

    this.totalCost.id = 'total-cost';
    const newChatButton = button(l10n.t('New chat'), l10n.t('Start a new conversation'), { id: 'new-chat' });
    newChatButton.addEventListener('click', () => rpc.request('newChat').catch((error: unknown) => this.showNotice(errorText(error))));
    const header = el('header', 'chat-header');
    const headerActions = el('div', 'header-actions');
    headerActions.append(this.history.toggle, newChatButton);
    header.append(this.totalCost, headerActions, this.history.element);
    root.replaceChildren(header, this.list.element, this.composer.element);

    // The webview may be destroyed right after it is hidden: save without waiting.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.persistNow();
    });
    this.renderTotal();
    this.composer.updateSendButton();
  }

  /** What the webview saved before it was last hidden, until the extension's snapshot arrives. */
  restore(saved: PersistedState): void {
    this.composer.restore(saved.draft, saved.chosenModel);
    this.editMode.restore(saved.editing);
    this.banner.dismissed = saved.dismissedSuggestion;
    if (saved.snapshot) this.showSnapshot(saved.snapshot);
    else this.composer.updateSendButton();
  }

  showSnapshot(snapshot: ChatSnapshot): void {
    this.state.applySnapshot(snapshot);
    this.list.replaced();
    this.list.render();
    this.composer.render(snapshot);
    this.renderTotal();
    this.list.scrollIfPinned();
    this.schedulePersist();
  }

  messageDelta(delta: ExtensionEvents['messageDelta']): void {
    if (!this.state.applyDelta(delta)) return;
    this.list.textChanged(delta.id);
    this.schedulePersist();
  }

  messageFinished(message: ChatMessage): void {
    if (!this.state.applyFinished(message)) return;
    this.list.finished(message.id);
    this.redraw();
  }

  /** A short message above the prompt; request failures are errors, `notice` events say their severity. */
  showNotice(text: string, severity: NoticeSeverity = 'error'): void {
    this.notice.show(text, severity);
  }

  /**
   * Send, Regenerate, Save & Resend, Ask <model>: the reply comes at once, the answer as events.
   * The view is busy from the click (the pending flag) so nothing can start a second answer; the
   * extension's snapshot before its reply, or the reply itself, ends that.
   */
  private startAnswer(request: () => Promise<void>, stickToBottom = true): Promise<boolean> {
    if (!this.state.beginPending()) return Promise.resolve(false);
    if (stickToBottom) this.list.pinToBottom();
    this.redraw();
    return request().then(
      () => {
        if (this.state.endPending()) this.redraw();
        return true;
      },
      (error: unknown) => {
        if (this.state.endPending()) this.redraw();
        this.showNotice(errorText(error));
        return false;
      },
    );
  }

  /** After an event or a change of `busy`: the list, the Send button and the total. */
  private redraw(): void {
    this.list.render();
    this.renderTotal();
    this.composer.updateSendButton();
    this.list.scrollIfPinned();
    this.schedulePersist();
  }

  private renderTotal(): void {
    const total = this.state.snapshot ? this.state.snapshot.totalUsd : 0;
    this.totalCost.textContent = formatTotal(total);
    this.totalCost.title =
      total === null ? l10n.t('A model without a known price answered in this conversation') : l10n.t('What this conversation has cost so far');
  }

  private schedulePersist(): void {
    this.persistTimer ??= setTimeout(() => this.persistNow(), persistDelayMs);
  }

  private persistNow(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.save({
      snapshot: this.state.snapshot,
      draft: this.composer.draft,
      chosenModel: this.composer.chosenModel,
      editing: this.editMode.saved,
      dismissedSuggestion: this.banner.dismissed,
    });
  }
}
