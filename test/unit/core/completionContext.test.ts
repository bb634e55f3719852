import assert from 'node:assert/strict';
import {
  declarationText,
  functionsAround,
  outlineText,
  scopesAround,
  scopeText,
  symbolNamedAt,
  type OutlineSymbol,
} from '../../../src/core/completion/context/declarations';
import { fileMapText, mapStillHolds, mergedMap, scopeKey } from '../../../src/core/completion/context/fileMap';
import {
  DefinitionsSource,
  importsCompleting,
  memberBeingTyped,
  offsetAt,
  type FactsDocument,
  type LanguageFacts,
  type SymbolLocation,
} from '../../../src/core/completion/context/definitions';
import { ContextGatherer, type ContextQuery, type ContextSource } from '../../../src/core/completion/context/gatherer';
import { identifierOccurrences, importedIdentifiers } from '../../../src/core/completion/context/identifiers';
import { RecentEdits, RecentEditsSource } from '../../../src/core/completion/context/recentEdits';
import { realClock } from '../../../src/core/completion/engine';
import type { Snippet } from '../../../src/core/completion/prompt';
import { SimilarFilesSource } from '../../../src/core/completion/snippets';
import { compileExcludes, DEFAULT_EXCLUDES } from '../../../src/core/exclusions';
import { VirtualClock } from '../../bench/completions/virtualClock';

const never = () => new AbortController().signal;

const CLIENT_TS = [
  'export interface RetryOptions {',
  '  attempts: number;',
  '  delayMs: number;',
  '}',
  '',
  'export class Client {',
  '  constructor(private readonly baseUrl: string) {}',
  '',
  '  retry(options: RetryOptions): Promise<void> {',
  '    const started = Date.now();',
  '    for (let i = 0; i < options.attempts; i++) {',
  '      void started;',
  '    }',
  '    return Promise.resolve();',
  '  }',
  '',
  '  get(path: string): Promise<string> {',
  '    return fetch(this.baseUrl + path).then((r) => r.text());',
  '  }',
  '  private pending = 0;',
  '}',
  '',
].join('\n');

const MAIN_TS = [
  "import { Client } from './client';",
  "import { API_KEY } from './.env.local';",
  '',
  'const client = new Client("https://x");',
  'client.',
].join('\n');

/** The outline a language server would give for CLIENT_TS. */
function clientOutline(): OutlineSymbol[] {
  const at = (needle: string, from = 0) => CLIENT_TS.indexOf(needle, from);
  const range = (start: number, endNeedle: string) => ({ start, end: at(endNeedle, start) + endNeedle.length });
  const retryStart = at('  retry(');
  const getStart = at('  get(');
  const classStart = at('export class Client');
  return [
    {
      name: 'RetryOptions',
      shape: 'container',
      range: range(0, '}'),
      nameRange: { start: at('RetryOptions'), end: at('RetryOptions') + 12 },
      children: [],
    },
    {
      name: 'Client',
      shape: 'container',
      range: { start: classStart, end: CLIENT_TS.lastIndexOf('}') + 1 },
      nameRange: { start: at('Client', classStart), end: at('Client', classStart) + 6 },
      children: [
        {
          name: 'constructor',
          shape: 'callable',
          range: range(at('  constructor'), '{}'),
          nameRange: { start: at('constructor'), end: at('constructor') + 11 },
          children: [],
        },
        {
          name: 'retry',
          shape: 'callable',
          range: { start: retryStart, end: at('  }\n', at('return Promise.resolve')) + 3 },
          nameRange: { start: retryStart + 2, end: retryStart + 7 },
          children: [],
        },
        {
          name: 'get',
          shape: 'callable',
          range: { start: getStart, end: at('  }\n', getStart) + 3 },
          nameRange: { start: getStart + 2, end: getStart + 5 },
          children: [],
        },
        {
          name: 'pending',
          shape: 'value',
          range: range(at('  private pending') + 2, '= 0;'),
          nameRange: { start: at('pending'), end: at('pending') + 7 },
          children: [],
        },
      ],
    },
  ];
}

/** A class extending one from another file, the cursor in its method. */
const RETRYING_TS = [
  "import * as api from './client';",
  '',
  'export class RetryingClient extends api.Client {',
  '  retries = 3;',
  '  send() {',
  '    this.',
].join('\n');

function retryingOutline(): OutlineSymbol[] {
  const classStart = RETRYING_TS.indexOf('export class');
  const sendStart = RETRYING_TS.indexOf('  send()');
  const retries = RETRYING_TS.indexOf('  retries');
  return [
    {
      name: 'RetryingClient',
      shape: 'container',
      range: { start: classStart, end: RETRYING_TS.length },
      nameRange: { start: classStart + 13, end: classStart + 27 },
      children: [
        { name: 'retries', shape: 'value', range: { start: retries, end: retries + 13 }, nameRange: { start: retries + 2, end: retries + 9 }, children: [] },
        {
          name: 'send',
          shape: 'callable',
          range: { start: sendStart, end: RETRYING_TS.length },
          nameRange: { start: sendStart + 2, end: sendStart + 6 },
          children: [],
        },
      ],
    },
  ];
}

/** A language server over a few files, counting what it was asked. */
class FakeFacts implements LanguageFacts {
  readonly read: string[] = [];
  delayMs = 0;
  constructor(private readonly clock: { sleep(ms: number, signal: AbortSignal): Promise<boolean> } = realClock) {}

  private readonly documents: Record<string, { text: string; outline: OutlineSymbol[]; version?: number }> = {
    'file:///w/main.ts': { text: MAIN_TS, outline: [] },
    'file:///w/client.ts': { text: CLIENT_TS, outline: clientOutline() },
    'file:///w/retrying.ts': { text: RETRYING_TS, outline: retryingOutline() },
  };

  /** The user edited the document: its new text, and the symbols the provider now gives for it. */
  edit(documentKey: string, text: string, outline: OutlineSymbol[]): void {
    const doc = this.documents[documentKey];
    this.documents[documentKey] = { text, outline, version: (doc.version ?? 1) + 1 };
  }

  async definitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    if (this.delayMs) await this.clock.sleep(this.delayMs, never());
    const word = /^[\w$]+/.exec(this.documents[documentKey].text.slice(offset))?.[0];
    if (word === 'Client') return [{ documentKey: 'file:///w/client.ts', path: 'client.ts', line: 5, character: 13 }];
    if (word === 'API_KEY') return [{ documentKey: 'file:///w/.env.local', path: '.env.local', line: 0, character: 0 }];
    if (word === 'fetch') return [{ documentKey: 'file:///lib/lib.dom.d.ts', line: 10, character: 0 }];
    return [];
  }

  async typeDefinitions(documentKey: string, offset: number): Promise<SymbolLocation[]> {
    const word = /^[\w$]+/.exec(this.documents[documentKey].text.slice(offset))?.[0];
    return word === 'client' ? [{ documentKey: 'file:///w/client.ts', path: 'client.ts', line: 5, character: 13 }] : [];
  }

  async outline(documentKey: string): Promise<OutlineSymbol[]> {
    return this.documents[documentKey]?.outline ?? [];
  }

  async document(documentKey: string): Promise<FactsDocument | undefined> {
    this.read.push(documentKey);
    const doc = this.documents[documentKey];
    return doc && { text: doc.text, version: doc.version ?? 1 };
  }
}

function queryAtEnd(text = MAIN_TS): ContextQuery {
  return { documentKey: 'file:///w/main.ts', path: 'main.ts', languageId: 'typescript', version: 1, offset: text.length, prefix: text };
}

const isExcluded = compileExcludes(DEFAULT_EXCLUDES);

describe('completion context', () => {
  describe('identifiers', () => {
    it('finds identifiers with their offsets, not in strings, comments or keywords', () => {
      const text = 'const total = items.reduce(sum, 0); // items here\nlog("items", total)';
      const found = identifierOccurrences(text, 100, 'typescript');
      assert.deepEqual(
        found.map((o) => o.name),
        ['total', 'items', 'reduce', 'sum', 'log', 'total'],
      );
      assert.equal(found[1].offset, 100 + text.indexOf('items'));
    });

    it("a keyword after a member access is a property's name (what `toolCall.function.arguments` goes through), not after a spread", () => {
      assert.deepEqual(
        identifierOccurrences('function run(toolCall) { return toolCall.function.arguments ?? [...this.args, x?.default]; }', 0, 'typescript').map(
          (o) => o.name,
        ),
        ['run', 'toolCall', 'toolCall', 'function', 'arguments', 'args', 'default'],
      );
    });

    it('hash comments only where the language has them', () => {
      assert.deepEqual(
        identifierOccurrences('x = helper()  # uses other', 0, 'python').map((o) => o.name),
        ['helper'],
      );
    });

    it('reads the names imports bring in: ES modules over several lines, CommonJS, Python', () => {
      const ts = "import {\n  alpha,\n  beta as gamma,\n} from './x';\nimport Delta from 'delta';\nconst { eps } = require('./eps');\nconst late = 1;\n";
      assert.deepEqual(
        importedIdentifiers(ts, 'typescript').map((o) => o.name),
        ['alpha', 'beta', 'gamma', 'Delta', 'eps'],
      );
      assert.deepEqual(
        importedIdentifiers('from models.user import User, Account\nimport os\n', 'python').map((o) => o.name),
        ['models', 'user', 'User', 'Account', 'os'],
      );
    });
  });

  describe('declarations', () => {
    const outline = clientOutline();
    it('a small declaration is shown whole', () => {
      assert.equal(declarationText(CLIENT_TS, outline[0]), 'export interface RetryOptions {\n  attempts: number;\n  delayMs: number;\n}');
    });

    it('a big class is shown as its header, its members’ first lines and its closing brace', () => {
      assert.equal(
        declarationText(CLIENT_TS, outline[1]),
        [
          'export class Client {',
          '  constructor(private readonly baseUrl: string) {}',
          '  retry(options: RetryOptions): Promise<void> {',
          '  get(path: string): Promise<string> {',
          '  private pending = 0;',
          '}',
        ].join('\n'),
        'from its own file, its private member too',
      );
    });

    it('finds the symbol named at a location, and the containers around an offset', () => {
      const inRetry = CLIENT_TS.indexOf('const started');
      assert.equal(symbolNamedAt(outline, CLIENT_TS.indexOf('retry(')), outline[1].children[1]);
      assert.equal(symbolNamedAt(outline, inRetry), undefined, 'a local is no symbol');
      assert.deepEqual(
        scopesAround(outline, inRetry).map((s) => s.name),
        ['Client', 'retry'],
      );
      assert.equal(
        scopeText(CLIENT_TS, outline[1].children[1]),
        'retry(options: RetryOptions): Promise<void> {\n  const started = Date.now();',
        "a function's header and its locals",
      );
      assert.equal(outlineText(CLIENT_TS, outline), 'export interface RetryOptions {\nexport class Client {');
      assert.equal(offsetAt(CLIENT_TS, 5, 13), CLIENT_TS.indexOf('Client'));
    });

    it("a function's small locals are shown whole (what `FRAGMENT.begin` names is in them), a big object by its keys (`XML_TAG.begin`), other big ones by their first line", () => {
      // Shown as they are: the header, a small local whole, and a big object's first line and first key.
      const shownAsIs = [
        'function javascript(hljs) {',
        '  const FRAGMENT = {',
        "    begin: '<>',",
        "    end: '</>'",
        '  };',
        '  const XML_TAG = {',
        '    begin: /<[A-Za-z0-9]+/,',
      ];
      const js = [
        ...shownAsIs,
        '    /**',
        '     * @param {RegExpMatchArray} match',
        '     */',
        '    isTrulyOpeningTag: (match, response) => {',
        '      const after = match.index;',
        '      response.ignoreMatch();',
        '    },',
        "    'data-end': 1,",
        '  };',
        '  const joined = [',
        '    FRAGMENT,',
        '    XML_TAG,',
        '    KEYWORDS,',
        '    other,',
        '  ].join();',
        '  if (hljs) {',
        '    const inner = 1;',
        '  }',
        '  return FRAGMENT;',
        '}',
      ].join('\n');
      const fn: OutlineSymbol = { name: 'javascript', shape: 'callable', range: { start: 0, end: js.length }, nameRange: { start: 9, end: 19 }, children: [] };
      assert.equal(
        scopeText(js, fn),
        [...shownAsIs, '    isTrulyOpeningTag: (match, response) => {', "    'data-end': 1,", '    …', '  const joined = ['].join('\n'),
      );
    });

    it("a big interface's members are cut to a size that fits beside other context, with …", () => {
      const members = Array.from({ length: 80 }, (_, i) => `  member${i}?: string | number | null;`);
      const text = ['export interface Params {', ...members, '}'].join('\n');
      const symbol: OutlineSymbol = {
        name: 'Params',
        shape: 'container',
        range: { start: 0, end: text.length },
        nameRange: { start: 17, end: 23 },
        children: members.map((line, i) => {
          const start = text.indexOf(line);
          return {
            name: `member${i}`,
            shape: 'value',
            range: { start, end: start + line.length },
            nameRange: { start: start + 2, end: start + 2 + `member${i}`.length },
            children: [],
          };
        }),
      };
      const shown = declarationText(text, symbol);
      assert.ok(shown.length <= 1_400, String(shown.length));
      assert.match(shown, /^export interface Params \{\n {2}member0\?: string \| number \| null;/);
      assert.match(shown, /\n {2}…\n\}$/);
    });
    /** A symbol of `text` spanning `declaration` (its first occurrence at or after `from`), named by `name`'s first occurrence in it. */
    function symbolOf(text: string, declaration: string, name: string, shape: OutlineSymbol['shape'], children: OutlineSymbol[] = [], from = 0): OutlineSymbol {
      const start = text.indexOf(declaration, from);
      assert.ok(start !== -1, `no ${declaration.slice(0, 30)} in the text`);
      const nameStart = text.indexOf(name, start);
      return { name, shape, range: { start, end: start + declaration.length }, nameRange: { start: nameStart, end: nameStart + name.length }, children };
    }

    it("a function's header over many lines (a parameter's type on the next line) is shown whole, with the body's own locals (a big one by its first line), not a nested function's", () => {
      const header = [
        'async function runTools(',
        '  client: Client,',
        '  params:',
        '    | ToolParams',
        '    | StreamingToolParams,',
        '  runner: Runner,',
        ') {',
      ];
      const ts = [
        ...header,
        "  const role = 'tool' as const;",
        '  // why the context is cast',
        '  const toolContext = params.context as ToolContext;',
        '  const call = async (toolCall: ToolCall) => {',
        '    const id = toolCall.id;',
        '    log(id);',
        '    return id;',
        '  };',
        '  return call;',
        '}',
      ].join('\n');
      assert.equal(
        scopeText(ts, symbolOf(ts, ts, 'runTools', 'callable')),
        [
          ...header,
          "  const role = 'tool' as const;",
          '  const toolContext = params.context as ToolContext;',
          '  const call = async (toolCall: ToolCall) => {',
        ].join('\n'),
        'before, the header stopped at `params:` and the locals came from the parameters’ indentation',
      );
      const py = ['def run(self,', '        suite: Suite,', '        opts: dict) -> None:', '    total = suite.total()', '    self.started = True'].join('\n');
      assert.equal(
        scopeText(py, symbolOf(py, py, 'run', 'callable')),
        ['def run(self,', '        suite: Suite,', '        opts: dict) -> None:', '    total = suite.total()'].join('\n'),
        "Python's header ends at the `:` outside its brackets",
      );
    });

    it('finds the functions around the cursor by indentation where the outline has none (a prototype method in an ES module, a function inside it)', () => {
      const js = [
        'export class Runner {}',
        '',
        'Runner.prototype.runTests = function (suite, fn) {',
        '  var self = this;',
        '  var test;',
        '',
        '  function hookErr(err) {',
        '    fn(err);',
        '  }',
        '',
        '  function next(err, errSuite) {',
        '    if (err) {',
        '      self.emit(test);',
        '    }',
        '  }',
        '};',
        '',
      ].join('\n');
      const around = functionsAround(js, js.indexOf('self.emit'));
      assert.deepEqual(
        around.map((s) => s.name),
        ['Runner.prototype.runTests', 'next'],
        'not `hookErr` (closed above), not the `if`',
      );
      assert.equal(
        js.slice(around[1].range.start, around[1].range.end),
        '  function next(err, errSuite) {\n    if (err) {\n      self.emit(test);\n    }\n  }',
      );
      assert.equal(js.slice(around[0].nameRange.start, around[0].nameRange.end), 'Runner.prototype.runTests');
      assert.equal(scopeText(js, around[0]), 'Runner.prototype.runTests = function (suite, fn) {\n  var self = this;\n  var test;');
      assert.deepEqual(functionsAround(js, js.indexOf('export class')), [], 'at the top level');
    });

    it("a function's locals stop at about 1,000 characters, the first declared kept", () => {
      const locals = Array.from({ length: 40 }, (_, i) => `  const local${i} = compute(${i}, 'a value long enough to count');`);
      const js = ['function big() {', ...locals, '}'].join('\n');
      const shown = scopeText(js, symbolOf(js, js, 'big', 'callable'));
      assert.ok(shown.length <= 1_000, String(shown.length));
      assert.match(shown, /^function big\(\) \{\n {2}const local0 = /);
      assert.ok(!shown.includes('local39'));
    });

    it('a class seen from another file leaves out its private members (`#x`, `private x`); from its own file it shows them', () => {
      const members = [
        '  #listeners = new Map();',
        '  private pending = 0;',
        '  controller = new AbortController();',
        '  /** Whether the stream is over. */',
        '  get ended(): boolean {',
        '    return this.#ended;',
        '  }',
        '  protected _emit(event: string): void {',
        '    this.#listeners.get(event);',
        '  }',
        '  on(event: string, listener: () => void): this {',
        '    return this;',
        '  }',
      ];
      const ts = ['export class EventStream {', ...members, '}'].join('\n');
      const children = [
        symbolOf(ts, '#listeners = new Map();', '#listeners', 'value'),
        symbolOf(ts, 'private pending = 0;', 'pending', 'value'),
        symbolOf(ts, 'controller = new AbortController();', 'controller', 'value'),
        // The provider's range starts at the doc comment: the member's line is the one with its name.
        symbolOf(ts, '/** Whether the stream is over. */\n  get ended(): boolean {\n    return this.#ended;\n  }', 'ended', 'callable'),
        symbolOf(ts, 'protected _emit(event: string): void {\n    this.#listeners.get(event);\n  }', '_emit', 'callable'),
        symbolOf(ts, 'on(event: string, listener: () => void): this {\n    return this;\n  }', 'on', 'callable'),
      ];
      const stream = symbolOf(ts, ts, 'EventStream', 'container', children);
      assert.equal(
        declarationText(ts, stream, { outside: true }),
        [
          'export class EventStream {',
          '  controller = new AbortController();',
          '  get ended(): boolean {',
          '  protected _emit(event: string): void {',
          '  on(event: string, listener: () => void): this {',
          '}',
        ].join('\n'),
      );
      const own = declarationText(ts, stream);
      assert.ok(own.includes('#listeners') && own.includes('private pending'), own);
    });

    it("a namespace's interfaces are shown with their members (what `toolCall.function.arguments` names)", () => {
      const ts = [
        'export namespace FunctionToolCall {',
        '  /**',
        '   * The function that the model called.',
        '   */',
        '  export interface Function {',
        '    /**',
        '     * The arguments, as JSON.',
        '     */',
        '    arguments: string;',
        '    /**',
        '     * The name of the function.',
        '     */',
        '    name: string;',
        '  }',
        '}',
      ].join('\n');
      const fn = symbolOf(ts, 'export interface Function {', 'Function', 'container', [
        symbolOf(ts, 'arguments: string;', 'arguments', 'value'),
        symbolOf(ts, 'name: string;', 'name', 'value', [], ts.indexOf('arguments')),
      ]);
      fn.range.end = ts.indexOf('  }\n}') + 3;
      const namespace = symbolOf(ts, ts, 'FunctionToolCall', 'container', [fn]);
      assert.equal(
        declarationText(ts, namespace),
        ['export namespace FunctionToolCall {', '  export interface Function {', '    arguments: string;', '    name: string;', '  }', '}'].join('\n'),
        'before, the interface showed as its first line alone',
      );
    });

    it("a big namespace's first interfaces are shown with their members, the later ones by their first line (room for the definitions after it)", () => {
      const names = ['Choice', 'Logprobs', 'Moderation', 'Results', 'Result', 'Failure'];
      const interfaces = names.map((name) => [
        `  export interface ${name} {`,
        ...[1, 2, 3, 4].map((n) => `    ${name.toLowerCase()}Field${n}: Array<ChatCompletionTokenLogprob> | null;`),
        '  }',
      ]);
      const ts = ['export namespace ChatCompletion {', ...interfaces.flat(), '}'].join('\n');
      const children = names.map((name) => {
        const block = interfaces[names.indexOf(name)].join('\n').trim();
        const fields = [1, 2, 3, 4].map((n) => symbolOf(ts, `${name.toLowerCase()}Field${n}:`, `${name.toLowerCase()}Field${n}`, 'value'));
        return symbolOf(ts, block, name, 'container', fields);
      });
      const shown = declarationText(ts, symbolOf(ts, ts, 'ChatCompletion', 'container', children), { outside: true });
      assert.ok(shown.includes('  choiceField4: Array<ChatCompletionTokenLogprob> | null;'), shown);
      assert.ok(shown.includes('  export interface Failure {') && !shown.includes('failureField1'), shown);
      assert.ok(shown.length < 800, `${shown.length} characters; all of it is ${ts.length}`);
    });
  });

  describe('file map', () => {
    const RUNNER_JS = [
      "'use strict';",
      'const {',
      '  safeRe: re,',
      '  t,',
      "} = require('./re');",
      "const debug = require('debug')('runner');",
      '',
      '/** A runner. */',
      'function Runner(suite, opts) {',
      '  this.suite = suite;',
      '  this._opts = opts;',
      '  this.total = 0;',
      '}',
      '',
      'Runner.prototype.grep = function (re, invert) {',
      '  this._grep = re;',
      '  this.total = 1;',
      '  return this;',
      '};',
      '',
      'Runner.prototype.run = function (fn) {',
      '  const self = this;',
      '  const started = Date.now();',
      '  if (self.total) {',
      '    const inner = 1;',
      '  }',
      '  fn();',
      '};',
      '',
      'module.exports = Runner;',
      '',
    ].join('\n');
    const runStart = RUNNER_JS.indexOf('Runner.prototype.run');
    const runOutline: OutlineSymbol[] = [
      {
        name: 'Runner.prototype.run',
        shape: 'callable',
        range: { start: runStart, end: RUNNER_JS.indexOf('};', runStart) + 2 },
        nameRange: { start: runStart, end: runStart + 20 },
        children: [],
      },
    ];
    const cursor = RUNNER_JS.indexOf('  fn();') + 2;

    it('shows imports whole, the first line of each top-level statement and each field where it is first assigned', () => {
      assert.equal(
        fileMapText(RUNNER_JS, runOutline, 10_000),
        [
          'const {',
          '  safeRe: re,',
          '  t,',
          "} = require('./re');",
          "const debug = require('debug')('runner');",
          'function Runner(suite, opts) {',
          '  this.suite = suite;',
          '  this._opts = opts;',
          '  this.total = 0;',
          'Runner.prototype.grep = function (re, invert) {',
          '  this._grep = re;',
          'Runner.prototype.run = function (fn) {',
          'module.exports = Runner;',
        ].join('\n'),
        "no directive, comment or body; the function around the cursor's locals are shown apart (scopeText)",
      );
    });

    it("keeps the most useful lines within its room (imports, then the top level), in the file's order, and never the line being typed", () => {
      assert.equal(
        fileMapText(RUNNER_JS, runOutline, 170),
        [
          'const {',
          '  safeRe: re,',
          '  t,',
          "} = require('./re');",
          "const debug = require('debug')('runner');",
          'function Runner(suite, opts) {',
          'Runner.prototype.grep = function (re, invert) {',
        ].join('\n'),
      );
      const typing = RUNNER_JS.split('\n').indexOf('module.exports = Runner;');
      assert.ok(!fileMapText(RUNNER_JS, runOutline, 10_000, typing).includes('module.exports'));
    });

    it("shows what JSDoc says of a declaration's types above it, where there is room after everything else", () => {
      const js = [
        '/**',
        ' * Initialize a `Runner` at the Root `Suite`.',
        ' *',
        ' * @param {Suite} suite - Root suite',
        ' * @param {boolean} [opts.delay] - Whether to delay execution of root suite until ready.',
        ' */',
        'function Runner(suite, opts) {',
        '  this.suite = suite;',
        '}',
        '',
      ].join('\n');
      const outline: OutlineSymbol[] = [
        {
          name: 'Runner',
          shape: 'callable',
          range: { start: js.indexOf('function'), end: js.length - 1 },
          nameRange: { start: js.indexOf('Runner('), end: js.indexOf('(suite') },
          children: [],
        },
      ];
      assert.equal(
        fileMapText(js, outline, 10_000),
        [
          ' * @param {Suite} suite - Root suite',
          ' * @param {boolean} [opts.delay] - Whether to delay execution of root suite until ready.',
          'function Runner(suite, opts) {',
          '  this.suite = suite;',
        ].join('\n'),
      );
      assert.equal(
        fileMapText(js, outline, 60),
        ['function Runner(suite, opts) {', '  this.suite = suite;'].join('\n'),
        'the declaration and its fields first',
      );
    });

    it('a new map that differs in a few lines does not replace the old one (same bytes, same cache)', () => {
      const map = fileMapText(RUNNER_JS, runOutline, 10_000);
      const lines = map.split('\n');
      const edited = RUNNER_JS.replace('module.exports = Runner;', 'module.exports = { Runner };');
      assert.ok(mapStillHolds(map, [...lines.slice(0, -1), 'module.exports = { Runner };'].join('\n'), edited), 'one line of 13 changed');
      assert.ok(!mapStillHolds(map, [...lines, 'a', 'b', 'c'].join('\n'), RUNNER_JS), 'three new');
    });

    it('keeps the old map while symbols vanish from the outline but not from the file (an open brace), and not once they are deleted', () => {
      const map = fileMapText(RUNNER_JS, runOutline, 10_000);
      const lines = map.split('\n');
      const fewer = lines.slice(0, 8).join('\n');
      assert.ok(mapStillHolds(map, fewer, RUNNER_JS), 'five of 13 missing from the outline, all still in the file');
      const deleted = lines.slice(8).reduce((text, line) => text.replace(line, ''), RUNNER_JS);
      assert.ok(!mapStillHolds(map, fewer, deleted), 'five of 13 deleted from the file');
    });

    it("a replaced map keeps the old one's lines still in the file (an open brace hid their symbols), in the file's order, within its room", () => {
      const old = fileMapText(RUNNER_JS, runOutline, 10_000);
      // A brace left open in `grep` swallows what follows; a deleted `module.exports` is no longer true.
      const typed = RUNNER_JS.replace('  return this;\n};', '  if (x) {').replace('module.exports = Runner;', '');
      const fresh = old
        .split('\n')
        .filter((line) => !line.startsWith('Runner.prototype.run') && !line.includes('module.exports') && !line.includes('started'))
        .join('\n');
      const merged = mergedMap(old, fresh, typed, 10_000).split('\n');
      assert.ok(merged.includes('Runner.prototype.run = function (fn) {'), merged.join('\n'));
      assert.ok(!merged.some((line) => line.includes('module.exports')), 'deleted from the file');
      assert.deepEqual(
        merged.map((line) => typed.split('\n').indexOf(line)),
        merged.map((line) => typed.split('\n').indexOf(line)).sort((a, b) => a - b),
        "in the file's order",
      );
      assert.equal(mergedMap(old, fresh, typed, fresh.length + 5), fresh, 'no room for the old lines');
    });

    it('is made again only where the scopes around the cursor change', () => {
      assert.equal(scopeKey(scopesAround(runOutline, cursor)), scopeKey(scopesAround(runOutline, RUNNER_JS.indexOf('const started'))));
      assert.notEqual(scopeKey(scopesAround(runOutline, cursor)), scopeKey(scopesAround(runOutline, RUNNER_JS.indexOf('this._opts'))));
    });
  });

  describe('definitions source', () => {
    it("gives the signature of what the file imports and the type of the variable before the cursor, from the editor's providers", async () => {
      const facts = new FakeFacts();
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 40 });
      const snippets = await source.gather(queryAtEnd(), never());
      assert.deepEqual(
        snippets.map((s) => s.path),
        ['main.ts (outline)', 'client.ts:6'],
        "the file's own map (its imports and declarations; not the line being typed), then the imported class",
      );
      assert.equal(snippets[0].text, "import { Client } from './client';\nimport { API_KEY } from './.env.local';\nconst client = new Client(\"https://x\");");
      assert.match(snippets[1].text, /^export class Client \{\n {2}constructor\(private readonly baseUrl: string\) \{\}\n {2}retry\(options: RetryOptions\)/);
      assert.ok(!snippets[1].text.includes('pending'), 'seen from main.ts, the private member is left out');
    });

    it('never reads an excluded file (a .env import) and never shows what lies outside the workspace', async () => {
      const facts = new FakeFacts();
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock });
      const snippets = await source.gather(queryAtEnd(MAIN_TS + 'get(fetch'), never());
      assert.ok(!facts.read.includes('file:///w/.env.local'));
      assert.ok(!facts.read.includes('file:///lib/lib.dom.d.ts'));
      assert.ok(snippets.every((s) => !s.path.startsWith('.env') && !s.path.includes('lib.dom')));
    });

    it('skips definitions the prompt shows anyway (the current file near the cursor)', async () => {
      const facts = new FakeFacts();
      const text = CLIENT_TS.replace('void started;', 'void started; this.');
      const near = new DefinitionsSource(facts, { isExcluded, clock: realClock });
      const query: ContextQuery = {
        documentKey: 'file:///w/client.ts',
        path: 'client.ts',
        languageId: 'typescript',
        version: 2,
        offset: text.indexOf('this.') + 5,
        prefix: text.slice(0, text.indexOf('this.') + 5),
      };
      assert.deepEqual(await near.gather(query, never()), [], 'the whole class is in sight');
      const far = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 10 });
      const found = await far.gather(query, never());
      assert.deepEqual(
        found.map((s) => s.path),
        ['client.ts (outline)', 'client.ts:9'],
        "out of sight: the file's map (the type of `this` is on it, not shown again) and the method around the cursor",
      );
      assert.equal(
        found[0].text,
        [
          'export interface RetryOptions {',
          'export class Client {',
          '  constructor(private readonly baseUrl: string) {}',
          '  retry(options: RetryOptions): Promise<void> {',
          '  get(path: string): Promise<string> {',
          '  private pending = 0;',
        ].join('\n'),
      );
      assert.equal(found[1].text, 'retry(options: RetryOptions): Promise<void> {\n  const started = Date.now();');
    });

    it("keeps on the file's map the members an open brace hides from the outline, but not what was deleted", async () => {
      const facts = new FakeFacts();
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 10, visibleAfter: 10 });
      const at = (text: string, needle: string): ContextQuery => {
        const offset = text.indexOf(needle);
        return { documentKey: 'file:///w/client.ts', path: 'client.ts', languageId: 'typescript', version: 1, offset, prefix: text.slice(0, offset) };
      };
      const mapOf = async (query: ContextQuery) => (await source.gather(query, never())).find((s) => s.slot === 'map')?.text ?? '';
      assert.ok((await mapOf(at(CLIENT_TS, 'r.text()'))).includes('  get(path: string): Promise<string> {'));
      // `pending` renamed, and a brace typed open in `retry`: the outline loses what follows it.
      const edited = CLIENT_TS.replace('private pending = 0;', 'private queued = 0;');
      const [options, client] = clientOutline();
      facts.edit('file:///w/client.ts', edited, [options, { ...client, children: client.children.filter((c) => c.name !== 'get') }]);
      const map = await mapOf(at(edited, 'void started'));
      assert.ok(map.includes('  get(path: string): Promise<string> {'), map);
      assert.ok(!map.includes('private pending'), map);
    });

    it('shows the function around the cursor that the outline leaves out (found by indentation), with its locals', async () => {
      const facts = new FakeFacts();
      const js = ['Runner.prototype.run = function (fn) {', '  var self = this;', '  function next() {', '    self.emit(', '  }', '};', ''].join('\n');
      facts.edit('file:///w/main.ts', js, []);
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 10 });
      const offset = js.indexOf('self.emit(') + 10;
      const found = await source.gather(
        { documentKey: 'file:///w/main.ts', path: 'main.ts', languageId: 'javascript', version: 2, offset, prefix: js.slice(0, offset) },
        never(),
      );
      const run = found.find((s) => s.path === 'main.ts:1');
      assert.equal(run?.text, 'Runner.prototype.run = function (fn) {\n  var self = this;', found.map((s) => s.path).join(', '));
    });

    it("shows what the class around the cursor extends (what `this.` reaches beyond the file's map), even when it is not imported by name", async () => {
      const source = new DefinitionsSource(new FakeFacts(), { isExcluded, clock: realClock, visibleBefore: 10 });
      const query: ContextQuery = {
        documentKey: 'file:///w/retrying.ts',
        path: 'retrying.ts',
        languageId: 'typescript',
        version: 1,
        offset: RETRYING_TS.length,
        prefix: RETRYING_TS,
      };
      const found = await source.gather(query, never());
      assert.deepEqual(
        found.map((s) => s.path),
        ['retrying.ts (outline)', 'client.ts:6', 'retrying.ts:5'],
        'the map, the base class (from `extends api.Client`), the method around the cursor',
      );
      assert.match(found[1].text, /^export class Client \{\n {2}constructor/);
      assert.ok(found[1].fileWide, 'about the whole file: it leads the prompt');
    });

    it('looks up the imports the word being typed may become, when it is one of a few, not after `.` nor mid-word', () => {
      const text = ['import { Client, ClientOptions, retry } from "./client";', 'import { readFile } from "fs";', ''].join('\n');
      const imports = importedIdentifiers(text, 'typescript');
      const completing = (typed: string, after = '') => importsCompleting(imports, text + typed + after, (text + typed).length).map((o) => o.name);
      assert.deepEqual(completing('new Cli'), ['Client', 'ClientOptions']);
      assert.deepEqual(completing('new ClientO'), ['ClientOptions']);
      assert.deepEqual(completing('new Client'), ['ClientOptions'], 'not the word itself: it is looked up as a name near the cursor');
      assert.deepEqual(completing('r'), [], 'one letter begins too much');
      assert.deepEqual(completing('await re'), ['retry', 'readFile']);
      assert.deepEqual(completing('this.re'), [], 'a member, not an import');
      assert.deepEqual(completing('new Cl', 'ient()'), [], 'the cursor is inside a word');
      const many = ['import { a1, abc1, abc2, abc3, abc4 } from "./m";', ''].join('\n');
      assert.deepEqual(importsCompleting(importedIdentifiers(many, 'typescript'), many + 'ab', many.length + 2), [], 'too many to choose from');
    });

    it('shows the definition of the import the word being typed may become, even past the imports looked up for the whole file', async () => {
      const facts = new FakeFacts();
      const fillers = Array.from({ length: 16 }, (_, i) => `import { helper${i} } from './helpers${i}';`);
      const code = Array.from({ length: 20 }, (_, i) => `const step${i} = helper${i % 16}();`);
      const text = [...fillers, "import { Client } from './client';", '', ...code, 'export function make() {', '  return new Cli'].join('\n');
      facts.edit('file:///w/main.ts', text, []);
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 10 });
      const query: ContextQuery = {
        documentKey: 'file:///w/main.ts',
        path: 'main.ts',
        languageId: 'typescript',
        version: 2,
        offset: text.length,
        prefix: text,
      };
      const found = await source.gather(query, never());
      const client = found.find((s) => s.path === 'client.ts:6');
      assert.match(client?.text ?? '', /^export class Client \{/, found.map((s) => s.path).join(', '));
      assert.ok(client?.forWord && !client.fileWide, 'only what this word may become');
    });

    it('finds the member being typed after `receiver.` with its receiver, not mid-word nor after `this.`', () => {
      const at = (text: string, after = '') => memberBeingTyped(text + after, text.length);
      assert.deepEqual(at('  await client.re'), { receiver: { name: 'client', offset: 8 }, word: 're' });
      assert.deepEqual(at('toolCall.function.argu'), { receiver: { name: 'function', offset: 9 }, word: 'argu' }, 'the member of a member: its type too');
      assert.deepEqual(at('x?.tool_cal'), { receiver: { name: 'x', offset: 0 }, word: 'tool_cal' });
      assert.equal(at('client.r'), undefined, 'one letter begins too much');
      assert.equal(at('client.re', 'try()'), undefined, 'mid-word');
      assert.equal(at('this.re'), undefined, "the file's own class: on its map");
      assert.equal(at('retry'), undefined, 'no member access');
    });

    it("shows the members the word after `client.` may become, of client's type, for the word being typed", async () => {
      const facts = new FakeFacts();
      const source = new DefinitionsSource(facts, { isExcluded, clock: realClock, visibleBefore: 10 });
      const gather = async (typed: string) => {
        const text = MAIN_TS + typed;
        facts.edit('file:///w/main.ts', text, []);
        const query: ContextQuery = {
          documentKey: 'file:///w/main.ts',
          path: 'main.ts',
          languageId: 'typescript',
          version: 1,
          offset: text.length,
          prefix: text,
        };
        return (await source.gather(query, never())).filter((s) => s.forWord);
      };
      assert.deepEqual(await gather('\nclient.re'), [{ path: 'client.ts:9', text: 'retry(options: RetryOptions): Promise<void> {', forWord: true }]);
      assert.deepEqual(await gather('\nclient.xy'), [], 'no member begins so');
    });

    it('at the deadline it returns what has arrived', async () => {
      const clock = new VirtualClock();
      const facts = new FakeFacts(clock);
      facts.delayMs = 500; // definitions are slow; type definitions answer at once
      const source = new DefinitionsSource(facts, { isExcluded, clock });
      const deadline = new AbortController();
      clock.schedule(100, () => deadline.abort());
      let doneAt = -1;
      const gathered = source.gather(queryAtEnd(), deadline.signal).then((snippets) => ((doneAt = clock.now()), snippets));
      await clock.run(200);
      assert.equal(doneAt, 100);
      assert.deepEqual(
        (await gathered).map((s) => s.path),
        ['client.ts:6'],
        'the type of `client`, found before the deadline',
      );
    });
  });

  describe('recent edits', () => {
    it('keeps edited ranges in lines, shifted by edits above them and merged when close', () => {
      const edits = new RecentEdits();
      edits.record('a', 'a.ts', 10, 10, 1);
      edits.record('b', 'b.ts', 3, 3, 2);
      edits.record('a', 'a.ts', 2, 2, 3); // two lines inserted above line 10
      assert.deepEqual(edits.recent(), [
        { documentKey: 'a', path: 'a.ts', startLine: 2, endLine: 4 },
        { documentKey: 'b', path: 'b.ts', startLine: 3, endLine: 4 },
        { documentKey: 'a', path: 'a.ts', startLine: 12, endLine: 12 },
      ]);
      edits.record('a', 'a.ts', 13, 13, 1);
      assert.deepEqual(edits.recent()[0], { documentKey: 'a', path: 'a.ts', startLine: 12, endLine: 13 });
    });

    it('shows the edited lines of other files as they read now, never an excluded file, nor edits near the cursor', async () => {
      const edits = new RecentEdits();
      const texts: Record<string, string> = {
        'file:///w/util.ts': 'line0\nline1\nexport function slugify(s: string) {\nline3\nline4\nline5\nline6',
        'file:///w/.env': 'TOKEN=1',
        'file:///w/main.ts': MAIN_TS,
      };
      const read: string[] = [];
      edits.record('file:///w/util.ts', 'util.ts', 2, 2, 1);
      edits.record('file:///w/.env', '.env', 0, 0, 1);
      edits.record('file:///w/main.ts', 'main.ts', 3, 3, 1);
      const source = new RecentEditsSource(edits, {
        isExcluded,
        read: async (key) => {
          read.push(key);
          return { text: texts[key], version: 1 };
        },
      });
      const snippets = await source.gather(queryAtEnd(), never());
      assert.deepEqual(snippets, [{ path: 'util.ts (edited recently)', text: 'line0\nline1\nexport function slugify(s: string) {\nline3\nline4' }]);
      assert.ok(!read.includes('file:///w/.env'));
    });
  });

  it('similar files: the window most like the code before the cursor, never the current file', async () => {
    const source = new SimilarFilesSource(() => [
      { path: 'main.ts', text: MAIN_TS },
      { path: 'other.ts', text: 'const client = new Client(url);\nclient.retry({ attempts: 3 });' },
      { path: 'unrelated.ts', text: 'export const colours = ["red", "green"];' },
    ]);
    const snippets = await source.gather(queryAtEnd());
    assert.deepEqual(
      snippets.map((s) => s.path),
      ['other.ts'],
    );
  });

  describe('gatherer', () => {
    function fixedSource(name: string, results: Snippet[][], delayMs = 0, clock?: VirtualClock): ContextSource & { calls: number } {
      return {
        name,
        calls: 0,
        async gather(_query: ContextQuery, signal: AbortSignal) {
          const result = results[Math.min(this.calls++, results.length - 1)];
          if (delayMs && clock && !(await clock.sleep(delayMs, signal))) return [];
          return result;
        },
      };
    }
    const a = { path: 'a.ts:1', text: 'A' };
    const b = { path: 'b.ts:1', text: 'B' };
    const c = { path: 'c.ts:1', text: 'C' };

    it('gathers off the keystroke path, once per version and offset, and keeps what it had in place', async () => {
      const clock = new VirtualClock();
      const source = fixedSource('s', [
        [a, b],
        [c, a],
      ]);
      const gatherer = new ContextGatherer([source], clock, { budgetMs: 100, fileWideChars: 1000, maxChars: 1000, recentChars: 100 });
      gatherer.prepare(queryAtEnd());
      assert.equal(source.calls, 0, 'nothing runs inside the keystroke');
      assert.deepEqual(gatherer.snippets('file:///w/main.ts'), { fileWide: [], stable: [], recent: [], typing: [] });
      await clock.run();
      assert.deepEqual(gatherer.snippets('file:///w/main.ts'), { fileWide: [], stable: [a, b], recent: [], typing: [] });
      gatherer.prepare(queryAtEnd());
      await clock.run();
      assert.equal(source.calls, 1, 'the same version and offset is not gathered twice');
      gatherer.prepare({ ...queryAtEnd(), version: 2 });
      await clock.run();
      assert.deepEqual(
        gatherer.snippets('file:///w/main.ts'),
        { fileWide: [], stable: [a, b], recent: [c], typing: [] },
        'old finds stay in place; new ones come as recent',
      );
    });

    it('recent finds settle into the stable part once they add up to enough', async () => {
      const clock = new VirtualClock();
      const d = { path: 'd.ts:1', text: 'D'.repeat(40) };
      const e = { path: 'e.ts:1', text: 'E'.repeat(40) };
      const gatherer = new ContextGatherer([fixedSource('s', [[a], [d], [e]])], clock, {
        budgetMs: 100,
        fileWideChars: 1000,
        maxChars: 1000,
        recentChars: 100,
      });
      for (let v = 1; v <= 3; v++) {
        gatherer.prepare({ ...queryAtEnd(), version: v });
        await clock.run();
      }
      assert.deepEqual(gatherer.snippets('file:///w/main.ts'), { fileWide: [], stable: [a, d, e], recent: [], typing: [] });
    });

    it('rebuilds the stable part when it would outgrow the room: what is still found stays first', async () => {
      const clock = new VirtualClock();
      const big = { path: 'd.ts:1', text: 'D'.repeat(25) }; // 41 as the prompt counts it; a and b 17 each
      const gatherer = new ContextGatherer(
        [
          fixedSource('s', [
            [a, b],
            [b, big],
          ]),
        ],
        clock,
        { budgetMs: 100, fileWideChars: 1000, maxChars: 60, recentChars: 20 },
      );
      gatherer.prepare(queryAtEnd());
      await clock.run();
      gatherer.prepare({ ...queryAtEnd(), version: 2 });
      await clock.run();
      assert.deepEqual(gatherer.snippets('file:///w/main.ts'), { fileWide: [], stable: [b, big], recent: [], typing: [] });
    });

    it('what is about the whole file only grows, and stays while the cursor-level part is rebuilt', async () => {
      const clock = new VirtualClock();
      const imported = { path: 'lib.ts:1', text: 'export function lib(): void', fileWide: true };
      const outline = { path: 'main.ts', text: 'export class Main {', fileWide: true };
      const big = { path: 'd.ts:1', text: 'D'.repeat(25) };
      const gatherer = new ContextGatherer(
        [
          fixedSource('s', [
            [imported, a, b],
            [outline, imported, b, big],
          ]),
        ],
        clock,
        {
          budgetMs: 100,
          fileWideChars: 1000,
          maxChars: 60,
          recentChars: 20,
        },
      );
      for (let v = 1; v <= 2; v++) {
        gatherer.prepare({ ...queryAtEnd(), version: v });
        await clock.run();
      }
      assert.deepEqual(gatherer.snippets('file:///w/main.ts'), { fileWide: [imported, outline], stable: [b, big], recent: [], typing: [] });
    });

    it('what the word being typed may become is kept apart, for this gathering only, unless another part shows it', async () => {
      const clock = new VirtualClock();
      const imported = { path: 'lib.ts:1', text: 'export function lib(): void', fileWide: true };
      const forWord = { path: 'lib.ts:1', text: 'export function lib(): void', forWord: true };
      const other = { path: 'other.ts:1', text: 'export function libOther(): void', forWord: true };
      const gathered = async (fileWideChars: number, results: Snippet[][]) => {
        const gatherer = new ContextGatherer([fixedSource('s', results)], clock, { budgetMs: 100, fileWideChars, maxChars: 1000, recentChars: 100 });
        for (let v = 1; v <= results.length; v++) {
          gatherer.prepare({ ...queryAtEnd(), version: v });
          await clock.run();
        }
        return gatherer.snippets('file:///w/main.ts');
      };
      assert.deepEqual(
        await gathered(1000, [[imported, a, forWord]]),
        { fileWide: [imported], stable: [a], recent: [], typing: [] },
        'the file-wide part shows it',
      );
      assert.deepEqual(
        await gathered(10, [[imported, a, forWord, other]]),
        { fileWide: [], stable: [a], recent: [], typing: [forWord, other] },
        'no room file-wide: shown as what the word may become',
      );
      assert.deepEqual(
        await gathered(10, [
          [a, other],
          [a, b],
        ]),
        { fileWide: [], stable: [a], recent: [b], typing: [] },
        'the word typed on: gone, never settled into the other parts',
      );
    });

    it("a snippet with a slot (the file's map) replaces its predecessor in place", async () => {
      const clock = new VirtualClock();
      const map1 = { path: 'main.ts (outline)', text: 'class Main {\n  run() {', fileWide: true, slot: 'map' };
      const map2 = { path: 'main.ts (outline)', text: 'class Main {\n  stop() {', fileWide: true, slot: 'map' };
      const imported = { path: 'lib.ts:1', text: 'export function lib(): void', fileWide: true };
      const gatherer = new ContextGatherer(
        [
          fixedSource('s', [
            [map1, imported],
            [map2, imported],
          ]),
        ],
        clock,
        { budgetMs: 100, fileWideChars: 1000, maxChars: 60, recentChars: 20 },
      );
      for (let v = 1; v <= 2; v++) {
        gatherer.prepare({ ...queryAtEnd(), version: v });
        await clock.run();
      }
      assert.deepEqual(gatherer.snippets('file:///w/main.ts').fileWide, [map2, imported], 'the new map where the old one was, the import after it');
    });

    it('a source slower than the budget contributes nothing this time; the others still do; timings are reported', async () => {
      const clock = new VirtualClock();
      const timings: number[] = [];
      const gatherer = new ContextGatherer([fixedSource('slow', [[a]], 500, clock), fixedSource('fast', [[b]], 10, clock)], clock, {
        budgetMs: 100,
        fileWideChars: 1000,
        maxChars: 1000,
        recentChars: 100,
        onGathered: (ms) => timings.push(ms),
      });
      gatherer.prepare(queryAtEnd());
      await clock.run();
      assert.deepEqual(gatherer.snippets('file:///w/main.ts').stable, [b]);
      assert.deepEqual(timings, [100]);
    });

    it('only the newest ask is gathered: asks that come while one waits or runs replace each other', async () => {
      const clock = new VirtualClock();
      const versions: number[] = [];
      const source: ContextSource = {
        name: 's',
        gather: async (query, signal) => (versions.push(query.version), (await clock.sleep(50, signal)) ? [a] : []),
      };
      const gatherer = new ContextGatherer([source], clock, { budgetMs: 100, fileWideChars: 1000, maxChars: 1000, recentChars: 100, minIntervalMs: 200 });
      for (let v = 1; v <= 3; v++) gatherer.prepare({ ...queryAtEnd(), version: v });
      clock.schedule(10, () => [4, 5, 6].forEach((v) => gatherer.prepare({ ...queryAtEnd(), version: v })));
      let secondAt = -1;
      clock.schedule(20, () => void gatherer.settled().then(() => (secondAt = clock.now())));
      await clock.run();
      assert.deepEqual(versions, [3, 6], 'the newest of each burst');
      assert.equal(secondAt, 250, 'the second gathering started 200 ms after the first (at 0), and took 50 ms');
    });
  });
});
