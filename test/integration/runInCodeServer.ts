// Runs the integration suite (out/test/integration/index.js) inside the Node extension host of a real
// VS Code: code-server with the smoke-test driver, opened in Chromium with a test payload. The page
// receives the extension host's output through codeAutomationLog and the exit code through
// codeAutomationExit (the mechanism @vscode/test-web uses). See /work/shared/notes/real-vscode.md.
//
// The extension under test is the checkout itself (extensionDevelopmentPath = repo root; build dist/
// first: `node esbuild.mjs --tests`). A local mock OpenAI server runs in this process: its URL is
// `penny.baseUrl` and, for tests that script it over HTTP (MockControl), PENNY_MOCK_URL in the
// extension host's environment. OPENAI_API_KEY is sk-test-penny-0000.
//
// Script: node out/test/integration/runInCodeServer.js   (PENNY_INTEGRATION_TIMEOUT_MS, PENNY_KEEP_TEMP=1)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { saveScreenshot, launchBrowser, type BrowserSession } from '../harness/browser';
import { copyToTemp, findChromium, findCodeServer, isShuttingDown, repoRoot, startCodeServer, ToolMissingError, type CodeServer } from '../harness/codeServer';
import { MockOpenAIServer } from '../server/mockOpenAI';

export const TEST_API_KEY = 'sk-test-penny-0000';
const RESULT_PATTERN = /PENNY_RESULT (\{[^}]*\})/;
const WORKBENCH_STACK_FRAME = /^\s+at .*\/static\/out\/vs\//;

export interface IntegrationResult {
  passed: number;
  failed: number;
}

export interface IntegrationOptions {
  /** Overall bound (default PENNY_INTEGRATION_TIMEOUT_MS or 5 min). */
  timeoutMs?: number;
  /** Where the test output goes (default console.log). */
  log?: (line: string) => void;
  /** The extension folder (default: the checkout). */
  extensionPath?: string;
  /** The compiled test index (default: out/test/integration/index.js of the checkout). */
  testsIndex?: string;
}

export async function runIntegrationInCodeServer(options: IntegrationOptions = {}): Promise<IntegrationResult> {
  const timeoutMs = options.timeoutMs ?? Number(process.env.PENNY_INTEGRATION_TIMEOUT_MS ?? 5 * 60_000);
  const log = options.log ?? ((line: string) => console.log(line));
  const root = repoRoot();
  const extensionPath = path.resolve(options.extensionPath ?? root);
  const testsIndex = path.resolve(options.testsIndex ?? path.join(root, 'out', 'test', 'integration', 'index.js'));
  for (const [file, how] of [
    [path.join(extensionPath, 'dist', 'extension.js'), 'node esbuild.mjs --tests'],
    [testsIndex, 'node esbuild.mjs --tests'],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: build it first with \`${how}\``);
  }

  findCodeServer(); // missing tools: fail before starting anything, with the install hint
  findChromium();

  let mock: MockOpenAIServer | undefined;
  let workspace: { dir: string; remove(): void } | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let failedToRun = true;
  const t0 = Date.now();
  const phase = (what: string) => log(`[penny] ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  try {
    mock = await MockOpenAIServer.start();
    workspace = copyToTemp(path.join(root, 'test', 'fixtures', 'workspace'));
    server = await startCodeServer({
      workspace: workspace.dir,
      settings: { 'penny.baseUrl': mock.url },
      env: { OPENAI_API_KEY: TEST_API_KEY, PENNY_MOCK_URL: mock.url },
      smokeTestDriver: true,
    });
    phase(`code-server ready at ${server.url}`);
    browser = await launchBrowser();
    const page = browser.page;

    const lines: string[] = [];
    let exitCode: ((code: number) => void) | undefined;
    const exited = new Promise<number>((resolve) => (exitCode = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const text = formatLog(args);
      for (const line of text.split('\n')) {
        lines.push(line);
        if (WORKBENCH_STACK_FRAME.test(line)) continue; // the workbench's own stack traces: noise here
        log(type === 'error' ? `[err] ${line}` : line);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exitCode?.(code));

    const authority = `${server.host}:${server.port}`;
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
      ['extensionTestsPath', `vscode-remote://${authority}${testsIndex}`],
    ];
    await page.goto(server.workbenchUrl(workspace.dir, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });

    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exited.then((code) => ({ kind: 'exit' as const, code })),
      server.exited.then((e) => ({ kind: 'server-died' as const, code: e.code, signal: e.signal })),
      new Promise<{ kind: 'timeout' }>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs))),
    ]).finally(() => clearTimeout(timer));

    if (isShuttingDown()) throw new Error('interrupted (SIGINT/SIGTERM)');
    phase(outcome.kind === 'exit' ? `extension host finished the tests with exit code ${outcome.code}` : `stopped waiting: ${outcome.kind}`);
    if (outcome.kind !== 'exit') {
      await saveScreenshot(page, 'integration-timeout');
      const why =
        outcome.kind === 'timeout'
          ? `timed out after ${timeoutMs} ms waiting for the integration tests to finish (codeAutomationExit never called; ${lines.length} output lines seen)`
          : `code-server exited during the integration tests (code ${outcome.code}, signal ${outcome.signal})`;
      throw new Error(`${why}\n--- code-server log (tail) ---\n${server.logTail()}`);
    }
    const match = lines.map((line) => RESULT_PATTERN.exec(line)).find(Boolean);
    failedToRun = false;
    if (!match) {
      await saveScreenshot(page, 'integration-no-result');
      log(`[penny] the extension host exited with code ${outcome.code} without a PENNY_RESULT line (did run() throw before mocha ran?)`);
      log(`--- code-server log (tail) ---\n${server.logTail()}`);
      return { passed: 0, failed: Math.max(1, outcome.code) };
    }
    const result = JSON.parse(match[1]) as IntegrationResult;
    if (outcome.code !== 0 && result.failed === 0) result.failed = 1; // exit code says failure: never report green
    // Every feature ran with a recognisable key: it must not be in any file VS Code or Penny wrote
    // (settings, logs, webview state, the ledger, conversations, global and workspace storage).
    const leaks = filesContaining(server.tempDir, TEST_API_KEY).concat(filesContaining(workspace.dir, TEST_API_KEY));
    if (leaks.length === 0) {
      log(`    ✔ the API key appears in none of the files written during the run`);
      result.passed++;
    } else {
      log(`    ✘ the API key leaked into: ${leaks.join(', ')}`);
      result.failed++;
    }
    if (result.failed > 0) await saveScreenshot(page, 'integration-failure');
    return result;
  } catch (error) {
    if (failedToRun && browser && !isShuttingDown()) await saveScreenshot(browser.page, 'integration-error');
    throw error;
  } finally {
    await browser?.close();
    await server?.stop();
    workspace?.remove();
    await mock?.stop();
  }
}

/** Files under `dir` whose bytes contain `needle` (sockets and unreadable files are skipped). */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(needle);
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        try {
          if (fs.readFileSync(file).includes(bytes)) found.push(file);
        } catch {
          // vanished or unreadable while VS Code runs: nothing to search
        }
      }
    }
  };
  walk(dir);
  return found;
}

/** The arguments of a console call in the extension host, formatted like console.log does (mocha's reporter uses %s / %d). */
function formatLog(args: unknown): string {
  const parts = Array.isArray(args) ? args : [args];
  return util.format(...parts);
}

if (require.main === module) {
  const started = Date.now();
  runIntegrationInCodeServer().then(
    ({ passed, failed }) => {
      console.log(`integration: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exit(failed > 0 ? 1 : 0);
    },
    (error: unknown) => {
      console.error(error instanceof ToolMissingError ? error.message : error);
      process.exit(1);
    },
  );
}
