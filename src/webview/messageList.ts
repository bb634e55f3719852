// The conversation on screen: brings the list in line with the state (each message redrawn only
// when it or its buttons changed, re-asks side by side), draws streamed text once per animation
// frame, keeps the list pinned to the bottom, and gives code blocks their toolbars.
import * as l10n from '@vscode/l10n';
import type { AttachmentInfo, ChatMessage, CodeActionId } from '../shared/protocol';
import { errorElement, type SuggestionBanner } from './banners';
import type { ChatState } from './chatState';
import { button, el, errorText, syncChildren } from './dom';
import type { EditMode } from './editMode';
import { attachmentText, costLine, vscodeLanguageId } from './format';
import { groupAlternatives, messageActions, type MessageActions } from './layout';
import type { CodeBlock } from './markdown';
import { renderMarkdown, StreamedMarkdown } from './render';
import type { RpcClient } from './rpc';

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

export interface MessageListHost {
  rpc: RpcClient;
  state: ChatState;
  editMode: EditMode;
  banner: SuggestionBanner;
  showNotice(text: string): void;
  /** Starts an answer unless one is under way; resolves whether the extension took the request. */
  startAnswer(request: () => Promise<void>, stickToBottom?: boolean): Promise<boolean>;
  /** Where the focus goes when the control that had it is gone. */
  focusPrompt(): void;
}

export class MessageList {
  readonly element = el('main', 'messages');
  private stickToBottom = true;
  /** Streaming messages whose text changed since the last animation frame. */
  private readonly dirty = new Set<string>();
  /** The bodies of streaming answers, kept across frames so their complete blocks are drawn once. */
  private readonly streamed = new Map<string, StreamedMarkdown>();
  /** The bodies of finished answers, kept while their text is the same: a message redrawn for its buttons keeps its body. */
  private readonly bodies = new Map<string, { text: string; element: HTMLElement }>();
  private frame: number | undefined;
  private readonly rendered = new Map<string, Rendered>();
  /** `.alternatives` containers by the id of the answer they hold the re-asks of. */
  private readonly groupElements = new Map<string, HTMLElement>();
  /** After "Ask <model>" on an answer: bring its re-ask into view when it appears. */
  private revealAlternativeOf: string | undefined;

  constructor(private readonly host: MessageListHost) {
    this.element.id = 'messages';
    this.element.setAttribute('role', 'log');
    this.element.setAttribute('aria-label', l10n.t('Conversation'));
    this.element.addEventListener(
      'scroll',
      () => {
        const { scrollTop, scrollHeight, clientHeight } = this.element;
        this.stickToBottom = scrollHeight - scrollTop - clientHeight <= bottomSlackPx;
      },
      { passive: true },
    );
    // The list shrinks when the prompt grows or the sidebar is resized: stay at the bottom.
    new ResizeObserver(() => this.scrollIfPinned()).observe(this.element);
  }

  /** Follow the end of the list again (after sending, or opening a conversation). */
  pinToBottom(): void {
    this.stickToBottom = true;
  }

  scrollIfPinned(): void {
    if (this.stickToBottom) this.element.scrollTop = this.element.scrollHeight;
  }

  /** Parsing markdown per delta would be quadratic work: the latest text of `id` is drawn once per frame. */
  textChanged(id: string): void {
    this.dirty.add(id);
    this.frame ??= requestAnimationFrame(() => this.flushFrame());
  }

  /** `id` is drawn whole by the next `render`: no frame needs to draw it. */
  finished(id: string): void {
    this.dirty.delete(id);
  }

  /** A snapshot replaced everything: the next `render` draws it all. */
  replaced(): void {
    this.dirty.clear();
  }

  /** Re-asks the question behind `messageId` with the strong model; an earlier answer's re-ask is scrolled into view. */
  askStronger(messageId: string): void {
    const isLast = this.host.state.snapshot?.messages.at(-1)?.id === messageId;
    if (!isLast) this.revealAlternativeOf = messageId;
    void this.host
      .startAnswer(() => this.host.rpc.request('askStronger', { messageId }), isLast)
      .then((started) => {
        if (!started) this.revealAlternativeOf = undefined;
      });
  }

  /**
   * Brings the list in line with the state: answers re-asked with another model side by side,
   * each message redrawn only if it (or its buttons) changed, the suggestion under its answer.
   */
  render(): void {
    const { state, editMode, banner } = this.host;
    const snapshot = state.snapshot;
    const busy = state.busy;
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement : undefined;
    const groups = snapshot ? groupAlternatives(snapshot.messages) : [];
    const actions = snapshot ? messageActions(snapshot, groups, busy) : new Map<string, MessageActions>();
    editMode.keepOnly(snapshot?.messages.findLast((m) => m.role === 'user')?.id);
    const restoreEditFocus = editMode.keepFocus(focused);

    const suggestion = banner.visible(snapshot);
    const nodes: HTMLElement[] = [];
    const shown = new Set<string>();
    const groupsShown = new Set<string>();
    for (const group of groups) {
      const elements = group.map((message) => {
        shown.add(message.id);
        return this.messageElement(message, actions.get(message.id), busy);
      });
      if (elements.length === 1) nodes.push(elements[0]);
      else {
        groupsShown.add(group[0].id);
        nodes.push(this.groupElement(group[0].id, elements));
      }
      if (suggestion && group.some((m) => m.id === suggestion.messageId)) nodes.push(banner.element(suggestion, snapshot?.escalationModel, busy));
    }
    for (const id of this.rendered.keys()) {
      if (!shown.has(id)) {
        this.rendered.delete(id);
        this.streamed.delete(id);
        this.bodies.delete(id);
      }
    }
    for (const id of this.groupElements.keys()) if (!groupsShown.has(id)) this.groupElements.delete(id);
    if (!suggestion) banner.forget();

    // Replacing the children must not move a list the user scrolled up in.
    const scrollTop = this.element.scrollTop;
    if (syncChildren(this.element, nodes) && !this.stickToBottom) this.element.scrollTop = scrollTop;
    this.revealAlternative();
    // The focused control was redrawn: the same one if it is still there, else the prompt.
    if (focused && !focused.isConnected && !restoreEditFocus?.()) {
      const same = sameControl(this.element, focused);
      if (same) same.focus();
      else this.host.focusPrompt();
    }
  }

  /** The Edit button of question `messageId`, if drawn. */
  editButtonOf(messageId: string): HTMLElement | undefined {
    return this.element.querySelector<HTMLElement>(`.message[data-id="${CSS.escape(messageId)}"] [data-action="edit"]`) ?? undefined;
  }

  private flushFrame(): void {
    this.frame = undefined;
    for (const id of this.dirty) {
      const message = this.host.state.message(id);
      const rendered = this.rendered.get(id);
      if (message && rendered) {
        this.fillMessage(rendered.element, message, rendered.state);
        rendered.key = renderKey(message, rendered.state);
      }
    }
    this.dirty.clear();
    this.scrollIfPinned();
  }

  private messageElement(message: ChatMessage, actions: MessageActions | undefined, busy: boolean): HTMLElement {
    const editing = this.host.editMode.isEditing(message.id);
    const state: RenderState = { actions, editing, busy: actions?.askStronger || editing ? busy : undefined };
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
    if (state.editing) parts.push(this.host.editMode.form(message));
    else if (message.role === 'assistant') parts.push(this.answerBody(message));
    else parts.push(el('div', 'body', message.text)); // the user's own words, shown as typed
    if (message.attachments?.length) parts.push(messageAttachments(message.attachments));
    if (message.role === 'assistant') {
      const line = costLine(message.model, message.cost, message.status);
      if (line) parts.push(el('div', 'cost', line));
    }
    if (message.error) parts.push(errorElement(message.id, message.error.message, message.error.actions, this.host.rpc, (text) => this.host.showNotice(text)));
    const actions = state.editing ? undefined : this.actionsElement(message, state);
    if (actions) parts.push(actions);
    // A streaming answer's body is among the parts: it must stay in place, not be moved.
    syncChildren(element, parts);
  }

  /**
   * The rendered answer. While it streams, the same body element is kept and only its last block is
   * redrawn, so long answers stay fluid; the finished answer is rendered whole, once (the snapshot
   * after `messageFinished` changes its buttons, not its text).
   */
  private answerBody(message: ChatMessage): HTMLElement {
    const toolbarFor = (block: CodeBlock) => this.codeToolbar(block, message.id);
    if (message.status !== 'streaming') {
      this.streamed.delete(message.id);
      const drawn = this.bodies.get(message.id);
      if (drawn?.text === message.text) return drawn.element;
      const body = el('div', 'body');
      body.append(renderMarkdown(message.text, toolbarFor));
      this.bodies.set(message.id, { text: message.text, element: body });
      return body;
    }
    this.bodies.delete(message.id);
    let streamed = this.streamed.get(message.id);
    if (!streamed) {
      streamed = new StreamedMarkdown(el('div', 'body'), toolbarFor);
      this.streamed.set(message.id, streamed);
    }
    streamed.show(message.text);
    return streamed.element;
  }

  private actionsElement(message: ChatMessage, { actions, busy }: RenderState): HTMLElement | undefined {
    if (!actions) return undefined;
    const buttons: HTMLButtonElement[] = [];
    if (actions.edit) {
      const edit = button(l10n.t('Edit'), l10n.t('Edit this question and ask again'), { action: 'edit' });
      edit.addEventListener('click', () => this.host.editMode.start(message));
      buttons.push(edit);
    }
    if (actions.regenerate) {
      const regenerate = button(l10n.t('Regenerate'), l10n.t('Answer the last question again with the same model'), { action: 'regenerate' });
      regenerate.addEventListener('click', () => void this.host.startAnswer(() => this.host.rpc.request('regenerate')));
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

  /** Scrolls a fresh re-ask of an earlier answer into view (the list only follows the bottom by itself). */
  private revealAlternative(): void {
    const target = this.revealAlternativeOf;
    const alternative = target && this.host.state.snapshot?.messages.find((m) => m.alternativeOf === target);
    if (!alternative) return;
    this.revealAlternativeOf = undefined;
    this.rendered.get(alternative.id)?.element.scrollIntoView({ block: 'nearest' });
  }

  // Code blocks

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
      await this.host.rpc.request('codeAction', { action: action.id, code: block.code, language: vscodeLanguageId(block.language), messageId });
      actionButton.textContent = action.done;
    } catch (error) {
      actionButton.textContent = l10n.t('Failed');
      this.host.showNotice(errorText(error));
    }
    setTimeout(() => {
      actionButton.textContent = action.label;
      actionButton.disabled = false;
    }, feedbackMs);
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
