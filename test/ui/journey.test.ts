// A new user's first session, set up as a user has it: VS Code's default editor settings (quick
// suggestions, suggestions on trigger characters, parameter hints, auto-closing brackets and quotes),
// Penny's endpoint in the User settings, and no key until the user sets one. The workspace is the
// demo's, the answers the demo server's, and the steps those of the sample workspace's README:
// set the key, accept the first ghost text with Tab, ask the chat, escalate, read the cost.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findFrame, openFile, readGhostText, runCommand, startCommand, waitForStatusBar, waitUntil } from '../harness/workbench';
import { repoRoot } from '../harness/codeServer';
import { demoReply } from '../server/demoScript';
import {
  API_KEY,
  ask,
  chooseQuickPick,
  describeMessages,
  describeRequests,
  chatMessages,
  focusChat,
  note,
  quickTitle,
  screenshotAfterEach,
  selectLines,
  startPennyUi,
  stopPennyUi,
  waitForMessage,
  waitForQuickPick,
  type PennyUi,
} from './support';

const README = fs.readFileSync(path.join(repoRoot(), 'test', 'demo', 'workspace', 'README.md'), 'utf8');
/** What the README's step 1 tells the user to type, read from the README itself. */
const TYPED = /start typing `([^`]+)`/.exec(README)?.[1] ?? '';
/** Step 2's question, from the README. */
const QUESTION = /ask\s+"([^"]+)"/.exec(README.replace(/\s+/g, ' '))?.[1] ?? '';
const REMOVE_ITEM = [
  'export function removeItem(cart: Cart, sku: string): Cart {',
  '  const next = new Cart();',
  '  for (const line of cart.items) {',
  '    if (line.product.sku !== sku) next.add(line.product, line.quantity);',
  '  }',
  '  return next;',
  '}',
].join('\n');

describe("A new user's first session, with VS Code's default editor settings (UI)", function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;
  let chat: Frame;

  before(async function () {
    this.timeout(300_000);
    assert.equal(TYPED, 'export function removeItem(', 'the README still says what to type');
    assert.equal(QUESTION, 'How do I add a percentage discount code?', "the README's question");
    ui = await startPennyUi({
      reply: demoReply,
      label: 'journey',
      workspace: path.join(repoRoot(), 'test', 'demo', 'workspace'),
      editorDefaults: true,
      // A new machine: VS Code's defaults there too (its walkthroughs open on install).
      machineSettings: {},
      noKeyInEnvironment: true,
    });
    page = ui.page;
  });

  screenshotAfterEach('journey', () => ui);

  after(async function () {
    this.timeout(90_000);
    await stopPennyUi(ui);
  });

  it('opens on the "Get started with Penny" walkthrough, whose first step sets the API key; Penny checks it', async () => {
    // What a new user sees first (it takes the focus when it opens, so it is waited for).
    await waitUntil(
      'the "Get started with Penny" walkthrough in the editor area',
      async () => (await page.locator('.part.editor').innerText()).includes('Get started with Penny'),
      {
        timeoutMs: 60_000,
        describe: async () => JSON.stringify((await page.locator('.part.editor').innerText()).slice(0, 200)),
      },
    );
    // Its first step's button, as a user would press it (the same command as "Penny: Set API Key").
    await page.locator('.part.editor').getByRole('button', { name: 'Set API Key' }).first().click();
    const input = page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    // The walkthrough's media view may hold the focus: a user clicks into the box.
    await input.click();
    await input.pressSequentially(API_KEY);
    await waitUntil('the key input to hold the whole key', async () => (await input.inputValue()) === API_KEY, {
      describe: async () => `${(await input.inputValue()).length} characters`,
    });
    await input.press('Enter');
    await waitUntil('the key input to close', async () => !(await page.locator('.quick-input-widget').isVisible()), { timeoutMs: 20_000 });
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'the key works' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    note(`notification: ${(await toast.innerText()).split('\n')[0]}`);
    assert.ok(
      ui!.mock.requests.some((r) => r.method === 'GET' && r.path.endsWith('/models')),
      `the key was checked: ${describeRequests(ui!.mock)}`,
    );
  });

  it(`README step 1: in src/cart.ts, typing "${TYPED}" shows the rest as ghost text and Tab accepts it`, async () => {
    await openFile(page, 'cart.ts', 30_000);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    // Typed as a person types (auto-closing brackets leave `()` with the cursor inside).
    await page.keyboard.type(TYPED, { delay: 60 });
    const typed = Date.now();
    // Drawn around the `)` the editor closed: "cart: Cart, sku: string" before it, ": Cart {" and the body after it.
    const ghost = await readGhostText(page, {
      accept: (t) => t.startsWith('cart: Cart, sku: string') && t.includes(': Cart {'),
      what: 'ghost text with the parameters of removeItem, then its return type',
      timeoutMs: 30_000,
      stableMs: 500,
    });
    note(`ghost text ${JSON.stringify(ghost.slice(0, 60))}… ${Date.now() - typed - 500} ms after the last key`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+S');
    const file = path.join(ui!.workspace.dir, 'src', 'cart.ts');
    const saved = await waitUntil(
      'src/cart.ts on disk to hold removeItem after Tab and Ctrl+S',
      () => {
        const text = fs.readFileSync(file, 'utf8');
        return text.includes('return next;') ? text : undefined;
      },
      { timeoutMs: 15_000, describe: () => JSON.stringify(fs.readFileSync(file, 'utf8').slice(-300)) },
    );
    // Whole, and the `)` the editor closed is not left behind the accepted text.
    assert.ok(saved.trimEnd().endsWith(REMOVE_ITEM), JSON.stringify(saved.slice(-400)));
  });

  it('README step 2: with src/cart.ts attached (+ File), the chat answers the discount question with its exact cost', async () => {
    chat = await focusChat(page, (p, t) => runCommand(p, t, 30_000));
    await chat.locator('#attach-file').click();
    await waitUntil('the attachment "src/cart.ts" above the prompt', async () => (await chat.locator('#attachments').innerText()).includes('cart.ts'), {
      timeoutMs: 20_000,
      describe: async () => JSON.stringify(await chat.locator('#attachments').innerText()),
    });
    await ask(chat, QUESTION);
    const answer = await waitForMessage(chat, 'the answer to the discount question', (m) => m.role === 'assistant' && m.status === 'done', 60_000, ui!.mock);
    note(`answer: ${answer.body.slice(0, 100)}… | ${answer.cost}`);
    assert.ok(answer.body.includes('findDiscount'), answer.body);
    assert.match(answer.cost, /^gpt-4o-mini.* · \$[0-9.]+ \(exact\)$/);
    const code = await chat.$$eval('.message[data-role="assistant"] .code-block pre code', (es) => es.map((e) => e.textContent ?? ''));
    assert.ok(
      code.some((c) => c.includes('export function totalCents(cart: Cart')),
      `a code block to apply: ${JSON.stringify(code)}`,
    );
  });

  it('README step 3: applyDiscount selected and escalated to gpt-4o: the estimate first, then the answer in the chat with its model and cost', async () => {
    await openFile(page, 'cart.ts', 30_000);
    const lines = fs.readFileSync(path.join(ui!.workspace.dir, 'src', 'cart.ts'), 'utf8').split('\n');
    const first = lines.findIndex((l) => l.startsWith('export function applyDiscount(')) + 1;
    const last = lines.findIndex((l, i) => i >= first && l === '}') + 1;
    await selectLines(page, first, last);

    const sentBefore = ui!.mock.requests.filter((r) => r.body?.model === 'gpt-4o').length;
    await startCommand(page, 'Penny: Escalate Selection to gpt-4o', 30_000);
    const rows = await waitForQuickPick(page, 'Improve', {
      accept: (r) => r.filter((row) => row.text.includes('$')).length >= 4,
      what: 'with a $ estimate on each task',
      timeoutMs: 60_000,
    });
    note(`"${await quickTitle(page)}": ${rows.find((r) => r.label === 'Improve')?.text}`);
    assert.equal(ui!.mock.requests.filter((r) => r.body?.model === 'gpt-4o').length, sentBefore, 'nothing sent before the user chose');
    await chooseQuickPick(page, 'Improve');
    // Above penny.escalation.confirmAbove ($0.01 by default) Penny asks once more.
    const confirm = await waitForQuickPick(page, 'Send to gpt-4o', { timeoutMs: 30_000 }).catch(() => undefined);
    if (confirm) await chooseQuickPick(page, 'Send to gpt-4o', 'Send');

    chat = await findFrame(page, '#prompt', 60_000);
    const answer = await waitForMessage(
      chat,
      'the escalated answer (done)',
      (m) => m.role === 'assistant' && m.escalated && m.status === 'done',
      60_000,
      ui!.mock,
    );
    note(`escalated: ${answer.cost}`);
    assert.match(answer.cost, /^gpt-4o\b.* · \$[0-9.]+ \(exact\)$/);
    assert.ok(answer.body.includes('applyDiscount'), answer.body);
  });

  it('README step 4: the status bar counts every request, and the cost report breaks it down by model', async () => {
    const entry = await waitForStatusBar(page, 'penny.cost', { accept: (e) => /\$0\.\d+/.test(e.text), what: 'to show what today cost' });
    note(`status bar: ${entry.text}`);
    await runCommand(page, 'Penny: Show Cost Report', 30_000);
    const report = await findFrame(page, '#export', 60_000);
    const text = await waitUntil(
      'the cost report to list gpt-4o and gpt-4o-mini',
      async () => {
        const t = await report.locator('body').innerText();
        return /gpt-4o-mini/.test(t) && /gpt-4o(?!-mini)/.test(t) ? t : undefined;
      },
      { timeoutMs: 30_000, describe: async () => JSON.stringify((await report.locator('body').innerText()).slice(0, 600)) },
    );
    assert.match(text, /completion/);
    assert.match(text, /escalation/);
    const messages = await chatMessages(chat);
    assert.ok(
      messages.every((m) => m.status !== 'error'),
      describeMessages(messages),
    );
  });
});
