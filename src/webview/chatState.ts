// What the view shows, derived from the extension: its latest snapshot with the streaming events
// applied since, plus one local flag for the moment between the user starting an answer and the
// extension acknowledging it. No DOM here, so the unit tests run it in Node.
import type { ChatMessage, ChatSnapshot, ExtensionEvents } from '../shared/protocol';

export class ChatState {
  private current: ChatSnapshot | undefined;
  /**
   * Set when the user starts an answer (Send, Regenerate, Save & Resend, Ask …), so the buttons
   * cannot start a second one before the extension answers; cleared by the next snapshot, or by
   * the request's reply when no snapshot came with it (a refusal, or nothing to answer).
   */
  private pending = false;

  get snapshot(): ChatSnapshot | undefined {
    return this.current;
  }

  /** An answer is streaming (the extension says so) or one was asked for and not yet acknowledged. */
  get busy(): boolean {
    return this.pending || (this.current?.busy ?? false);
  }

  message(id: string): ChatMessage | undefined {
    return this.current?.messages.find((m) => m.id === id);
  }

  /** The extension's word on everything: replaces what the view had and acknowledges a pending answer. */
  applySnapshot(snapshot: ChatSnapshot): void {
    this.current = snapshot;
    this.pending = false;
  }

  /** Text appended to a streaming answer; returns whether the answer is known (else nothing changed). */
  applyDelta({ id, text, cost }: ExtensionEvents['messageDelta']): boolean {
    const message = this.message(id);
    if (!message) return false;
    message.text += text;
    if (cost) message.cost = cost;
    return true;
  }

  /** The finished answer replaces its streaming copy; the total and `busy` come with the snapshot that follows. */
  applyFinished(message: ChatMessage): boolean {
    const messages = this.current?.messages;
    if (!messages) return false; // the `ready` reply brings it along
    const index = messages.findIndex((m) => m.id === message.id);
    if (index >= 0) messages[index] = message;
    else messages.push(message);
    return true;
  }

  /** Starts the pending flag; false (and nothing changes) while the view is busy already. */
  beginPending(): boolean {
    if (this.busy) return false;
    this.pending = true;
    return true;
  }

  /** The request's reply arrived: whatever it started, the snapshot before it said so. Returns whether `busy` may have changed. */
  endPending(): boolean {
    const was = this.pending;
    this.pending = false;
    return was;
  }
}
