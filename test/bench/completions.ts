// Benchmark: the cost and quality of inline completions, `npm run bench:completions`.
//
// Drives the extension's own CompletionEngine (src/core/completion/engine.ts; the bench has no copy
// of it) with a virtual clock (hours of typing replay in seconds) over regions of real source files
// from node_modules, typed with human timing, each request built as the extension builds it
// (documentWindow), against the local OpenAI-compatible server answering after a simulated delay.
//
// The simulated model knows only what its prompt shows. It writes the file's true continuation up to
// the first identifier that is defined outside what the prompt shows of the current file and whose
// definition (its first line, the signature) the prompt does not contain, and stops there: a real
// model cannot write `client.retry(` unless the prompt shows what `client` is, and past that point
// it would guess (recall.ts: the same test as context recall, so recall and answers agree). Context
// is worth what it lets the model write, for every engine alike. `--oracle`: the model writes the
// true continuation whatever the prompt shows (the bench before this model).
//
// Value is counted by the product's own code: each request is written to a Ledger (in a temporary
// directory) as MeteredClient writes it, the simulated user's offers and Tabs go through completionUse
// and UseRecorder as the extension's provider's do, the engine's typing-through through its
// onTypedThrough; "$ per accepted character" and the acceptance rate are the Ledger report's value
// figures.
// Compares Penny's settings with a naive engine (a request on every keystroke, no cache, no cancel)
// and a Continue-like configuration (350 ms debounce, 1,024-token prompts), then checks that
// post-processing cleans the mess chat models wrap around code.
//
// Options: --seed N (1), --ttft MS (350), --tps N (80), --regions N per file (4), --chars N per
// region (300), --react MS (250), --no-prompt-cache, --oracle, --json PATH (test-results/bench-completions.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PENNY_ENGINE } from '../../src/core/completion/defaults';
import { OpenAIClient } from '../../src/core/openaiClient';
import { warmUpTokenizer } from '../../src/core/cost/tokenCount';
import { MockOpenAIServer } from '../server/mockOpenAI';
import { CACHE_RULES, ContinuationServer } from './completions/backend';
import { DEFAULT_FILES, loadFiles, pickRegions, prng, typingGaps, type Region } from './completions/corpus';
import { checkMess, type MessSample } from './completions/messy';
import { markdown, ratios, summarize, targets } from './completions/report';
import { runEngine, type EngineConfig } from './completions/run';
import { PROVIDER_ROUND_TRIP_MS, Workspaces } from './completions/workspace';

interface Options {
  seed: number;
  ttft: number;
  tps: number;
  regions: number;
  chars: number;
  react: number;
  promptCache: boolean;
  oracle: boolean;
  json: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    seed: 1,
    ttft: 350,
    tps: 80,
    regions: 4,
    chars: 300,
    react: 250,
    promptCache: true,
    oracle: false,
    json: 'test-results/bench-completions.json',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--seed':
      case '--ttft':
      case '--tps':
      case '--regions':
      case '--chars':
      case '--react': {
        const n = Number(value());
        if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number >= 0`);
        options[flag.slice(2) as 'seed'] = n;
        break;
      }
      case '--no-prompt-cache':
        options.promptCache = false;
        break;
      case '--oracle':
        options.oracle = true;
        break;
      case '--json':
        options.json = value();
        break;
      case '--help':
        console.log(
          'usage: bench:completions [--seed N] [--ttft MS] [--tps N] [--regions N] [--chars N] [--react MS] [--no-prompt-cache] [--oracle] [--json PATH]',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (try --help)`);
    }
  }
  if (options.tps <= 0) throw new Error('--tps must be > 0');
  return options;
}

/** The setting's default (penny.inlineCompletions.debounceMs): Penny's ceiling, and Penny today's fixed debounce. */
const DEBOUNCE_MS = 275;
/** Penny as it was before cross-file context: fixed debounce, the cursor-window layout, 1,500 tokens, snippets of open files. */
const BASELINE: EngineConfig = {
  id: 'pennyBaseline',
  label: 'Penny today',
  options: { debounceMs: DEBOUNCE_MS, maxPromptTokens: 1500, cacheSize: 100 },
  honourCancel: true,
  answers: 'clean',
};

/** The extension's engine (src/core/completion/defaults.ts), beside Penny today and two others. */
const ENGINES: EngineConfig[] = [
  { id: 'penny', label: 'Penny', options: { ...PENNY_ENGINE, debounceMs: DEBOUNCE_MS }, honourCancel: true, answers: 'clean', context: true },
  BASELINE,
  // Naive: a request on every keystroke (no debounce, no cache, no waiting for a request on its way), and
  // requests are never cancelled (each one runs and is billed in full).
  {
    id: 'naive',
    label: 'naive',
    options: { debounceMs: 0, maxPromptTokens: 1500, cacheSize: 0, typeThrough: false, recycle: false, skipFinishedLines: false },
    honourCancel: false,
    answers: 'clean',
  },
  // Continue: 350 ms debounce, 1,024-token prompts, stale requests cancelled, an exact-prefix LRU cache;
  // no typing through a shown suggestion, no waiting for a request on its way, no skipping finished lines.
  // Its context (imports, LSP definitions, recent edits, similar windows) comes from the same sources
  // as Penny's but the current file's map, which Continue does not make, into what its prompt leaves
  // for snippets; no layout for the cache, no cache key.
  {
    id: 'continueLike',
    label: 'Continue-like',
    options: { debounceMs: 350, maxPromptTokens: 1024, cacheSize: 1000, typeThrough: false, recycle: false, skipFinishedLines: false },
    honourCancel: true,
    answers: 'clean',
    context: 'continue',
  },
  {
    id: 'pennyMessy',
    label: 'Penny, messy answers',
    options: { ...PENNY_ENGINE, debounceMs: DEBOUNCE_MS },
    honourCancel: true,
    answers: 'messy',
    context: true,
  },
];

function nodeModulesDir(): string {
  return path.resolve(process.cwd(), 'node_modules');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  warmUpTokenizer();
  const files = loadFiles(nodeModulesDir(), DEFAULT_FILES);
  if (files.length === 0) throw new Error(`no source files found under ${nodeModulesDir()} (run from the repository root)`);
  const regions = pickRegions(files, options.regions, options.chars, prng(options.seed));
  const gaps = new Map<Region, Map<number, number>>();
  regions.forEach((region, i) => gaps.set(region, typingGaps(region, prng(options.seed * 7919 + i + 1))));

  const mock = await MockOpenAIServer.start();
  const server = new ContinuationServer(mock);
  server.promptCaching = options.promptCache;
  const client = new OpenAIClient({ baseUrl: mock.url, apiKey: 'sk-bench-local', maxRetries: 0 });
  const results = [];
  const workspaces = new Workspaces(nodeModulesDir(), files);
  const context = {
    client,
    server,
    regions,
    gaps,
    ttftMs: options.ttft,
    tokensPerSecond: options.tps,
    reactionMs: options.react,
    workspaces,
    oracle: options.oracle,
  };
  try {
    // Warm-up, not measured: the first engine to run would otherwise pay the JIT's compile time in its CPU figures.
    await runEngine(ENGINES[0], { ...context, regions: regions.slice(0, 4) });
    for (const config of ENGINES) results.push(await runEngine(config, context));
  } finally {
    await mock.stop();
  }

  const byId = new Map(results.map((result) => [result.config.id, summarize(result)]));
  const penny = byId.get('penny')!;
  const r = ratios(penny, byId.get('naive')!, byId.get('continueLike')!, byId.get('pennyBaseline')!);
  // Every request of both Penny runs: each true continuation wrapped in every kind of mess.
  const samples: MessSample[] = results.filter((result) => result.config.id.startsWith('penny')).flatMap((result) => result.samples);
  const mess = checkMess(samples);
  const checks = targets(penny, r, mess);
  const workload = results[0];
  const header = [
    `## Completion benchmark (seed ${options.seed}, ttft ${options.ttft} ms, ${options.tps} tokens/s, reaction ${options.react} ms, prompt caching ${options.promptCache ? 'on' : 'off'}, model ${options.oracle ? 'oracle' : 'knows what the prompt shows'})`,
    '',
    options.oracle
      ? 'Model: writes the true continuation whatever the prompt shows (--oracle): context only adds cost.'
      : 'Model: writes the true continuation up to the first identifier defined outside what the prompt shows of the file whose definition the prompt lacks, ' +
        'and stops there (a real model would guess past it): context is worth what it lets the model write. ' +
        '"$ / 1k accepted chars" and the acceptance rate are the product\'s value figures, from a Ledger holding each request and what the simulated user did with its suggestion (UseRecorder, completionUse).',
    '',
    `Workload: ${regions.length} regions of ${files.length} files from node_modules (${files.map((f) => f.relativePath).join(', ')}), ` +
      `${workload.workloadChars.toLocaleString('en-US')} characters = ${workload.workloadKeys.toLocaleString('en-US')} keystrokes without completions ` +
      `(a line break and the next line's indentation are one keystroke). "Per 1k keys" is per 1,000 of those keystrokes, the same for every engine. ` +
      `Virtual typing time per engine ≈ ${Math.round(workload.virtualMs / 60_000)} min.`,
    '',
    `Workspaces: each file's project (${Object.entries(workspaces.projectSizes())
      .map(([root, n]) => `${root}: ${n} files`)
      .join(', ')}); the TypeScript language service plays VS Code's definition, type-definition and symbol providers ` +
      `(its real time plus ${PROVIDER_ROUND_TRIP_MS} ms a call, in virtual time). Open beside each file: up to 3 files it imports. ` +
      `Prompt cache: ${CACHE_RULES.minTokens}+ token prefixes in steps of ${CACHE_RULES.stepTokens}, routed by the first ~${CACHE_RULES.routeChars} characters and prompt_cache_key, ` +
      `${CACHE_RULES.perRoutePerMinute} requests a minute per route, ${CACHE_RULES.idleMs / 60_000} min idle expiry.`,
  ];
  const report = markdown({ header, summaries: [...byId.values()], ratios: r, mess, targets: checks });
  console.log(report);
  const mismatches = results.reduce((sum, result) => sum + result.promptMismatches, 0);
  const errors = results.reduce((sum, result) => sum + result.meter.errors, 0);
  if (mismatches > 0 || errors > 0) console.log(`\nWARNING: ${mismatches} prompt(s) not at the simulated cursor, ${errors} request error(s).`);
  // The ledger must hold what the backend billed and what the user took, exactly.
  for (const result of results) {
    const { totals } = summarize(result);
    const { ledger } = totals;
    if (
      ledger.errors > 0 ||
      ledger.requests !== totals.requests ||
      Math.round(ledger.usd * 1e9) !== result.meter.costUnits ||
      ledger.acceptedChars !== totals.acceptedChars
    ) {
      console.log(
        `\nWARNING: ${result.config.label}: the ledger holds ${ledger.requests} requests, $${ledger.usd}, ${ledger.acceptedChars} accepted chars (${ledger.errors} write errors); ` +
          `the bench billed ${totals.requests}, $${totals.usd}, and the user accepted ${totals.acceptedChars}.`,
      );
    }
  }
  console.log(
    `\n(${((Date.now() - started) / 1000).toFixed(1)} s real time; ${results.map((x) => `${x.config.label} ${(x.realMs / 1000).toFixed(1)} s`).join(', ')})`,
  );

  const json = {
    options,
    workload: {
      files: files.map((f) => f.relativePath),
      regions: regions.map((region) => ({ file: region.file.relativePath, start: region.start, end: region.end })),
      keystrokes: workload.workloadKeys,
      characters: workload.workloadChars,
    },
    engines: Object.fromEntries(
      results.map((result) => [
        result.config.id,
        {
          config: result.config,
          ...summarize(result),
          engineStats: result.engine,
          // The definitions prompts lacked most often: where context recall is lost.
          contextMissed: [...result.recall.missed].sort((a, b) => b[1] - a[1]).slice(0, 25),
        },
      ]),
    ),
    ratios: r,
    messy: { ...mess, share: mess.total ? mess.exact / mess.total : 0 },
    targets: checks,
    pass: checks.every((check) => check.pass),
  };
  mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
  writeFileSync(options.json, JSON.stringify(json, (_key, value) => (value === Infinity ? null : value), 2) + '\n');
  console.log(`JSON: ${options.json}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
