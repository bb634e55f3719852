// Every feature against every fault the network and the API can throw at it, through the real stack
// (OpenAIClient -> MeteredClient -> Ledger/CostMeter, and the ChatSession/CompletionEngine on top)
// against the local mock server. For each cell of the feature x fault table: nothing throws, nothing
// hangs, the user gets a clear message (no stack, no key), a streamed partial answer is kept, the
// request has its ledger record (exact, estimated or $0 as it deserves), the ledger stays readable,
// and the next request works.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ChatSession } from '../../../src/core/chat/chatSession';
import { ConversationStore } from '../../../src/core/chat/conversationStore';
import { meteredCompletionBackend } from '../../../src/core/completion/backend';
import { CompletionEngine, type Clock, type EngineRequest } from '../../../src/core/completion/engine';
import type { Feature, LedgerRecord } from '../../../src/core/cost/record';
import { PriceBook } from '../../../src/core/cost/pricing';
import type { ErrorKind } from '../../../src/core/errors';
import { escalationPrompt, TASK_INSTRUCTIONS } from '../../../src/core/escalation';
import type { MeteredResult } from '../../../src/core/meteredClient';
import type { ChatOutcome } from '../../../src/core/openaiClient';
import type { ChatMessage, ExtensionEvents } from '../../../src/shared/protocol';
import { MockOpenAIServer, type ScriptedReply } from '../../server/mockOpenAI';
import { API_KEY, assertNoKeyOnDisk, assertUserFacing, closedPortUrl, makeRig, readLedgerLines, withTimeout, type Rig } from './harness';

const CHUNK = 8; // the mock's default characters per content chunk
const FAULT_AFTER_CHUNKS = 3;
const STALL_IDLE_MS = 300;
/** Longest any single feature call may take before the case counts as a hang (generous: CI machines get busy). */
const CALL_LIMIT_MS = 8000;

// ---------------------------------------------------------------------------------------------
// The faults

type CostKind = 'zero' | 'estimated' | 'exact';

interface Fault {
  name: string;
  /** What the server answers (in order) to the feature's request, given the answer the feature would normally get. */
  replies(content: string, model: string): ScriptedReply[];
  client?: { closedPort?: boolean; idleTimeoutMs?: number };
  outcome: ChatOutcome;
  kind?: ErrorKind;
  /** The message, with `$setting` standing for the feature's model setting. */
  message?: RegExp | ((setting: string) => RegExp);
  cost: CostKind;
  /** The streamed text before the fault stays (the first FAULT_AFTER_CHUNKS chunks). */
  partial?: boolean;
  /** A huge answer: checked by length rather than text. */
  huge?: boolean;
  /** Chat requests the server received (0: never reached). */
  serverRequests: number;
  /** Retries (instant, fake sleep) and the delays asked: exact list, or just how many. */
  sleeps: number[] | number;
  /** The error each retry was for (when there are retries). */
  retryKind?: ErrorKind;
}

const HUGE_CHARS = 64_000;

const FAULTS: Fault[] = [
  {
    name: '401 bad key',
    replies: () => [
      {
        error: {
          status: 401,
          code: 'invalid_api_key',
          // OpenAI echoes a masked key; the user must not see even that.
          message: `Incorrect API key provided: ${API_KEY.slice(0, 8)}***${API_KEY.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        },
      },
    ],
    outcome: 'error',
    kind: 'auth',
    message: /API key was rejected by 127\.0\.0\.1:\d+ \(401\)\. Set a valid key with "Penny: Set API Key"/,
    cost: 'zero',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '403 forbidden',
    replies: (_c, model) => [
      // A server that quotes the whole key back: it must be redacted.
      { error: { status: 403, code: 'unsupported_country_region_territory', message: `Project proj_x may not use ${model} with key ${API_KEY}` } },
    ],
    outcome: 'error',
    kind: 'forbidden',
    // The status is said once: classifyError drops the "403 " the SDK puts before the server's text
    // (a doubled "(403): 403 Project …" must fail here, as in knownBugs.test.ts).
    message: /^127\.0\.0\.1:\d+ refused the request \(403\): Project proj_x may not use [\w.-]+ with key \[redacted\]\.$/,
    cost: 'zero',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '404 model not found',
    replies: (_c, model) => [
      { error: { status: 404, code: 'model_not_found', message: `The model \`${model}\` does not exist or you do not have access to it.` } },
    ],
    outcome: 'error',
    kind: 'modelNotFound',
    message: (setting) =>
      new RegExp(`The model "[\\w.-]+" was not found at 127\\.0\\.0\\.1:\\d+ \\(404\\)\\. Choose another in the \`${setting.replace('.', '\\.')}\` setting`),
    cost: 'zero',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '400 context_length_exceeded',
    replies: () => [
      {
        error: {
          status: 400,
          code: 'context_length_exceeded',
          param: 'messages',
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
        },
      },
    ],
    outcome: 'error',
    kind: 'contextLength',
    message: /^[\d,]+ tokens is too long for [\w.-]+ \(the window of [\w.-]+ is 128,000\)\. Send less context\.$/,
    cost: 'zero',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '429 rate limit, retry-after, then ok',
    replies: (content) => [
      { error: { status: 429, code: 'rate_limit_exceeded', message: 'Rate limit reached for requests', headers: { 'retry-after': '3' } } },
      { content },
    ],
    outcome: 'ok',
    cost: 'exact',
    serverRequests: 2,
    sleeps: [3000],
    retryKind: 'rateLimit',
  },
  {
    name: '429 insufficient_quota',
    replies: () => [
      {
        error: {
          status: 429,
          code: 'insufficient_quota',
          type: 'insufficient_quota',
          message: 'You exceeded your current quota, please check your plan and billing details.',
        },
      },
    ],
    outcome: 'error',
    kind: 'quota',
    message: /no quota left \(429 insufficient_quota\)\. Add credit at https:\/\/platform\.openai\.com\/account\/billing; Penny will not retry/,
    cost: 'zero',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '500 server error',
    replies: () => Array.from({ length: 3 }, () => ({ error: { status: 500, message: 'The server had an error while processing your request.' } })),
    outcome: 'error',
    kind: 'server',
    message: /127\.0\.0\.1:\d+ had a server error \(500\)\. Try again in a moment\./,
    cost: 'zero',
    serverRequests: 3,
    sleeps: 2,
    retryKind: 'server',
  },
  {
    name: '503 overloaded',
    replies: () =>
      Array.from({ length: 3 }, () => ({ error: { status: 503, message: 'The engine is currently overloaded.', headers: { 'retry-after-ms': '40' } } })),
    outcome: 'error',
    kind: 'server',
    message: /had a server error \(503\)/,
    cost: 'zero',
    serverRequests: 3,
    sleeps: [40, 40],
    retryKind: 'server',
  },
  {
    name: 'connection refused',
    replies: () => [],
    client: { closedPort: true },
    outcome: 'error',
    kind: 'offline',
    message: /^Cannot reach 127\.0\.0\.1:\d+\. Check your connection or the `penny\.baseUrl` setting\.$/,
    cost: 'zero',
    serverRequests: 0,
    sleeps: 2,
    retryKind: 'offline',
  },
  {
    name: 'connection reset mid-stream',
    replies: (content) => [{ content, cutAfterChunks: FAULT_AFTER_CHUNKS }],
    outcome: 'cut',
    kind: 'cut',
    message: /^The connection dropped mid-answer; the partial answer is kept\.$/,
    cost: 'estimated',
    partial: true,
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: 'stream stalls',
    replies: (content) => [{ content, stallAfterChunks: FAULT_AFTER_CHUNKS }],
    client: { idleTimeoutMs: STALL_IDLE_MS },
    outcome: 'stalled',
    kind: 'stalled',
    message: new RegExp(`^The answer stalled \\(nothing for ${STALL_IDLE_MS} ms\\) and was stopped; the partial answer is kept\\.$`),
    cost: 'estimated',
    partial: true,
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: 'malformed SSE',
    replies: (content) => [{ content, malformedAfterChunks: FAULT_AFTER_CHUNKS }],
    outcome: 'cut',
    kind: 'malformed',
    message: /^127\.0\.0\.1:\d+ sent a malformed stream\.$/,
    cost: 'estimated',
    partial: true,
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: 'no usage chunk',
    replies: (content) => [{ content, usage: 'omit' }],
    outcome: 'ok',
    cost: 'estimated',
    serverRequests: 1,
    sleeps: [],
  },
  {
    name: '16,000-token answer',
    replies: () => [], // the feature's huge answer, below
    outcome: 'length',
    cost: 'exact',
    huge: true,
    serverRequests: 1,
    sleeps: [],
  },
];

// ---------------------------------------------------------------------------------------------
// The features: each drives its real entry point and reports what the user would see.

interface Shown {
  /** What the user sees as the answer: the suggestion, or the chat message's text. */
  text: string | undefined;
  /** The message the chat shows (chat and escalation). */
  message?: ChatMessage;
}

interface FeatureDriver {
  /** The first request, the one that meets the fault. */
  ask(): Promise<Shown>;
  /** A normal request afterwards. */
  askAgain(): Promise<Shown>;
  /** Checks the saved conversation holds what the user saw. */
  checkSaved?(shown: Shown): Promise<void>;
  /** Resolves once every save is on disk (before the directory is removed). */
  settle(): Promise<void>;
  events: { event: keyof ExtensionEvents; data: unknown }[];
}

interface FeatureSpec {
  feature: Feature;
  model: string;
  modelSetting: string;
  /** The answer the server gives, and what the user then sees. */
  content: string;
  hugeContent: string;
  nextContent: string;
  expectedShown(content: string): string;
  drive(rig: Rig): FeatureDriver;
}

const instantClock: Clock = { now: () => Date.now(), sleep: async (_ms, signal) => !signal.aborted };

const COMPLETION_SPOT: EngineRequest = {
  documentKey: 'file:///work/math.ts',
  // The cursor on an empty line of a new function body: a multi-line completion, streamed in full.
  prefix: 'export function total(a: number, b: number, offset: number): number {\n',
  suffix: '\n}\n',
  languageId: 'typescript',
  relativePath: 'math.ts',
};
const NEXT_SPOT: EngineRequest = {
  ...COMPLETION_SPOT,
  prefix: 'export function difference(a: number, b: number): number {\n',
};

const CHAT_CONTENT = '## Closures\n\nA closure is a function that keeps the variables of the scope it was created in, even after that scope returns.';

const FEATURES: FeatureSpec[] = [
  {
    feature: 'completion',
    model: 'gpt-4o-mini',
    modelSetting: 'penny.completionModel',
    content: '<COMPLETION>  const sum = a + b;\n  return sum + offset;</COMPLETION>',
    hugeContent: `<COMPLETION>${'  total += weights[index] * values[index];\n'.repeat(Math.ceil(HUGE_CHARS / 43))}`.slice(0, HUGE_CHARS),
    nextContent: '<COMPLETION>  return a - b;</COMPLETION>',
    expectedShown: (content) => content.replace('<COMPLETION>', '').replace('</COMPLETION>', ''),
    drive(rig) {
      // The extension's backend: any error shows no suggestion.
      const backend = meteredCompletionBackend(
        rig.metered,
        () => 'gpt-4o-mini',
        () => undefined,
      );
      const engine = new CompletionEngine(backend, { debounceMs: 0, maxPromptTokens: 1500, cacheSize: 20 }, instantClock);
      const ask = async (spot: EngineRequest) => ({ text: (await engine.complete(spot, new AbortController().signal))?.text });
      return { ask: () => ask(COMPLETION_SPOT), askAgain: () => ask(NEXT_SPOT), settle: async () => undefined, events: [] };
    },
  },
  {
    feature: 'chat',
    model: 'gpt-4o-mini',
    modelSetting: 'penny.chatModel',
    content: CHAT_CONTENT,
    hugeContent: 'The quick brown fox jumps over the lazy dog; closures keep their scope alive. '.repeat(1000).slice(0, HUGE_CHARS),
    nextContent: 'All good again.',
    expectedShown: (content) => content,
    drive(rig) {
      const { session, store, events } = chatSessionOn(rig);
      const ask = async (question: string) => {
        const message = await session.send(question, 'gpt-4o-mini');
        return { text: message.text, message };
      };
      return {
        ask: () => ask('What is a closure?'),
        askAgain: () => ask('And a generator?'),
        checkSaved: async (shown) => {
          const answer = await savedAnswer(session, store, shown.message!);
          assert.deepEqual(answer.error, shown.message!.error);
        },
        settle: () => session.saved(),
        events,
      };
    },
  },
  {
    feature: 'escalation',
    model: 'gpt-4o',
    modelSetting: 'penny.escalationModel',
    content: '**Bug:** `i <= items.length` reads past the end.\n\n```ts\nfor (let i = 0; i < items.length; i++) sum += items[i];\n```',
    hugeContent: 'Line by line: the loop walks every item, adds it to the sum, and returns the total. '.repeat(800).slice(0, HUGE_CHARS),
    nextContent: 'Looks correct now.',
    expectedShown: (content) => content,
    drive(rig) {
      const { session, store, events } = chatSessionOn(rig);
      const escalate = async (code: string) => {
        const prompt = escalationPrompt({
          instruction: TASK_INSTRUCTIONS.findBugs,
          code,
          languageId: 'typescript',
          relativePath: 'src/sum.ts',
          origin: 'lines 3-6',
        });
        const message = await session.sendEscalation(prompt.userText, prompt.messages, 'gpt-4o');
        return { text: message.text, message };
      };
      return {
        ask: () => escalate('let sum = 0;\nfor (let i = 0; i <= items.length; i++) sum += items[i];\nreturn sum;'),
        askAgain: () => escalate('let sum = 0;\nfor (const item of items) sum += item;\nreturn sum;'),
        checkSaved: async (shown) => {
          const answer = await savedAnswer(session, store, shown.message!);
          assert.equal(answer.escalated, true);
        },
        settle: () => session.saved(),
        events,
      };
    },
  },
];

/** A chat session on the rig's metered client, saving to the rig's folder, recording its events. */
function chatSessionOn(rig: Rig) {
  const events: FeatureDriver['events'] = [];
  const store = new ConversationStore(path.join(rig.dir, 'conversations'));
  const session = new ChatSession({
    metered: rig.metered,
    models: () => ['gpt-4o-mini', 'gpt-4o'],
    defaultModel: () => 'gpt-4o-mini',
    escalationModel: () => 'gpt-4o',
    priceBook: () => new PriceBook(),
    suggestEscalation: () => true,
    store,
  });
  session.onEvent(({ event, data }) => void events.push({ event, data }));
  return { session, store, events };
}

/** The answer as saved on disk: present, with the status and text that were shown. */
async function savedAnswer(session: ChatSession, store: ConversationStore, shown: ChatMessage): Promise<ChatMessage> {
  await session.saved();
  const saved = await store.load(session.snapshot().conversationId);
  const answer = saved?.messages.find((m) => m.id === shown.id);
  assert.ok(answer, 'the answer is in the saved conversation');
  assert.equal(answer.status, shown.status);
  assert.equal(answer.text, shown.text, 'the saved answer holds what streamed');
  return answer;
}

// ---------------------------------------------------------------------------------------------

interface CellResult {
  ok: boolean;
  summary: string;
}

function expectedCost(record: LedgerRecord, cost: CostKind, label: string): void {
  switch (cost) {
    case 'zero':
      assert.deepEqual(
        { costUsd: record.costUsd, exact: record.exact, promptTokens: record.promptTokens, completionTokens: record.completionTokens },
        { costUsd: 0, exact: true, promptTokens: 0, completionTokens: 0 },
        `${label}: an HTTP error or an unsent request costs nothing`,
      );
      break;
    case 'estimated':
      assert.equal(record.exact, false, `${label}: no usage arrived, so the cost is an estimate`);
      assert.ok(record.costUsd !== null && record.costUsd > 0, `${label}: billed, so the estimate is above $0 (got ${record.costUsd})`);
      assert.ok(record.promptTokens > 0 && record.completionTokens > 0, `${label}: the estimate counts prompt and streamed answer`);
      break;
    case 'exact':
      assert.equal(record.exact, true, `${label}: the API reported usage`);
      assert.ok(record.costUsd !== null && record.costUsd > 0, `${label}: priced`);
      break;
  }
}

describe('fault matrix: every feature x every fault', function () {
  this.timeout(20_000);
  let server: MockOpenAIServer;
  const matrix = new Map<string, Map<string, CellResult>>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    server = await MockOpenAIServer.start();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop();
    // The matrix, as a table in the test output.
    const names = FAULTS.map((f) => f.name);
    const width = Math.max(...names.map((n) => n.length));
    const lines = [`${'fault'.padEnd(width)} | ${FEATURES.map((f) => f.feature.padEnd(38)).join(' | ')}`];
    lines.push('-'.repeat(lines[0].length));
    for (const fault of FAULTS) {
      const cells = FEATURES.map((f) => {
        const cell = matrix.get(fault.name)?.get(f.feature);
        return (cell ? `${cell.ok ? 'PASS' : 'FAIL'} ${cell.summary}` : 'not run').slice(0, 38).padEnd(38);
      });
      lines.push(`${fault.name.padEnd(width)} | ${cells.join(' | ')}`);
    }
    console.log(`\n${lines.join('\n')}\n`);
  });

  for (const fault of FAULTS) {
    describe(fault.name, () => {
      for (const spec of FEATURES) {
        it(`${spec.feature}: ${fault.outcome}${fault.kind ? ` (${fault.kind})` : ''}, ${fault.cost} cost, next request ok`, async () => {
          const cell: CellResult = { ok: false, summary: '' };
          if (!matrix.has(fault.name)) matrix.set(fault.name, new Map());
          matrix.get(fault.name)!.set(spec.feature, cell);
          server.reset();
          // A port freed just now, per case: nothing else has had time to take it.
          const baseUrl = fault.client?.closedPort ? await closedPortUrl() : server.url;
          const rig = makeRig(baseUrl, fault.client?.idleTimeoutMs ? { idleTimeoutMs: fault.client.idleTimeoutMs } : {});
          let driver: FeatureDriver | undefined;
          try {
            const content = fault.huge ? spec.hugeContent : spec.content;
            // 64,000 characters in 4,000 chunks, cut by the length limit.
            const replies = fault.huge ? [{ content, finishReason: 'length', chunkSize: 16 }] : fault.replies(content, spec.model);
            server.enqueue(...replies);
            driver = spec.drive(rig);
            const label = `${spec.feature} / ${fault.name}`;

            // 1. No throw, no hang.
            let shown: Shown;
            try {
              shown = await withTimeout(driver.ask(), CALL_LIMIT_MS, `${label}: the request`);
            } catch (error) {
              throw new Error(`${label}: the feature threw or hung: ${(error as Error).message}`, { cause: error });
            }
            assert.equal(rig.metered.results.length, 1, `${label}: one metered request`);
            const result: MeteredResult = rig.metered.results[0];

            // 2. The outcome and a clear message.
            assert.equal(result.outcome, fault.outcome, `${label}: outcome (error: ${result.error?.message})`);
            if (fault.kind) {
              assert.equal(result.error?.kind, fault.kind, `${label}: error kind (message: ${result.error?.message})`);
              assertUserFacing(result.error!.message, label);
              const pattern = typeof fault.message === 'function' ? fault.message(spec.modelSetting) : fault.message!;
              assert.match(result.error!.message, pattern, `${label}: the message says what happened and what to do (got "${result.error!.message}")`);
            } else {
              assert.equal(result.error, undefined, `${label}: no error`);
            }
            assert.equal(
              server.requests.filter((r) => r.path === '/v1/chat/completions').length,
              fault.serverRequests,
              `${label}: requests that reached the server`,
            );
            if (Array.isArray(fault.sleeps)) assert.deepEqual(rig.sleeps, fault.sleeps, `${label}: retry delays`);
            else assert.equal(rig.sleeps.length, fault.sleeps, `${label}: retries (delays ${rig.sleeps.join(', ')})`);
            assert.ok(
              rig.sleeps.every((ms) => ms <= 60_000),
              `${label}: no retry waits more than a minute`,
            );
            assert.equal(rig.retries.length, rig.sleeps.length, `${label}: each retry is announced`);
            for (const notice of rig.retries) {
              assert.equal(notice.error.kind, fault.retryKind, `${label}: retried for ${notice.error.message}`);
              assertUserFacing(notice.error.message, `${label} (retry notice)`);
            }
            if (fault.retryKind === 'rateLimit')
              assert.match(rig.retries[0].error.message, /Rate limited by 127\.0\.0\.1:\d+ \(429\); the server asks to wait 3 s\./);

            // 3. What the user sees: the partial answer kept (chat), a torn suggestion never shown (completion).
            const streamed = fault.partial ? content.slice(0, FAULT_AFTER_CHUNKS * CHUNK) : fault.kind ? '' : content;
            assert.equal(result.text, streamed, `${label}: the metered result holds exactly what streamed`);
            if (spec.feature === 'completion') {
              if (fault.kind || fault.partial) assert.equal(shown.text, undefined, `${label}: no suggestion from a failed request`);
              else if (fault.huge) assert.ok((shown.text?.length ?? 0) > 10_000, `${label}: the long suggestion is shown (${shown.text?.length} chars)`);
              else assert.equal(shown.text, spec.expectedShown(content), `${label}: the suggestion`);
            } else {
              const message = shown.message!;
              assert.equal(message.text, streamed, `${label}: the answer holds what streamed`);
              assert.equal(message.status, fault.kind ? 'error' : 'done', `${label}: status`);
              if (fault.kind) {
                assert.equal(message.error?.message, result.error!.message, `${label}: the chat shows the message`);
                assert.ok(Array.isArray(message.error?.actions), `${label}: with its actions`);
              }
              const finished = driver.events.filter((e) => e.event === 'messageFinished').at(-1)?.data as ChatMessage | undefined;
              assert.equal(finished?.id, message.id, `${label}: the view was told the answer finished`);
              assert.equal(finished?.status, message.status);
              assert.deepEqual(
                message.cost,
                {
                  promptTokens: result.record!.promptTokens,
                  cachedTokens: result.record!.cachedTokens,
                  completionTokens: result.record!.completionTokens,
                  usd: result.record!.costUsd,
                  exact: result.record!.exact,
                },
                `${label}: the message shows the recorded cost`,
              );
              await withTimeout(driver.checkSaved!(shown), CALL_LIMIT_MS, `${label}: the conversation save`);
            }

            // 4. The cost recorded, exactly once.
            const record = result.record!;
            assert.ok(record, `${label}: a ledger record`);
            assert.equal(record.feature, spec.feature);
            assert.equal(record.outcome, fault.outcome);
            expectedCost(record, fault.cost, label);
            if (fault.huge) assert.equal(record.completionTokens, HUGE_CHARS / 4, `${label}: the 16,000 tokens the API reported`);
            const onDisk = await rig.ledger.recent(10);
            assert.deepEqual(onDisk, [record], `${label}: exactly one record on disk, the one returned`);
            assert.equal(rig.meter.state().live.length, 0, `${label}: the status bar shows nothing running`);
            assert.deepEqual(rig.ledgerErrors, [], `${label}: the ledger write succeeded`);

            // 5. The next request works (the user fixed the setting, or the network came back).
            if (fault.client) rig.reconnect(server.url, { idleTimeoutMs: 5000 });
            server.reset();
            server.enqueue({ content: spec.nextContent });
            const next = await withTimeout(driver.askAgain(), CALL_LIMIT_MS, `${label}: the next request`);
            const nextResult = rig.metered.results.at(-1)!;
            assert.equal(nextResult.outcome, 'ok', `${label}: the next request succeeds (${nextResult.error?.message})`);
            assert.equal(next.text, spec.expectedShown(spec.nextContent), `${label}: the next answer is shown`);
            if (next.message) assert.equal(next.message.status, 'done');
            assert.equal(nextResult.record?.exact, true);

            // 6. The ledger intact: every line parses, the report adds up.
            const lines = readLedgerLines(path.join(rig.dir, 'ledger'));
            assert.equal(lines.length, 2, `${label}: two records (the fault, the next request)`);
            const report = await withTimeout(rig.ledger.report(), CALL_LIMIT_MS, `${label}: report()`);
            const requests = report.byDay.reduce((n, d) => n + d.totals.requests, 0);
            assert.equal(requests, 2, `${label}: the report counts both requests`);
            assert.equal(report.byFeature[spec.feature]?.requests, 2);
            if (fault.cost === 'estimated') assert.ok(report.month.estimatedUsd > 0, `${label}: the estimate is marked as such in the report`);
            else assert.equal(report.month.estimatedUsd, 0);
            assert.deepEqual(rig.ledgerWarnings, [], `${label}: no ledger warnings`);
            assertNoKeyOnDisk(rig.dir);

            const costText =
              fault.cost === 'zero' ? '$0' : `${fault.cost === 'exact' ? '' : '~'}$${record.costUsd!.toFixed(6)}${fault.cost === 'estimated' ? ' est' : ''}`;
            cell.summary = `${result.outcome}${result.error ? `/${result.error.kind}` : ''} ${costText}${fault.partial ? ` kept ${result.text.length}ch` : ''} next ok`;
            cell.ok = true;
          } catch (error) {
            cell.summary = (error as Error).message.split('\n')[0];
            throw error;
          } finally {
            // A conversation save still queued would write into the directory after it is removed.
            await withTimeout(driver?.settle() ?? Promise.resolve(), CALL_LIMIT_MS, 'the last conversation save').catch(() => undefined);
            rig.remove();
          }
        });
      }
    });
  }

  describe('afterwards', () => {
    it('no unhandled promise rejection anywhere in the matrix', () => {
      assert.deepEqual(unhandled.map(String), []);
    });
  });
});
