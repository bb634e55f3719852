// The composer under the list: the prompt with `@file` suggestions, the context chips waiting to go
// with the next question, the attach buttons, the model picker and Send (Stop while busy).
import * as l10n from '@vscode/l10n';
import type { ChatSnapshot } from '../shared/protocol';
import { autoGrow, button, el, errorText } from './dom';
import { attachmentText } from './format';
import type { RpcClient } from './rpc';
import { FileSuggestions } from './suggestions';

export interface ComposerHost {
  rpc: RpcClient;
  /** An answer is streaming or about to: Send becomes Stop. */
  busy(): boolean;
  /** Asks `text` with `model`; resolves whether the extension took it. */
  send(text: string, model: string): Promise<boolean>;
  showNotice(text: string): void;
  /** The draft or the model pick changed. */
  changed(): void;
}

export class Composer {
  readonly element = el('footer', 'composer');
  readonly prompt = el('textarea');
  /** A model picked here that the extension has not confirmed yet. */
  chosenModel: string | undefined;
  private readonly attachments = el('div', 'attachments');
  private attachmentsKey = '';
  private readonly suggestions: FileSuggestions;
  private readonly attachSelectionButton = button(l10n.t('+ Selection'), l10n.t("Attach the editor's selection as context"), { id: 'attach-selection' });
  private readonly attachFileButton = button(l10n.t('+ File'), l10n.t('Attach the current file as context (or type @ and a file name)'), { id: 'attach-file' });
  private readonly modelSelect = el('select');
  private readonly sendButton = button(l10n.t('Send'), l10n.t('Send (Enter)'), { id: 'send' });

  /** `notice`: shown above the context chips. */
  constructor(
    notice: HTMLElement,
    private readonly host: ComposerHost,
  ) {
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
    this.suggestions = new FileSuggestions(this.prompt, {
      fetch: (query) => host.rpc.request('fileSuggestions', { query }),
      chosen: (path) => this.attach({ kind: 'file', path }),
      edited: () => this.promptEdited(),
      showNotice: (text) => host.showNotice(text),
    });

    const promptWrap = el('div', 'prompt-wrap');
    promptWrap.append(this.suggestions.element, this.prompt);
    const attachButtons = el('div', 'attach-buttons');
    attachButtons.append(this.attachSelectionButton, this.attachFileButton);
    const controls = el('div', 'composer-controls');
    controls.append(attachButtons, this.modelSelect, this.sendButton);
    this.element.append(notice, this.attachments, promptWrap, controls);
    this.listen();
  }

  get draft(): string {
    return this.prompt.value;
  }

  restore(draft: string, chosenModel: string | undefined): void {
    this.prompt.value = draft;
    this.chosenModel = chosenModel;
    autoGrow(this.prompt);
  }

  /** The models and the context waiting to go, as the snapshot has them. */
  render(snapshot: ChatSnapshot): void {
    this.renderModels(snapshot);
    this.renderAttachments(snapshot);
    this.updateSendButton();
  }

  updateSendButton(): void {
    const busy = this.host.busy();
    this.sendButton.textContent = busy ? l10n.t('Stop') : l10n.t('Send');
    this.sendButton.title = busy ? l10n.t('Stop the answer') : l10n.t('Send (Enter)');
    this.sendButton.classList.toggle('stop', busy);
    this.sendButton.disabled = !busy && this.prompt.value.trim() === '';
  }

  private listen(): void {
    this.prompt.addEventListener('keydown', (event) => {
      if (event.isComposing || this.suggestions.handleKey(event)) return;
      if (event.key !== 'Enter' || event.shiftKey) return;
      event.preventDefault();
      if (!this.host.busy()) void this.submit();
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
      if (this.host.busy()) this.host.rpc.request('stop').catch((error: unknown) => this.host.showNotice(errorText(error)));
      else void this.submit();
    });
    this.modelSelect.addEventListener('change', () => {
      this.chosenModel = this.modelSelect.value;
      this.host.changed();
      this.host.rpc.request('selectModel', { model: this.modelSelect.value }).catch((error: unknown) => this.host.showNotice(errorText(error)));
    });
    this.attachSelectionButton.addEventListener('click', () => this.attach({ kind: 'selection' }, this.attachSelectionButton));
    this.attachFileButton.addEventListener('click', () => this.attach({ kind: 'currentFile' }, this.attachFileButton));
    // Focusing the view (e.g. "Penny: Focus Chat") should land in the prompt.
    window.addEventListener('focus', () => {
      if (document.activeElement === document.body) this.prompt.focus();
    });
  }

  private promptEdited(): void {
    autoGrow(this.prompt);
    this.updateSendButton();
    this.host.changed();
  }

  private async submit(): Promise<void> {
    const text = this.prompt.value.trim();
    if (!text) return;
    const model = this.modelSelect.value;
    this.suggestions.close();
    this.prompt.value = '';
    autoGrow(this.prompt);
    this.host.changed();
    if (await this.host.send(text, model)) return;
    // Give the text back so nothing typed is lost.
    if (!this.prompt.value) this.prompt.value = text;
    autoGrow(this.prompt);
    this.updateSendButton();
  }

  private attach(params: { kind: 'selection' | 'currentFile' | 'file'; path?: string }, trigger?: HTMLButtonElement): void {
    if (trigger) trigger.disabled = true;
    this.host.rpc
      .request('attach', params)
      .catch((error: unknown) => this.host.showNotice(errorText(error)))
      .finally(() => {
        if (trigger) trigger.disabled = false;
      });
  }

  private renderAttachments(snapshot: ChatSnapshot): void {
    const attachments = snapshot.attachments ?? [];
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
          this.host.rpc.request('removeAttachment', { id: attachment.id }).catch((error: unknown) => {
            remove.disabled = false;
            this.host.showNotice(errorText(error));
          });
        });
        chip.append(text, remove);
        return chip;
      }),
    );
    this.attachments.hidden = attachments.length === 0;
    if (hadFocus) (this.attachments.querySelector<HTMLElement>('[data-action="remove-attachment"]') ?? this.prompt).focus();
  }

  private renderModels({ models, selectedModel }: ChatSnapshot): void {
    const choices = models.includes(selectedModel) ? models : [selectedModel, ...models];
    // Keep the user's pick until the extension reports it as selected (or no longer offers it).
    if (this.chosenModel === selectedModel || (this.chosenModel && !choices.includes(this.chosenModel))) this.chosenModel = undefined;
    this.modelSelect.replaceChildren(...choices.map((model) => new Option(model, model)));
    this.modelSelect.value = this.chosenModel ?? selectedModel;
  }
}
