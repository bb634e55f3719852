// `@file` completion in the prompt: typing `@` and a few characters lists matching workspace
// files; Up/Down/Enter/Tab choose, Escape closes. The list owns those keys while it is open.
import * as l10n from '@vscode/l10n';
import { el, errorText } from './dom';
import { findMention, moveIndex, removeMention, type Mention } from './mention';

const debounceMs = 150;

export interface SuggestionHost {
  fetch(query: string): Promise<string[]>;
  /** A file was chosen; the mention is already gone from the prompt. */
  chosen(path: string): void;
  /** The prompt's text changed (the view grows it, saves the draft...). */
  edited(): void;
  showNotice(text: string): void;
}

export class FileSuggestions {
  readonly element = el('div', 'file-suggestions');
  private paths: string[] = [];
  private active = -1;
  /** The query the shown (or awaited) list is for. */
  private query: string | undefined;
  /** Counts requests so that a slow reply to an older query is ignored. */
  private sequence = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Escape closes the list for the mention at this index until the caret leaves it. */
  private dismissedAt: number | undefined;

  constructor(
    private readonly prompt: HTMLTextAreaElement,
    private readonly host: SuggestionHost,
  ) {
    this.element.id = 'file-suggestions';
    this.element.hidden = true;
    this.element.setAttribute('role', 'listbox');
    this.element.setAttribute('aria-label', l10n.t('Files to attach'));
    prompt.setAttribute('aria-autocomplete', 'list');
    prompt.setAttribute('aria-controls', this.element.id);
    prompt.setAttribute('aria-expanded', 'false');
    // Keep the focus (and caret) in the prompt when a suggestion is clicked.
    this.element.addEventListener('mousedown', (event) => event.preventDefault());
    this.element.addEventListener('click', (event) => {
      const option = (event.target as HTMLElement).closest<HTMLElement>('.suggestion');
      if (option) this.choose(Number(option.dataset.index));
    });
    prompt.addEventListener('blur', () => this.close());
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Re-reads the mention at the caret (after typing, clicking or moving the caret). */
  update(): void {
    const mention = this.currentMention();
    if (!mention || mention.start !== this.dismissedAt) this.dismissedAt = undefined;
    if (!mention || this.dismissedAt !== undefined) {
      this.close();
      return;
    }
    if (mention.query === this.query) return;
    this.query = mention.query;
    const sequence = ++this.sequence;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(mention.query, sequence), debounceMs);
  }

  /** Handles the list's keys; true when the key was used (the prompt must then ignore it). */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.isOpen || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        this.highlight(moveIndex(this.active, event.key === 'ArrowDown' ? 1 : -1, this.paths.length));
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        if (this.active >= 0) this.choose(this.active);
        else if (event.key === 'Tab') {
          this.close();
          return false; // nothing to choose: Tab moves the focus as usual
        } else this.close(); // never send the message from an open list
        break;
      case 'Escape':
        this.dismissedAt = this.currentMention()?.start;
        this.close();
        event.stopPropagation(); // the list, not the History panel or anything else, handles this Escape
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  close(): void {
    clearTimeout(this.timer);
    this.sequence++;
    this.query = undefined;
    this.paths = [];
    this.active = -1;
    this.element.hidden = true;
    this.element.replaceChildren();
    this.prompt.setAttribute('aria-expanded', 'false');
    this.prompt.removeAttribute('aria-activedescendant');
  }

  private currentMention(): Mention | undefined {
    const { value, selectionStart, selectionEnd } = this.prompt;
    return selectionStart === selectionEnd ? findMention(value, selectionStart) : undefined;
  }

  private async load(query: string, sequence: number): Promise<void> {
    let paths: string[];
    try {
      paths = await this.host.fetch(query);
    } catch (error) {
      if (sequence === this.sequence) {
        this.close();
        this.host.showNotice(errorText(error));
      }
      return;
    }
    // A reply to an older query, or the prompt moved on (or lost the focus) meanwhile.
    if (sequence !== this.sequence || this.currentMention()?.query !== query || document.activeElement !== this.prompt) return;
    this.show(paths);
  }

  private show(paths: string[]): void {
    this.paths = paths;
    this.active = paths.length ? 0 : -1;
    if (paths.length === 0) {
      const empty = el('div', 'suggestion-empty', l10n.t('No matching files'));
      empty.setAttribute('role', 'option');
      empty.setAttribute('aria-disabled', 'true');
      this.element.replaceChildren(empty);
    } else {
      this.element.replaceChildren(
        ...paths.map((path, index) => {
          const option = el('div', 'suggestion', path);
          option.id = `file-suggestion-${index}`;
          option.dataset.index = String(index);
          option.dataset.path = path;
          option.title = l10n.t('Attach {0}', path);
          option.setAttribute('role', 'option');
          return option;
        }),
      );
    }
    this.element.hidden = false;
    this.prompt.setAttribute('aria-expanded', 'true');
    this.highlight(this.active);
  }

  private highlight(index: number): void {
    this.active = index;
    for (const option of this.element.querySelectorAll<HTMLElement>('.suggestion')) {
      const selected = Number(option.dataset.index) === index;
      option.classList.toggle('active', selected);
      option.setAttribute('aria-selected', String(selected));
      if (selected) option.scrollIntoView({ block: 'nearest' });
    }
    if (index >= 0) this.prompt.setAttribute('aria-activedescendant', `file-suggestion-${index}`);
    else this.prompt.removeAttribute('aria-activedescendant');
  }

  private choose(index: number): void {
    const path = this.paths[index];
    const mention = this.currentMention();
    this.close();
    if (path === undefined) return;
    if (mention) {
      const { text, caret } = removeMention(this.prompt.value, mention);
      this.prompt.value = text;
      this.prompt.setSelectionRange(caret, caret);
      this.host.edited();
    }
    this.host.chosen(path);
  }
}
