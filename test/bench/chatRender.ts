// Benchmark: the chat webview rendering model output, in Chromium (the real bundle, the real CSP).
// Run: node out/test/bench/chatRender.js   (after `node esbuild.mjs --tests`; bundle from
// PENNY_WEBVIEW_BUNDLE or dist/webview.js). Writes test-results/bench-chat-render.json.
//
//   stream     a ~2,000-token markdown answer with code blocks streamed at 200 tokens/s
//              (4 characters a token, a delta every 5 ms), keys pressed in the prompt meanwhile;
//              PENNY_BENCH_RUNS times (default 3), the targets use the median run
//   5k snap    a 5,000-line answer (markdown, ~100 code blocks) delivered in one snapshot (x3)
//   5k burst   the same answer streamed as fast as it can be posted (200-character deltas)
//   5k tail    the last ~400 tokens of it streamed at 200 tokens/s: every frame re-renders 5,000 lines
//
// Measured in the page: long tasks (PerformanceObserver 'longtask', >= 50 ms), animation frames and
// their gaps, re-renders of the answer (MutationObserver), the delay of key presses and of a
// probe task posted every 50 ms, and the time from the last delta to the final DOM.
// Targets (the issue): keeps up with 200 tokens/s without freezing (no long task > 200 ms while
// streaming), and a 5,000-line answer renders in about a second.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { answersStarted, assistantMessage, snapshotOf, userMessage } from '../support/chatProtocol';
import { bundlePath, delay, resultsDir, WebviewHarness, type WebviewPage } from '../webview/harness';

const TOKENS_PER_SECOND = 200;
const CHARS_PER_TOKEN = 4;
const DELTA_EVERY_MS = 5;
const STREAM_TOKENS = 2_000;
const BIG_LINES = 5_000;
const TAIL_TOKENS = 400;
const SNAPSHOT_RUNS = 3;
/** Runs of the 2,000-token stream; the targets use the median one. */
const STREAM_RUNS = Math.max(1, Number(process.env.PENNY_BENCH_RUNS) || 3);
const LONG_TASK_TARGET_MS = 200;
const BIG_RENDER_TARGET_MS = 1_000;
const SENTINEL = 'END-OF-ANSWER-7F3A';

// ---------------------------------------------------------------------------------------------
// Answers

const codeSamples: Array<{ lang: string; lines: string[] }> = [
  {
    lang: 'ts',
    lines: [
      "import { readFile } from 'node:fs/promises';",
      '',
      'export interface Config {',
      '  baseUrl: string;',
      '  retries: number;',
      '}',
      '',
      'export async function loadConfig(path: string): Promise<Config> {',
      "  const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<Config>;",
      "  if (typeof raw.baseUrl !== 'string') throw new Error(`${path}: baseUrl is missing`);",
      '  return { baseUrl: raw.baseUrl, retries: raw.retries ?? 3 };',
      '}',
    ],
  },
  {
    lang: 'python',
    lines: [
      'from dataclasses import dataclass',
      '',
      '@dataclass',
      'class Point:',
      '    x: float',
      '    y: float',
      '',
      '    def distance(self, other: "Point") -> float:',
      '        return ((self.x - other.x) ** 2 + (self.y - other.y) ** 2) ** 0.5',
      '',
      'print(Point(0, 0).distance(Point(3, 4)))  # 5.0',
    ],
  },
  {
    lang: 'bash',
    lines: [
      'set -euo pipefail',
      'for file in src/**/*.ts; do',
      '  npx eslint "$file" --fix || echo "failed: $file" >&2',
      'done',
      'npm test -- --grep "config"',
    ],
  },
  {
    lang: 'json',
    lines: ['{', '  "compilerOptions": {', '    "strict": true,', '    "target": "ES2022",', '    "module": "commonjs"', '  },', '  "include": ["src"]', '}'],
  },
  {
    lang: 'go',
    lines: ['package main', '', 'import "fmt"', '', 'func main() {', '\tfor i := 0; i < 3; i++ {', '\t\tfmt.Printf("%d squared is %d\\n", i, i*i)', '\t}', '}'],
  },
  {
    lang: 'rust',
    lines: ['fn fib(n: u64) -> u64 {', '    match n {', '        0 | 1 => n,', '        _ => fib(n - 1) + fib(n - 2),', '    }', '}'],
  },
];

function section(i: number, codeLines: number): string[] {
  const sample = codeSamples[i % codeSamples.length];
  const code: string[] = [];
  while (code.length < codeLines) code.push(...sample.lines);
  return [
    `## Step ${i + 1}: ${['Read the config', 'Validate the input', 'Run the linter', 'Tighten the compiler', 'Print the squares', 'Compute Fibonacci'][i % 6]}`,
    '',
    `This step uses \`${sample.lang}\`: it keeps **one responsibility** per function and fails early, as the [guide](https://example.com/docs/step-${i + 1}) suggests. Note the _error message_ names the file.`,
    '',
    '- check the inputs before doing any work',
    `- keep the ${sample.lang} code small and tested`,
    '- prefer explicit types at the module boundary',
    '',
    '```' + sample.lang,
    ...code.slice(0, codeLines),
    '```',
    '',
  ];
}

/** A realistic answer of about `tokens` tokens (4 characters each), ending with the sentinel. */
function streamingAnswer(tokens: number): string {
  const target = tokens * CHARS_PER_TOKEN;
  const lines = ["Here's how I'd restructure it, step by step.", ''];
  for (let i = 0; lines.join('\n').length < target - 200; i++) lines.push(...section(i, 12));
  lines.push('| Step | Language | Lines |', '|---|---|---|', '| 1 | ts | 12 |', '| 2 | python | 11 |', '', `That's all. ${SENTINEL}`);
  return lines.join('\n');
}

/** Exactly `count` lines of markdown with a code block every ~50 lines, ending with the sentinel. */
function bigAnswer(count: number): string {
  const lines: string[] = ['A long answer: every file of the project, reviewed.', ''];
  for (let i = 0; lines.length < count - 2; i++) lines.push(...section(i, 40));
  lines.length = count - 2;
  // Close a fence left open by the cut.
  const open = lines.filter((line) => line.startsWith('```')).length % 2 === 1;
  if (open) lines[lines.length - 1] = '```';
  lines.push('', `Done. ${SENTINEL}`);
  return lines.join('\n');
}

function split(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// In-page measurement (serialized into the page: self-contained, loosely typed)

interface StreamResult {
  deltas: number;
  durationMs: number;
  longTasks: number[];
  frames: number;
  maxFrameGapMs: number;
  renders: number;
  lastDeltaToDomMs: number;
  finishedToDomMs: number;
  firstDeltaToDomMs: number;
  probeLatencies: number[];
  inputDelays: number[];
  timedOut: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
async function pageStream(o: { id: string; chunks: string[]; intervalMs: number; sentinel: string; finished: any; timeoutMs: number }): Promise<StreamResult> {
  const w = globalThis as any;
  const d = w.document;
  const now = () => w.performance.now();
  const article = () => d.querySelector(`.message[data-id="${o.id}"]`);
  const longTasks: number[] = [];
  const observer = new w.PerformanceObserver((list: any) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  const frames: number[] = [];
  let running = true;
  const loop = (t: number) => {
    frames.push(t);
    if (running) w.requestAnimationFrame(loop);
  };
  w.requestAnimationFrame(loop);
  let renders = 0;
  let lastSent = -1;
  let domDone = -1;
  const mutations = new w.MutationObserver((records: any[]) => {
    const a = article();
    if (!a || !records.some((r) => r.target === a && r.type === 'childList')) return;
    renders++;
    if (lastSent >= 0 && domDone < 0 && String(a.textContent).includes(o.sentinel)) domDone = now();
  });
  mutations.observe(d.getElementById('messages'), { childList: true, subtree: true });
  const probeLatencies: number[] = [];
  const channel = new w.MessageChannel();
  let probeAt = 0;
  channel.port1.onmessage = () => probeLatencies.push(now() - probeAt);
  const probe = w.setInterval(() => {
    probeAt = now();
    channel.port2.postMessage(0);
  }, 50);
  const inputDelays: number[] = [];
  const onKey = (e: any) => inputDelays.push(now() - e.timeStamp);
  const prompt = d.getElementById('prompt');
  prompt.addEventListener('keydown', onKey, true);

  const start = now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = o.intervalMs > 0 ? Math.min(o.chunks.length, Math.floor((now() - start) / o.intervalMs) + 1) : o.chunks.length;
      while (sent < due) {
        w.postMessage({ kind: 'event', event: 'messageDelta', data: { id: o.id, text: o.chunks[sent] } }, '*');
        sent++;
      }
      if (sent >= o.chunks.length) {
        lastSent = now();
        resolve();
      } else w.setTimeout(tick, Math.max(0, start + sent * o.intervalMs - now()));
    };
    tick();
  });
  let timedOut: string | null = null;
  const waitUntil = async (test: () => boolean, what: string) => {
    const limit = now() + o.timeoutMs;
    while (!test()) {
      if (now() > limit) {
        timedOut = `timed out after ${o.timeoutMs} ms waiting for ${what}`;
        return;
      }
      await new Promise((r) => w.setTimeout(r, 2));
    }
  };
  await waitUntil(() => domDone >= 0, 'the streamed answer to show its last delta');
  const finishedAt = now();
  w.postMessage({ kind: 'event', event: 'messageFinished', data: o.finished }, '*');
  let finishedDom = -1;
  await waitUntil(() => {
    if (article()?.dataset.status === 'done') finishedDom = now();
    return finishedDom >= 0;
  }, 'the finished answer to be drawn');
  await new Promise((r) => w.requestAnimationFrame(r));
  running = false;
  mutations.disconnect();
  w.clearInterval(probe);
  prompt.removeEventListener('keydown', onKey, true);
  await new Promise((r) => w.setTimeout(r, 50)); // late long-task entries
  observer.disconnect();
  const inWindow = frames.filter((t) => t >= start && t <= (domDone > 0 ? domDone : now()));
  let maxGap = 0;
  for (let i = 1; i < inWindow.length; i++) maxGap = Math.max(maxGap, inWindow[i] - inWindow[i - 1]);
  return {
    deltas: o.chunks.length,
    durationMs: lastSent - start,
    longTasks,
    frames: frames.filter((t) => t >= start && t <= lastSent).length,
    maxFrameGapMs: maxGap,
    renders,
    lastDeltaToDomMs: domDone - lastSent,
    firstDeltaToDomMs: domDone - start,
    finishedToDomMs: finishedDom - finishedAt,
    probeLatencies,
    inputDelays,
    timedOut,
  };
}

interface SnapshotResult {
  domMs: number;
  paintedMs: number;
  longTasks: number[];
  timedOut: string | null;
}

async function pageSnapshot(o: { snapshot: any; id: string; sentinel: string; timeoutMs: number }): Promise<SnapshotResult> {
  const w = globalThis as any;
  const d = w.document;
  const now = () => w.performance.now();
  const longTasks: number[] = [];
  const observer = new w.PerformanceObserver((list: any) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  let dom = -1;
  let painted = -1;
  const mutations = new w.MutationObserver(() => {
    const a = d.querySelector(`.message[data-id="${o.id}"]`);
    if (dom < 0 && a && String(a.textContent).includes(o.sentinel)) {
      dom = now();
      // After the next frame's rendering steps (style, layout, paint).
      w.requestAnimationFrame(() => {
        const channel = new w.MessageChannel();
        channel.port1.onmessage = () => (painted = now());
        channel.port2.postMessage(0);
      });
    }
  });
  mutations.observe(d.getElementById('messages'), { childList: true, subtree: true });
  const start = now();
  w.postMessage({ kind: 'event', event: 'snapshot', data: o.snapshot }, '*');
  const limit = start + o.timeoutMs;
  let timedOut: string | null = null;
  while (painted < 0) {
    if (now() > limit) {
      timedOut = `timed out after ${o.timeoutMs} ms waiting for the snapshot to be drawn`;
      break;
    }
    await new Promise((r) => w.setTimeout(r, 5));
  }
  mutations.disconnect();
  await new Promise((r) => w.setTimeout(r, 50));
  observer.disconnect();
  return { domMs: dom - start, paintedMs: painted - start, longTasks, timedOut };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// ---------------------------------------------------------------------------------------------
// Driving

const QUESTION = userMessage('u-1', 'Refactor the config loader and show me the steps.');

/** Presses a key in the prompt every `everyMs` until `done` settles; returns how many. */
async function pressKeys(page: WebviewPage, done: Promise<unknown>, everyMs: number): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  let presses = 0;
  while (!finished) {
    await delay(everyMs);
    if (finished) break;
    await page.page.keyboard.press('a').catch(() => undefined);
    presses++;
  }
  return presses;
}

/**
 * CPU time of the page's main thread (CDP Performance.getMetrics `ThreadTime`), in ms: the work
 * itself, whatever else the machine runs (wall-clock long tasks include time the renderer waited for a core).
 */
async function cpuClock(page: WebviewPage): Promise<() => Promise<number>> {
  const cdp = await page.page.context().newCDPSession(page.page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
  };
}

async function stream(
  page: WebviewPage,
  id: string,
  head: string,
  tail: string,
  chunkSize: number,
  intervalMs: number,
  withKeys: boolean,
): Promise<StreamResult & { keyPresses: number; cpuMs: number }> {
  await page.emit(answersStarted([QUESTION], [assistantMessage(id, head)]));
  if (withKeys) await page.page.focus('#prompt', { timeout: 10_000 });
  const full = head + tail;
  const cpu = await cpuClock(page);
  const cpuBefore = await cpu();
  const work = page.evaluate(
    `the stream of ${id} to be drawn`,
    pageStream,
    { id, chunks: split(tail, chunkSize), intervalMs, sentinel: SENTINEL, finished: assistantMessage(id, full), timeoutMs: 60_000 },
    180_000,
  );
  const keyPresses = withKeys ? await pressKeys(page, work, 250) : 0;
  const result = await work;
  const cpuMs = (await cpu()) - cpuBefore;
  if (result.timedOut) throw new Error(result.timedOut);
  return { ...result, keyPresses, cpuMs };
}

const max = (values: number[]) => (values.length ? Math.max(...values) : 0);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (n: number) => Math.round(n * 10) / 10;

function streamRow(name: string, r: StreamResult & { keyPresses: number; cpuMs: number }) {
  const seconds = r.durationMs / 1000;
  return {
    scenario: name,
    deltas: r.deltas,
    streamMs: round(r.durationMs),
    /** Main-thread CPU from the first delta to the finished answer drawn, and its share of that time. */
    mainThreadCpuMs: round(r.cpuMs),
    mainThreadBusyPercent: round((100 * r.cpuMs) / Math.max(1, r.durationMs + Math.max(0, r.lastDeltaToDomMs) + Math.max(0, r.finishedToDomMs))),
    longestTaskMs: round(max(r.longTasks)),
    longTasks: r.longTasks.length,
    longTaskTotalMs: round(sum(r.longTasks)),
    frames: r.frames,
    fps: round(seconds > 0 ? r.frames / seconds : 0),
    maxFrameGapMs: round(r.maxFrameGapMs),
    renders: r.renders,
    rendersPerSecond: round(seconds > 0 ? r.renders / seconds : 0),
    lastDeltaToDomMs: round(r.lastDeltaToDomMs),
    firstDeltaToDomMs: round(r.firstDeltaToDomMs),
    finishedToDomMs: round(r.finishedToDomMs),
    probeLatencyP95Ms: round(percentile(r.probeLatencies, 95)),
    probeLatencyMaxMs: round(max(r.probeLatencies)),
    keyPresses: r.keyPresses,
    inputDelayMaxMs: round(max(r.inputDelays)),
  };
}

async function main(): Promise<void> {
  const answer = streamingAnswer(STREAM_TOKENS);
  const big = bigAnswer(BIG_LINES);
  const bigLines = big.split('\n').length;
  const bigFences = big.split('\n').filter((l) => l.startsWith('```')).length / 2;
  console.log(
    `[bench] answer: ${answer.length} chars (~${Math.round(answer.length / CHARS_PER_TOKEN)} tokens, ${answer.split('```').length >> 1} code blocks); ` +
      `big answer: ${bigLines} lines, ${big.length} chars, ${bigFences} code blocks; bundle ${bundlePath()}; load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
  );
  const loadAtStart = os.loadavg();
  const harness = await WebviewHarness.start();
  try {
    const streams: ReturnType<typeof streamRow>[] = [];
    const snapshots: Array<{ run: number; domMs: number; paintedMs: number; longestTaskMs: number; mainThreadCpuMs: number }> = [];

    // 1. ~2,000 tokens at 200 tokens/s, keys pressed meanwhile; several runs (a max is noisy on a busy machine).
    const chunkSize = CHARS_PER_TOKEN * Math.max(1, Math.round((TOKENS_PER_SECOND * DELTA_EVERY_MS) / 1000)); // 1 token per 5 ms delta
    let page: WebviewPage;
    for (let run = 1; run <= STREAM_RUNS; run++) {
      page = await harness.open({ snapshot: snapshotOf([QUESTION]) });
      streams.push(streamRow(`stream 2k tokens @200 tok/s #${run}`, await stream(page, `a-stream-${run}`, '', answer, chunkSize, DELTA_EVERY_MS, true)));
      await page.close();
    }

    // 2. The 5,000-line answer in one snapshot, three times (fresh message ids: the view caches drawn messages).
    page = await harness.open({ snapshot: snapshotOf([QUESTION]) });
    const cpu = await cpuClock(page);
    for (let run = 1; run <= SNAPSHOT_RUNS; run++) {
      const id = `a-big-${run}`;
      const cpuBefore = await cpu();
      const result = await page.evaluate(
        `the ${BIG_LINES}-line snapshot (run ${run}) to be drawn`,
        pageSnapshot,
        { snapshot: snapshotOf([QUESTION, assistantMessage(id, big)], { conversationId: `c-${run}` }), id, sentinel: SENTINEL, timeoutMs: 60_000 },
        120_000,
      );
      if (result.timedOut) throw new Error(result.timedOut);
      const cpuMs = (await cpu()) - cpuBefore;
      snapshots.push({
        run,
        domMs: round(result.domMs),
        paintedMs: round(result.paintedMs),
        longestTaskMs: round(max(result.longTasks)),
        mainThreadCpuMs: round(cpuMs),
      });
    }
    await page.close();

    // 3. The 5,000-line answer streamed as fast as it can be posted.
    page = await harness.open({ snapshot: snapshotOf([QUESTION]) });
    streams.push(streamRow(`stream ${BIG_LINES} lines, burst`, await stream(page, 'a-burst', '', big, 200, 0, false)));
    await page.close();

    // 4. Its last ~400 tokens at 200 tokens/s: each frame re-renders the whole long answer.
    page = await harness.open({ snapshot: snapshotOf([QUESTION]) });
    const cut = big.length - TAIL_TOKENS * CHARS_PER_TOKEN;
    streams.push(
      streamRow(
        `stream ${BIG_LINES} lines, last ${TAIL_TOKENS} tok @200 tok/s`,
        await stream(page, 'a-tail', big.slice(0, cut), big.slice(cut), chunkSize, DELTA_EVERY_MS, true),
      ),
    );
    await page.close();

    // Report
    const columns: Array<[keyof ReturnType<typeof streamRow>, string]> = [
      ['streamMs', 'stream ms'],
      ['mainThreadBusyPercent', 'CPU busy %'],
      ['longestTaskMs', 'longest task'],
      ['longTasks', 'long tasks'],
      ['fps', 'fps'],
      ['maxFrameGapMs', 'max frame gap'],
      ['rendersPerSecond', 'renders/s'],
      ['lastDeltaToDomMs', 'last delta->DOM'],
      ['finishedToDomMs', 'finished->DOM'],
      ['inputDelayMaxMs', 'max input delay'],
      ['probeLatencyMaxMs', 'max task delay'],
    ];
    const nameWidth = Math.max(...streams.map((s) => s.scenario.length), 'scenario'.length);
    console.log(`\n${'scenario'.padEnd(nameWidth)}  ${columns.map(([, title]) => title.padStart(Math.max(title.length, 8))).join('  ')}`);
    for (const row of streams) {
      // A burst lasts milliseconds: rates over it mean nothing.
      const rate = (key: string) => row.streamMs < 200 && (key === 'fps' || key === 'rendersPerSecond' || key === 'maxFrameGapMs');
      console.log(
        `${row.scenario.padEnd(nameWidth)}  ${columns.map(([key, title]) => (rate(key) ? '-' : String(row[key])).padStart(Math.max(title.length, 8))).join('  ')}`,
      );
    }
    console.log(`\n${BIG_LINES}-line answer in one snapshot (${bigFences} code blocks):`);
    console.log(
      `${'run'.padEnd(6)}${'to DOM ms'.padStart(12)}${'to painted ms'.padStart(16)}${'longest task'.padStart(15)}${'main-thread CPU ms'.padStart(21)}`,
    );
    for (const s of snapshots) {
      console.log(
        `${String(s.run).padEnd(6)}${String(s.domMs).padStart(12)}${String(s.paintedMs).padStart(16)}${String(s.longestTaskMs).padStart(15)}${String(s.mainThreadCpuMs).padStart(21)}`,
      );
    }

    /** The run with the median `key` (the upper one of an even count). */
    const medianBy = <T>(rows: T[], key: (row: T) => number): T => [...rows].sort((a, b) => key(a) - key(b))[Math.floor(rows.length / 2)];
    const live = medianBy(streams.slice(0, STREAM_RUNS), (r) => r.longestTaskMs);
    const tail = streams[STREAM_RUNS + 1];
    const medianSnapshot = medianBy(snapshots, (r) => r.paintedMs).paintedMs;
    const targets = {
      streamNoLongTaskOver200ms: { value: live.longestTaskMs, limit: LONG_TASK_TARGET_MS, pass: live.longestTaskMs <= LONG_TASK_TARGET_MS },
      // The last delta shows within the same no-freeze budget, and the deltas went out on time (the page was not too busy to take them).
      streamKeepsUp: {
        value: live.lastDeltaToDomMs,
        limit: LONG_TASK_TARGET_MS,
        pass: live.lastDeltaToDomMs <= LONG_TASK_TARGET_MS && live.streamMs <= live.deltas * DELTA_EVERY_MS * 1.2,
      },
      streamInputResponsive: { value: live.inputDelayMaxMs, limit: LONG_TASK_TARGET_MS, pass: live.inputDelayMaxMs <= LONG_TASK_TARGET_MS },
      bigSnapshotAboutOneSecond: { value: medianSnapshot, limit: BIG_RENDER_TARGET_MS * 1.5, pass: medianSnapshot <= BIG_RENDER_TARGET_MS * 1.5 },
      // Beyond the issue's targets: streaming at the end of a 5,000-line answer.
      bigTailNoLongTaskOver200ms: { value: tail.longestTaskMs, limit: LONG_TASK_TARGET_MS, pass: tail.longestTaskMs <= LONG_TASK_TARGET_MS },
    };
    console.log(
      `\ntargets (median of ${STREAM_RUNS} stream runs, median of ${SNAPSHOT_RUNS} snapshots; load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}):`,
    );
    for (const [name, t] of Object.entries(targets)) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${name}: ${t.value} (limit ${t.limit})`);

    const json = {
      date: new Date().toISOString(),
      node: process.version,
      chromium: harness.browser.version(),
      cpus: os.cpus().length,
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
      medianStreamRun: live.scenario,
      bundle: path.relative(process.cwd(), bundlePath()),
      answer: {
        chars: answer.length,
        tokens: Math.round(answer.length / CHARS_PER_TOKEN),
        tokensPerSecond: TOKENS_PER_SECOND,
        deltaEveryMs: DELTA_EVERY_MS,
        charsPerDelta: chunkSize,
      },
      bigAnswer: { lines: bigLines, chars: big.length, codeBlocks: bigFences },
      streams,
      bigSnapshot: snapshots,
      targets,
    };
    const file = path.join(resultsDir(), 'bench-chat-render.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
    console.log(`\n[bench] wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
