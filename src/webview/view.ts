// The chat view: builds the DOM once, keeps the current snapshot, and applies the extension's events.
import type { ChatMessage, ChatSnapshot, CodeActionId, ErrorActionId, ExtensionEvents } from '../shared/protocol';
import { addToTotal, costLine, errorActionLabels, formatTotal, vscodeLanguageId } from './format';
import type { CodeBlock } from './markdown';
import { renderMarkdown } from './render';
import type { RpcClient } from './rpc';

/** What survives the view being hidden (the webview is destroyed then) via `vscode.setState`. */
export interface PersistedState {
  snapshot?: ChatSnapshot;
  draft: string;
  /** A model picked in the view that the extension has not seen yet (it learns it on `send`). */
  chosenModel?: string;
}

const codeActions: ReadonlyArray<{ id: CodeActionId; label: string; title: string; done: string }> = [
  { id: 'copy', label: 'Copy', title: 'Copy the code', done: 'Copied' },
  { id: 'insert', label: 'Insert', title: 'Insert the code at the cursor', done: 'Inserted' },
  { id: 'apply', label: 'Apply', title: 'Apply the code to the active editor', done: 'Applied' },
  { id: 'newFile', label: 'New File', title: 'Open the code in a new file', done: 'Opened' },
];

const feedbackMs = 1500;
const noticeMs = 8000;
const persistDelayMs = 300;
/** Within this distance of the end the list counts as "at the bottom" and follows new text. */
const bottomSlackPx = 24;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function button(text: string, title: string, id?: string): HTMLButtonElement {
  const element = el('button', undefined, text);
  element.type = 'button';
  element.title = title;
  if (id) element.id = id;
  return element;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ChatView {
  private snapshot: ChatSnapshot | undefined;
  private busy = false;
  private chosenModel: string | undefined;
  private stickToBottom = true;
  /** Streaming messages whose text changed since the last animation frame. */
  private readonly dirty = new Set<string>();
  private frame: number | undefined;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly messageElements = new Map<string, HTMLElement>();

  private readonly totalCost = el('span', 'total-cost');
  private readonly newChatButton = button('New chat', 'Start a new conversation', 'new-chat');
  private readonly list = el('main', 'messages');
  private readonly notice = el('div', 'notice');
  private readonly prompt = el('textarea');
  private readonly modelSelect = el('select');
  private readonly sendButton = button('Send', 'Send (Enter)', 'send');

  constructor(
    root: HTMLElement,
    private readonly rpc: RpcClient,
    private readonly save: (state: PersistedState) => void,
  ) {
    this.totalCost.id = 'total-cost';
    this.list.id = 'messages';
    this.list.setAttribute('role', 'log');
    this.notice.id = 'notice';
    this.notice.setAttribute('role', 'status');
    this.notice.hidden = true;
    this.prompt.id = 'prompt';
    this.prompt.rows = 1;
    this.prompt.placeholder = 'Ask Penny (Enter to send, Shift+Enter for a new line)';
    this.prompt.setAttribute('aria-label', 'Message');
    this.modelSelect.id = 'model';
    this.modelSelect.title = 'Model for the next message';

    const header = el('header', 'chat-header');
    header.append(this.totalCost, this.newChatButton);
    const controls = el('div', 'composer-controls');
    controls.append(this.modelSelect, this.sendButton);
    const composer = el('footer', 'composer');
    composer.append(this.notice, this.prompt, controls);
    root.replaceChildren(header, this.list, composer);

    this.listen();
    this.renderTotal();
    this.updateSendButton();
  }

  restore(state: PersistedState): void {
    this.prompt.value = state.draft;
    this.chosenModel = state.chosenModel;
    this.autoGrow();
    if (state.snapshot) this.showSnapshot(state.snapshot);
    else this.updateSendButton();
  }

  showSnapshot(snapshot: ChatSnapshot): void {
    this.snapshot = snapshot;
    this.busy = snapshot.busy;
    this.dirty.clear();
    this.messageElements.clear();
    this.list.replaceChildren(...snapshot.messages.map((message) => this.createMessageElement(message)));
    this.renderModels();
    this.renderTotal();
    this.updateSendButton();
    this.scrollIfPinned();
    this.schedulePersist();
  }

  messageStarted(message: ChatMessage): void {
    if (!this.snapshot) return; // the `ready` reply brings it along
    this.upsertMessage(message);
    if (message.status === 'streaming') this.busy = true;
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
    this.renderTotal();
    this.updateSendButton();
    this.scrollIfPinned();
    this.schedulePersist();
  }

  showNotice(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = false;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice.hidden = true;
    }, noticeMs);
  }

  private listen(): void {
    this.prompt.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      if (!this.busy) void this.submit();
    });
    this.prompt.addEventListener('input', () => {
      this.autoGrow();
      this.updateSendButton();
      this.schedulePersist();
    });
    this.sendButton.addEventListener('click', () => {
      if (this.busy) this.reportFailure(this.rpc.request('stop'));
      else void this.submit();
    });
    this.newChatButton.addEventListener('click', () => this.reportFailure(this.rpc.request('newChat')));
    this.modelSelect.addEventListener('change', () => {
      this.chosenModel = this.modelSelect.value;
      this.schedulePersist();
    });
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

  private async submit(): Promise<void> {
    const text = this.prompt.value.trim();
    if (!text) return;
    const model = this.modelSelect.value;
    this.prompt.value = '';
    this.autoGrow();
    this.busy = true;
    this.stickToBottom = true;
    this.updateSendButton();
    this.schedulePersist();
    try {
      await this.rpc.request('send', { text, model });
    } catch (error) {
      // Give the text back so nothing typed is lost.
      if (!this.prompt.value) this.prompt.value = text;
      this.autoGrow();
      this.busy = this.snapshot?.busy ?? false;
      this.updateSendButton();
      this.showNotice(errorText(error));
    }
  }

  /** Fire-and-forget requests whose effect arrives as events: only failures need showing. */
  private reportFailure(pending: Promise<unknown>): void {
    pending.catch((error: unknown) => this.showNotice(errorText(error)));
  }

  private flushFrame(): void {
    this.frame = undefined;
    for (const id of this.dirty) {
      const message = this.snapshot?.messages.find((m) => m.id === id);
      const element = this.messageElements.get(id);
      if (message && element) this.fillMessage(element, message);
    }
    this.dirty.clear();
    this.scrollIfPinned();
  }

  private upsertMessage(message: ChatMessage): void {
    const messages = this.snapshot?.messages;
    if (!messages) return;
    const index = messages.findIndex((m) => m.id === message.id);
    const element = this.messageElements.get(message.id);
    if (index >= 0 && element) {
      messages[index] = message;
      this.fillMessage(element, message);
    } else {
      messages.push(message);
      this.list.append(this.createMessageElement(message));
    }
  }

  private createMessageElement(message: ChatMessage): HTMLElement {
    const element = el('article', 'message');
    this.messageElements.set(message.id, element);
    this.fillMessage(element, message);
    return element;
  }

  private fillMessage(element: HTMLElement, message: ChatMessage): void {
    element.dataset.id = message.id;
    element.dataset.role = message.role;
    element.dataset.status = message.status;
    // Screen readers wait for the finished answer instead of reading every frame.
    element.setAttribute('aria-busy', String(message.status === 'streaming'));

    const parts: HTMLElement[] = [el('div', 'author', message.role === 'user' ? 'You' : 'Penny')];
    const body = el('div', 'body');
    if (message.role === 'assistant') body.append(renderMarkdown(message.text, (block) => this.codeToolbar(block)));
    else body.textContent = message.text; // the user's own words, shown as typed
    parts.push(body);
    if (message.role === 'assistant') {
      const line = costLine(message.model, message.cost, message.status);
      if (line) parts.push(el('div', 'cost', line));
    }
    if (message.error) parts.push(this.errorElement(message.id, message.error.message, message.error.actions));
    element.replaceChildren(...parts);
  }

  private codeToolbar(block: CodeBlock): HTMLElement {
    const toolbar = el('div', 'code-toolbar');
    toolbar.append(el('span', 'code-language', block.language ?? ''));
    for (const action of codeActions) {
      const actionButton = button(action.label, action.title);
      actionButton.dataset.action = action.id;
      actionButton.addEventListener('click', () => void this.runCodeAction(actionButton, action, block));
      toolbar.append(actionButton);
    }
    return toolbar;
  }

  private async runCodeAction(actionButton: HTMLButtonElement, action: (typeof codeActions)[number], block: CodeBlock): Promise<void> {
    actionButton.disabled = true;
    try {
      await this.rpc.request('codeAction', { action: action.id, code: block.code, language: vscodeLanguageId(block.language) });
      actionButton.textContent = action.done;
    } catch (error) {
      actionButton.textContent = 'Failed';
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
      const actionButton = button(errorActionLabels[action], errorActionLabels[action]);
      actionButton.dataset.action = action;
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
      total === null ? 'A model without a known price answered in this conversation' : 'What this conversation has cost so far';
  }

  private updateSendButton(): void {
    this.sendButton.textContent = this.busy ? 'Stop' : 'Send';
    this.sendButton.title = this.busy ? 'Stop the answer' : 'Send (Enter)';
    this.sendButton.classList.toggle('stop', this.busy);
    this.sendButton.disabled = !this.busy && this.prompt.value.trim() === '';
  }

  /** Grows the prompt with its content; chat.css caps the height and scrolls beyond it. */
  private autoGrow(): void {
    this.prompt.style.height = 'auto';
    const borders = this.prompt.offsetHeight - this.prompt.clientHeight;
    this.prompt.style.height = `${this.prompt.scrollHeight + borders}px`;
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
    this.save({ snapshot: this.snapshot, draft: this.prompt.value, chosenModel: this.chosenModel });
  }
}
