// Escalating a selection to gpt-4o as a user does it, in a real VS Code (code-server) driven through
// Chromium: the task quick pick with each task's estimated cost, the confirmation above the
// threshold, the escalated answer in the chat with its exact cost, and the cost report after it.
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { findFrame, openFile, runCommand, startCommand, waitForStatusBar, waitUntil } from '../harness/workbench';
import type { RecordedRequest, ScriptedReply } from '../server/mockOpenAI';
import {
  NO_COMPLETION,
  ask,
  boxOf,
  chooseQuickPick,
  describeRequests,
  lastUserText,
  note,
  quickTitle,
  readmeScreenshot,
  screenshotAfterEach,
  selectLines,
  startPennyUi,
  stopPennyUi,
  waitForMessage,
  waitForQuickPick,
  type PennyUi,
} from './support';

const ESCALATION_MODEL = 'gpt-4o';
const RESPONSE_MODEL = 'gpt-4o-2024-08-06';
// sample.ts lines 8-10: the distance() function.
const SELECTED_LINE = 'return Math.hypot(a.x - b.x, a.y - b.y);';
const FIRST_LINE = 8;
const LINES = 3;
const ESCALATED_ANSWER = [
  'No bugs in `distance`: `Math.hypot` handles large and small values without overflow.',
  '',
  'One note: it returns `NaN` when a coordinate is `NaN`. The corrected code is unchanged:',
  '',
  '```ts',
  'export function distance(a: Point, b: Point): number {',
  '  return Math.hypot(a.x - b.x, a.y - b.y);',
  '}',
  '```',
  '',
].join('\n');
// gpt-4o: $2.50 per 1M input tokens, $10 per 1M output: 400 * 2.5e-6 + 200 * 10e-6 = $0.003.
const ESCALATED_USAGE = { prompt_tokens: 400, completion_tokens: 200, cached_tokens: 0 };
const ESCALATED_COST = '$0.003 (exact)';

const FOLLOW_UP = 'Thanks! Is Math.hypot slower than Math.sqrt?';
const FOLLOW_UP_ANSWER = 'A little, in some engines; it is rarely worth the difference.';

function reply(req: RecordedRequest): ScriptedReply {
  if (lastUserText(req).includes(FOLLOW_UP)) return { content: FOLLOW_UP_ANSWER, usage: { prompt_tokens: 900, completion_tokens: 40, cached_tokens: 0 } };
  if (req.body?.model === ESCALATION_MODEL) return { content: ESCALATED_ANSWER, model: RESPONSE_MODEL, usage: ESCALATED_USAGE, chunkSize: 16 };
  return NO_COMPLETION;
}

describe('Penny escalation (UI)', function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;
  let chat: Frame;

  before(async function () {
    this.timeout(300_000);
    ui = await startPennyUi({ reply, label: 'escalate' });
    page = ui.page;
  });

  screenshotAfterEach('escalate', () => ui);

  after(async function () {
    this.timeout(90_000);
    await stopPennyUi(ui);
  });

  it('shows the estimated cost of each task before anything is sent', async () => {
    await openFile(page, 'sample.ts', 30_000);
    // The distance() function.
    await selectLines(page, FIRST_LINE, FIRST_LINE + LINES - 1);
    const requestsBefore = ui!.mock.requests.filter((r) => r.body?.model === ESCALATION_MODEL).length;

    await startCommand(page, 'Penny: Escalate Selection to gpt-4o', 30_000);
    const rows = await waitForQuickPick(page, 'Find bugs', {
      accept: (r) => r.filter((row) => row.text.includes('$')).length >= 4,
      what: 'whose task rows show a $ estimate',
      timeoutMs: 60_000,
    });
    const title = await quickTitle(page);
    note(`quick pick "${title}": ${rows.map((r) => r.text).join(' | ')}`);
    assert.equal(title, `Escalate lines ${FIRST_LINE}-${FIRST_LINE + LINES - 1} to gpt-4o`);
    for (const task of ['Explain', 'Find bugs', 'Improve', 'Write tests']) {
      const row = rows.find((r) => r.label === task);
      assert.ok(row, `a "${task}" row`);
      assert.match(
        row.text,
        /tokens in: \$[0-9.]+ · answer ~\$[0-9.]+, at most \$[0-9.]+ · same on gpt-4o-mini: ~\$[0-9.]+/,
        `"${task}" shows its estimate: ${row.text}`,
      );
    }
    assert.equal(ui!.mock.requests.filter((r) => r.body?.model === ESCALATION_MODEL).length, requestsBefore, 'nothing was sent to gpt-4o yet');

    // The README picture: the quick pick over the editor.
    const widget = await boxOf(page, '.quick-input-widget');
    await readmeScreenshot(page, 'escalation-estimate', {
      x: widget.x - 24,
      y: Math.max(0, widget.y - 40),
      width: widget.width + 48,
      height: widget.height + 64,
    });
  });

  it('asks to confirm above the threshold, then streams the escalated answer with its exact cost', async () => {
    await chooseQuickPick(page, 'Find bugs');
    // The default penny.escalation.confirmAbove is $0.01; at most 4096 output tokens of gpt-4o cost ~$0.04.
    const rows = await waitForQuickPick(page, 'Send to gpt-4o', { timeoutMs: 60_000 });
    const title = await quickTitle(page);
    note(`confirmation "${title}": ${rows.map((r) => r.text).join(' | ')}`);
    assert.match(title, /^Escalate to gpt-4o\? it may cost up to \$[0-9.]+ \(above \$0\.01\)$/);
    assert.ok(
      rows.some((r) => r.label.includes('Cancel')),
      'a Cancel row',
    );
    assert.equal(ui!.mock.requests.filter((r) => r.body?.model === ESCALATION_MODEL).length, 0, 'nothing sent before the confirmation');
    await chooseQuickPick(page, 'Send to gpt-4o', 'Send');

    chat = await findFrame(page, '#prompt', 60_000);
    const answer = await waitForMessage(
      chat,
      'the escalated answer (.message.escalated, data-status="done")',
      (m) => m.role === 'assistant' && m.escalated && m.status === 'done',
      60_000,
      ui!.mock,
    );
    note(`escalated answer's cost line: ${answer.cost}`);
    assert.ok(answer.body.includes('No bugs in distance'), `the answer's text: ${answer.body}`);
    assert.match(answer.cost, new RegExp(`^${RESPONSE_MODEL} · 400 in · 200 out · \\$0\\.003 \\(exact\\)$`));
    assert.ok(answer.cost.includes(ESCALATED_COST));
    assert.equal(await chat.locator(`.message[data-id="${answer.id}"] .escalated-badge`).textContent(), 'escalated');

    const sent = ui!.mock.requests.filter((r) => r.body?.model === ESCALATION_MODEL);
    assert.equal(sent.length, 1, `one request to gpt-4o: ${describeRequests(ui!.mock)}`);
    const prompt = lastUserText(sent[0]);
    assert.ok(prompt.includes(SELECTED_LINE), `the selected code was sent: ${prompt}`);
    assert.ok(prompt.includes('Find the bugs in this code'), `with the "Find bugs" instruction: ${prompt}`);
    assert.ok(!prompt.includes('centroid'), `and only the selection: ${prompt}`);
    await waitForStatusBar(page, 'penny.cost', {
      accept: (e) => `${e.text} ${e.ariaLabel}`.includes('$0.003'),
      what: 'to count the escalation ($0.003)',
      timeoutMs: 30_000,
    });
  });

  it('shows the spend by model in the cost report', async () => {
    // A cheap follow-up in the same chat, so the report has both models.
    await ask(chat, FOLLOW_UP);
    await waitForMessage(
      chat,
      'the answer to the follow-up',
      (m) => m.role === 'assistant' && m.status === 'done' && m.body.includes(FOLLOW_UP_ANSWER),
      60_000,
      ui!.mock,
    );
    await runCommand(page, 'Penny: Show Cost Report', 30_000);
    const report = await findFrame(page, '#export', 60_000);
    const text = await waitUntil(
      'the cost report to list gpt-4o and gpt-4o-mini',
      async () => {
        const t = await report.locator('body').innerText();
        return t.includes(RESPONSE_MODEL) && /gpt-4o-mini/.test(t) ? t : undefined;
      },
      { timeoutMs: 30_000, describe: async () => JSON.stringify((await report.locator('body').innerText()).slice(0, 600)) },
    );
    note(`report: ${text.split('\n').filter(Boolean).slice(0, 4).join(' | ')}`);
    assert.match(text, /By model/);
    assert.match(text, /By feature/);
    assert.match(text, /escalation/);
    // The README picture: the report panel, down to the end of its content.
    const editor = await boxOf(page, '.part.editor');
    const buttons = await report.locator('#export').boundingBox(); // in page coordinates
    const bottom = buttons ? buttons.y + buttons.height + 24 : editor.y + editor.height;
    await readmeScreenshot(page, 'cost-report', { x: editor.x, y: editor.y, width: editor.width, height: Math.min(editor.height, bottom - editor.y) });
  });
});
