// "Try it": the demo as the README starts it (`npm run demo` builds, packages, then runs
// out/test/demo/demo.js; here the UI layer's .vsix is reused with --no-package). Without a key it
// starts the local demo server and code-server on the sample workspace; a newcomer's first screen
// is the workspace README saying what to try, and its first step works. Ctrl+C stops everything.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, saveScreenshot, type BrowserSession } from '../harness/browser';
import { freePort, killGroup, portIsFree, repoRoot } from '../harness/codeServer';
import { openFile, openWorkbench, readGhostText, waitUntil } from '../harness/workbench';
import { note, waitForPenny } from './support';

describe('The demo, as the README starts it (UI)', function () {
  this.timeout(120_000);

  let demo: ChildProcess | undefined;
  let output = '';
  let exited: Promise<number | null>;
  let port: number;
  let browser: BrowserSession | undefined;
  let page: Page;

  before(async function () {
    this.timeout(240_000);
    port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PENNY_DEMO_PORT: String(port) };
    delete env.OPENAI_API_KEY; // a newcomer without a key
    demo = spawn(process.execPath, [path.join(repoRoot(), 'out', 'test', 'demo', 'demo.js'), '--no-package'], {
      cwd: repoRoot(),
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => demo!.once('exit', (code) => resolve(code)));
    const url = await waitUntil('the demo to print the URL to open', () => /Open:\s+(http:\/\/\S+)/.exec(output)?.[1], {
      timeoutMs: 180_000,
      intervalMs: 200,
      describe: () => output.slice(-600),
    });
    note(`demo at ${url}`);
    browser = await launchBrowser();
    page = browser.page;
    await openWorkbench(page, url, 120_000);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await saveScreenshot(page, `demo-FAILED-${this.currentTest.title}`);
      console.error(`--- demo output (tail) ---\n${output.slice(-2_000)}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    if (demo?.pid && demo.exitCode === null) await killGroup(demo.pid);
  });

  it('says it talks to the local demo server, and opens on the workspace README, which says what to try', async () => {
    assert.match(output, /no OPENAI_API_KEY: Penny talks to the local demo server/);
    const text = await waitUntil(
      'the README preview with "Things to try" in the editor area',
      async () => {
        const frames = page.frames();
        for (const frame of frames) {
          const body = await frame
            .locator('body')
            .innerText()
            .catch(() => '');
          if (body.includes('Things to try') && body.includes('removeItem')) return body;
        }
        return undefined;
      },
      { timeoutMs: 60_000, describe: async () => JSON.stringify((await page.locator('.part.editor').innerText()).slice(0, 300)) },
    );
    assert.ok(text.includes('Corner Shop'), text.slice(0, 200));
    await waitForPenny(page);
  });

  it('answers the first step from the demo server: the rest of removeItem as ghost text', async () => {
    await openFile(page, 'cart.ts', 30_000);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('export function removeItem(', { delay: 60 });
    const ghost = await readGhostText(page, {
      accept: (t) => t.startsWith('cart: Cart, sku: string'),
      what: "the demo's ghost text for removeItem",
      timeoutMs: 30_000,
    });
    note(`ghost text ${JSON.stringify(ghost.slice(0, 50))}…`);
  });

  it('stops everything on Ctrl+C (SIGINT): the demo exits and its port is free again', async () => {
    await browser?.close();
    process.kill(-demo!.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    assert.notEqual(code, 'timeout', `the demo still runs 30 s after SIGINT: ${output.slice(-400)}`);
    await waitUntil(`port ${port} to be free after the demo stopped`, () => portIsFree(port), { timeoutMs: 15_000 });
  });
});
