import assert from 'node:assert/strict';
import { CompletionEngine, type CompletionBackend } from '../../../src/core/completion/engine';
import { CURSOR, documentWindow } from '../../../src/core/completion/prompt';
import { singleLineComplete } from '../../../src/core/completion/postprocess';
import { streamCut, streamDeltas } from '../../bench/completions/backend';
import { keystrokeLength, trueContinuation, typingGaps, prng, type Region, type SourceFile } from '../../bench/completions/corpus';
import { messify, shownFor } from '../../bench/completions/messy';
import { percentile } from '../../bench/completions/report';
import { TypingSession, acceptable, newTypingMetrics, type CompleteFn } from '../../bench/completions/typist';
import { RealWork, VirtualClock } from '../../bench/completions/virtualClock';

const never = () => new AbortController().signal;

describe('completion benchmark', () => {
  describe('virtual clock', () => {
    it('resolves sleeps in virtual time order, without waiting in real time', async () => {
      const clock = new VirtualClock();
      const woke: [string, number][] = [];
      void clock.sleep(3000, never()).then((done) => woke.push([`3000 ${done}`, clock.now()]));
      void clock.sleep(10, never()).then((done) => woke.push([`10 ${done}`, clock.now()]));
      void clock.sleep(10, never()).then((done) => woke.push([`10 again ${done}`, clock.now()]));
      const started = Date.now();
      await clock.run();
      assert.deepEqual(woke, [
        ['10 true', 10],
        ['10 again true', 10],
        ['3000 true', 3000],
      ]);
      assert.ok(Date.now() - started < 1000);
    });

    it('an aborted sleep resolves false at once and its timer never fires', async () => {
      const clock = new VirtualClock();
      const controller = new AbortController();
      const sleeping = clock.sleep(500, controller.signal);
      controller.abort();
      assert.equal(await sleeping, false);
      assert.equal(clock.pendingTimers, 0);
      assert.equal(await clock.sleep(1, controller.signal), false);
      await clock.run();
      assert.equal(clock.now(), 0);
    });

    it('waits for tracked real work before moving virtual time on', async () => {
      const work = new RealWork();
      const clock = new VirtualClock(work);
      const order: string[] = [];
      clock.schedule(100, () => order.push('t=100'));
      // Real I/O (here a real 20 ms timer) that then sets a virtual timer due before the one above.
      void work.track(new Promise((resolve) => setTimeout(resolve, 20))).then(() => clock.schedule(50, () => order.push('t=50')));
      await clock.run();
      assert.deepEqual(order, ['t=50', 't=100']);
    });

    it("drives the engine's debounce: a burst of keys sends one request", async () => {
      const clock = new VirtualClock();
      const sent: string[] = [];
      const backend: CompletionBackend = async (prompt) => {
        sent.push(prompt.messages[1].content);
        return { text: '<COMPLETION>ms.length;' };
      };
      const engine = new CompletionEngine(backend, { debounceMs: 275, maxPromptTokens: 1500, cacheSize: 10 }, clock);
      const results: Promise<unknown>[] = [];
      let previous: AbortController | undefined;
      ['const n = i', 'const n = it', 'const n = ite'].forEach((prefix, i) =>
        clock.schedule(i * 100, () => {
          previous?.abort();
          previous = new AbortController();
          results.push(engine.complete({ documentKey: 'a', prefix, suffix: '', languageId: 'typescript', relativePath: 'a.ts' }, previous.signal));
        }),
      );
      await clock.run();
      assert.equal(sent.length, 1);
      assert.equal(clock.now(), 200 + 275);
      assert.deepEqual(await results[2], { text: 'ms.length;', source: 'network' });
    });
  });

  describe('simulated user', () => {
    const text = 'const a = 1;\nconst total = items.length;\nreturn total;\n';
    const file: SourceFile = { relativePath: 'x/a.ts', languageId: 'typescript', text };
    const start = text.indexOf('items');
    const region: Region = { file, start, end: text.indexOf('\nreturn') };
    /** Every key 100 ms after the previous one. */
    const gaps = new Map(Array.from({ length: text.length }, (_, i) => [i, 100]));

    it('accepts only a suggestion that is exactly what comes next', () => {
      assert.equal(acceptable('items.length;', 'items.len'), true);
      assert.equal(acceptable('items.length;', 'items.length;'), true);
      assert.equal(acceptable('items.length;', 'items.size;'), false);
      assert.equal(acceptable('items.length;', 'items.length; // done'), false);
      assert.equal(acceptable('items.length;', ''), false);
    });

    /** A fake engine: after `delayMs` of virtual time suggests `answer(prefix)` (undefined: nothing). */
    function fakeEngine(clock: VirtualClock, delayMs: number, answer: (prefix: string) => string | undefined): { complete: CompleteFn; calls: string[] } {
      const calls: string[] = [];
      const complete: CompleteFn = async (request, signal) => {
        calls.push(request.prefix.slice(request.prefix.lastIndexOf('\n') + 1));
        if (!(await clock.sleep(delayMs, signal))) return undefined;
        const text = answer(request.prefix);
        return text === undefined ? undefined : { text, source: 'network' };
      };
      return { complete, calls };
    }

    async function type(delayMs: number, reactionMs: number, answer: (prefix: string) => string | undefined) {
      const clock = new VirtualClock();
      const metrics = newTypingMetrics();
      const engine = fakeEngine(clock, delayMs, answer);
      const session = new TypingSession({ clock, complete: engine.complete, region, gaps, metrics, reactionMs });
      session.start();
      await clock.run();
      return { metrics, calls: engine.calls, end: session.pos };
    }

    it('takes a right suggestion with Tab: its characters are not typed', async () => {
      // Keys come 100 ms apart; the answer 50 ms after "i", read in 20 ms: taken before the next key.
      const { metrics, end } = await type(50, 20, (prefix) => (prefix.endsWith('const total = i') ? 'tems.length;' : undefined));
      assert.equal(end, region.end);
      assert.equal(metrics.typedKeys, 1);
      assert.equal(metrics.tabs, 1);
      assert.equal(metrics.acceptedChars, 'tems.length;'.length);
      assert.deepEqual(metrics.latencyMs, [50]);
    });

    it('ignores a wrong suggestion and types on', async () => {
      const { metrics, end } = await type(50, 20, () => 'foo();');
      assert.equal(end, region.end);
      assert.equal(metrics.tabs, 0);
      assert.equal(metrics.typedKeys, 'items.length;'.length);
      assert.equal(metrics.suggestionsShown, metrics.typedKeys);
      assert.ok(metrics.suggestionsIgnored > 0);
    });

    it('does not take a suggestion that came too late to be read before the next key', async () => {
      // Suggestions show 50 ms after each key, the next key comes 100 ms after it: a 60 ms reaction is too slow.
      const { metrics } = await type(50, 60, (prefix) => (prefix.endsWith('const total = i') ? 'tems.length;' : undefined));
      assert.equal(metrics.tabs, 0);
      assert.equal(metrics.suggestionsShown, 1);
    });

    it('typing through a suggestion keeps it on screen until the user has read it', async () => {
      // Instant answers; the user needs 120 ms to read one. The suggestion after "i" (t=100) is not
      // read before "t" (t=200); typing "t" keeps it on screen, so it is read at t=220 and taken.
      const full = 'items.length;';
      const { metrics } = await type(0, 120, (prefix) => {
        const typed = prefix.slice(prefix.lastIndexOf('= ') + 2);
        return typed && typed.length < full.length && full.startsWith(typed) ? full.slice(typed.length) : undefined;
      });
      assert.equal(metrics.typedKeys, 2, 'i and t typed, the rest taken with Tab');
      assert.equal(metrics.tabs, 1);
      assert.equal(metrics.acceptedChars, 'ems.length;'.length);
    });

    describe('asks as the extension does', () => {
      // A long file: the cursor is past 16,000 characters, where the prefix window no longer starts at 0.
      const filler = Array.from({ length: 1200 }, (_, i) => `const v${i} = ${i};`).join('\n') + '\n';
      const long = `${filler}const total = items.length;\nreturn total;\n`;
      const at = long.indexOf('items');
      const far: Region = { file: { relativePath: 'x/long.ts', languageId: 'typescript', text: long }, start: at, end: long.indexOf('\nreturn') };

      it('the request is documentWindow of the document at the cursor, with prefixOffset', () => {
        assert.ok(at > 16_000);
        const session = new TypingSession({
          clock: new VirtualClock(),
          complete: async () => undefined,
          region: far,
          gaps,
          metrics: newTypingMetrics(),
          reactionMs: 0,
        });
        session.pos = at + 3;
        const document = long.slice(0, at + 3) + long.slice(far.end);
        const request = session.request();
        const window = documentWindow(document, at + 3);
        assert.deepEqual({ prefix: request.prefix, suffix: request.suffix, prefixOffset: request.prefixOffset }, window);
        assert.ok(window.prefixOffset > 0 && window.prefixOffset % 4096 === 0);
        assert.ok(request.prefix.endsWith('const total = ite'));
        assert.ok(request.suffix.startsWith('\nreturn total;'), 'the rest of the region is not typed yet');
        assert.equal(request.documentKey, 'file:///node_modules/x/long.ts');
        assert.deepEqual(request.snippets?.(), [], 'no other file is open');
      });

      it('past 16,000 characters, typing through a suggestion is served from the cache', async () => {
        const clock = new VirtualClock();
        const prompts: string[] = [];
        const backend: CompletionBackend = async (prompt) => {
          const user = prompt.messages[1].content;
          prompts.push(user);
          return { text: user.includes(`= i${CURSOR}`) ? '<COMPLETION>tems.length;' : '<COMPLETION>' };
        };
        const engine = new CompletionEngine(backend, { debounceMs: 275, maxPromptTokens: 1500, cacheSize: 100 }, clock);
        // "i", a pause long enough for a request, then the rest at 100 ms a key; the user never takes the suggestion.
        const slow = new Map(gaps);
        slow.set(at + 1, 1000);
        const session = new TypingSession({
          clock,
          complete: (request, signal) => engine.complete(request, signal),
          region: far,
          gaps: slow,
          metrics: newTypingMetrics(),
          reactionMs: 60_000,
        });
        session.start();
        await clock.run();
        assert.equal(prompts.length, 1, 'one request for the whole line');
        assert.ok(engine.stats.cacheHits >= 'tems.length'.length - 1, `${engine.stats.cacheHits} cache hits`);
      });
    });

    it('human timing: bursts of quick keys and longer pauses, the same for a seed', () => {
      const long = 'x'.repeat(400) + '\n'.repeat(10);
      const big: Region = { file: { relativePath: 'x', languageId: 'plaintext', text: long }, start: 0, end: long.length };
      const gapsA = [...typingGaps(big, prng(7)).values()];
      assert.deepEqual(gapsA, [...typingGaps(big, prng(7)).values()]);
      assert.ok(gapsA.every((gap) => gap >= 80 && gap <= 3000));
      const quick = gapsA.filter((gap) => gap <= 150).length;
      assert.ok(quick > gapsA.length * 0.6 && quick < gapsA.length, `${quick} of ${gapsA.length} quick`);
      assert.ok(gapsA.some((gap) => gap >= 500));
    });
  });

  describe('the model a perfect answer comes from', () => {
    const code = ['function f(a) {', '  if (a) {', '    return 1;', '  }', '  return 2;', '}', 'f(1);', ''].join('\n');

    before(function () {
      // Loading the o200k tokenizer takes seconds on a busy machine: not a test's time.
      this.timeout(60_000);
      streamDeltas('warm up');
    });

    it('single line: the rest of the line; multi-line: the rest of the block', () => {
      const inReturn = code.indexOf('1;');
      assert.equal(trueContinuation(code, inReturn, code.length, false), '1;');
      const afterOpener = code.indexOf('{') + 1;
      assert.equal(trueContinuation(code, afterOpener, code.length, true), '\n  if (a) {\n    return 1;\n  }\n  return 2;\n}');
      const atIf = code.indexOf('if');
      assert.equal(trueContinuation(code, atIf, code.length, true), 'if (a) {\n    return 1;\n  }\n  return 2;');
      // Never past the region's end.
      assert.equal(trueContinuation(code, atIf, code.indexOf('\n  return 2'), true), 'if (a) {\n    return 1;\n  }');
    });

    it('a line break and the next indentation are one keystroke', () => {
      assert.equal(keystrokeLength(code, code.indexOf('\n'), code.length), 3);
      assert.equal(keystrokeLength(code, 0, code.length), 1);
    });

    it('a single-line stream ends as soon as a line of code is complete', () => {
      const raw = '```ts\nitems.length;\n```\nThat is all.';
      const cut = streamCut(raw, singleLineComplete);
      assert.equal(cut.cut, true);
      assert.ok(cut.text.startsWith('```ts\nitems.length;\n') && cut.text.length < raw.length);
      const whole = streamCut(raw, undefined);
      assert.equal(whole.text, raw);
      assert.equal(whole.cut, false);
      assert.ok(whole.tokens > cut.tokens);
    });

    it('cleans messy answers back to the clean suggestion', () => {
      const context = { prefix: 'const total = ite', suffix: ');\n', languageId: 'typescript', multiline: false };
      const clean = shownFor('<COMPLETION>ms.length', context);
      assert.equal(clean, 'ms.length');
      for (const kind of ['fence', 'prose', 'prefix', 'suffix', 'prose+fence+prefix+suffix'] as const) {
        assert.equal(shownFor(messify(kind, 'ms.length', context), context), clean, kind);
      }
    });

    it('nearest-rank percentiles', () => {
      assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
      assert.equal(
        percentile(
          Array.from({ length: 100 }, (_, i) => i + 1),
          95,
        ),
        95,
      );
      assert.ok(Number.isNaN(percentile([], 50)));
    });
  });
});
