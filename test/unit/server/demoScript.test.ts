// The demo's scripted answers (test/server/demoScript.ts), checked step by step against what the
// sample workspace's README (test/demo/workspace/README.md) promises: completions go through Penny's
// real completion engine and post-processing against the demo server, with the document as an editor
// with VS Code's default settings has it (auto-closed brackets); code that the answers offer to apply
// is type-checked, and run, against the workspace's real files.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { meteredCompletionBackend } from '../../../src/core/completion/backend';
import { CompletionEngine } from '../../../src/core/completion/engine';
import { coveredSuffixLength } from '../../../src/core/completion/postprocess';
import { buildCompletionPrompt, documentWindow } from '../../../src/core/completion/prompt';
import { CHAT_SYSTEM_PROMPT } from '../../../src/core/chat/chatSession';
import { escalationPrompt, TASK_INSTRUCTIONS } from '../../../src/core/escalation';
import type { ChatMessageParam } from '../../../src/core/openaiClient';
import { demoReply } from '../../server/demoScript';
import { MockOpenAIServer, type RecordedRequest } from '../../server/mockOpenAI';
import { makeRig, type Rig } from '../faults/harness';

const WORKSPACE = path.join(__dirname, '../../../../test/demo/workspace');
const CART = fs.readFileSync(path.join(WORKSPACE, 'src/cart.ts'), 'utf8');
const FORMAT = fs.readFileSync(path.join(WORKSPACE, 'src/format.ts'), 'utf8');
const SALES = fs.readFileSync(path.join(WORKSPACE, 'scripts/sales_report.py'), 'utf8');
const APPLY_DISCOUNT = CART.slice(CART.indexOf('export function applyDiscount')).trimEnd();

// ---- TypeScript: does the code compile, and what does it do --------------------------------------

const libFiles = new Map<string, ts.SourceFile | undefined>();
const ROOT = '/demo/';

/** Type errors of a set of files (paths relative to the workspace), strict, as a user's tsc reports them. */
function typeErrors(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const virtual = new Map(Object.entries(files).map(([name, text]) => [ROOT + name, text]));
  const host = ts.createCompilerHost(options);
  const libSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion) => {
    const text = virtual.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    if (!libFiles.has(fileName)) libFiles.set(fileName, libSourceFile(fileName, languageVersion));
    return libFiles.get(fileName);
  };
  host.fileExists = (name) => virtual.has(name) || (!name.startsWith(ROOT) && ts.sys.fileExists(name));
  host.readFile = (name) => virtual.get(name) ?? ts.sys.readFile(name);
  host.directoryExists = (dir) => dir.startsWith(ROOT) || ROOT.startsWith(`${dir}/`) || ts.sys.directoryExists(dir);
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

function syntaxErrors(text: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** Runs TypeScript modules (CommonJS after transpiling) that import each other and Node's modules. */
function runModules(files: Record<string, string>, entry: string): Record<string, unknown> {
  const loaded = new Map<string, Record<string, unknown>>();
  const load = (name: string): Record<string, unknown> => {
    if (name === 'node:assert/strict') return assert as unknown as Record<string, unknown>;
    if (name === 'node:test') return { test: (_name: string, fn: () => void) => fn() };
    const file = `${name.replace(/^\.\//, 'src/')}.ts`;
    if (!(file in files)) throw new Error(`no module ${name}`);
    if (!loaded.has(file)) {
      const module = { exports: {} as Record<string, unknown> };
      loaded.set(file, module.exports);
      const js = ts.transpileModule(files[file], {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      new Function('exports', 'require', 'module', js)(module.exports, load, module);
      loaded.set(file, module.exports);
    }
    return loaded.get(file)!;
  };
  return load(`./${entry.replace(/^src\//, '').replace(/\.ts$/, '')}`);
}

function fencedBlocks(markdown: string): { language: string; code: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)\n```$/gm)].map((m) => ({ language: m[1], code: m[2] }));
}

// ---- Penny's side: the requests the extension sends ----------------------------------------------

function request(messages: ChatMessageParam[], model = 'gpt-4o-mini'): RecordedRequest {
  return { method: 'POST', path: '/v1/chat/completions', headers: {}, body: { model, messages }, receivedAt: 0 };
}

/** A chat question with attachments, the way ChatSession sends it (src/core/chat/chatSession.ts, withContext). */
function chat(question: string, attached: { label: string; languageId: string; content: string }[] = []): string {
  const context = attached.map((a) => `${a.label}:\n\`\`\`${a.languageId}\n${a.content}\n\`\`\``);
  const content = context.length > 0 ? `${context.join('\n\n')}\n\n${question}` : question;
  return demoReply(
    request([
      { role: 'system', content: CHAT_SYSTEM_PROMPT },
      { role: 'user', content },
    ]),
  ).content!;
}

/** An escalation of `code` from src/cart.ts, with the prompt Penny: Escalate Selection builds. */
function escalate(instruction: string, code: string, origin = 'lines 47-52'): string {
  const { messages } = escalationPrompt({ instruction, code, languageId: 'typescript', relativePath: 'src/cart.ts', origin });
  return demoReply(request(messages, 'gpt-4o')).content!;
}

describe('the demo script, step by step through the sample workspace README', function () {
  this.timeout(30_000); // type-checking against the ES2022 lib takes a moment the first time

  describe('step 1: typing a function at the end of src/cart.ts gets the rest as ghost text', () => {
    let server: MockOpenAIServer;
    let rig: Rig;
    let engine: CompletionEngine;

    before(async () => {
      server = await MockOpenAIServer.start({ defaultReply: demoReply });
      rig = makeRig(server.url, { maxRetries: 0 });
    });
    after(async () => {
      await server.stop();
      rig.remove();
    });
    beforeEach(() => {
      // The extension's engine and backend (src/vscode/inlineCompletions.ts), without the debounce.
      const backend = meteredCompletionBackend(
        rig.metered,
        () => 'gpt-4o-mini',
        (error) => assert.fail(`completion failed: ${error.message}`),
      );
      engine = new CompletionEngine(backend, { debounceMs: 0, maxPromptTokens: 1500, cacheSize: 100 });
    });

    /** The ghost text Penny shows with the cursor at `cursor` in `doc`, as src/vscode/inlineCompletions.ts asks for it. */
    async function ghostAt(doc: string, cursor: number, file = 'src/cart.ts', languageId = 'typescript'): Promise<string | undefined> {
      const { prefix, suffix, prefixOffset } = documentWindow(doc, cursor);
      const result = await engine.complete(
        {
          documentKey: `file:///demo/${file}`,
          prefix,
          suffix,
          prefixOffset,
          languageId,
          relativePath: file,
          snippets: () => [{ path: 'src/format.ts', text: FORMAT }],
        },
        new AbortController().signal,
      );
      return result?.text;
    }

    /** Tab: the ghost text replaces the closers it writes itself (as src/vscode/inlineCompletions.ts sets the item's range), and the cursor goes after it. */
    function accept(doc: string, cursor: number, ghost: string): { doc: string; cursor: number } {
      const covered = coveredSuffixLength(ghost, doc.slice(cursor));
      return { doc: doc.slice(0, cursor) + ghost + doc.slice(cursor + covered), cursor: cursor + ghost.length };
    }

    for (const [where, before] of [
      ['right after the last function', ''],
      ['after a blank line', '\n'],
    ]) {
      it(`typed slowly up to \`export function removeItem\` ${where}: the rest of the line, then the body; it compiles`, async () => {
        const start = CART + before;
        const ghosts: Record<string, string | undefined> = {};
        for (const typed of ['export function ', 'export function rem', 'export function removeItem']) {
          ghosts[typed] = await ghostAt(start + typed, (start + typed).length);
        }
        assert.deepEqual(ghosts, {
          'export function ': 'removeItem(cart: Cart, sku: string): Cart {',
          'export function rem': 'oveItem(cart: Cart, sku: string): Cart {',
          'export function removeItem': '(cart: Cart, sku: string): Cart {',
        });

        // Tab, and VS Code asks again right away (it does after accepting): the body comes next.
        let state = accept(start + 'export function removeItem', (start + 'export function removeItem').length, ghosts['export function removeItem']!);
        const body = await ghostAt(state.doc, state.cursor);
        assert.equal(
          body,
          '\n  const next = new Cart();\n  for (const line of cart.items) {\n    if (line.product.sku !== sku) next.add(line.product, line.quantity);\n  }\n  return next;\n}',
        );
        state = accept(state.doc, state.cursor, body!);
        assert.deepEqual(typeErrors({ 'src/cart.ts': state.doc, 'src/format.ts': FORMAT }), []);

        // The function does what its name says.
        const cart = runModules({ 'src/cart.ts': state.doc, 'src/format.ts': FORMAT }, 'src/cart.ts') as {
          Cart: new () => { add(p: object, q?: number): void; items: { product: { sku: string }; quantity: number }[] };
          removeItem: (cart: object, sku: string) => { items: { product: { sku: string }; quantity: number }[] };
        };
        const full = new cart.Cart();
        full.add({ sku: 'MUG-01', name: 'Mug', priceCents: 1250 }, 2);
        full.add({ sku: 'TEA-07', name: 'Tea', priceCents: 899 });
        assert.deepEqual(
          cart.removeItem(full, 'MUG-01').items.map((l) => [l.product.sku, l.quantity]),
          [['TEA-07', 1]],
        );
        assert.equal(full.items.length, 2, 'the cart it was given is left alone');
      });
    }

    it('typed up to `export function removeItem(`, with the `)` the editor auto-closed: the whole function, replacing that `)`; it compiles', async () => {
      // VS Code's default autoClosingBrackets: typing `(` leaves `()` with the cursor between them.
      for (const typed of ['export function removeItem(', 'export function removeItem(c', 'export function removeItem(cart: Cart, ']) {
        const doc = `${CART}${typed})`;
        const ghost = await ghostAt(doc, CART.length + typed.length);
        assert.ok(ghost?.includes('sku: string): Cart {\n  const next = new Cart();'), `${typed}: ${ghost}`);
        const accepted = accept(doc, CART.length + typed.length, ghost!);
        assert.ok(
          accepted.doc.endsWith(
            'export function removeItem(cart: Cart, sku: string): Cart {\n  const next = new Cart();\n  for (const line of cart.items) {\n    if (line.product.sku !== sku) next.add(line.product, line.quantity);\n  }\n  return next;\n}',
          ),
          accepted.doc.slice(-200),
        );
        assert.deepEqual(typeErrors({ 'src/cart.ts': accepted.doc, 'src/format.ts': FORMAT }), [], typed);
      }
      // With autoClosingBrackets off there is no `)` yet: the same function.
      const unclosed = `${CART}export function removeItem(`;
      const whole = await ghostAt(unclosed, unclosed.length);
      assert.ok(whole?.startsWith('cart: Cart, sku: string): Cart {\n'), whole);
      assert.deepEqual(typeErrors({ 'src/cart.ts': unclosed + whole, 'src/format.ts': FORMAT }), []);
    });

    it("answers the extension's cache-aware prompt as the plain one, with context before the code and definitions found while typing after it", () => {
      const doc = `${CART}export function removeItem()\n\nexport const VERSION = 1;\n`;
      const cursor = doc.indexOf('removeItem(') + 'removeItem('.length;
      const ask = (layout: 'cursorWindow' | 'cacheAware') => {
        const prompt = buildCompletionPrompt(
          {
            ...documentWindow(doc, cursor),
            languageId: 'typescript',
            relativePath: 'src/cart.ts',
            // The file's own outline names the function being typed (VS Code's symbol provider sees it once the line exists).
            snippets: [
              { path: 'src/format.ts', text: FORMAT },
              ...(layout === 'cacheAware' ? [{ path: 'src/cart.ts (outline)', text: 'export class Cart\nexport function removeItem()' }] : []),
            ],
            recentSnippets: layout === 'cacheAware' ? [{ path: 'src/cart.ts:53', text: 'export function removeItem(): void' }] : undefined,
          },
          2600,
          layout,
        );
        return demoReply({ method: 'POST', path: '/v1/chat/completions', headers: {}, body: { messages: prompt.messages }, receivedAt: 0 }).content;
      };
      const plain = ask('cursorWindow');
      assert.match(plain ?? '', /^cart: Cart, sku: string\): Cart \{/);
      assert.equal(ask('cacheAware'), plain);
    });

    it('after `):` the return type and the body; it compiles', async () => {
      const header = 'export function removeItem(cart: Cart, sku: string';
      // The user typed the parameters, stepped over the `)` and typed `:`.
      const typed = `${CART}${header}):`;
      const ghost = await ghostAt(typed, typed.length);
      assert.ok(ghost?.startsWith(' Cart {\n  const next = new Cart();'), ghost);
      assert.deepEqual(typeErrors({ 'src/cart.ts': typed + ghost, 'src/format.ts': FORMAT }), []);
    });

    it('elsewhere: a function body from its name, Python in the sales report, and nothing where nothing fits', async () => {
      const formatEnd = `${FORMAT}\nexport function clamp(value: number, min: number, max: number): number {`;
      assert.equal(await ghostAt(formatEnd, formatEnd.length, 'src/format.ts'), '\n  return Math.min(max, Math.max(min, value));\n}');

      const mainAt = SALES.indexOf('def main');
      const py = async (typed: string, after = '') => {
        const doc = `${SALES.slice(0, mainAt)}${typed}${after}\n\n\n${SALES.slice(mainAt)}`;
        return ghostAt(doc, mainAt + typed.length, 'scripts/sales_report.py', 'python');
      };
      // The `)` the editor closed is written again, and replaced when accepted.
      assert.equal(await py('def total_revenue(', ')'), 'rows: list[dict[str, str]]) -> int:');
      assert.equal(coveredSuffixLength('rows: list[dict[str, str]]) -> int:', ')'), 1);
      assert.equal(
        await py('def total_revenue(rows: list[dict[str, str]]) -> int:'),
        '\n    return sum(int(row["quantity"]) * int(row["price_cents"]) for row in rows)',
      );
      assert.equal(await py('def average(xs):'), '\n    return sum(xs) / len(xs) if xs else 0');

      const guardAt = SALES.indexOf('if __name__');
      assert.equal(await ghostAt(`${SALES.slice(0, guardAt)}if __`, guardAt + 5, 'scripts/sales_report.py', 'python'), 'name__ == "__main__":');

      const local = `${FORMAT}\nexport function sum(values: number[]): number {\n  let total = 0;\n  for (`;
      assert.equal(await ghostAt(`${local})\n}\n`, local.length, 'src/format.ts'), 'const value of values) {');
      assert.equal(await ghostAt(`${FORMAT}\nconst count = `, `${FORMAT}\nconst count = `.length, 'src/format.ts'), '0;');
      assert.equal(await ghostAt(`${FORMAT}\n// Formats `, `${FORMAT}\n// Formats `.length, 'src/format.ts'), undefined);
    });
  });

  describe('step 2: "How do I add a percentage discount code?"', () => {
    const QUESTION = 'How do I add a percentage discount code?';

    it('with src/cart.ts attached: an answer built on its Discount and applyDiscount, whose code compiles in cart.ts', () => {
      const answer = chat(QUESTION, [{ label: 'src/cart.ts', languageId: 'typescript', content: CART }]);
      assert.match(answer, /`Discount`/);
      assert.match(answer, /`applyDiscount\(\)`/);
      assert.doesNotMatch(answer, /groupBy/);
      const blocks = fencedBlocks(answer);
      assert.equal(blocks.length, 1);
      assert.equal(blocks[0].language, 'typescript');
      assert.match(blocks[0].code, /cart\.subtotalCents\(\)/);
      // "Insert" at the end of cart.ts: it compiles with the file's own types.
      assert.deepEqual(typeErrors({ 'src/cart.ts': `${CART}\n${blocks[0].code}\n`, 'src/format.ts': FORMAT }), []);
      // And it works.
      const cart = runModules({ 'src/cart.ts': `${CART}\n${blocks[0].code}\n`, 'src/format.ts': FORMAT }, 'src/cart.ts') as Record<
        string,
        (...args: unknown[]) => unknown
      > & { Cart: new () => { add(p: object, q?: number): void } };
      const shop = new cart.Cart();
      shop.add({ sku: 'MUG-01', name: 'Mug', priceCents: 1250 }, 2);
      assert.equal(cart.totalCents(shop, ' welcome10 '), 2250);
      assert.equal(cart.totalCents(shop, 'SPRING25'), 2500, 'below the minimum');
      assert.equal(cart.totalCents(shop, 'NOPE'), 2500);
    });

    it('without an attachment: says it cannot see the cart, with code that compiles alone and beside cart.ts', () => {
      const answer = chat(QUESTION);
      assert.match(answer, /can't see your cart code/);
      assert.match(answer, /\*\*\+ File\*\*/);
      const [block, ...more] = fencedBlocks(answer);
      assert.equal(more.length, 0);
      assert.deepEqual(typeErrors({ 'src/discount.ts': `${block.code}\n` }), []);
      assert.deepEqual(typeErrors({ 'src/cart.ts': `${CART}\n${block.code}\n`, 'src/format.ts': FORMAT }), []);
    });
  });

  describe('step 3: escalating applyDiscount to gpt-4o', () => {
    type Apply = (subtotalCents: number, discount: object | undefined) => number;
    const original = runModules({ 'src/cart.ts': CART, 'src/format.ts': FORMAT }, 'src/cart.ts').applyDiscount as Apply;

    // The selection as typed (`export function ... }`) and as whole lines (ending at the next line's start).
    for (const [selection, code] of [
      ['the function', APPLY_DISCOUNT],
      ['whole lines', `${APPLY_DISCOUNT}\n`],
    ]) {
      for (const task of ['improve', 'findBugs'] as const) {
        it(`${task}, ${selection} selected: one fenced block that replaces the selection, compiles and fixes NaN and the rounding`, () => {
          const answer = escalate(TASK_INSTRUCTIONS[task], code);
          const blocks = fencedBlocks(answer);
          assert.equal(blocks.length, 1, 'one block, so that "apply" has one thing to apply');
          assert.equal(blocks[0].language, 'typescript');
          // "Apply" replaces the selection with the block (src/vscode/applyDiff.ts adds the line break of whole lines).
          const start = CART.indexOf(code);
          const replacement = code.endsWith('\n') && !blocks[0].code.endsWith('\n') ? `${blocks[0].code}\n` : blocks[0].code;
          const applied = CART.slice(0, start) + replacement + CART.slice(start + code.length);
          assert.deepEqual(typeErrors({ 'src/cart.ts': applied, 'src/format.ts': FORMAT }), []);
          assert.equal(applied.split('export function applyDiscount(').length, 2, 'the function once, `export` kept');

          const improved = runModules({ 'src/cart.ts': applied, 'src/format.ts': FORMAT }, 'src/cart.ts').applyDiscount as Apply;
          const spring = { code: 'SPRING25', percent: 25, minimumCents: 5000 };
          for (const [subtotal, discount] of [
            [1999, undefined],
            [1999, { code: 'TEN', percent: 10 }],
            [1005, { code: 'HALF', percent: 50 }],
            [4999, spring],
            [5000, spring],
            [1000, { code: 'NEG', percent: -20 }],
            [1000, { code: 'ALL', percent: 150 }],
            [1000, { code: 'FRACTION', percent: 12.5 }],
          ] as [number, object | undefined][]) {
            assert.equal(improved(subtotal, discount), original(subtotal, discount), JSON.stringify([subtotal, discount]));
          }
          // What the answer says it fixes.
          assert.equal(original(1295, { code: 'SAVE30', percent: 30 }), 906);
          assert.equal(improved(1295, { code: 'SAVE30', percent: 30 }), 907);
          assert.ok(Number.isNaN(original(1000, { code: 'X', percent: NaN })));
          assert.equal(improved(1000, { code: 'X', percent: NaN }), 1000);
          assert.match(answer, /NaN/);
          assert.match(answer, /906/);
        });
      }
    }

    it('explain: the steps of applyDiscount and what is surprising about it, without code to apply', () => {
      const answer = escalate(TASK_INSTRUCTIONS.explain, APPLY_DISCOUNT);
      assert.match(answer, /^`applyDiscount` turns a subtotal/);
      assert.match(answer, /minimumCents/);
      assert.match(answer, /NaN/);
      assert.equal(fencedBlocks(answer).length, 0);
    });

    it('write tests: one block of tests that pass against the real cart.ts', () => {
      const answer = escalate(TASK_INSTRUCTIONS.writeTests, APPLY_DISCOUNT);
      const [block, ...more] = fencedBlocks(answer);
      assert.equal(more.length, 0);
      assert.deepEqual(syntaxErrors(block.code), []);
      assert.match(block.code, /from '\.\/cart'/);
      // Running the tests runs their assertions: any failing one throws.
      runModules({ 'src/cart.test.ts': block.code, 'src/cart.ts': CART, 'src/format.ts': FORMAT }, 'src/cart.test.ts');
      assert.equal((block.code.match(/assert\.equal\(/g) ?? []).length, 7);
    });

    it('only the name selected: says so and how to send the function, with nothing to apply', () => {
      const answer = escalate(TASK_INSTRUCTIONS.improve, 'applyDiscount', 'line 47');
      assert.match(answer, /Only the name `applyDiscount` \(line 47\) reached me/);
      assert.equal(fencedBlocks(answer).length, 0);
    });

    it('a question of your own about the selection is answered about that code', () => {
      const answer = escalate('Why does it use Math.round?', APPLY_DISCOUNT);
      assert.match(answer, /^`Math\.round\(x\)` rounds to the nearest integer/);
      assert.match(answer, /In your code: `return Math\.round\(subtotalCents \* \(1 - percent \/ 100\)\);`/);
    });
  });

  describe('elsewhere: typical questions get answers about what was asked and attached', () => {
    it('explain, with a file attached: what it holds, and its main function step by step', () => {
      const answer = chat('Explain this code', [{ label: 'scripts/sales_report.py', languageId: 'python', content: SALES }]);
      assert.match(answer, /^`scripts\/sales_report\.py` has:/);
      assert.match(answer, /\*\*`revenue_by_day`\*\* \(rows\)/);
      assert.match(answer, /`main\(argv\)`, step by step:\n\n1\. If `len\(argv\) != 2`/);
      assert.doesNotMatch(answer, /groupBy/);
    });

    it('what does X do: the function from the attached file, led by its doc comment', () => {
      const answer = chat('What does plural do?', [{ label: 'src/format.ts', languageId: 'typescript', content: FORMAT }]);
      assert.match(answer, /^`plural\(count, noun\)` pluralizes a count/);
    });

    it('tests for the attached file, that pass against it', () => {
      const answer = chat('Write unit tests for this', [{ label: 'src/format.ts', languageId: 'typescript', content: FORMAT }]);
      const [block] = fencedBlocks(answer);
      assert.match(block.code, /import \{ formatPrice, isoDay, plural \} from '\.\/format';/);
      runModules({ 'src/format.test.ts': block.code, 'src/format.ts': FORMAT }, 'src/format.test.ts');
    });

    it('a bug without code asks for it; a standard API is explained; "explain this" without code asks to attach it', () => {
      assert.match(chat('Can you fix the bug in my code?'), /^I'd need to see the code to find the bug/);
      assert.match(chat('What does Math.round do?'), /^`Math\.round\(x\)` rounds to the nearest integer/);
      assert.match(chat('explain this code'), /no code came with the question[\s\S]*\*\*\+ Selection\*\*/);
    });
  });
});
