// Driving the VS Code workbench in the browser. Every wait is bounded and its timeout names what it
// waited for and what it saw last. Selectors and timings: /work/shared/notes/real-vscode.md.
/* eslint-disable @typescript-eslint/no-explicit-any -- the functions given to evaluate() run in the page; tsconfig.json types the tests for Node, not the DOM */
import type { Frame, Page } from 'playwright-core';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined/null/false (0 and '' count as found:
 * compare counts explicitly) and returns it. On timeout
 * the error names `what`, and the last thing `describe` saw or the last error the probe threw.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions & { describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  let seen = '';
  if (options.describe) {
    try {
      seen = `; last seen: ${await options.describe()}`;
    } catch (error) {
      seen = `; (describe failed: ${(error as Error).message})`;
    }
  }
  const cause = lastError ? `; last error: ${(lastError as Error).message ?? String(lastError)}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}${cause}`);
}

/** Text of every element matching `selector`, '' where it has none. */
async function texts(page: Page | Frame, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) => elements.map((e) => e.textContent ?? ''));
}

/** Opens `url` and waits for the workbench: editor area, status bar, and the remote extension host connected. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await waitForWorkbench(page, timeoutMs);
}

/** Waits until the workbench is drawn: the editor part and the status bar are visible. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    'the VS Code workbench (.monaco-workbench with a visible editor part and status bar)',
    async () => (await page.locator('.monaco-workbench .part.editor').isVisible()) && (await page.locator('.monaco-workbench .part.statusbar').isVisible()),
    { timeoutMs, intervalMs: 200, describe: async () => `title "${await page.title()}", url ${page.url()}` },
  );
}

/** Closes whatever quick input is open (Escape until it is hidden). */
async function closeQuickInput(page: Page): Promise<void> {
  for (let i = 0; i < 3 && (await page.locator('.quick-input-widget').isVisible()); i++) await page.keyboard.press('Escape');
}

/** True when the quick input widget is shown and its input has the focus. */
async function quickInputFocused(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    // Runs in the page (this project's tsconfig has no DOM lib).
    const doc = (globalThis as any).document;
    const widget = doc.querySelector('.quick-input-widget');
    const input = widget?.querySelector('input');
    return !!widget && widget.style.display !== 'none' && !!input && doc.activeElement === input;
  });
}

/**
 * Presses `key` until the quick input opens with a focused input: right after the workbench appears
 * its keybindings may not be live yet, and a key pressed then is lost.
 */
async function openQuickInput(page: Page, key: string, what: string, timeoutMs = 20_000): Promise<void> {
  await closeQuickInput(page);
  let presses = 0;
  let pressedAt = 0;
  await waitUntil(
    `the ${what} (.quick-input-widget with a focused input) after pressing ${key}`,
    async () => {
      if (await quickInputFocused(page)) return true;
      if (Date.now() - pressedAt >= 2_000) {
        await closeQuickInput(page);
        await page.keyboard.press(key);
        presses++;
        pressedAt = Date.now();
      }
      return false;
    },
    { timeoutMs, describe: () => `${presses} presses of ${key}` },
  );
}

/** The label of the focused quick-input row ('' if none). */
async function focusedRowLabel(page: Page): Promise<string> {
  const labels = await texts(page, '.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name');
  return (labels[0] ?? '').replace(/\s+/g, ' ').trim();
}

async function quickInputRows(page: Page): Promise<string> {
  const rows = await texts(page, '.quick-input-widget .quick-input-list .monaco-list-row .label-name');
  return rows.length ? rows.map((r) => `"${r.trim()}"`).join(', ') : 'no rows';
}

/**
 * Opens a workspace file by name with Ctrl+P, waits for its tab to be active and for the editor's
 * inline-completion controller (created lazily ~0.5-1 s after the editor opens; keys typed before
 * it exists never trigger a completion request). Leaves the focus in the editor.
 */
export async function openFile(page: Page, name: string, timeoutMs = 20_000): Promise<void> {
  await openQuickInput(page, 'Control+P', 'quick open');
  await page.keyboard.type(name);
  await waitUntil(`quick open's focused row to be "${name}"`, async () => (await focusedRowLabel(page)) === name, {
    timeoutMs,
    describe: () => quickInputRows(page),
  });
  await page.keyboard.press('Enter');
  const activeTabs = () =>
    page.$$eval('.tabs-container .tab.active', (tabs) => tabs.map((t) => t.getAttribute('data-resource-name') ?? t.getAttribute('aria-label') ?? ''));
  await waitUntil(`the active editor tab "${name}" (.tabs-container .tab.active[data-resource-name])`, async () => (await activeTabs()).includes(name), {
    timeoutMs,
    describe: async () => `active tabs: ${(await activeTabs()).join(', ') || 'none'}`,
  });
  await waitUntil(
    `the inline-completion controller of "${name}" (.editor-group-container .monaco-editor .inline-edits-view-gutter-indicator)`,
    async () => (await page.locator('.editor-group-container .monaco-editor .inline-edits-view-gutter-indicator').count()) > 0,
    { timeoutMs },
  );
  await waitUntil(
    `the editor of "${name}" to have the keyboard focus (.editor-group-container .monaco-editor.focused)`,
    async () => (await page.locator('.editor-group-container .monaco-editor.focused').count()) > 0,
    {
      timeoutMs,
    },
  );
}

/** Opens the command palette (F1) with its input focused. */
export async function openCommandPalette(page: Page, timeoutMs = 20_000): Promise<void> {
  await openQuickInput(page, 'F1', 'command palette', timeoutMs);
}

/**
 * Runs a command by its palette title without waiting for the palette to close: for a command whose
 * own quick pick takes the widget over.
 */
export async function startCommand(page: Page, title: string, timeoutMs = 20_000): Promise<void> {
  await openCommandPalette(page, timeoutMs);
  await page.keyboard.type(title);
  await waitUntil(`the command palette's focused row to be "${title}"`, async () => (await focusedRowLabel(page)) === title, {
    timeoutMs,
    describe: () => quickInputRows(page),
  });
  await page.keyboard.press('Enter');
}

/** Runs a command by its palette title (e.g. "Penny: Focus Chat") via F1. */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await startCommand(page, title, timeoutMs);
  await waitUntil(`the command palette to close after running "${title}"`, async () => !(await page.locator('.quick-input-widget').isVisible()), { timeoutMs });
}

/** The frame (at any depth, webviews nest two iframes) that contains `selector`. */
export async function findFrame(page: Page, selector: string, timeoutMs = 20_000): Promise<Frame> {
  return waitUntil(
    `a frame containing ${selector}`,
    async () => {
      for (const frame of page.frames()) {
        try {
          if (await frame.$(selector)) return frame;
        } catch {
          // detached or navigating: look again next round
        }
      }
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 200,
      describe: () =>
        `${page.frames().length} frames: ${page
          .frames()
          .map((f) => f.url().slice(0, 80))
          .join(' | ')}`,
    },
  );
}

export interface StatusBarEntry {
  id: string;
  text: string;
  /** The aria-labels of the item and its children, joined (VS Code puts the item's accessible label there). */
  ariaLabel: string;
}

/** The status bar entry whose id attribute contains `idPart`, or undefined if there is none. */
export async function statusBarEntry(page: Page, idPart: string): Promise<StatusBarEntry | undefined> {
  const entries = await page.$$eval(
    '.part.statusbar .statusbar-item',
    (elements, part) =>
      elements
        .filter((e) => e.id.includes(part))
        .map((e) => ({
          id: e.id,
          text: (((e as unknown as { innerText?: string }).innerText ?? e.textContent) || '').trim(),
          ariaLabel: [e, ...Array.from(e.querySelectorAll('[aria-label]'))]
            .map((x) => x.getAttribute('aria-label') ?? '')
            .filter(Boolean)
            .join(' | '),
        })),
    idPart,
  );
  return entries[0];
}

/** Waits for the status bar entry whose id contains `idPart`, optionally until `accept` (described by `what`) says yes. */
export async function waitForStatusBar(
  page: Page,
  idPart: string,
  options: { accept?: (entry: StatusBarEntry) => boolean; what?: string; timeoutMs?: number } = {},
): Promise<StatusBarEntry> {
  const accept = options.accept ?? (() => true);
  let last: StatusBarEntry | undefined;
  return waitUntil(
    `the status bar item whose id contains "${idPart}"${options.what ? ` ${options.what}` : ''}`,
    async () => {
      last = await statusBarEntry(page, idPart);
      return last && accept(last) ? last : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 20_000,
      describe: async () =>
        last
          ? `text "${last.text}", aria-label "${last.ariaLabel}"`
          : `no such item; ids: ${(await page.$$eval('.part.statusbar .statusbar-item', (es) => es.map((e) => e.id))).join(', ')}`,
    },
  );
}

/** The text of the status bar item whose id contains `idPart` (waits for it to exist). */
export async function statusBarText(page: Page, idPart: string, timeoutMs = 20_000): Promise<string> {
  return (await waitForStatusBar(page, idPart, { timeoutMs })).text;
}

/**
 * The ghost text shown in the editor area now ('' if none). The first line is the run of
 * `span.ghost-text-decoration` (one span per token) in its view line; further lines of a multi-line
 * suggestion are drawn in a view zone (`div.ghost-text`). Lines are joined with newlines.
 */
export async function currentGhostText(page: Page): Promise<string> {
  const lines = await page.evaluate(() => {
    // Runs in the page (this project's tsconfig has no DOM lib).
    const doc = (globalThis as any).document;
    const out: string[] = [];
    for (const editor of Array.from(doc.querySelectorAll('.editor-group-container .monaco-editor')) as any[]) {
      for (const line of Array.from(editor.querySelectorAll('.view-lines .view-line')) as any[]) {
        const spans = Array.from(line.querySelectorAll('span.ghost-text-decoration')) as any[];
        if (spans.length) out.push(spans.map((s) => s.textContent ?? '').join(''));
      }
      for (const line of Array.from(editor.querySelectorAll('div.ghost-text .view-line')) as any[]) out.push(line.textContent ?? '');
    }
    return out;
  });
  return lines.map((line) => line.replace(/\u00a0/g, ' ')).join('\n');
}

/** The text of the active editor's rendered lines without any ghost text (only the lines in view). */
export async function editorLines(page: Page): Promise<string[]> {
  const lines = await page.evaluate(() => {
    // Runs in the page (this project's tsconfig has no DOM lib).
    const doc = (globalThis as any).document;
    const editor = doc.querySelector('.editor-group-container .monaco-editor.focused') ?? doc.querySelector('.editor-group-container .monaco-editor');
    if (!editor) return [] as Array<{ top: number; text: string }>;
    return (Array.from(editor.querySelectorAll('.view-lines .view-line')) as any[]).map((line) => {
      const clone = line.cloneNode(true);
      for (const ghost of Array.from(clone.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview')) as any[]) ghost.remove();
      return { top: parseFloat(line.style.top) || 0, text: clone.textContent ?? '' };
    });
  });
  // View lines are recycled in any DOM order; their `top` gives the visual order.
  return lines.sort((a, b) => a.top - b.top).map((line) => line.text.replace(/\u00a0/g, ' '));
}

/**
 * Waits for ghost text that satisfies `accept` (default: non-empty) and has not changed for
 * `stableMs` (multi-line ghost text is drawn in two passes), and returns it.
 */
export async function readGhostText(
  page: Page,
  options: { accept?: (text: string) => boolean; stableMs?: number; timeoutMs?: number; what?: string } = {},
): Promise<string> {
  const accept = options.accept ?? ((text: string) => text.trim().length > 0);
  const stableMs = options.stableMs ?? 200;
  let last = '';
  let since = Date.now();
  return waitUntil(
    options.what ?? 'ghost text in the editor (span.ghost-text-decoration), stable for ' + stableMs + ' ms',
    async () => {
      const now = await currentGhostText(page);
      if (now !== last) {
        last = now;
        since = Date.now();
        return undefined;
      }
      return accept(now) && Date.now() - since >= stableMs ? now : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 15_000, intervalMs: 50, describe: () => (last ? `"${last}"` : 'no ghost text') },
  );
}
