// Penny's whole test suite, in six layers:
//   1. lint         ESLint (with the rules that hold the layers apart) and `prettier --check`, one
//                   check each, as child processes from node_modules (over the sources, not out/)
//   2. unit         mocha over out/test/unit/**/*.test.js (plain Node, in a child process)
//   3. webview      the chat's bundle in Chromium under its CSP (XSS corpus), out/test/webview/
//   4. slow         a million-record ledger, a ledger file past V8's longest string, SIGKILL while
//                   writing, out/test/slow/
//   5. integration  the mocha suite in out/test/integration/ inside a real VS Code (code-server)
//   6. ui           packages the .vsix (`node esbuild.mjs --production --package`; rebuilds dist/
//                   minified), then mocha over out/test/ui/*.test.js in a child process: Chromium
//                   driving code-server with the .vsix installed.
// Prints per-layer counts and durations and, as the very last line, `N passed, N failed`.
// Exit code 1 if anything failed or a layer could not run (a layer that crashes counts as 1 failed).
//
// Build first: `node esbuild.mjs --tests`. Tools: run under `bash test/tools/with-tools.sh`.
//   PENNY_LAYERS=lint,unit,webview,slow,integration,ui  which layers (default: all, in that order)
//   PENNY_VSIX=<file>                 the UI layer uses this .vsix instead of packaging one
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { killGroup, onShutdown, repoRoot, ToolMissingError } from './harness/codeServer';
import { runIntegrationInCodeServer } from './integration/runInCodeServer';

const LAYERS = ['lint', 'unit', 'webview', 'slow', 'integration', 'ui'] as const;
type Layer = (typeof LAYERS)[number];
const RESULT_MARKER = 'PENNY_RESULT';
const CHILD_FLAG = '--mocha-child';

interface Counts {
  passed: number;
  failed: number;
}

interface LayerReport extends Counts {
  name: string;
  seconds: number;
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Child mode: `node out/test/run-all.js --mocha-child <timeoutMs> <file>...` runs mocha over the
// files, then prints `PENNY_RESULT {"passed":N,"failed":M}` and exits (stray handles cannot hang it).

function runMochaChild(timeoutMs: number, files: string[]): void {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: timeoutMs, color: process.stdout.isTTY });
  for (const file of files) mocha.addFile(file);
  let passed = 0;
  let failed = 0;
  const finish = () => {
    process.stdout.write(`${RESULT_MARKER} ${JSON.stringify({ passed, failed })}\n`, () => process.exit(failed > 0 ? 1 : 0));
  };
  try {
    const runner = mocha.run(finish);
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
  } catch (error) {
    console.error(error instanceof ToolMissingError ? error.message : error);
    failed = Math.max(failed, 1);
    finish();
  }
}

/** Runs mocha over `files` in a child process of its own group; resolves with its counts. */
function runMochaInChild(layer: string, files: string[], options: { timeoutMs: number; testTimeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Counts> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, CHILD_FLAG, String(options.testTimeoutMs), ...files], {
      cwd: repoRoot(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const pid = child.pid!;
    // On SIGINT/SIGTERM: SIGTERM to the child's group lets the child stop its own code-server and browser.
    const unregister = onShutdown({ stop: () => killGroup(pid, 15_000), kill: () => killGroupNow(pid) });
    let result: Counts | undefined;
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = line.startsWith(RESULT_MARKER) ? /\{.*\}/.exec(line) : null;
        if (match) result = JSON.parse(match[0]) as Counts;
        else process.stdout.write(`${line}\n`);
      }
    });
    const timer = setTimeout(() => {
      console.error(`[penny] the ${layer} layer did not finish within ${options.timeoutMs / 1000} s: stopping it`);
      void killGroup(pid, 15_000);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      unregister();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      unregister();
      if (buffered) process.stdout.write(`${buffered}\n`);
      if (result) {
        // A non-zero exit with zero failures counted (e.g. a crash after the run) still fails the layer.
        if (code !== 0 && result.failed === 0) resolve({ passed: result.passed, failed: 1 });
        else resolve(result);
      } else {
        reject(new Error(`the ${layer} mocha process exited (code ${code}, signal ${signal}) without a ${RESULT_MARKER} line`));
      }
    });
  });
}

function killGroupNow(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // gone
  }
}

// ---------------------------------------------------------------------------------------------
// The layers

/** The lint layer's checks: `npm run lint` and `npm run format:check`, run by node from node_modules. */
const LINT_CHECKS = [
  { name: 'eslint', script: path.join('node_modules', 'eslint', 'bin', 'eslint.js'), args: ['--max-warnings=0', '.'] },
  { name: 'prettier --check', script: path.join('node_modules', 'prettier', 'bin', 'prettier.cjs'), args: ['--check', '.'] },
];

/** Each check is one passed or failed; a failed check prints what the tool said. One at a time: they are CPU-bound. */
async function lintLayer(root: string): Promise<Counts> {
  const counts: Counts = { passed: 0, failed: 0 };
  for (const check of LINT_CHECKS) {
    const started = Date.now();
    const { ok, output } = fs.existsSync(path.join(root, check.script))
      ? await runTool(root, check.name, [check.script, ...check.args], 5 * 60_000)
      : { ok: false, output: `${check.script} is missing: run \`npm ci\`\n` };
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) {
      counts.passed++;
      console.log(`  ✔ ${check.name} (${seconds} s)`);
    } else {
      counts.failed++;
      console.log(`  ✘ ${check.name} (${seconds} s):`);
      process.stdout.write(output.endsWith('\n') || output === '' ? output : `${output}\n`);
    }
  }
  return counts;
}

/** Runs `node <args>` in the repository's root in a group of its own; resolves with whether it exited 0, and its stdout and stderr. */
function runTool(root: string, name: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid!;
    const unregister = onShutdown({ stop: () => killGroup(pid), kill: () => killGroupNow(pid) });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      output += `[penny] ${name} did not finish within ${timeoutMs / 1000} s: stopped\n`;
      void killGroup(pid);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      unregister();
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      unregister();
      resolve({ ok: code === 0, output: code === null ? `${output}[penny] ${name} was stopped by ${signal}\n` : output });
    });
  });
}

function testFiles(dir: string, recursive: boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return recursive ? testFiles(file, true) : [];
      return entry.name.endsWith('.test.js') ? [file] : [];
    })
    .sort();
}

async function unitLayer(root: string): Promise<Counts> {
  const dir = path.join(root, 'out', 'test', 'unit');
  const files = testFiles(dir, true);
  if (files.length === 0) throw new Error(`no unit tests (*.test.js) under ${path.relative(root, dir)}: build first with \`node esbuild.mjs --tests\``);
  return runMochaInChild('unit', files, { timeoutMs: 10 * 60_000, testTimeoutMs: 10_000 });
}

/** The chat webview's bundle in real Chromium under its CSP: hostile model output renders inert. */
async function webviewLayer(root: string): Promise<Counts> {
  const files = testFiles(path.join(root, 'out', 'test', 'webview'), false);
  if (files.length === 0) throw new Error('no webview tests (out/test/webview/*.test.js): build first with `node esbuild.mjs --tests`');
  return runMochaInChild('webview', files, { timeoutMs: 10 * 60_000, testTimeoutMs: 60_000 });
}

/** Load and crash tests: a million-record ledger, SIGKILLs while writing. */
async function slowLayer(root: string): Promise<Counts> {
  const files = testFiles(path.join(root, 'out', 'test', 'slow'), false);
  if (files.length === 0) throw new Error('no slow tests (out/test/slow/*.test.js): build first with `node esbuild.mjs --tests`');
  return runMochaInChild('slow', files, { timeoutMs: 15 * 60_000, testTimeoutMs: 5 * 60_000 });
}

async function integrationLayer(): Promise<Counts> {
  return runIntegrationInCodeServer();
}

/** `node esbuild.mjs --production --package`; returns the .vsix it made. */
async function packageVsix(root: string): Promise<string> {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const vsix = path.join(root, `penny-${version}.vsix`);
  fs.rmSync(vsix, { force: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['esbuild.mjs', '--production', '--package'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const pid = child.pid!;
    const unregister = onShutdown({ stop: () => killGroup(pid), kill: () => killGroupNow(pid) });
    const timer = setTimeout(() => void killGroup(pid), 5 * 60_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      unregister();
      if (code === 0) resolve();
      else reject(new Error(`\`node esbuild.mjs --production --package\` failed (code ${code}, signal ${signal})`));
    });
  });
  if (!fs.existsSync(vsix)) throw new Error(`packaging succeeded but ${path.relative(root, vsix)} does not exist`);
  return vsix;
}

async function uiLayer(root: string, vsix: string): Promise<Counts> {
  const files = testFiles(path.join(root, 'out', 'test', 'ui'), false);
  if (files.length === 0) throw new Error('no UI tests (out/test/ui/*.test.js): build first with `node esbuild.mjs --tests`');
  return runMochaInChild('ui', files, { timeoutMs: 15 * 60_000, testTimeoutMs: 90_000, env: { PENNY_VSIX: vsix } });
}

// ---------------------------------------------------------------------------------------------

function selectedLayers(): Layer[] {
  const raw = process.env.PENNY_LAYERS?.trim();
  if (!raw) return [...LAYERS];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(LAYERS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`PENNY_LAYERS: unknown layer(s) ${unknown.join(', ')}; choose from ${LAYERS.join(', ')}`);
  return LAYERS.filter((layer) => names.includes(layer));
}

async function timed(name: string, reports: LayerReport[], body: () => Promise<Counts>): Promise<boolean> {
  console.log(`\n===== ${name} =====`);
  const started = Date.now();
  let report: LayerReport;
  try {
    const counts = await body();
    report = { name, ...counts, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const message = error instanceof ToolMissingError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`[penny] the ${name} layer could not run:\n${message}`);
    report = { name, passed: 0, failed: 1, seconds: (Date.now() - started) / 1000, error: (error as Error)?.message?.split('\n')[0] ?? String(error) };
  }
  reports.push(report);
  console.log(
    `===== ${name}: ${report.passed} passed, ${report.failed} failed (${report.seconds.toFixed(1)} s)${report.error ? ` — ${report.error}` : ''} =====`,
  );
  return !report.error;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const reports: LayerReport[] = [];
  const started = Date.now();
  let layers: Layer[];
  try {
    layers = selectedLayers();
  } catch (error) {
    console.error((error as Error).message);
    reports.push({ name: 'layers', passed: 0, failed: 1, seconds: 0, error: (error as Error).message });
    layers = [];
  }

  for (const layer of layers) {
    if (layer === 'lint') await timed('lint', reports, () => lintLayer(root));
    if (layer === 'unit') await timed('unit', reports, () => unitLayer(root));
    if (layer === 'webview') await timed('webview', reports, () => webviewLayer(root));
    if (layer === 'slow') await timed('slow', reports, () => slowLayer(root));
    if (layer === 'integration') await timed('integration', reports, integrationLayer);
    if (layer === 'ui') {
      let vsix = process.env.PENNY_VSIX ? path.resolve(process.env.PENNY_VSIX) : undefined;
      if (!vsix) {
        await timed('package', reports, async () => {
          vsix = await packageVsix(root);
          return { passed: 0, failed: 0 };
        });
      }
      await timed('ui', reports, () => (vsix ? uiLayer(root, vsix) : Promise.reject(new Error('no .vsix to install (packaging failed)'))));
    }
  }

  const passed = reports.reduce((n, r) => n + r.passed, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  console.log('\n===== summary =====');
  for (const r of reports) {
    console.log(
      `${r.name.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(4)} failed ${r.seconds.toFixed(1).padStart(7)} s${r.error ? `  (could not run: ${r.error})` : ''}`,
    );
  }
  console.log(`${'total'.padEnd(12)} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || reports.length === 0 ? 1 : 0;
}

if (require.main === module) {
  if (process.argv[2] === CHILD_FLAG) {
    runMochaChild(Number(process.argv[3]), process.argv.slice(4));
  } else {
    main().then(
      (code) => process.stdout.write('', () => process.exit(code)),
      (error: unknown) => {
        console.error(error);
        console.log('0 passed, 1 failed');
        process.exit(1);
      },
    );
  }
}
