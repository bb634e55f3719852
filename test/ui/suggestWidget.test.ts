// Ghost text and VS Code's suggest widget, with VS Code's default editor settings. Under
// `editor.quickSuggestions` "offWhenInlineCompletions" (1.139's default) the suggest widget waits up
// to 750 ms for an inline completion; a slower answer (1 s to the first token here) meets the widget
// already open with a word suggestion selected. Both want Tab: the user must still be able to accept
// Penny's suggestion.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { currentGhostText, editorLines, openFile, waitUntil } from '../harness/workbench';
import { CURSOR } from '../../src/core/completion/prompt';
import type { RecordedRequest, ScriptedReply } from '../server/mockOpenAI';
import { describeRequests, note, screenshotAfterEach, startPennyUi, stopPennyUi, type PennyUi } from './support';

const HEADER = 'export function shout(name: string): string {';
const TYPED = 'return na';
const LINE = 'return name.toUpperCase();';
const FIRST_TOKEN_MS = 1_000;

/** The rest of LINE after what the cursor's line already holds: `me.toUpperCase();` after `return na`. */
function reply(req: RecordedRequest): ScriptedReply {
  const prompt = JSON.stringify(req.body?.messages ?? '');
  const messages: Array<{ role?: string; content?: unknown }> = req.body?.messages ?? [];
  const user = messages.filter((m) => m.role === 'user' && typeof m.content === 'string' && (m.content as string).includes(CURSOR)).at(-1)?.content as
    string | undefined;
  if (!user || !prompt.includes('shout')) return { content: '', usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 } };
  const cursorLine = user.slice(0, user.lastIndexOf(CURSOR)).split('\n').at(-1)!.trim();
  const rest = LINE.startsWith(cursorLine) ? LINE.slice(cursorLine.length) : '';
  return { content: rest, usage: { prompt_tokens: 300, completion_tokens: 8, cached_tokens: 0 }, firstByteDelayMs: FIRST_TOKEN_MS };
}

/** The editor's view lines as drawn, ghost text and the suggestion preview included. */
async function drawnLines(page: Page): Promise<string[]> {
  return page.$$eval('.editor-group-container .monaco-editor .view-lines .view-line', (lines) =>
    lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')),
  );
}

describe("Ghost text beside the suggest widget, with VS Code's default editor settings (UI)", function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    ui = await startPennyUi({ reply, label: 'suggest-widget', editorDefaults: true });
    page = ui.page;
  });

  screenshotAfterEach('suggest-widget', () => ui);

  after(async function () {
    this.timeout(90_000);
    await stopPennyUi(ui);
  });

  it(`a ${FIRST_TOKEN_MS} ms answer after "${TYPED}", with the word suggestion "name" open: Tab accepts Penny's whole line`, async () => {
    await openFile(page, 'sample.ts', 30_000);
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    // Auto-closing brackets: `{` brings its `}`, and Enter between them opens an indented line.
    await page.keyboard.type(HEADER, { delay: 40 });
    await page.keyboard.press('Enter');
    await page.keyboard.type(TYPED, { delay: 60 });
    const typed = Date.now();
    const widget = page.locator('.editor-group-container .suggest-widget.visible');
    // Watched until the ghost text is drawn: whether the widget opened first, and what it selected.
    let widgetSeen = '';
    await waitUntil(
      `"${LINE}" drawn in the editor, ghost text included`,
      async () => {
        if (!widgetSeen && (await widget.isVisible()))
          widgetSeen = (
            await widget
              .locator('.monaco-list-row.focused')
              .innerText()
              .catch(() => '?')
          ).split('\n')[0];
        return (await drawnLines(page)).some((l) => l.trim() === LINE);
      },
      {
        timeoutMs: 20_000,
        intervalMs: 50,
        describe: async () =>
          `widget ${(await widget.isVisible()) ? 'open' : 'closed'}, ghost "${await currentGhostText(page)}"; ${describeRequests(ui!.mock)}`,
      },
    );
    note(
      `ghost text ${Date.now() - typed} ms after the last key; the suggest widget ${widgetSeen ? `opened first, selecting "${widgetSeen}"` : 'did not open'}, and is ${(await widget.isVisible()) ? 'open' : 'closed'} with it`,
    );

    // Tab takes the widget's item ("name"); the rest of Penny's line stays as ghost text; Tab again takes it.
    const typedLine = async () => (await editorLines(page)).find((l) => l.trim().startsWith('return na'))?.trim() ?? '';
    let line = await typedLine();
    const presses: string[] = [];
    for (let press = 1; press <= 3 && line !== LINE; press++) {
      await page.keyboard.press('Tab');
      const before = line;
      line = await waitUntil(
        `the line to change after Tab #${press} (was "${before}")`,
        async () => {
          const now = await typedLine();
          return now !== before ? now : undefined;
        },
        { timeoutMs: 10_000, describe: async () => `"${await typedLine()}", ghost "${await currentGhostText(page)}"` },
      );
      presses.push(line);
      if (line === LINE) break;
      await waitUntil(`"${LINE}" drawn again, ghost text included`, async () => (await drawnLines(page)).some((l) => l.trim() === LINE), {
        timeoutMs: 10_000,
        describe: async () => `ghost "${await currentGhostText(page)}"`,
      });
    }
    note(`after each Tab: ${presses.map((p) => JSON.stringify(p)).join(', ')}`);
    assert.equal(line, LINE);
    await page.keyboard.press('Control+S');
    const file = path.join(ui!.workspace.dir, 'sample.ts');
    await waitUntil('sample.ts saved with the line', () => fs.readFileSync(file, 'utf8').includes(LINE), { timeoutMs: 10_000 });
    const saved = fs.readFileSync(file, 'utf8');
    assert.ok(saved.includes(`${HEADER}\n  ${LINE}\n}`), JSON.stringify(saved.slice(-200)));
    const completions = ui!.mock.requests.filter((r) => JSON.stringify(r.body?.messages ?? '').includes('shout'));
    note(`${completions.length} completion request(s) for the line`);
  });
});
