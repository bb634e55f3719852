// Shared set-up of the UI test files: the packaged extension (.vsix) installed into a real VS Code
// (code-server), driven through Chromium against a local mock OpenAI server.
//   PENNY_VSIX=<file>              the .vsix to install (default: the newest penny-*.vsix in the checkout)
//   PENNY_UPDATE_SCREENSHOTS=1     also copy the README screenshots into media/screenshots/
/* eslint-disable @typescript-eslint/no-explicit-any -- the functions given to evaluate() run in the page; tsconfig.json types the tests for Node, not the DOM */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { launchBrowser, resultsDir, saveScreenshot, type BrowserSession } from '../harness/browser';
import { copyToTemp, findChromium, findCodeServer, repoRoot, startCodeServer, type CodeServer } from '../harness/codeServer';
import { findFrame, openWorkbench, runCommand, waitForStatusBar, waitForWorkbench, waitUntil } from '../harness/workbench';
import { MockOpenAIServer, type RecordedRequest, type ScriptedReply } from '../server/mockOpenAI';

export const API_KEY = 'sk-test-penny-0000';
/** Inline completions cost nothing and say nothing unless a test scripts them. */
export const NO_COMPLETION: ScriptedReply = { content: '', usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 } };

/** The newest penny-*.vsix in the checkout, or PENNY_VSIX. */
export function findVsix(): string {
  if (process.env.PENNY_VSIX) {
    if (!fs.existsSync(process.env.PENNY_VSIX)) throw new Error(`PENNY_VSIX=${process.env.PENNY_VSIX} does not exist`);
    return path.resolve(process.env.PENNY_VSIX);
  }
  const root = repoRoot();
  const found = fs
    .readdirSync(root)
    .filter((name) => /^penny-.*\.vsix$/.test(name))
    .map((name) => path.join(root, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!found[0]) throw new Error(`no penny-*.vsix in ${root}: build one with \`npm run package\` or set PENNY_VSIX`);
  return found[0];
}

/** A line in mocha's output, indented under the test. */
export function note(text: string): void {
  console.log(`      ${text}`);
}

export function describeRequests(mock: MockOpenAIServer): string {
  return mock.requests.map((r) => `${r.method} ${r.path} model=${r.body?.model ?? '?'}`).join('; ') || 'no requests';
}

/** The text of the last user message of a chat request ('' if none): the question being answered now. */
export function lastUserText(req: RecordedRequest): string {
  const messages: Array<{ role?: string; content?: unknown }> = Array.isArray(req.body?.messages) ? req.body.messages : [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return Array.isArray(last.content) ? last.content.map((p: { text?: string }) => p?.text ?? '').join('') : '';
}

export interface PennyUi {
  mock: MockOpenAIServer;
  workspace: { dir: string; remove(): void };
  server: CodeServer;
  browser: BrowserSession;
  page: Page;
  /** Date.now() just before code-server was started (the .vsix install included). */
  startedAt: number;
}

export interface StartOptions {
  /** The mock's reply to every request. */
  reply: (req: RecordedRequest) => ScriptedReply;
  /** User settings over QUIET_SETTINGS (penny.baseUrl is set to the mock). */
  settings?: Record<string, unknown>;
  /** Name of the screenshot taken when start-up fails. */
  label: string;
  /** Wait for Penny's status bar item (activation) before returning (default true). */
  waitForPenny?: boolean;
  /** code-server's display language (see CodeServerOptions.locale). */
  locale?: string;
  /** Runs after the .vsix is installed, before code-server starts (see CodeServerOptions.afterInstall). */
  afterInstall?: (extensionsDir: string) => void;
  /** The workspace's own `.vscode/settings.json` (what a cloned repository brings). */
  workspaceSettings?: Record<string, unknown>;
  /** VS Code's default editor settings, as a new user has them (see CodeServerOptions.editorDefaults). */
  editorDefaults?: boolean;
  /** The remote's Machine settings (default: QUIET_MACHINE, walkthroughs closed; `{}` as on a new machine). */
  machineSettings?: Record<string, unknown>;
  /** No OPENAI_API_KEY in VS Code's environment: the user sets the key with "Penny: Set API Key". */
  noKeyInEnvironment?: boolean;
  /** The copied workspace (default test/fixtures/workspace). */
  workspace?: string;
}

/**
 * Mock server, a copy of test/fixtures/workspace, code-server with the .vsix installed, Chromium on
 * the workbench, and (by default) Penny activated. Everything started is stopped again on failure.
 */
export async function startPennyUi(options: StartOptions): Promise<PennyUi> {
  findCodeServer(); // missing tools: fail before starting anything, with the install hint
  findChromium();
  const vsix = findVsix();
  note(`using ${vsix}`);
  const mock = await MockOpenAIServer.start({ validKeys: [API_KEY] });
  mock.setDefault(options.reply);
  let workspace: PennyUi['workspace'] | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  try {
    workspace = copyToTemp(options.workspace ?? path.join(repoRoot(), 'test', 'fixtures', 'workspace'));
    if (options.workspaceSettings) {
      fs.mkdirSync(path.join(workspace.dir, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace.dir, '.vscode', 'settings.json'), JSON.stringify(options.workspaceSettings, null, 2));
    }
    const startedAt = Date.now();
    server = await startCodeServer({
      workspace: workspace.dir,
      installVsix: vsix,
      afterInstall: options.afterInstall,
      locale: options.locale,
      settings: { 'penny.baseUrl': mock.url, ...options.settings },
      editorDefaults: options.editorDefaults,
      machineSettings: options.machineSettings,
      env: { OPENAI_API_KEY: options.noKeyInEnvironment ? undefined : API_KEY },
    });
    note(`code-server up (.vsix installed) after ${Date.now() - startedAt} ms`);
    browser = await launchBrowser();
    const ui: PennyUi = { mock, workspace, server, browser, page: browser.page, startedAt };
    try {
      await openWorkbench(ui.page, server.workbenchUrl(), 120_000);
      note(`workbench visible after ${Date.now() - startedAt} ms`);
      if (options.waitForPenny !== false) {
        await waitForPenny(ui.page);
        note(`Penny active after ${Date.now() - startedAt} ms`);
      }
    } catch (error) {
      await saveScreenshot(ui.page, `${options.label}-before-all-FAILED`);
      console.error(`--- code-server log (tail) ---\n${server.logTail()}`);
      throw error;
    }
    return ui;
  } catch (error) {
    await browser?.close();
    await server?.stop();
    workspace?.remove();
    await mock.stop();
    throw error;
  }
}

/**
 * When process `pid` started (epoch ms, ~10 ms precision), from /proc; undefined where there is no /proc.
 * For code-server that is after the .vsix install (startCodeServer installs first, then launches).
 */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks after boot); the fields after the ")" of the command name start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[22 - 3]);
    const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    const hz = 100; // USER_HZ is 100 on Linux
    const at = bootTime * 1000 + (ticks / hz) * 1000;
    return Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}

/** Selects lines `first` to `last` (1-based, whole lines) of the focused editor: Ctrl+G, then Shift+Down and Shift+End. */
export async function selectLines(page: Page, first: number, last: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await waitUntil(
    'the "Go to Line" input (quick input focused)',
    async () =>
      (await page.locator('.quick-input-widget input').isVisible()) &&
      (await page.locator('.quick-input-widget input').evaluate((e) => e === (globalThis as any).document.activeElement)),
    { timeoutMs: 20_000 },
  );
  await page.keyboard.type(String(first));
  await page.keyboard.press('Enter');
  await waitUntil('the Go to Line input to close', async () => !(await page.locator('.quick-input-widget').isVisible()), { timeoutMs: 20_000 });
  for (let line = first; line < last; line++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await waitUntil(
    `lines ${first}-${last} selected in the editor (status bar "(N selected)")`,
    async () => /\(\d+ selected\)/.test(await page.locator('.part.statusbar').innerText()),
    { timeoutMs: 20_000, describe: async () => JSON.stringify(await page.locator('.part.statusbar').innerText()) },
  );
}

/** "Developer: Reload Window", then the reloaded workbench with Penny active again. */
export async function reloadWindow(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as any).__pennyBeforeReload = true));
  await runCommand(page, 'Developer: Reload Window', 60_000);
  await waitUntil(
    'the window to reload (a new document without the marker)',
    async () => (await page.evaluate(() => (globalThis as any).__pennyBeforeReload)) !== true,
    { timeoutMs: 60_000 },
  );
  await waitForWorkbench(page, 120_000);
  await waitForPenny(page);
}

/** Penny's status bar item appears once the extension is active (onStartupFinished). */
export async function waitForPenny(page: Page, timeoutMs = 120_000): Promise<void> {
  await waitForStatusBar(page, 'penny.cost', { timeoutMs, what: 'to appear (Penny activated)' });
}

export async function stopPennyUi(ui: Partial<PennyUi> | undefined): Promise<void> {
  await ui?.browser?.close();
  await ui?.server?.stop();
  ui?.workspace?.remove();
  await ui?.mock?.stop();
}

/**
 * mocha hooks of a UI file: a screenshot after every test (marked FAILED on failure) and, on failure,
 * the requests the mock saw.
 */
export function screenshotAfterEach(prefix: string, current: () => PennyUi | undefined): void {
  let shot = 0;
  afterEach(async function () {
    const ui = current();
    if (!ui) return;
    const test = this.currentTest;
    const failed = test?.state === 'failed';
    await saveScreenshot(ui.page, `${prefix}-${++shot}-${failed ? 'FAILED-' : ''}${test?.title ?? 'test'}`);
    if (failed) console.error(`      mock requests: ${describeRequests(ui.mock)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// README screenshots

export interface Shot {
  file: string;
  bytes: number;
  width: number;
  height: number;
}

const README_SHOT_LIMIT = 150 * 1024;

/**
 * Saves a README screenshot of `target` (an element, or a page region) as test-results/<name>.png,
 * and with PENNY_UPDATE_SCREENSHOTS=1 copies it to media/screenshots/<name>.png.
 */
export async function readmeScreenshot(page: Page, name: string, target: Locator | { x: number; y: number; width: number; height: number }): Promise<Shot> {
  const file = path.join(resultsDir(), `${name}.png`);
  const clip = 'screenshot' in target ? undefined : roundClip(target);
  if (clip) await page.screenshot({ path: file, clip, timeout: 15_000 });
  else await (target as Locator).screenshot({ path: file, timeout: 15_000 });
  const bytes = fs.statSync(file).size;
  const { width, height } = pngSize(file);
  note(`screenshot ${name}.png: ${width}x${height}, ${(bytes / 1024).toFixed(1)} KB`);
  if (bytes > README_SHOT_LIMIT) console.warn(`      WARNING: ${name}.png is ${(bytes / 1024).toFixed(1)} KB (over ${README_SHOT_LIMIT / 1024} KB)`);
  if (process.env.PENNY_UPDATE_SCREENSHOTS === '1') {
    const dir = path.join(repoRoot(), 'media', 'screenshots');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `${name}.png`));
    note(`copied to ${path.relative(repoRoot(), path.join(dir, `${name}.png`))}`);
  }
  return { file, bytes, width, height };
}

function roundClip(clip: { x: number; y: number; width: number; height: number }) {
  const x = Math.max(0, Math.floor(clip.x));
  const y = Math.max(0, Math.floor(clip.y));
  return { x, y, width: Math.ceil(clip.width), height: Math.ceil(clip.height) };
}

function pngSize(file: string): { width: number; height: number } {
  const header = Buffer.alloc(24);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 24, 0);
  } finally {
    fs.closeSync(fd);
  }
  return { width: header.readUInt32BE(16), height: header.readUInt32BE(20) };
}

/** The bounding box of the first element matching `selector` (waits for it to be visible). */
export async function boxOf(page: Page, selector: string, timeoutMs = 15_000): Promise<{ x: number; y: number; width: number; height: number }> {
  return waitUntil(`a visible ${selector} with a bounding box`, async () => (await page.locator(selector).first().boundingBox()) ?? undefined, { timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// Workbench steps the harness has no helper for

export interface QuickRow {
  label: string;
  /** The whole row's text (label, description and detail). */
  text: string;
  focused: boolean;
}

/** The rows of the open quick input ([] if it is closed). */
export async function quickRows(page: Page): Promise<QuickRow[]> {
  if (!(await page.locator('.quick-input-widget').isVisible())) return [];
  return page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (rows) =>
    rows.map((row) => {
      const clean = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
      return {
        label: clean(row.querySelector('.label-name')?.textContent),
        text: clean((row as unknown as { innerText?: string }).innerText ?? row.textContent),
        focused: row.classList.contains('focused'),
      };
    }),
  );
}

/** The title of the open quick input ('' if none). */
export async function quickTitle(page: Page): Promise<string> {
  const titles = await page.$$eval('.quick-input-widget .quick-input-title', (es) => es.map((e) => (e.textContent ?? '').trim()));
  return titles[0] ?? '';
}

function describeRows(rows: QuickRow[]): string {
  return rows.length ? rows.map((r) => `${r.focused ? '*' : ''}"${r.text}"`).join(', ') : 'no rows';
}

/** Waits for a quick pick that has a row whose label includes `label` (and that `accept` accepts); returns its rows. */
export async function waitForQuickPick(
  page: Page,
  label: string,
  options: { accept?: (rows: QuickRow[]) => boolean; what?: string; timeoutMs?: number } = {},
): Promise<QuickRow[]> {
  let last: QuickRow[] = [];
  return waitUntil(
    `a quick pick with a row "${label}"${options.what ? ` ${options.what}` : ''}`,
    async () => {
      last = await quickRows(page);
      return last.some((r) => r.label.includes(label)) && (options.accept?.(last) ?? true) ? last : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 30_000, describe: async () => `title "${await quickTitle(page)}"; rows: ${describeRows(last)}` },
  );
}

/** In the open quick pick: types `filter`, waits for the focused row to include `label`, presses Enter. */
export async function chooseQuickPick(page: Page, label: string, filter = label, timeoutMs = 20_000): Promise<void> {
  await page.keyboard.type(filter);
  await waitUntil(`the quick pick's focused row to include "${label}"`, async () => (await quickRows(page)).find((r) => r.focused)?.label.includes(label), {
    timeoutMs,
    describe: async () => describeRows(await quickRows(page)),
  });
  await page.keyboard.press('Enter');
}

// ---------------------------------------------------------------------------------------------
// The chat view

export interface MessageInfo {
  id: string;
  role: string;
  status: string;
  escalated: boolean;
  body: string;
  cost: string;
}

/** Every message in the chat view, in order. */
export async function chatMessages(frame: Frame): Promise<MessageInfo[]> {
  return frame.$$eval('.message', (elements) =>
    elements.map((e) => ({
      id: e.getAttribute('data-id') ?? '',
      role: e.getAttribute('data-role') ?? '',
      status: e.getAttribute('data-status') ?? '',
      escalated: e.classList.contains('escalated'),
      body: e.querySelector('.body')?.textContent ?? '',
      cost: e.querySelector('.cost')?.textContent ?? '',
    })),
  );
}

export function describeMessages(messages: MessageInfo[]): string {
  return JSON.stringify(messages.map((m) => `${m.role}/${m.status}${m.escalated ? '/escalated' : ''}: ${m.body.slice(0, 80)} | ${m.cost}`));
}

/** Waits for a message that `accept` accepts, and returns it. */
export async function waitForMessage(
  frame: Frame,
  what: string,
  accept: (m: MessageInfo) => boolean,
  timeoutMs = 60_000,
  mock?: MockOpenAIServer,
): Promise<MessageInfo> {
  let last: MessageInfo[] = [];
  return waitUntil(
    what,
    async () => {
      last = await chatMessages(frame);
      return last.find(accept);
    },
    { timeoutMs, describe: () => describeMessages(last) + (mock ? `; mock: ${describeRequests(mock)}` : '') },
  );
}

/** "Penny: Focus Chat" (or its title in another language), then the webview frame that holds the chat's prompt. */
export async function focusChat(page: Page, runCommand: (page: Page, title: string) => Promise<void>, title = 'Penny: Focus Chat'): Promise<Frame> {
  await runCommand(page, title);
  return findFrame(page, '#prompt', 60_000);
}

/** Types `question` into the chat prompt and sends it with Enter. */
export async function ask(frame: Frame, question: string): Promise<void> {
  const prompt = frame.locator('#prompt');
  await prompt.click();
  await prompt.pressSequentially(question);
  await waitUntil(`the chat prompt to hold the question "${question}"`, async () => (await prompt.inputValue()) === question, {
    describe: async () => JSON.stringify(await prompt.inputValue()),
  });
  await prompt.press('Enter');
}
