// The History panel: saved conversations, newest first; open one, or delete it after an inline
// confirmation (`confirm()` dialogs do not work in webviews).
import * as l10n from '@vscode/l10n';
import type { ConversationSummary } from '../shared/protocol';
import { button, el, errorText } from './dom';
import { historyMeta, newestFirst } from './format';
import type { RpcClient } from './rpc';

export interface HistoryHost {
  rpc: RpcClient;
  showNotice(text: string): void;
  /** The conversation on screen, marked in the list. */
  currentConversationId(): string | undefined;
  /** After a conversation was opened from the list. */
  opened(): void;
}

export class HistoryPanel {
  readonly toggle = button(l10n.t('History'), l10n.t('Show saved conversations'), { id: 'history' });
  readonly element = el('section', 'history-panel');
  private readonly status = el('p', 'history-status');
  private readonly list = el('ul', 'history-list');
  /** Tells replies of an earlier `history` request (or one made before closing) from the current one. */
  private generation = 0;

  constructor(private readonly host: HistoryHost) {
    this.element.id = 'history-panel';
    this.element.hidden = true;
    this.element.tabIndex = -1;
    this.element.setAttribute('role', 'dialog');
    this.element.setAttribute('aria-label', l10n.t('Conversation history'));
    this.status.setAttribute('role', 'status');
    this.list.setAttribute('aria-label', l10n.t('Saved conversations'));
    const heading = el('div', 'history-heading');
    const close = button(l10n.t('Close'), l10n.t('Close the history (Escape)'), { action: 'close-history' });
    close.addEventListener('click', () => this.hide(true));
    heading.append(el('h2', 'history-title', l10n.t('History')), close);
    this.element.append(heading, this.status, this.list);
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.setAttribute('aria-controls', this.element.id);
    this.toggle.addEventListener('click', () => (this.isOpen ? this.hide(true) : void this.show()));
    this.list.addEventListener('click', (event) => this.onListClick(event));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isOpen && !event.defaultPrevented) {
        event.preventDefault();
        this.hide(this.element.contains(document.activeElement));
      }
    });
    // A click elsewhere closes it, like other popups.
    document.addEventListener('mousedown', (event) => {
      const target = event.target as Node | null;
      if (this.isOpen && target && !this.element.contains(target) && !this.toggle.contains(target)) this.hide(false);
    });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  async show(): Promise<void> {
    this.element.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.element.focus();
    await this.load();
    if (document.activeElement === this.element) this.list.querySelector<HTMLElement>('.history-open')?.focus();
  }

  hide(restoreFocus: boolean): void {
    if (!this.isOpen) return;
    this.generation++;
    this.element.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
    if (restoreFocus) this.toggle.focus();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.setStatus(this.list.childElementCount ? '' : l10n.t('Loading…'));
    try {
      const items = await this.host.rpc.request('history');
      if (generation !== this.generation) return;
      this.render(newestFirst(items));
    } catch (error) {
      if (generation !== this.generation) return;
      this.list.replaceChildren();
      this.setStatus(l10n.t('Could not load the history: {0}', errorText(error)));
    }
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
    this.status.hidden = text === '';
  }

  private render(items: ConversationSummary[]): void {
    const now = new Date();
    const current = this.host.currentConversationId();
    this.list.replaceChildren(...items.map((item) => this.itemElement(item, now, item.id === current)));
    this.setStatus(items.length ? '' : l10n.t('No saved conversations yet.'));
  }

  private itemElement(item: ConversationSummary, now: Date, current: boolean): HTMLLIElement {
    const li = el('li', 'history-item');
    li.dataset.id = item.id;
    if (current) li.setAttribute('aria-current', 'true');
    this.fillItem(li, item, now);
    return li;
  }

  private fillItem(li: HTMLLIElement, item: ConversationSummary, now: Date): void {
    li.classList.remove('confirming');
    const title = titleOf(item);
    // Dates in VS Code's display language (the <html lang> chatView.ts writes).
    const locale = document.documentElement.lang || undefined;
    const meta = historyMeta(item, now, undefined, locale);
    const open = el('button', 'history-open');
    open.type = 'button';
    open.title = `${l10n.t('Open “{0}”', title)}\n${new Date(item.updatedAt).toLocaleString(locale)}`;
    open.append(el('span', 'history-item-title', title), el('span', 'history-meta', meta));
    const remove = button(l10n.t('Delete'), l10n.t('Delete this conversation'), { action: 'delete-conversation', label: l10n.t('Delete “{0}”', title) });
    remove.addEventListener('click', () => this.confirmDelete(li, item, now));
    li.replaceChildren(open, remove);
  }

  private confirmDelete(li: HTMLLIElement, item: ConversationSummary, now: Date): void {
    li.classList.add('confirming');
    const question = el('span', 'history-confirm-text', l10n.t('Delete “{0}”?', titleOf(item)));
    const yes = button(l10n.t('Delete'), l10n.t('Delete it for good'), { action: 'confirm-delete', className: 'danger' });
    const no = button(l10n.t('Cancel'), l10n.t('Keep it'), { action: 'cancel-delete' });
    no.addEventListener('click', () => {
      this.fillItem(li, item, now);
      li.querySelector<HTMLElement>('[data-action="delete-conversation"]')?.focus();
    });
    yes.addEventListener('click', () => {
      yes.disabled = no.disabled = true;
      this.host.rpc.request('deleteConversation', { id: item.id }).then(
        () => {
          li.remove();
          if (!this.list.childElementCount) this.setStatus(l10n.t('No saved conversations yet.'));
          if (this.isOpen) this.element.focus();
          void this.load();
        },
        (error: unknown) => {
          this.host.showNotice(errorText(error));
          this.fillItem(li, item, now);
        },
      );
    });
    li.replaceChildren(question, yes, no);
    no.focus();
  }

  private onListClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const li = target.closest<HTMLLIElement>('.history-item');
    // Delete and its confirmation have their own handlers.
    if (!li?.dataset.id || li.classList.contains('confirming') || target.closest('[data-action]')) return;
    const id = li.dataset.id;
    this.hide(false);
    this.host.rpc.request('openConversation', { id }).then(
      () => this.host.opened(),
      (error: unknown) => this.host.showNotice(errorText(error)),
    );
  }
}

function titleOf(item: ConversationSummary): string {
  return item.title || l10n.t('Untitled conversation');
}
