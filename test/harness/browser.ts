// Debian's Chromium driven by playwright-core (never `playwright install`: it downloads and fails here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findChromium, onShutdown, repoRoot } from './codeServer';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const VIEWPORT = { width: 1400, height: 900 };

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as test-results/<name>.png; returns its path, or undefined if it could not. */
  screenshot(name: string): Promise<string | undefined>;
  /** Closes the browser. Idempotent. */
  close(): Promise<void>;
}

/** Launches Chromium headless with a fixed viewport and one page. */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<BrowserSession> {
  const executablePath = findChromium();
  const timeoutMs = options.timeoutMs ?? 30_000;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: timeoutMs, handleSIGINT: false, handleSIGTERM: false });
  } catch (error) {
    throw new Error(`launching Chromium (${executablePath}) failed within ${timeoutMs} ms: ${(error as Error).message}`, { cause: error });
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      unregister();
      await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    })();
    return closed;
  };
  // Playwright kills its browser when this process exits; stop() only closes it politely on a signal.
  const unregister = onShutdown({ stop: close, kill: () => undefined });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? VIEWPORT, deviceScaleFactor: 1 });
    const page = await context.newPage();
    return { browser, context, page, screenshot: (name) => saveScreenshot(page, name), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** test-results/ in the checkout (gitignored). */
export function resultsDir(): string {
  const dir = path.join(repoRoot(), 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves a screenshot of the page as test-results/<name>.png; never throws (it is used on failure paths). */
export async function saveScreenshot(page: Page, name: string): Promise<string | undefined> {
  const file = path.join(
    resultsDir(),
    `${
      name
        .replace(/[^a-zA-Z0-9._-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 120) || 'screenshot'
    }.png`,
  );
  try {
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch (error) {
    console.error(`[penny] could not save screenshot ${file}: ${(error as Error).message}`);
    return undefined;
  }
}
