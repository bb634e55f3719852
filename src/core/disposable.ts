// One owner for what must be released: `register` what you create, dispose once. A second dispose
// does nothing, and what is registered after disposal is released at once (the pattern of
// vscode-pull-request-github's `Disposable._register`). Structural, so VS Code's disposables fit
// without importing `vscode` here.
export interface DisposableLike {
  dispose(): unknown;
}

/** A set of disposables released together, last registered first. */
export class DisposableStore implements DisposableLike {
  private readonly items: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends DisposableLike>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Releases everything; one failure does not keep the rest from being released. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} disposables failed`);
  }
}

/** A base class for owners of disposables: `this.register(…)` in the constructor, `super.dispose()` when overriding dispose. */
export abstract class Disposable implements DisposableLike {
  private readonly store = new DisposableStore();

  protected register<T extends DisposableLike>(item: T): T {
    return this.store.add(item);
  }

  protected get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  dispose(): void {
    this.store.dispose();
  }
}
