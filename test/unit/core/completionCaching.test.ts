import assert from 'node:assert/strict';
import { PromptCacheKeys } from '../../../src/core/completion/cacheKey';
import { ContextGatherer, type ContextSource } from '../../../src/core/completion/context/gatherer';
import { AdaptiveDebounce } from '../../../src/core/completion/debounce';
import { PENNY_ENGINE } from '../../../src/core/completion/defaults';
import { CompletionEngine, type CompletionBackend, type EngineRequest } from '../../../src/core/completion/engine';
import { buildCompletionPrompt, CURSOR, documentWindow, type CompletionPrompt } from '../../../src/core/completion/prompt';
import { countTextTokens } from '../../../src/core/cost/tokenCount';
import { REDACTED } from '../../../src/core/secrets';
import { VirtualClock } from '../../bench/completions/virtualClock';

/** A file long enough that the prompt cannot show all of it. */
const FILE = Array.from({ length: 400 }, (_, i) => `export function step${i}(input: number): number {\n  return input * ${i} + offset(${i});\n}\n`).join('\n');
const SNIPPETS = Array.from({ length: 6 }, (_, i) => ({
  path: `src/lib${i}.ts:${i + 1}`,
  text: `export class Helper${i} {\n  run(value: string): Promise<void> {\n  stop(): void {\n}`,
}));

function promptAt(offset: number, text = FILE): CompletionPrompt {
  return buildCompletionPrompt(
    { ...documentWindow(text, offset), languageId: 'typescript', relativePath: 'src/steps.ts', snippets: SNIPPETS },
    2000,
    'cacheAware',
  );
}

/** The part of the user message before the lines nearest the cursor: what must repeat byte for byte. */
function sharedStart(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

describe('cache-aware prompt', () => {
  it('two consecutive keystrokes share the head byte for byte: only the lines nearest the cursor differ', () => {
    const at = FILE.indexOf('return input * 250');
    const first = promptAt(at);
    // The user types one more character: the document grows at the cursor.
    const typed = FILE.slice(0, at) + 'r' + FILE.slice(at);
    const second = promptAt(at + 1, typed);
    assert.equal(first.messages[0].content, second.messages[0].content);
    const [a, b] = [first.messages[1].content, second.messages[1].content];
    const shared = sharedStart(a, b);
    assert.equal(shared, a.indexOf(CURSOR), 'context, the code after the cursor and the file up to the cursor come first, unchanged');
    assert.ok(a.length - shared < 200, `only the last ${a.length - shared} characters change`);
    assert.equal(countTextTokens(first.messages[0].content + a.slice(0, shared)) >= 1024, true, 'the shared head is cacheable (1,024+ tokens)');
  });

  it('lays out instructions, context, the code after the cursor, then the file up to the cursor, and the scope last', () => {
    const user = promptAt(FILE.indexOf('return input * 250')).messages[1].content;
    const order = [
      'Language: typescript',
      '--- src/lib0.ts:1 ---',
      "the code after the cursor's line",
      'the code up to the cursor',
      CURSOR,
      'Complete the current line only',
    ];
    const positions = order.map((needle) => user.indexOf(needle));
    assert.ok(
      positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])),
      `${order.join(' < ')}: ${positions.join(', ')}`,
    );
    assert.equal(user.split(CURSOR).length, 2, 'one cursor');
  });

  it('typing on keeps all before the typed text; the window moves only in steps of ~1,000 characters', () => {
    const start = FILE.indexOf('return input * 300');
    const heads = new Set<string>();
    for (let n = 0; n < 400; n++) {
      const text = FILE.slice(0, start) + 'x'.repeat(n) + FILE.slice(start);
      const user = promptAt(start + n, text).messages[1].content;
      heads.add(user.slice(0, user.indexOf(CURSOR) - n));
    }
    assert.ok(heads.size <= 2, `${heads.size} different heads in 400 keystrokes`);
  });

  it('redacts secrets in every part, a private key block in the file included', () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const pem = '-----BEGIN RSA PRIVATE KEY-----\n' + 'MIIEowIBAAKCAQEA1234567890abcdef\n'.repeat(40) + '-----END RSA PRIVATE KEY-----\n';
    const text = `const a = "${key}";\n${FILE.slice(0, 3000)}${pem}const b = `;
    const prompt = buildCompletionPrompt(
      {
        ...documentWindow(text + `\n// ${key}\n`, text.length),
        languageId: 'typescript',
        relativePath: 'a.ts',
        snippets: [{ path: 'b.ts:1', text: `KEY = "${key}"` }],
      },
      2000,
      'cacheAware',
    );
    const sent = prompt.messages.map((m) => m.content).join('\n');
    assert.ok(!sent.includes(key));
    assert.ok(!sent.includes('MIIEowIBAAKCAQEA'));
    assert.ok(sent.includes(REDACTED));
  });
});

describe('prompt cache key', () => {
  it('one key per file, a hash that names no path', () => {
    const keys = new PromptCacheKeys();
    const a = keys.keyFor('file:///home/me/secret-project/src/a.ts', 0);
    assert.equal(keys.keyFor('file:///home/me/secret-project/src/a.ts', 1000), a);
    assert.notEqual(keys.keyFor('file:///home/me/secret-project/src/b.ts', 0), a);
    assert.match(a, /^penny-[0-9a-f]{8}$/);
  });

  it('past 12 requests a minute a file spills into a second key of its own, and comes back once the minute has passed', () => {
    const keys = new PromptCacheKeys();
    const got = Array.from({ length: 14 }, (_, i) => keys.keyFor('doc', i * 1000));
    const base = got[0];
    assert.deepEqual(got.slice(0, 12), Array(12).fill(base));
    assert.deepEqual(got.slice(12), [`${base}-1`, `${base}-1`]);
    assert.equal(keys.keyFor('doc', 61_000), base);
  });
});

describe('adaptive debounce', () => {
  it('waits the full ceiling until it knows the rhythm and in the middle of a word; less after `.`, `(` or on a new line', () => {
    const debounce = new AdaptiveDebounce();
    assert.equal(debounce.delayMs('client.', 275), 275);
    let now = 0;
    for (let i = 0; i < 20; i++) debounce.keystroke((now += 100 + (i % 3) * 10));
    debounce.keystroke(now + 5_000); // a pause says nothing about the rhythm
    const afterDot = debounce.delayMs('client.', 275);
    const midWord = debounce.delayMs('  const tot', 275);
    assert.equal(midWord, 275);
    assert.ok(afterDot >= 120 && afterDot < 275, String(afterDot));
    assert.ok(debounce.delayMs('    ', 275) < 275, 'a new line');
    assert.equal(debounce.delayMs('client.', 50), 50);
  });
});

describe('engine with context and a cache key', () => {
  const request = (prefix: string): EngineRequest => ({ documentKey: 'file:///a.ts', prefix, suffix: '', languageId: 'typescript', relativePath: 'a.ts' });

  /** A backend that keeps the prompts it is sent and answers each with `1;`. */
  function recordingBackend(): { prompts: CompletionPrompt[]; backend: CompletionBackend } {
    const prompts: CompletionPrompt[] = [];
    const backend: CompletionBackend = async (prompt) => {
      prompts.push(prompt);
      return { text: '<COMPLETION>1;</COMPLETION>' };
    };
    return { prompts, backend };
  }

  it('sends whatever context is ready when the debounce ends, never waiting for a slow source, and a prompt_cache_key', async () => {
    const clock = new VirtualClock();
    const { prompts, backend } = recordingBackend();
    const slow: ContextSource = {
      name: 'slow',
      gather: async (_query, signal) => ((await clock.sleep(1_000, signal)) ? [{ path: 'slow.ts:1', text: 'SLOW' }] : []),
    };
    const fast: ContextSource = { name: 'fast', gather: async () => [{ path: 'lib.ts:1', text: 'export const LIMIT = 1;' }] };
    const gatherer = new ContextGatherer([slow, fast], clock, { budgetMs: 150, fileWideChars: 1000, maxChars: 10_000, recentChars: 600 });
    const engine = new CompletionEngine(backend, { ...PENNY_ENGINE, debounceMs: 275 }, clock, gatherer);
    let sentAt = -1;
    void engine.complete(request('const n = '), new AbortController().signal).then(() => (sentAt = clock.now()));
    await clock.run();
    assert.equal(sentAt, 275, 'the request went out when its debounce ended');
    const user = prompts[0].messages[1].content;
    assert.match(user, /--- lib\.ts:1 ---\nexport const LIMIT = 1;/);
    assert.ok(!user.includes('SLOW'), 'the slow source missed the deadline');
    assert.match(prompts[0].cacheKey ?? '', /^penny-[0-9a-f]{8}$/);
  });

  it('what the word being typed may become has its own room after the cursor: a union of several lines fits beside new finds', () => {
    const union = ['export type MessageParam =', ...Array.from({ length: 10 }, (_, i) => `  | ChatCompletionMessageParamVariant${i}`)].join('\n');
    const found = { path: 'lib.ts:9', text: 'export const LIMIT = 1;\n'.repeat(6) };
    const prompt = buildCompletionPrompt(
      {
        ...documentWindow(FILE, FILE.indexOf('return input * 250')),
        languageId: 'typescript',
        relativePath: 'src/steps.ts',
        recentSnippets: [found, { path: 'types.ts:1', text: union, forWord: true }],
      },
      3000,
      'cacheAware',
    );
    const user = prompt.messages[1].content;
    assert.ok(union.length > 300, `${union.length} characters: more than the room for new finds`);
    assert.ok(user.indexOf(union) > user.indexOf(CURSOR), 'shown whole, after the cursor');
    assert.ok(
      user.indexOf('--- types.ts:1 ---') < user.indexOf('--- lib.ts:9 ---') && user.includes('--- lib.ts:9 ---'),
      'before the other new finds, which are shown too',
    );
  });

  it('shows what the word being typed may become after the cursor, where a change costs little', async () => {
    const clock = new VirtualClock();
    const { prompts, backend } = recordingBackend();
    const source: ContextSource = {
      name: 'definitions',
      gather: async () => [
        { path: 'lib.ts:1', text: 'export const LIMIT = 1;' },
        { path: 'lib.ts:2', text: 'export const LIMIT_MAX = 2;', forWord: true },
      ],
    };
    const gatherer = new ContextGatherer([source], clock, { budgetMs: 150, fileWideChars: 1000, maxChars: 10_000, recentChars: 600 });
    const engine = new CompletionEngine(backend, { ...PENNY_ENGINE, debounceMs: 275 }, clock, gatherer);
    void engine.complete(request('const n = LIMIT_'), new AbortController().signal);
    await clock.run();
    const user = prompts[0].messages[1].content;
    assert.ok(user.indexOf('export const LIMIT = 1;') < user.indexOf(CURSOR), 'found about the cursor: before it');
    assert.ok(user.indexOf('--- lib.ts:2 ---\nexport const LIMIT_MAX = 2;') > user.indexOf(CURSOR), 'what the word may become: after it');
  });
});
