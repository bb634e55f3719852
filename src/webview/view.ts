// The chat view: builds the DOM once, keeps the current snapshot, and applies the extension's events.
import * as l10n from '@vscode/l10n';
import type { AttachmentInfo, ChatMessage, ChatSnapshot, ChatSuggestion, CodeActionId, ErrorActionId, ExtensionEvents } from '../shared/protocol';
import { autoGrow, button, el, errorText, syncChildren } from './dom';
import { addToTotal, attachmentText, costLine, errorActionLabel, formatTotal, vscodeLanguageId } from './format';
import { HistoryPanel } from './history';
import { groupAlternatives, messageActions, type MessageActions } from './layout';
import type { CodeBlock } from './markdown';
import { renderMarkdown, StreamedMarkdown } from './render';
import type { RpcClient } from './rpc';
import { suggestionKey, type PersistedState } from './state';
import { FileSuggestions } from './suggestions';

export type { PersistedState } from './state';

export type NoticeSeverity = 'info' | 'warning' | 'error';

interface CodeAction {
  id: CodeActionId;
  label: string;
  title: string;
  done: string;
}

/** A function, not a constant: the labels are translated once l10n is configured, after the modules load. */
function codeActions(): CodeAction[] {
  return [
    { id: 'copy', label: l10n.t('Copy'), title: l10n.t('Copy the code'), done: l10n.t('Copied') },
    { id: 'insert', label: l10n.t('Insert'), title: l10n.t('Insert the code at the cursor'), done: l10n.t('Inserted') },
    { id: 'apply', label: l10n.t('Apply'), title: l10n.t('Apply the code to the active editor'), done: l10n.t('Applied') },
    { id: 'newFile', label: l10n.t('New File'), title: l10n.t('Open the code in a new file'), done: l10n.t('Opened') },
  ];
}

const feedbackMs = 1500;
const noticeMs = 8000;
const persistDelayMs = 300;
/** Within this distance of the end the list counts as "at the bottom" and follows new text. */
const bottomSlackPx = 24;

/** How a message element was last drawn; it is redrawn only when this changes. */
interface RenderState {
  actions: MessageActions | undefined;
  editing: boolean;
  /** Whether an answer is streaming, for messages whose buttons it disables. */
  busy: boolean | undefined;
}

interface Rendered {
  element: HTMLElement;
  key: string;
  state: RenderState;
}

export class ChatView {
  private snapshot: ChatSnapshot | undefined;
  private busy = false;
  private chosenModel: string | undefined;
  private stickToBottom = true;
  /** Streaming messages whose text changed since the last animation frame. */
  private readonly dirty = new Set<string>();
  /** The bodies of streaming answers, kept across frames so their complete blocks are drawn once. */
  private readonly streamed = new Map<string, StreamedMarkdown>();
  private frame: number | undefined;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly rendered = new Map<string, Rendered>();
  /** `.alternatives` containers by the id of the answer they hold the re-asks of. */
  private readonly groupElements = new Map<string, HTMLElement>();
  private banner: { key: string; element: HTMLElement } | undefined;
  private attachmentsKey = '';
  /** The last question while it is being edited. */
  private editing: { id: string; text: string } | undefined;
  private editBox: HTMLTextAreaElement | undefined;
  private dismissedSuggestion: string | undefined;
  /** After "Ask <model>" on an answer: bring its re-ask into view when it appears. */
  private revealAlternativeOf: string | undefined;

  private readonly totalCost = el('span', 'total-cost');
  private readonly newChatButton = button(l10n.t('New chat'), l10n.t('Start a new conversation'), { id: 'new-chat' });
  private readonly history: HistoryPanel;
  private readonly list = el('main', 'messages');
  private readonly notice = el('div', 'notice');
  private readonly attachments = el('div', 'attachments');
  private readonly prompt = el('textarea');
  private readonly suggestions: FileSuggestions;
  private readonly attachSelectionButton = button(l10n.t('+ Selection'), l10n.t("Attach the editor's selection as context"), { id: 'attach-selection' });
  private readonly attachFileButton = button(l10n.t('+ File'), l10n.t('Attach the current file as context (or type @ and a file name)'), { id: 'attach-file' });
  private readonly modelSelect = el('select');
  private readonly sendButton = button(l10n.t('Send'), l10n.t('Send (Enter)'), { id: 'send' });

  constructor(
    root: HTMLElement,
    private readonly rpc: RpcClient,
    private readonly save: (state: PersistedState) => void,
  ) {
    this.totalCost.id = 'total-cost';
    this.list.id = 'messages';
    this.list.setAttribute('role', 'log');
    this.list.setAttribute('aria-label', l10n.t('Conversation'));
    this.notice.id = 'notice';
    this.notice.setAttribute('role', 'status');
    this.notice.hidden = true;
    this.attachments.id = 'attachments';
    this.attachments.setAttribute('role', 'list');
    this.attachments.setAttribute('aria-label', l10n.t('Context for the next question'));
    this.attachments.hidden = true;
    this.prompt.id = 'prompt';
    this.prompt.rows = 1;
    this.prompt.placeholder = l10n.t('Ask Penny (Enter to send, Shift+Enter for a new line, @ to attach a file)');
    this.prompt.setAttribute('aria-label', l10n.t('Message'));
    this.modelSelect.id = 'model';
    this.modelSelect.title = l10n.t('Model for the next message');
    this.modelSelect.setAttribute('aria-label', l10n.t('Model'));

    this.history = new HistoryPanel({
      rpc,
      showNotice: (text) => this.showNotice(text),
      currentConversationId: () => this.snapshot?.conversationId,
      opened: () => {
        this.stickToBottom = true;
        this.scrollIfPinned();
        this.prompt.focus();
      },
    });
    this.suggestions = new FileSuggestions(this.prompt, {
      fetch: (query) => this.rpc.request('fileSuggestions', { query }),
      chosen: (path) => this.attach({ kind: 'file', path }),
      edited: () => this.promptEdited(),
      showNotice: (text) => this.showNotice(text),
    });

    const header = el('header', 'chat-header');
    const headerActions = el('div', 'header-actions');
    headerActions.append(this.history.toggle, this.newChatButton);
    header.append(this.totalCost, headerActions, this.history.element);
    const promptWrap = el('div', 'prompt-wrap');
    promptWrap.append(this.suggestions.element, this.prompt);
    const attachButtons = el('div', 'attach-buttons');
    attachButtons.append(this.attachSelectionButton, this.attachFileButton);
    const controls = el('div', 'composer-controls');
    controls.append(attachButtons, this.modelSelect, this.sendButton);
    const composer = el('footer', 'composer');
    composer.append(this.notice, this.attachments, promptWrap, controls);
    root.replaceChildren(header, this.list, composer);

    this.listen();
    this.renderTotal();
    this.updateSendButton();
  }

  restore(state: PersistedState): void {
    this.prompt.value = state.draft;
    this.chosenModel = state.chosenModel;
    this.editing = state.editing;
    this.dismissedSuggestion = state.dismissedSuggestion;
    autoGrow(this.prompt);
    if (state.snapshot) this.showSnapshot(state.snapshot);
    else this.updateSendButton();
  }

  showSnapshot(snapshot: ChatSnapshot): void {
    this.snapshot = snapshot;
    this.busy = snapshot.busy;
    this.dirty.clear();
    this.renderList();
    this.renderModels();
    this.renderAttachments();
    this.renderTotal();
    this.updateSendButton();
    this.scrollIfPinned();
    this.schedulePersist();
  }

  messageStarted(message: ChatMessage): void {
    if (!this.snapshot) return; // the `ready` reply brings it along
    this.upsertMessage(message);
    if (message.status === 'streaming') this.busy = true;
    this.renderList();
    this.updateSendButton();
    this.scrollIfPinned();
    this.schedulePersist();
  }

  messageDelta({ id, text, cost }: ExtensionEvents['messageDelta']): void {
    const message = this.snapshot?.messages.find((m) => m.id === id);
    if (!message) return;
    message.text += text;
    if (cost) message.cost = cost;
    // Parsing markdown per delta would be quadratic work; render the latest text once per frame.
    this.dirty.add(id);
    this.frame ??= requestAnimationFrame(() => this.flushFrame());
    this.schedulePersist();
  }

  messageFinished(message: ChatMessage): void {
    if (!this.snapshot) return;
    const previous = this.snapshot.messages.find((m) => m.id === message.id);
    if (previous?.status === 'streaming') this.snapshot.totalUsd = addToTotal(this.snapshot.totalUsd, message.cost);
    this.dirty.delete(message.id);
    this.upsertMessage(message);
    this.busy = this.snapshot.messages.some((m) => m.status === 'streaming');
    this.renderList();
    this.renderTotal();
    this.updateSendButton();
    this.scrollIfPinned();
    this.schedulePersist();
  }

  /** A short message above the prompt; request failures are errors, `notice` events say their severity. */
  showNotice(text: string, severity: NoticeSeverity = 'error'): void {
    this.notice.textContent = text;
    this.notice.dataset.severity = severity;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice.hidden = true;
    }, noticeMs);
  }

  private listen(): void {
    this.prompt.addEventListener('keydown', (event) => {
      if (event.isComposing || this.suggestions.handleKey(event)) return;
      if (event.key !== 'Enter' || event.shiftKey) return;
      event.preventDefault();
      if (!this.busy) void this.submit();
    });
    this.prompt.addEventListener('input', () => {
      this.promptEdited();
      this.suggestions.update();
    });
    // The caret may move into or out of an `@mention` without typing.
    this.prompt.addEventListener('click', () => this.suggestions.update());
    this.prompt.addEventListener('keyup', (event) => {
      if (/^(?:Arrow(?:Left|Right|Up|Down)|Home|End|PageUp|PageDown)$/.test(event.key) && !this.suggestions.isOpen) this.suggestions.update();
    });
    this.sendButton.addEventListener('click', () => {
      if (this.busy) this.reportFailure(this.rpc.request('stop'));
      else void this.submit();
    });
    this.newChatButton.addEventListener('click', () => this.reportFailure(this.rpc.request('newChat')));
    this.modelSelect.addEventListener('change', () => {
      this.chosenModel = this.modelSelect.value;
      this.schedulePersist();
      this.reportFailure(this.rpc.request('selectModel', { model: this.modelSelect.value }));
    });
    this.attachSelectionButton.addEventListener('click', () => this.attach({ kind: 'selection' }, this.attachSelectionButton));
    this.attachFileButton.addEventListener('click', () => this.attach({ kind: 'currentFile' }, this.attachFileButton));
    this.list.addEventListener(
      'scroll',
      () => {
        const { scrollTop, scrollHeight, clientHeight } = this.list;
        this.stickToBottom = scrollHeight - scrollTop - clientHeight <= bottomSlackPx;
      },
      { passive: true },
    );
    // The list shrinks when the prompt grows or the sidebar is resized: stay at the bottom.
    new ResizeObserver(() => this.scrollIfPinned()).observe(this.list);
    // Focusing the view (e.g. "Penny: Focus Chat") should land in the prompt.
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body) this.prompt.focus();
    });
    // The webview may be destroyed right after it is hidden: save without waiting.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.persistNow();
    });
  }

  private promptEdited(): void {
    autoGrow(this.prompt);
    this.updateSendButton();
    this.schedulePersist();
  }

  private async submit(): Promise<void> {
    const text = this.prompt.value.trim();
    if (!text) return;
    const model = this.modelSelect.value;
    this.suggestions.close();
    this.prompt.value = '';
    autoGrow(this.prompt);
    this.busy = true;
    this.stickToBottom = true;
    this.updateSendButton();
    this.schedulePersist();
    try {
      await this.rpc.request('send', { text, model });
    } catch (error) {
      // Give the text back so nothing typed is lost.
      if (!this.prompt.value) this.prompt.value = text;
      autoGrow(this.prompt);
      this.busy = this.snapshot?.busy ?? false;
      this.updateSendButton();
      this.showNotice(errorText(error));
    }
  }

  /**
   * Regenerate, Save & Resend, Ask <model>: the reply comes at once, the answer as events.
   * The view counts as busy meanwhile so the buttons cannot start a second answer.
   */
  private startAnswer(request: () => Promise<void>, stickToBottom = true): Promise<boolean> {
    if (this.busy) return Promise.resolve(false);
    this.busy = true;
    if (stickToBottom) this.stickToBottom = true;
    this.updateSendButton();
    this.renderList();
    return request().then(
      () => true,
      (error: unknown) => {
        this.busy = this.snapshot?.busy ?? false;
        this.updateSendButton();
        this.renderList();
        this.showNotice(errorText(error));
        return false;
      },
    );
  }

  private attach(params: { kind: 'selection' | 'currentFile' | 'file'; path?: string }, trigger?: HTMLButtonElement): void {
    if (trigger) trigger.disabled = true;
    this.rpc
      .request('attach', params)
      .catch((error: unknown) => this.showNotice(errorText(error)))
      .finally(() => {
        if (trigger) trigger.disabled = false;
      });
  }

  /** Fire-and-forget requests whose effect arrives as events: only failures need showing. */
  private reportFailure(pending: Promise<unknown>): void {
    pending.catch((error: unknown) => this.showNotice(errorText(error)));
  }

  /**
   * The rendered answer. While it streams, the same body element is kept and only its last block is
   * redrawn, so long answers stay fluid; the finished answer is rendered whole.
   */
  private answerBody(message: ChatMessage): HTMLElement {
    const toolbarFor = (block: CodeBlock) => this.codeToolbar(block, message.id);
    if (message.status !== 'streaming') {
      this.streamed.delete(message.id);
      const body = el('div', 'body');
      body.append(renderMarkdown(message.text, toolbarFor));
      return body;
    }
    let streamed = this.streamed.get(message.id);
    if (!streamed) {
      streamed = new StreamedMarkdown(el('div', 'body'), toolbarFor);
      this.streamed.set(message.id, streamed);
    }
    streamed.show(message.text);
    return streamed.element;
  }

  private flushFrame(): void {
    this.frame = undefined;
    for (const id of this.dirty) {
      const message = this.snapshot?.messages.find((m) => m.id === id);
      const rendered = this.rendered.get(id);
      if (message && rendered) {
        this.fillMessage(rendered.element, message, rendered.state);
        rendered.key = renderKey(message, rendered.state);
      }
    }
    this.dirty.clear();
    this.scrollIfPinned();
  }

  private upsertMessage(message: ChatMessage): void {
    const messages = this.snapshot?.messages;
    if (!messages) return;
    const index = messages.findIndex((m) => m.id === message.id);
    if (index >= 0) messages[index] = message;
    else messages.push(message);
  }

  // Messages

  /**
   * Brings the list in line with the snapshot: answers re-asked with another model side by side,
   * each message redrawn only if it (or its buttons) changed, the suggestion under its answer.
   */
  private renderList(): void {
    const snapshot = this.snapshot;
    const focused = document.activeElement instanceof HTMLElement && this.list.contains(document.activeElement) ? document.activeElement : undefined;
    const groups = snapshot ? groupAlternatives(snapshot.messages) : [];
    const actions = snapshot ? messageActions(snapshot, groups, this.busy) : new Map<string, MessageActions>();
    // Only the last question can be edited; the edit survives an answer to it starting or failing.
    if (this.editing && this.editing.id !== snapshot?.messages.findLast((m) => m.role === 'user')?.id) this.stopEditing();
    const editBox = this.editBox;
    const editSelection = focused && focused === editBox ? [editBox.selectionStart, editBox.selectionEnd] : undefined;

    const suggestion = this.visibleSuggestion();
    const nodes: HTMLElement[] = [];
    const shown = new Set<string>();
    const groupsShown = new Set<string>();
    for (const group of groups) {
      const elements = group.map((message) => {
        shown.add(message.id);
        return this.messageElement(message, actions.get(message.id));
      });
      if (elements.length === 1) nodes.push(elements[0]);
      else {
        groupsShown.add(group[0].id);
        nodes.push(this.groupElement(group[0].id, elements));
      }
      if (suggestion && group.some((m) => m.id === suggestion.messageId)) nodes.push(this.bannerElement(suggestion));
    }
    for (const id of this.rendered.keys()) {
      if (!shown.has(id)) {
        this.rendered.delete(id);
        this.streamed.delete(id);
      }
    }
    for (const id of this.groupElements.keys()) if (!groupsShown.has(id)) this.groupElements.delete(id);
    if (!suggestion) this.banner = undefined;

    // Replacing the children must not move a list the user scrolled up in.
    const scrollTop = this.list.scrollTop;
    if (syncChildren(this.list, nodes) && !this.stickToBottom) this.list.scrollTop = scrollTop;
    this.revealAlternative();
    if (focused && !focused.isConnected) {
      // The focused control was redrawn: the same one if it is still there, else the prompt.
      if (editSelection && this.editBox?.isConnected) {
        this.editBox.focus();
        this.editBox.setSelectionRange(editSelection[0], editSelection[1]);
      } else (sameControl(this.list, focused) ?? this.prompt).focus();
    }
  }

  private messageElement(message: ChatMessage, actions: MessageActions | undefined): HTMLElement {
    const state: RenderState = {
      actions,
      editing: this.editing?.id === message.id,
      busy: actions?.askStronger || this.editing?.id === message.id ? this.busy : undefined,
    };
    const key = renderKey(message, state);
    let rendered = this.rendered.get(message.id);
    if (!rendered) {
      rendered = { element: el('article', 'message'), key: '', state };
      this.rendered.set(message.id, rendered);
    }
    if (rendered.key !== key) {
      this.fillMessage(rendered.element, message, state);
      rendered.key = key;
      rendered.state = state;
    }
    return rendered.element;
  }

  private groupElement(rootId: string, elements: HTMLElement[]): HTMLElement {
    let group = this.groupElements.get(rootId);
    if (!group) {
      group = el('div', 'alternatives');
      group.dataset.alternativesOf = rootId;
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', l10n.t('Answers from different models'));
      this.groupElements.set(rootId, group);
    }
    syncChildren(group, elements);
    return group;
  }

  private fillMessage(element: HTMLElement, message: ChatMessage, state: RenderState): void {
    element.dataset.id = message.id;
    element.dataset.role = message.role;
    element.dataset.status = message.status;
    element.classList.toggle('escalated', !!message.escalated);
    element.classList.toggle('editing', state.editing);
    // Screen readers wait for the finished answer instead of reading every frame.
    element.setAttribute('aria-busy', String(message.status === 'streaming'));

    const author = el('div', 'author', message.role === 'user' ? l10n.t('You') : 'Penny');
    if (message.escalated) {
      const badge = el('span', 'badge escalated-badge', l10n.t('escalated'));
      badge.title = message.model ? l10n.t('Answered by the stronger model ({0})', message.model) : l10n.t('Answered by the stronger model');
      author.append(' ', badge);
    }
    const parts: HTMLElement[] = [author];
    if (state.editing) parts.push(this.editForm(message));
    else if (message.role === 'assistant') parts.push(this.answerBody(message));
    else parts.push(el('div', 'body', message.text)); // the user's own words, shown as typed
    if (message.attachments?.length) parts.push(messageAttachments(message.attachments));
    if (message.role === 'assistant') {
      const line = costLine(message.model, message.cost, message.status);
      if (line) parts.push(el('div', 'cost', line));
    }
    if (message.error) parts.push(this.errorElement(message.id, message.error.message, message.error.actions));
    const actions = state.editing ? undefined : this.actionsElement(message, state);
    if (actions) parts.push(actions);
    // A streaming answer's body is among the parts: it must stay in place, not be moved.
    syncChildren(element, parts);
  }

  private actionsElement(message: ChatMessage, { actions, busy }: RenderState): HTMLElement | undefined {
    if (!actions) return undefined;
    const buttons: HTMLButtonElement[] = [];
    if (actions.edit) {
      const edit = button(l10n.t('Edit'), l10n.t('Edit this question and ask again'), { action: 'edit' });
      edit.addEventListener('click', () => this.startEditing(message));
      buttons.push(edit);
    }
    if (actions.regenerate) {
      const regenerate = button(l10n.t('Regenerate'), l10n.t('Answer the last question again with the same model'), { action: 'regenerate' });
      regenerate.addEventListener('click', () => void this.startAnswer(() => this.rpc.request('regenerate')));
      buttons.push(regenerate);
    }
    if (actions.askStronger) {
      const ask = button(actions.askStronger.label, actions.askStronger.title, { action: 'ask-stronger' });
      ask.disabled = !!busy;
      ask.addEventListener('click', () => this.askStronger(message.id));
      buttons.push(ask);
    }
    if (!buttons.length) return undefined;
    const row = el('div', 'message-actions');
    row.append(...buttons);
    return row;
  }

  private askStronger(messageId: string): void {
    const isLast = this.snapshot?.messages.at(-1)?.id === messageId;
    if (!isLast) this.revealAlternativeOf = messageId;
    void this.startAnswer(() => this.rpc.request('askStronger', { messageId }), isLast).then((started) => {
      if (!started) this.revealAlternativeOf = undefined;
    });
  }

  /** Scrolls a fresh re-ask of an earlier answer into view (the list only follows the bottom by itself). */
  private revealAlternative(): void {
    const target = this.revealAlternativeOf;
    const alternative = target && this.snapshot?.messages.find((m) => m.alternativeOf === target);
    if (!alternative) return;
    this.revealAlternativeOf = undefined;
    this.rendered.get(alternative.id)?.element.scrollIntoView({ block: 'nearest' });
  }

  // Editing the last question

  private startEditing(message: ChatMessage): void {
    this.editing = { id: message.id, text: message.text };
    this.renderList();
    const box = this.editBox;
    if (box) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
    this.schedulePersist();
  }

  private stopEditing(): void {
    this.editing = undefined;
    this.editBox = undefined;
    this.schedulePersist();
  }

  private editForm(message: ChatMessage): HTMLElement {
    const form = el('div', 'edit-form');
    const box = el('textarea', 'edit-box');
    box.rows = 2;
    box.value = this.editing?.text ?? message.text;
    box.setAttribute('aria-label', l10n.t('Edit your question'));
    const saveButton = button(l10n.t('Save & Resend'), l10n.t('Replace the question and answer it again (Enter)'), { action: 'save-edit' });
    const cancelButton = button(l10n.t('Cancel'), l10n.t('Keep the question as it was (Escape)'), { action: 'cancel-edit' });
    const updateSave = () => {
      saveButton.disabled = this.busy || box.value.trim() === '';
    };
    const save = () => {
      const text = box.value.trim();
      if (!text || this.busy) return;
      void this.startAnswer(() => this.rpc.request('editLast', { text })).then((started) => {
        if (started && this.editing?.id === message.id) {
          this.stopEditing();
          this.renderList();
        }
      });
    };
    const cancel = () => {
      this.stopEditing();
      this.renderList();
      this.list.querySelector<HTMLElement>(`.message[data-id="${CSS.escape(message.id)}"] [data-action="edit"]`)?.focus();
    };
    box.addEventListener('input', () => {
      if (this.editing) this.editing.text = box.value;
      autoGrow(box);
      updateSave();
      this.schedulePersist();
    });
    box.addEventListener('keydown', (event) => {
      if (event.isComposing) return;
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        save();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      }
    });
    saveButton.addEventListener('click', save);
    cancelButton.addEventListener('click', cancel);
    updateSave();
    const buttons = el('div', 'edit-actions');
    buttons.append(saveButton, cancelButton);
    form.append(box, buttons);
    this.editBox = box;
    requestAnimationFrame(() => autoGrow(box));
    return form;
  }

  // The suggestion banner

  private visibleSuggestion(): ChatSuggestion | undefined {
    const suggestion = this.snapshot?.suggestion;
    if (!suggestion || suggestionKey(suggestion) === this.dismissedSuggestion) return undefined;
    return this.snapshot?.messages.some((m) => m.id === suggestion.messageId) ? suggestion : undefined;
  }

  private bannerElement(suggestion: ChatSuggestion): HTMLElement {
    const model = this.snapshot?.escalationModel || l10n.t('the stronger model');
    const key = JSON.stringify([suggestion, model, this.busy]);
    if (this.banner?.key === key) return this.banner.element;
    const banner = el('div', 'suggestion-banner');
    banner.dataset.messageId = suggestion.messageId;
    banner.setAttribute('role', 'note');
    const ask = button(l10n.t('Ask {0}', model), l10n.t('Ask this question again with {0}; both answers stay visible', model), { action: 'accept-suggestion' });
    ask.disabled = this.busy;
    ask.addEventListener('click', () => this.askStronger(suggestion.messageId));
    const dismiss = button('×', l10n.t('Dismiss this suggestion'), {
      action: 'dismiss-suggestion',
      label: l10n.t('Dismiss suggestion'),
      className: 'icon-button',
    });
    dismiss.addEventListener('click', () => {
      this.dismissedSuggestion = suggestionKey(suggestion);
      this.renderList();
      this.schedulePersist();
    });
    banner.append(el('span', 'suggestion-text', suggestion.text), ask, dismiss);
    this.banner = { key, element: banner };
    return banner;
  }

  // Code blocks and errors

  /** `messageId`: the answer the block is in (Apply on an escalated answer targets the code it was asked about). */
  private codeToolbar(block: CodeBlock, messageId: string): HTMLElement {
    const toolbar = el('div', 'code-toolbar');
    toolbar.append(el('span', 'code-language', block.language ?? ''));
    for (const action of codeActions()) {
      const actionButton = button(action.label, action.title, { action: action.id });
      actionButton.addEventListener('click', () => void this.runCodeAction(actionButton, action, block, messageId));
      toolbar.append(actionButton);
    }
    return toolbar;
  }

  private async runCodeAction(actionButton: HTMLButtonElement, action: CodeAction, block: CodeBlock, messageId: string): Promise<void> {
    actionButton.disabled = true;
    try {
      await this.rpc.request('codeAction', { action: action.id, code: block.code, language: vscodeLanguageId(block.language), messageId });
      actionButton.textContent = action.done;
    } catch (error) {
      actionButton.textContent = l10n.t('Failed');
      this.showNotice(errorText(error));
    }
    setTimeout(() => {
      actionButton.textContent = action.label;
      actionButton.disabled = false;
    }, feedbackMs);
  }

  private errorElement(messageId: string, text: string, actions: ErrorActionId[]): HTMLElement {
    const container = el('div', 'error');
    container.setAttribute('role', 'alert');
    container.append(el('p', 'error-text', text));
    const buttons = el('div', 'error-actions');
    for (const action of actions) {
      const actionButton = button(errorActionLabel(action), errorActionLabel(action), { action });
      actionButton.addEventListener('click', () => {
        actionButton.disabled = true;
        this.rpc
          .request('errorAction', { action, messageId })
          .catch((error: unknown) => this.showNotice(errorText(error)))
          .finally(() => {
            actionButton.disabled = false;
          });
      });
      buttons.append(actionButton);
    }
    container.append(buttons);
    return container;
  }

  // Composer and header

  private renderAttachments(): void {
    const attachments = this.snapshot?.attachments ?? [];
    const key = JSON.stringify(attachments);
    if (key === this.attachmentsKey) return;
    this.attachmentsKey = key;
    const hadFocus = this.attachments.contains(document.activeElement);
    this.attachments.replaceChildren(
      ...attachments.map((attachment) => {
        const chip = el('span', 'attachment');
        chip.dataset.id = attachment.id;
        chip.dataset.kind = attachment.kind;
        chip.setAttribute('role', 'listitem');
        const text = el('span', 'attachment-label', attachmentText(attachment));
        text.title =
          attachment.kind === 'selection'
            ? l10n.t('Selection sent with the next question: {0}', attachmentText(attachment))
            : l10n.t('File sent with the next question: {0}', attachmentText(attachment));
        const remove = button('×', l10n.t('Remove {0}', attachment.label), {
          action: 'remove-attachment',
          label: l10n.t('Remove {0}', attachment.label),
          className: 'icon-button',
        });
        remove.addEventListener('click', () => {
          remove.disabled = true;
          this.rpc.request('removeAttachment', { id: attachment.id }).catch((error: unknown) => {
            remove.disabled = false;
            this.showNotice(errorText(error));
          });
        });
        chip.append(text, remove);
        return chip;
      }),
    );
    this.attachments.hidden = attachments.length === 0;
    if (hadFocus) (this.attachments.querySelector<HTMLElement>('[data-action="remove-attachment"]') ?? this.prompt).focus();
  }

  private renderModels(): void {
    if (!this.snapshot) return;
    const { models, selectedModel } = this.snapshot;
    const choices = models.includes(selectedModel) ? models : [selectedModel, ...models];
    // Keep the user's pick until the extension reports it as selected (or no longer offers it).
    if (this.chosenModel === selectedModel || (this.chosenModel && !choices.includes(this.chosenModel))) this.chosenModel = undefined;
    this.modelSelect.replaceChildren(...choices.map((model) => new Option(model, model)));
    this.modelSelect.value = this.chosenModel ?? selectedModel;
  }

  private renderTotal(): void {
    const total = this.snapshot ? this.snapshot.totalUsd : 0;
    this.totalCost.textContent = formatTotal(total);
    this.totalCost.title =
      total === null ? l10n.t('A model without a known price answered in this conversation') : l10n.t('What this conversation has cost so far');
  }

  private updateSendButton(): void {
    this.sendButton.textContent = this.busy ? l10n.t('Stop') : l10n.t('Send');
    this.sendButton.title = this.busy ? l10n.t('Stop the answer') : l10n.t('Send (Enter)');
    this.sendButton.classList.toggle('stop', this.busy);
    this.sendButton.disabled = !this.busy && this.prompt.value.trim() === '';
  }

  private scrollIfPinned(): void {
    if (this.stickToBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  private schedulePersist(): void {
    this.persistTimer ??= setTimeout(() => this.persistNow(), persistDelayMs);
  }

  private persistNow(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.save({
      snapshot: this.snapshot,
      draft: this.prompt.value,
      chosenModel: this.chosenModel,
      editing: this.editing,
      dismissedSuggestion: this.dismissedSuggestion,
    });
  }
}

function renderKey(message: ChatMessage, state: RenderState): string {
  return JSON.stringify([message, state]);
}

/** The chips of the context that went with a question. */
function messageAttachments(attachments: AttachmentInfo[]): HTMLElement {
  const container = el('div', 'message-attachments');
  container.setAttribute('role', 'list');
  container.setAttribute('aria-label', l10n.t('Attached context'));
  for (const attachment of attachments) {
    const chip = el('span', 'message-attachment', attachmentText(attachment));
    chip.setAttribute('role', 'listitem');
    chip.title = attachment.label;
    container.append(chip);
  }
  return container;
}

/** The control in a redrawn message that matches one that had the focus (same message, same action). */
function sameControl(list: HTMLElement, old: HTMLElement): HTMLElement | undefined {
  const action = old.dataset.action;
  const messageId = old.closest<HTMLElement>('.message')?.dataset.id;
  if (!action || !messageId) return undefined;
  const match = list.querySelector<HTMLElement>(`.message[data-id="${CSS.escape(messageId)}"] [data-action="${CSS.escape(action)}"]`);
  return match && !(match as HTMLButtonElement).disabled ? match : undefined;
}
