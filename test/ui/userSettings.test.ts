// Where a user puts Penny's endpoint: in the User settings, in a remote window. code-server is a remote
// window (like Remote-SSH, WSL, Dev Containers and Codespaces): the harness writes the settings to
// User/settings.json only, nothing to the remote's Machine settings. The workspace that is opened
// brings its own .vscode/settings.json pointing elsewhere, as a cloned repository could.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { editorLines, findFrame, openFile, readGhostText, runCommand, waitUntil } from '../harness/workbench';
import { MockOpenAIServer, type RecordedRequest, type ScriptedReply } from '../server/mockOpenAI';
import {
  API_KEY,
  ask,
  chatMessages,
  describeRequests,
  focusChat,
  note,
  screenshotAfterEach,
  startPennyUi,
  stopPennyUi,
  waitForMessage,
  reloadWindow,
  type PennyUi,
} from './support';

const QUESTION = 'Which endpoint answers this?';
const ANSWER = 'The one in your User settings.';
const COMPLETION = 'return a * b;';

function reply(req: RecordedRequest): ScriptedReply {
  if (JSON.stringify(req.body?.messages ?? '').includes(QUESTION))
    return { content: ANSWER, usage: { prompt_tokens: 100, completion_tokens: 10, cached_tokens: 0 } };
  return { content: COMPLETION, usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 } };
}

describe('Penny settings from User settings in a remote window (UI)', function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;
  let elsewhere: MockOpenAIServer;
  /** The endpoint the user switches to while VS Code runs. */
  let changedTo: MockOpenAIServer;
  /** The endpoint that should get the next question. */
  let current: () => MockOpenAIServer;

  before(async function () {
    this.timeout(300_000);
    elsewhere = await MockOpenAIServer.start();
    elsewhere.setDefault(() => ({ content: 'the workspace endpoint answered' }));
    changedTo = await MockOpenAIServer.start({ validKeys: [API_KEY] });
    changedTo.setDefault(reply);
    ui = await startPennyUi({
      reply,
      label: 'user-settings',
      // penny.baseUrl (the local mock) is in the User settings; the workspace points elsewhere.
      workspaceSettings: { 'penny.baseUrl': elsewhere.url, 'penny.prices': { 'gpt-4o-mini': { input: 0, output: 0 } } },
      // Nothing in the remote's Machine settings: a user's remote window has none (walkthroughs open on install).
      machineSettings: {},
    });
    page = ui.page;
    current = () => ui!.mock;
  });

  screenshotAfterEach('user-settings', () => ui);

  after(async function () {
    this.timeout(90_000);
    await stopPennyUi(ui);
    await elsewhere?.stop();
    await changedTo?.stop();
  });

  /** VS Code 1.139 shows the Settings editor as a modal: Escape closes it. */
  async function closeSettingsEditor(): Promise<void> {
    await waitUntil(
      'the Settings editor to close on Escape',
      async () => {
        if (!(await page.locator('.settings-editor').isVisible())) return true;
        await page.keyboard.press('Escape');
        return false;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
  }

  /** Asks QUESTION in the chat and checks the answer came from the User settings' endpoint, at list price. */
  async function askTheUsersEndpoint(): Promise<void> {
    const chat = await findFrame(page, '#prompt', 10_000).catch(() => focusChat(page, (p, t) => runCommand(p, t, 30_000)));
    const before = (await chatMessages(chat)).map((m) => m.id);
    const endpoint = current();
    const sent = endpoint.requests.length;
    await ask(chat, QUESTION);
    const answer = await waitForMessage(
      chat,
      'a new finished answer',
      (m) => m.role === 'assistant' && m.status !== 'streaming' && !before.includes(m.id),
      60_000,
      endpoint,
    );
    assert.equal(answer.status, 'done', `answered without an error: ${answer.body}`);
    assert.ok(answer.body.includes(ANSWER), answer.body);
    // gpt-4o-mini at its list price, not the workspace's zero prices: 100 * 0.15e-6 + 10 * 0.6e-6.
    assert.ok(answer.cost.includes('$0.000021'), `priced by the built-in table: ${answer.cost}`);
    assert.equal(endpoint.requests.slice(sent).filter((r) => r.path.endsWith('/chat/completions')).length, 1, describeRequests(endpoint));
    assert.equal(elsewhere.requests.length, 0, `the workspace's endpoint got nothing: ${describeRequests(elsewhere)}`);
  }

  it('sends a chat question to the endpoint in the User settings, priced by the User settings', async () => {
    await askTheUsersEndpoint();
  });

  it('follows a change the user makes to penny.baseUrl in the Settings editor while VS Code runs', async () => {
    try {
      // The Settings editor opens on its User tab; in a remote window it also has a Remote tab.
      // Written by VS Code itself, so the change reaches the extension host at once (an edit of the
      // file from outside is not noticed by code-server here).
      await runCommand(page, 'Preferences: Open User Settings', 30_000);
      await page.locator('.settings-editor .suggest-input-container').waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.type('penny.baseUrl');
      const input = page.locator('.settings-editor input[aria-label="penny.baseUrl"]').first();
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(await input.isEditable(), 'penny.baseUrl can be edited on the User tab');
      await input.fill(changedTo.url);
      const file = path.join(ui!.server.userDataDir, 'User', 'settings.json');
      await waitUntil(
        `the Settings editor to write penny.baseUrl=${changedTo.url} to the User settings file`,
        () => fs.readFileSync(file, 'utf8').includes(changedTo.url),
        {
          timeoutMs: 20_000,
          describe: () => fs.readFileSync(file, 'utf8').slice(-200),
        },
      );
    } finally {
      await closeSettingsEditor();
    }
    // Nothing is left at the old endpoint: a request that still went there would fail, not pass unseen.
    await ui!.mock.stop();
    current = () => changedTo;
    await askTheUsersEndpoint();
  });

  it('still does after a window reload (VS Code then knows the settings from the start)', async () => {
    await reloadWindow(page);
    await askTheUsersEndpoint();
  });

  it('sends completions there too', async () => {
    await openFile(page, 'sample.ts', 30_000);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('function times(a: number, b: number) {');
    await page.keyboard.press('Enter');
    const ghost = await readGhostText(page, {
      accept: (t) => t.includes(COMPLETION),
      what: `ghost text containing "${COMPLETION}"`,
      timeoutMs: 30_000,
      stableMs: 200,
    });
    note(`ghost text ${JSON.stringify(ghost)}`);
    await page.keyboard.press('Tab');
    await waitUntil(`"${COMPLETION}" in the editor after Tab`, async () => (await editorLines(page)).some((l) => l.includes(COMPLETION)), {
      describe: async () => JSON.stringify((await editorLines(page)).slice(-4)),
    });
    assert.equal(elsewhere.requests.length, 0, `the workspace's endpoint got nothing: ${describeRequests(elsewhere)}`);
  });
});
