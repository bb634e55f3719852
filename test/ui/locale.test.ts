// Penny in another display language, in a real VS Code (code-server) driven through Chromium: with
// pseudo-localized translations (generated here, into the installed extension only) under the
// pseudo-locale qps-ploc, the status bar, the command titles, the chat view's every label and a core
// error message shown in the chat are all translated: no English word is left.
/* eslint-disable @typescript-eslint/no-explicit-any -- the functions given to evaluate() run in the page; tsconfig.json types the tests for Node, not the DOM */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getL10nPseudoLocalized } from '@vscode/l10n-dev';
import type { Frame, Page } from 'playwright-core';
import { formatUsd } from '../../src/core/cost/format';
import { classifyError } from '../../src/core/errors';
import { saveScreenshot } from '../harness/browser';
import { repoRoot } from '../harness/codeServer';
import { openCommandPalette, runCommand, statusBarEntry, waitForStatusBar } from '../harness/workbench';
import type { RecordedRequest, ScriptedReply } from '../server/mockOpenAI';
import { englishWords } from '../support/pseudoLocale';
import {
  NO_COMPLETION,
  ask,
  focusChat,
  lastUserText,
  note,
  screenshotAfterEach,
  startPennyUi,
  stopPennyUi,
  waitForMessage,
  waitForQuickPick,
  type PennyUi,
} from './support';

const LOCALE = 'qps-ploc';
const CHAT_MODEL = 'gpt-4o-mini';
const ESCALATION_MODEL = 'gpt-4o';

const QUESTION = 'How do I greet someone?';
const ANSWER = ['Like this:', '', '```ts', "console.log('Hello!');", '```', ''].join('\n');
const RATE_LIMITED_QUESTION = 'Are you busy?';
const RETRY_AFTER_MS = 10;

function reply(req: RecordedRequest): ScriptedReply {
  const question = lastUserText(req);
  if (question.includes(QUESTION)) return { content: ANSWER, usage: { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 0 } };
  if (question.includes(RATE_LIMITED_QUESTION)) return { error: { status: 429, headers: { 'retry-after-ms': String(RETRY_AFTER_MS) } } };
  return NO_COMPLETION;
}

type Translations = Record<string, string>;

interface PseudoTranslations {
  /** package.nls.qps-ploc.json: the manifest's titles and descriptions. */
  nls: Translations;
  /** l10n/bundle.l10n.qps-ploc.json: the strings of the code. */
  bundle: Translations;
}

/** Writes pseudo-localized package.nls and l10n bundle files for LOCALE into the installed Penny, and returns them. */
function addPseudoTranslations(extensionsDir: string): PseudoTranslations {
  const installed = fs.readdirSync(extensionsDir).find((name) => name.startsWith('penny-dev.penny-'));
  if (!installed) throw new Error(`Penny is not installed in ${extensionsDir}: ${fs.readdirSync(extensionsDir).join(', ')}`);
  const dir = path.join(extensionsDir, installed);
  const pseudo = (english: string, translated: string): Translations => {
    const result = getL10nPseudoLocalized(JSON.parse(fs.readFileSync(path.join(dir, english), 'utf8'))) as Translations;
    fs.writeFileSync(path.join(dir, translated), JSON.stringify(result, null, 2));
    return result;
  };
  return {
    nls: pseudo('package.nls.json', `package.nls.${LOCALE}.json`),
    bundle: pseudo(path.join('l10n', 'bundle.l10n.json'), path.join('l10n', `bundle.l10n.${LOCALE}.json`)),
  };
}

// Model names and the brand are no words to translate; numbers and amounts have no letters.
const NOT_TRANSLATED_ON_PURPOSE = [ESCALATION_MODEL, CHAT_MODEL, 'Penny'];

interface Label {
  /** e.g. `button#send` or `button[data-action=copy]`. */
  element: string;
  kind: 'text' | 'title' | 'placeholder' | 'aria-label';
  value: string;
}

/**
 * What the chat view shows or labels: the text of every rendered element and its title, placeholder
 * and aria-label, and the document title. Left out: the messages' bodies (the model's markdown and
 * the user's own question; a code block's toolbar counts) and a code block's language id.
 */
async function chatLabels(chat: Frame): Promise<Label[]> {
  return chat.evaluate(() => {
    // Runs in the webview (this project's tsconfig has no DOM lib).
    const doc = (globalThis as any).document;
    const isContent = (e: any) => (!!e.closest('.message .body') && !e.closest('.code-toolbar')) || !!e.closest('.code-language');
    const describe = (e: any) =>
      e.tagName.toLowerCase() +
      (e.id ? `#${e.id}` : '') +
      Array.from(e.classList as string[])
        .map((c) => `.${c}`)
        .join('') +
      (e.dataset.action ? `[data-action=${e.dataset.action}]` : '');
    const labels: Array<{ element: string; kind: string; value: string }> = [{ element: 'document', kind: 'title', value: doc.title }];
    for (const e of Array.from(doc.body.querySelectorAll('*')) as any[]) {
      if (!e.checkVisibility() || isContent(e)) continue;
      for (const kind of ['title', 'placeholder', 'aria-label']) {
        const value = e.getAttribute(kind)?.trim();
        if (value) labels.push({ element: describe(e), kind, value });
      }
      const text = (Array.from(e.childNodes) as any[])
        .filter((node) => node.nodeType === 3)
        .map((node) => node.textContent)
        .join(' ')
        .trim();
      if (text) labels.push({ element: describe(e), kind: 'text', value: text });
    }
    return labels;
  }) as Promise<Label[]>;
}

/** Fails with every label of the chat view that still has an English word, naming its element. */
async function assertChatTranslated(chat: Frame, when: string, mustInclude: string[]): Promise<void> {
  const labels = await chatLabels(chat);
  const untranslated = labels.flatMap((l) => {
    const words = englishWords(l.value, NOT_TRANSLATED_ON_PURPOSE);
    return words.length ? [`${l.element} ${l.kind}: "${l.value}" (${words.join(', ')})`] : [];
  });
  note(`${when}: ${labels.length} labels checked`);
  // The checker saw the view: an empty list would pass without proving anything.
  const missing = mustInclude.filter((element) => !labels.some((l) => l.element.includes(element)));
  assert.deepEqual(missing, [], `${when}: elements the check must have seen; it saw ${JSON.stringify(labels.map((l) => l.element))}`);
  assert.deepEqual(untranslated, [], `${when}: English left in the chat view`);
}

describe(`Penny in the pseudo-locale ${LOCALE} (UI)`, function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;
  let chat: Frame;
  let translations: PseudoTranslations;

  before(async function () {
    this.timeout(300_000);
    ui = await startPennyUi({
      reply,
      label: 'locale',
      locale: LOCALE,
      afterInstall: (extensionsDir) => (translations = addPseudoTranslations(extensionsDir)),
      settings: { 'penny.chatModel': CHAT_MODEL, 'penny.escalationModel': ESCALATION_MODEL },
    });
    page = ui.page;
    // What Penny should say is what its own code says under the same translations.
    l10n.config({ contents: translations.bundle });
  });

  screenshotAfterEach('locale', () => ui);

  after(async function () {
    this.timeout(90_000);
    l10n.config({ contents: {} });
    await stopPennyUi(ui);
  });

  it('shows the status bar items translated', async () => {
    const expected = l10n.t('{0} today', formatUsd(0));
    const cost = await waitForStatusBar(page, 'penny.cost', { accept: (e) => e.text === expected, what: `to say "${expected}"` });
    const completions = await statusBarEntry(page, 'penny.completions');
    note(`status bar: "${cost.text}" (${cost.ariaLabel}); completions toggle: ${completions?.ariaLabel}`);
    assert.ok(completions, 'the completions toggle is in the status bar');
    for (const text of [cost.text, cost.ariaLabel, completions.ariaLabel]) assert.deepEqual(englishWords(text, NOT_TRANSLATED_ON_PURPOSE), [], text);
  });

  it("lists Penny's commands by their translated titles in the command palette", async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
    // The palette hides the commands it lists with a `when` (accept/reject a proposed change).
    const hidden = new Set<string>(
      manifest.contributes.menus.commandPalette.filter((m: { when?: string }) => m.when).map((m: { command: string }) => m.command),
    );
    const expected: string[] = manifest.contributes.commands
      .filter((c: { command: string }) => !hidden.has(c.command))
      .map((c: { category: string; title: string }) => `${c.category}: ${translations.nls[c.title.slice(1, -1)]}`);
    await openCommandPalette(page);
    await page.keyboard.type('Penny: ');
    const rows = await waitForQuickPick(page, expected[0], {
      accept: (shown) => expected.every((title) => shown.some((r) => r.label === title)),
      what: `and all of ${JSON.stringify(expected)}`,
    });
    await page.keyboard.press('Escape');
    note(`palette rows: ${rows.map((r) => JSON.stringify(r.text)).join(', ')}`);
    const penny = rows.filter((r) => r.label.startsWith('Penny: '));
    assert.deepEqual(
      penny.filter((r) => englishWords(r.label, NOT_TRANSLATED_ON_PURPOSE).length),
      [],
      'Penny commands with an English title',
    );
  });

  it('translates everything the chat view shows or labels, before and after an answer', async () => {
    chat = await focusChat(page, (p, t) => runCommand(p, t, 30_000), `Penny: ${translations.nls['command.focusChat.title']}`);
    const sideBarTitle = (await page.locator('.part.sidebar .title-label h2').first().textContent()) ?? '';
    for (const name of [translations.nls['viewsContainer.penny.title'], translations.nls['view.chat.name']]) {
      assert.ok(sideBarTitle.includes(name), `the side bar's title "${sideBarTitle}" names "${name}"`);
    }
    // The view's bundle is vscode.l10n.bundle, which the extension host loaded from bundle.l10n.qps-ploc.json.
    const handedOver = JSON.parse(await chat.evaluate(() => (globalThis as any).document.body.dataset.l10n ?? '{}'));
    assert.deepEqual(handedOver, translations.bundle, 'the chat view got the pseudo-localized bundle (vscode.l10n.bundle)');
    await assertChatTranslated(chat, 'before the first question', ['#prompt', 'button#send', 'button#new-chat', 'button#history', 'span#total-cost']);

    await ask(chat, QUESTION);
    const answer = await waitForMessage(
      chat,
      `the answer to "${QUESTION}" (data-status="done")`,
      (m) => m.role === 'assistant' && m.status === 'done' && m.cost !== '',
      60_000,
      ui!.mock,
    );
    note(`cost line: ${answer.cost}`);
    await assertChatTranslated(chat, 'after an answer', [
      'div.cost',
      '[data-action=copy]',
      '[data-action=insert]',
      '[data-action=apply]',
      '[data-action=newFile]',
      '[data-action=regenerate]',
      '[data-action=edit]',
    ]);
  });

  it('shows a core error message translated in the chat', async () => {
    await ask(chat, RATE_LIMITED_QUESTION);
    const failed = await waitForMessage(
      chat,
      `the answer to "${RATE_LIMITED_QUESTION}" to fail (data-status="error")`,
      (m) => m.role === 'assistant' && m.status === 'error',
      60_000,
      ui!.mock,
    );
    const shown = (await chat.locator(`.message[data-id="${failed.id}"] .error-text`).textContent()) ?? '';
    // The core's message for this failure (after its retries), made here under the same translations.
    const headers = { get: (name: string) => (name === 'retry-after-ms' ? String(RETRY_AFTER_MS) : null) };
    const expected = classifyError({ status: 429, headers }, { model: CHAT_MODEL, modelSetting: 'penny.chatModel', baseUrl: ui!.mock.url }).message;
    note(`error shown: ${shown}`);
    assert.equal(shown, expected, 'the chat shows the translated rate-limit message');
    await assertChatTranslated(chat, 'after the error', ['p.error-text', '[data-action=retry]']);
    await saveScreenshot(page, `locale-${LOCALE}`);
  });
});
