// Editing the last question in place: its text box, Save & Resend and Cancel, and the unsent text
// kept across redraws (and saved with the view's state).
import * as l10n from '@vscode/l10n';
import type { ChatMessage } from '../shared/protocol';
import { autoGrow, button, el } from './dom';

export interface EditModeHost {
  /** An answer is streaming or about to: Save & Resend waits. */
  busy(): boolean;
  /** Sends the edited question; resolves whether the extension took it. */
  resend(text: string): Promise<boolean>;
  /** The edit started or ended: draw the list again. */
  redraw(): void;
  /** The unsent text changed. */
  changed(): void;
  /** After Cancel: the question's Edit button, to give the focus back to. */
  editButtonOf(messageId: string): HTMLElement | undefined;
}

export class EditMode {
  /** The last question while it is being edited, with the unsent text. */
  private editing: { id: string; text: string } | undefined;
  private box: HTMLTextAreaElement | undefined;

  constructor(private readonly host: EditModeHost) {}

  /** What to save; `restore` takes it back. */
  get saved(): { id: string; text: string } | undefined {
    return this.editing;
  }

  restore(saved: { id: string; text: string } | undefined): void {
    this.editing = saved;
  }

  isEditing(messageId: string): boolean {
    return this.editing?.id === messageId;
  }

  /** Only the last question can be edited; the edit survives an answer to it starting or failing. */
  keepOnly(lastQuestionId: string | undefined): void {
    if (this.editing && this.editing.id !== lastQuestionId) this.stop();
  }

  start(message: ChatMessage): void {
    this.editing = { id: message.id, text: message.text };
    this.host.redraw();
    const box = this.box;
    if (box) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
    this.host.changed();
  }

  /**
   * Before the list is redrawn: if the edit box has the focus, a function that gives it back (with
   * the same selection) to the box drawn in its place, and says whether it could.
   */
  keepFocus(focused: Element | undefined): (() => boolean) | undefined {
    const box = this.box;
    if (!focused || focused !== box) return undefined;
    const [start, end] = [box.selectionStart, box.selectionEnd];
    return () => {
      if (!this.box?.isConnected) return false;
      this.box.focus();
      this.box.setSelectionRange(start, end);
      return true;
    };
  }

  /** The form drawn in place of the question's text. */
  form(message: ChatMessage): HTMLElement {
    const form = el('div', 'edit-form');
    const box = el('textarea', 'edit-box');
    box.rows = 2;
    box.value = this.editing?.text ?? message.text;
    box.setAttribute('aria-label', l10n.t('Edit your question'));
    const saveButton = button(l10n.t('Save & Resend'), l10n.t('Replace the question and answer it again (Enter)'), { action: 'save-edit' });
    const cancelButton = button(l10n.t('Cancel'), l10n.t('Keep the question as it was (Escape)'), { action: 'cancel-edit' });
    const updateSave = () => {
      saveButton.disabled = this.host.busy() || box.value.trim() === '';
    };
    const save = () => {
      const text = box.value.trim();
      if (!text || this.host.busy()) return;
      void this.host.resend(text).then((started) => {
        if (started && this.editing?.id === message.id) {
          this.stop();
          this.host.redraw();
        }
      });
    };
    const cancel = () => {
      this.stop();
      this.host.redraw();
      this.host.editButtonOf(message.id)?.focus();
    };
    box.addEventListener('input', () => {
      if (this.editing) this.editing.text = box.value;
      autoGrow(box);
      updateSave();
      this.host.changed();
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
    this.box = box;
    requestAnimationFrame(() => autoGrow(box));
    return form;
  }

  private stop(): void {
    this.editing = undefined;
    this.box = undefined;
    this.host.changed();
  }
}
