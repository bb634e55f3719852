// Small DOM helpers shared by the chat view's parts.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A text button with a tooltip; `action` becomes `data-action` (what UI tests and delegation look for). */
export function button(text: string, title: string, options: { id?: string; action?: string; className?: string; label?: string } = {}): HTMLButtonElement {
  const element = el('button', options.className, text);
  element.type = 'button';
  element.title = title;
  if (options.id) element.id = options.id;
  if (options.action) element.dataset.action = options.action;
  if (options.label) element.setAttribute('aria-label', options.label);
  return element;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Makes `parent`'s children exactly `nodes`; returns whether anything changed. Children already in
 * place are not touched: moving a node drops its focus and makes the browser style and lay out its
 * whole subtree again (a long answer).
 */
export function syncChildren(parent: HTMLElement, nodes: readonly Node[]): boolean {
  const wanted = new Set(nodes);
  let changed = false;
  for (const child of Array.from(parent.childNodes)) {
    if (!wanted.has(child)) {
      child.remove();
      changed = true;
    }
  }
  nodes.forEach((node, index) => {
    const current = parent.childNodes[index] ?? null;
    if (current !== node) {
      parent.insertBefore(node, current);
      changed = true;
    }
  });
  return changed;
}

/** Grows a textarea with its content; chat.css caps the height and scrolls beyond it. */
export function autoGrow(textarea: HTMLTextAreaElement): void {
  textarea.style.height = 'auto';
  const borders = textarea.offsetHeight - textarea.clientHeight;
  textarea.style.height = `${textarea.scrollHeight + borders}px`;
}
