// The Send button and the answer buttons follow `busy` as the extension drives it: busy from the
// user's click until the extension answers (the one pending flag), then as its snapshots say; and
// the total is the one the extension sends, never a sum the view keeps.
import * as assert from 'node:assert/strict';
import type { ChatMessage } from '../../src/shared/protocol';
import { formatTotal } from '../../src/webview/format';
import { answersStarted, assistantMessage, event, snapshotOf, userMessage } from '../support/chatProtocol';
import { webviewHooks, type WebviewPage } from './harness';

const QUESTION = userMessage('u1', 'What is a monad?');
const ANSWER = assistantMessage('a1', 'A monoid in the category of endofunctors.');

/** In the page: what the composer and the list show. */
function shown(): { send: string; prompt: string; notice: string | null; total: string; regenerate: number } {
  const d = (
    globalThis as never as {
      document: { querySelector(s: string): { textContent: string; value: string; hidden: boolean } | null; querySelectorAll(s: string): { length: number } };
    }
  ).document;
  const notice = d.querySelector('#notice');
  return {
    send: d.querySelector('#send')?.textContent ?? '',
    prompt: d.querySelector('#prompt')?.value ?? '',
    notice: notice && !notice.hidden ? notice.textContent : null,
    total: d.querySelector('#total-cost')?.textContent ?? '',
    regenerate: d.querySelectorAll('[data-action="regenerate"]').length,
  };
}

describe('webview: busy and the total follow the extension', function () {
  this.timeout(60_000);
  let page: WebviewPage | undefined;
  const harness = webviewHooks(() => page);

  async function ask(p: WebviewPage, text: string): Promise<void> {
    await p.page.fill('#prompt', text, { timeout: 10_000 });
    await p.page.press('#prompt', 'Enter', { timeout: 10_000 });
  }

  it('busy from Send until the extension refuses; the question is given back', async () => {
    page = await harness().open({
      snapshot: snapshotOf([QUESTION, ANSWER]),
      held: ['send'],
      replies: { send: { ok: false, error: 'An answer is still streaming; stop it first.' } },
    });
    assert.equal((await page.evaluate('the composer', shown, null)).regenerate, 1);
    await ask(page, 'And a functor?');
    const pending = await page.evaluate('the composer while the request is pending', shown, null);
    assert.equal(pending.send, 'Stop', 'busy at once');
    assert.equal(pending.prompt, '', 'the prompt is cleared');
    assert.equal(pending.regenerate, 0, 'no second answer can start');
    assert.equal(await page.release('send'), 1, 'one send request');
    const refused = await page.evaluate('the composer after the refusal', shown, null);
    assert.deepEqual(refused, {
      send: 'Send',
      prompt: 'And a functor?',
      notice: 'An answer is still streaming; stop it first.',
      total: refused.total,
      regenerate: 1,
    });
  });

  it('busy as the snapshots say while the answer streams; the total is the last snapshot’s', async () => {
    page = await harness().open({ snapshot: snapshotOf([QUESTION, ANSWER], { totalUsd: 0.1 }) });
    await ask(page, 'And a functor?');
    const next = userMessage('u2', 'And a functor?');
    // What chatSession.ts sends: a snapshot with the answer streaming, deltas, messageFinished, a snapshot.
    await page.emit(answersStarted([QUESTION, ANSWER, next], [assistantMessage('a2', '')], { totalUsd: 0.1 }));
    assert.equal((await page.evaluate('the composer while streaming', shown, null)).send, 'Stop');
    await page.emit(event('messageDelta', { id: 'a2', text: 'A mapping ' }), event('messageDelta', { id: 'a2', text: 'between categories.' }));
    const finished: ChatMessage = {
      ...assistantMessage('a2', 'A mapping between categories.'),
      cost: { promptTokens: 9, cachedTokens: 0, completionTokens: 5, usd: 0.2, exact: true },
    };
    await page.emit(event('messageFinished', finished));
    const afterFinished = await page.evaluate('the composer after messageFinished', shown, null);
    assert.equal(afterFinished.send, 'Stop', 'busy until the snapshot that follows says otherwise');
    assert.equal(afterFinished.total, formatTotal(0.1), 'the view adds nothing up');
    await page.emit(event('snapshot', snapshotOf([QUESTION, ANSWER, next, finished], { totalUsd: 0.3 })));
    const done = await page.evaluate('the composer after the last snapshot', shown, null);
    assert.equal(done.send, 'Send');
    assert.equal(done.total, formatTotal(0.3), "the extension's exact total");
    assert.equal(done.regenerate, 1);
    const sent = (await page.hostState()).requests.filter((r) => r.method === 'send').map((r) => r.params);
    assert.deepEqual(sent, [{ text: 'And a functor?', model: 'gpt-4o-mini' }]);
  });
});
