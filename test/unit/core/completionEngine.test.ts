import assert from 'node:assert/strict';
import { meteredCompletionBackend } from '../../../src/core/completion/backend';
import { CompletionEngine, completeLines, type Clock, type CompletionBackend, type EngineRequest } from '../../../src/core/completion/engine';
import { buildCompletionPrompt, wantsMultiline } from '../../../src/core/completion/prompt';

/** A clock whose sleeps end only when the test advances time. */
class ManualClock implements Clock {
  private time = 0;
  private waiting: { until: number; resolve: (done: boolean) => void }[] = [];
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = { until: this.time + ms, resolve };
      this.waiting.push(entry);
      signal.addEventListener('abort', () => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        resolve(false);
      });
    });
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.waiting.filter((w) => w.until <= this.time);
    this.waiting = this.waiting.filter((w) => w.until > this.time);
    for (const w of due) w.resolve(true);
    await new Promise((r) => setImmediate(r));
  }
}

function request(prefix: string, suffix = ''): EngineRequest {
  return { documentKey: 'file:///a.ts', prefix, suffix, languageId: 'typescript', relativePath: 'a.ts' };
}

describe('completion engine', () => {
  let clock: ManualClock;
  let sent: string[];
  let answer: string;
  let engine: CompletionEngine;
  const backend: CompletionBackend = async (prompt, signal) => {
    sent.push(prompt.messages[1].content);
    if (signal.aborted) return undefined;
    return { text: `<COMPLETION>${answer}</COMPLETION>` };
  };

  /** Swaps in a backend whose answer comes only when the returned function is called. */
  function useSlowBackend(): () => void {
    let answer!: () => void;
    const arrived = new Promise<void>((resolve) => (answer = resolve));
    const slow: CompletionBackend = async (prompt) => {
      sent.push(prompt.messages[1].content);
      await arrived;
      return { text: '<COMPLETION>items.length;</COMPLETION>' };
    };
    engine = new CompletionEngine(slow, { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10 }, clock);
    return () => answer();
  }

  beforeEach(() => {
    clock = new ManualClock();
    sent = [];
    answer = 'items.length;';
    engine = new CompletionEngine(backend, { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10 }, clock);
  });

  it('waits for the debounce before sending', async () => {
    const pending = engine.complete(request('const n = '), new AbortController().signal);
    await clock.advance(249);
    assert.equal(sent.length, 0);
    await clock.advance(1);
    assert.deepEqual(await pending, { text: 'items.length;', source: 'network' });
    assert.equal(sent.length, 1);
  });

  it('a newer keystroke cancels the waiting one: one request for a burst', async () => {
    const results = [];
    for (const prefix of ['const n = i', 'const n = it', 'const n = ite']) {
      results.push(engine.complete(request(prefix), new AbortController().signal));
      await clock.advance(100);
    }
    await clock.advance(250);
    const settled = await Promise.all(results);
    assert.equal(sent.length, 1);
    assert.equal(settled[0], undefined);
    assert.equal(settled[1], undefined);
    assert.equal(settled[2]?.text, 'ms.length;');
  });

  it('says which request a suggestion came from, from the network and the cache, and when the user typed one out', async () => {
    const typedThrough: [string, number][] = [];
    const origin = { recordId: 'r1', model: 'gpt-4o-mini-2024-07-18', language: 'typescript' };
    engine = new CompletionEngine(
      async () => ({ text: '<COMPLETION>items.length;</COMPLETION>', origin }),
      { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10, onTypedThrough: (o, chars) => typedThrough.push([o.recordId, chars]) },
      clock,
    );
    const complete = (prefix: string) => engine.complete(request(prefix), new AbortController().signal);
    const first = complete('const n = ');
    await clock.advance(250);
    assert.deepEqual(await first, { text: 'items.length;', source: 'network', origin });
    // Typing it out, each keystroke shown the rest: typed through once the last character is typed.
    for (const typed of ['i', 'it', 'items.length'])
      assert.deepEqual(await complete(`const n = ${typed}`), { text: 'items.length;'.slice(typed.length), source: 'cache', origin });
    assert.deepEqual(typedThrough, []);
    const after = complete('const n = items.length;');
    await clock.advance(250);
    await after;
    assert.deepEqual(typedThrough, [['r1', 13]]);

    // Taken in one go (Tab) from where it was shown: not typed through.
    const other = complete('let m = ');
    await clock.advance(250);
    await other;
    const afterTab = complete('let m = items.length;');
    await clock.advance(250);
    await afterTab;
    assert.deepEqual(typedThrough, [['r1', 13]]);
  });

  it('a cancelled token sends nothing', async () => {
    const controller = new AbortController();
    const pending = engine.complete(request('const n = '), controller.signal);
    controller.abort();
    await clock.advance(300);
    assert.equal(await pending, undefined);
    assert.equal(sent.length, 0);
  });

  it('asking again at the same spot joins the request on its way; a sent request is let finish into the cache', async () => {
    const answerNow = useSlowBackend();
    const first = new AbortController();
    const firstResult = engine.complete(request('const n = '), first.signal);
    await clock.advance(250); // sent, the answer not back yet
    first.abort(); // VS Code re-triggers: the first caller goes away
    const secondResult = engine.complete(request('const n = '), new AbortController().signal);
    answerNow();
    assert.equal(await firstResult, undefined);
    assert.equal((await secondResult)?.text, 'items.length;');
    assert.equal(sent.length, 1);
    assert.equal((await engine.complete(request('const n = '), new AbortController().signal))?.source, 'cache');
  });

  it('typing on through a request already sent waits for it instead of sending another', async () => {
    const answerNow = useSlowBackend();
    const first = new AbortController();
    void engine.complete(request('const n = '), first.signal);
    await clock.advance(250);
    first.abort();
    const typedOn = engine.complete(request('const n = ite'), new AbortController().signal);
    answerNow();
    assert.deepEqual(await typedOn, { text: 'ms.length;', source: 'cache' });
    assert.equal(sent.length, 1);
    assert.equal(engine.stats.recycled, 1);
  });

  it('sends nothing at the end of a line that is already complete: a statement, a sentence of a comment, a closed comment', async () => {
    const finished = ['const n = items.length;', '  // Counts the items.', '   * Resets the state for the next run.', '  /** The count. */', '# Done?'];
    for (const line of finished) {
      const result = engine.complete(request(line, '\nnext();'), new AbortController().signal);
      await clock.advance(300);
      assert.equal(await result, undefined, line);
    }
    assert.equal(sent.length, 0);
    assert.equal(engine.stats.skipped, finished.length);
    const unfinished = engine.complete(request('  // Counts the', '\nnext();'), new AbortController().signal);
    await clock.advance(300);
    await unfinished;
    assert.equal(sent.length, 1, 'a comment mid-sentence is asked about');
  });

  it("sends nothing at the end of a block's opening line when its body is already below it, and asks when the block is empty", async () => {
    const header = 'function f(x) {\n  if (x > 1) {';
    const filled = engine.complete(request(header, '\n\n    return x;\n  }\n}'), new AbortController().signal);
    await clock.advance(300);
    assert.equal(await filled, undefined);
    assert.equal(sent.length, 0);
    assert.equal(engine.stats.skipped, 1);
    const empty = engine.complete(request(header, '\n  return x;\n}'), new AbortController().signal);
    await clock.advance(300);
    await empty;
    assert.equal(sent.length, 1, 'the next line is not deeper: the block has no body yet');
  });

  it('typing through a shown suggestion, or deleting back to it, costs no request', async () => {
    const first = engine.complete(request('const n = '), new AbortController().signal);
    await clock.advance(250);
    assert.equal((await first)?.text, 'items.length;');
    assert.deepEqual(await engine.complete(request('const n = ite'), new AbortController().signal), { text: 'ms.length;', source: 'cache' });
    assert.deepEqual(await engine.complete(request('const n = '), new AbortController().signal), { text: 'items.length;', source: 'cache' });
    assert.equal(sent.length, 1);
    assert.equal(engine.stats.cacheHits, 2);
  });

  it('typing something else asks again', async () => {
    const first = engine.complete(request('const n = '), new AbortController().signal);
    await clock.advance(250);
    await first;
    const second = engine.complete(request('const n = x'), new AbortController().signal);
    await clock.advance(250);
    await second;
    assert.equal(sent.length, 2);
  });

  it('an empty answer is remembered too', async () => {
    answer = '';
    const first = engine.complete(request('const n = '), new AbortController().signal);
    await clock.advance(250);
    assert.equal(await first, undefined);
    assert.equal(await engine.complete(request('const n = '), new AbortController().signal), undefined);
    assert.equal(sent.length, 1);
  });
  it("shows a multi-line answer's first complete lines while the rest streams, then serves the rest from the cache", async () => {
    const finishers: (() => void)[] = [];
    const finish = () => finishers.splice(0).forEach((f) => f());
    let cancelled = false;
    const endsEarly: boolean[] = [];
    const streaming: CompletionBackend = async (_prompt, signal, { onText, isEnough }) => {
      signal.addEventListener('abort', () => (cancelled = true));
      endsEarly.push(isEnough !== undefined);
      onText?.('<COMPLETION>  const total = a + b;', { recordId: 'r1', model: 'gpt-4o-mini' });
      onText?.('<COMPLETION>  const total = a + b;\n  return', { recordId: 'r1', model: 'gpt-4o-mini' });
      await new Promise<void>((resolve) => finishers.push(resolve));
      return { text: '<COMPLETION>  const total = a + b;\n  return total;\n</COMPLETION>', origin: { recordId: 'r1', model: 'gpt-4o-mini' } };
    };
    engine = new CompletionEngine(streaming, { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10, earlyLines: true }, clock);
    const prefix = 'function add(a, b) {\n';
    const shown = engine.complete(request(prefix, '\n}'), new AbortController().signal);
    await clock.advance(250);
    assert.deepEqual(
      await shown,
      { text: '  const total = a + b;', source: 'network', origin: { recordId: 'r1', model: 'gpt-4o-mini' } },
      'the first line, before the stream ends',
    );
    assert.deepEqual(endsEarly, [false], 'a multi-line answer is never ended early: its usage prices it');
    // The user types elsewhere on the line: a new request, which would cancel one that showed nothing yet.
    const other = engine.complete(request(prefix + '  x', 'y\n}'), new AbortController().signal);
    await clock.advance(250);
    assert.equal(cancelled, false, 'an answer showing its first lines finishes into the cache when the user types on');
    finish();
    await new Promise((r) => setImmediate(r));
    await other;
    const next = await engine.complete(request(prefix + '  const total = a + b;', '\n}'), new AbortController().signal);
    assert.deepEqual(
      next,
      { text: '\n  return total;', source: 'cache', origin: { recordId: 'r1', model: 'gpt-4o-mini' } },
      'Tab takes the line; the rest is there at once',
    );
  });

  describe('at the end of a single-line answer the user took', () => {
    const prefix = '  this.emit(EVENT_TEST_END, ';

    it('asks nothing: the model ended that line there, after a Tab or typed out', async () => {
      answer = 'test';
      const first = engine.complete(request(prefix, ');'), new AbortController().signal);
      await clock.advance(250);
      assert.equal((await first)?.text, 'test');
      const afterTab = engine.complete(request(prefix + 'test', ');'), new AbortController().signal);
      await clock.advance(250);
      assert.equal(await afterTab, undefined);
      assert.equal(sent.length, 1, 'no second request at the end of the line');

      engine = new CompletionEngine(backend, { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10 }, clock);
      const shown = engine.complete(request(prefix, ');'), new AbortController().signal);
      await clock.advance(250);
      await shown;
      for (const typed of ['t', 'te', 'tes', 'test']) {
        const pending = engine.complete(request(prefix + typed, ');'), new AbortController().signal);
        await clock.advance(250);
        await pending;
      }
      assert.equal(sent.length, 2, 'typed out key by key: still no request at its end');
    });

    it('asks afresh when the answer was cut at its token limit: the model had more to say', async () => {
      engine = new CompletionEngine(
        async (prompt) => {
          sent.push(prompt.messages[1].content);
          return { text: `<COMPLETION>${answer}</COMPLETION>`, truncated: true };
        },
        { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10 },
        clock,
      );
      answer = 'test';
      const first = engine.complete(request(prefix, ');'), new AbortController().signal);
      await clock.advance(250);
      await first;
      const afterTab = engine.complete(request(prefix + 'test', ');'), new AbortController().signal);
      await clock.advance(250);
      await afterTab;
      assert.equal(sent.length, 2);
    });

    it('the metered backend says when an answer was cut at its token limit', async () => {
      for (const outcome of ['ok', 'length'] as const) {
        const metered = meteredCompletionBackend(
          {
            run: async () => ({
              text: '<COMPLETION>te</COMPLETION>',
              model: 'gpt-4o-mini',
              serviceTier: 'default',
              outcome,
              sent: true,
              latencyMs: 1,
              promptTokensEstimate: 9,
            }),
          },
          () => 'gpt-4o-mini',
          () => assert.fail('no error'),
        );
        const prompt = buildCompletionPrompt({ prefix, suffix: ');', languageId: 'typescript', relativePath: 'a.ts' });
        const result = await metered(prompt, new AbortController().signal, {});
        assert.equal(result?.truncated, outcome === 'length' ? true : undefined, outcome);
      }
    });

    it('asks for the block when the line it ended opens one', async () => {
      answer = 'if (items.length > 0) {';
      const first = engine.complete(request('function f(items) {\n  ', '\n}'), new AbortController().signal);
      await clock.advance(250);
      assert.equal((await first)?.text, 'if (items.length > 0) {');
      answer = '\n    return items[0];\n  }';
      const body = engine.complete(request('function f(items) {\n  if (items.length > 0) {', '\n}'), new AbortController().signal);
      await clock.advance(250);
      assert.equal((await body)?.text, '\n    return items[0];\n  }');
      assert.equal(sent.length, 2);
    });
  });

  it('takes complete lines only from an answer that opens with its tag', () => {
    assert.equal(completeLines('<COMPLETION>  a();'), undefined, 'no line complete yet');
    assert.equal(completeLines('<COMPLETION>\n'), undefined, 'nothing but a line break');
    assert.equal(completeLines('<COMPLETION>  a();\n  b'), '<COMPLETION>  a();</COMPLETION>');
    assert.equal(completeLines('Here is the code:\n```js\n'), undefined, 'prose first: only the whole answer can be cleaned');
    assert.equal(completeLines('<COMPLETION>a();\n</COMPLETION>'), undefined, 'complete: the whole answer is used');
  });

  it('asks at once right after the user took a suggestion with Tab (adaptive debounce)', async () => {
    engine = new CompletionEngine(backend, { debounceMs: 250, maxPromptTokens: 1500, cacheSize: 10, adaptiveDebounce: true }, clock);
    answer = 'items.map((item) =>';
    const first = engine.complete(request('const names = '), new AbortController().signal);
    await clock.advance(250);
    assert.equal((await first)?.text, 'items.map((item) =>');
    answer = ' item.name);';
    const afterTab = engine.complete(request('const names = items.map((item) =>'), new AbortController().signal);
    await clock.advance(60);
    assert.equal(sent.length, 2, 'sent after the floor (60 ms), not the full debounce');
    assert.equal((await afterTab)?.text, ' item.name);');
    const typedOn = engine.complete(request('const names = items.map((item) => x'), new AbortController().signal);
    await clock.advance(60);
    assert.equal(sent.length, 2, 'typing something else waits the full debounce again');
    await clock.advance(190);
    assert.equal(sent.length, 3);
    await typedOn;
  });
});

describe('completion prompt', () => {
  it('multi-line at an empty line or after a block opener; single line mid-line', () => {
    assert.equal(wantsMultiline('function f() {', ''), true);
    assert.equal(wantsMultiline('if x:', ''), true);
    assert.equal(wantsMultiline('  ', '\n}'), true);
    assert.equal(wantsMultiline('const x = ', ''), false);
    assert.equal(wantsMultiline('foo(', 'a, b)'), false);
    assert.equal(wantsMultiline('foo(', ')'), true);
  });

  it('keeps the code near the cursor within the token budget', () => {
    const prefix = Array.from({ length: 2000 }, (_, i) => `const line${i} = ${i};`).join('\n') + '\nconst last = ';
    const suffix = Array.from({ length: 2000 }, (_, i) => `call${i}();`).join('\n');
    const prompt = buildCompletionPrompt({ prefix, suffix, languageId: 'typescript', relativePath: 'src/a.ts' }, 1500);
    const user = prompt.messages[1].content;
    assert.ok(user.includes('const last = <CURSOR>call0();'));
    assert.ok(!user.includes('const line0 = 0;'), 'the far top is cut');
    assert.ok(user.length / 3.5 < 1500, `about ${Math.round(user.length / 3.5)} tokens`);
    assert.equal(prompt.multiline, false);
    assert.equal(prompt.maxTokens, 64);
    assert.deepEqual(prompt.stop, ['</COMPLETION>']);
  });

  it('names the language and path and includes snippets that fit', () => {
    const prompt = buildCompletionPrompt({
      prefix: 'import { add } from "./math";\nadd(',
      suffix: ')',
      languageId: 'typescript',
      relativePath: 'src/main.ts',
      snippets: [{ path: 'src/math.ts', text: 'export function add(a: number, b: number) { return a + b; }' }],
    });
    const user = prompt.messages[1].content;
    assert.match(user, /Language: typescript/);
    assert.match(user, /File: src\/main\.ts/);
    assert.match(user, /--- src\/math\.ts ---/);
    assert.match(prompt.messages[0].content, /only the text to insert/);
  });
});
