// A typed event with listeners, for core owners whose changes adapters follow (the shape of
// VS Code's `Event<T>`, without importing `vscode`): subscribing returns what unsubscribes.
import type { DisposableLike } from './disposable';

export type Event<T> = (listener: (value: T) => void) => DisposableLike;

export class Emitter<T> implements DisposableLike {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    // A wrapper per subscription, so the same function subscribed twice is removed once per dispose.
    const entry = (value: T) => listener(value);
    this.listeners.add(entry);
    return { dispose: () => this.listeners.delete(entry) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
