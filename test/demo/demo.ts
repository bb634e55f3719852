// "Try it": packages Penny, installs it into a real VS Code (code-server) on 127.0.0.1 with a small
// sample workspace, and prints the URL to open. Without OPENAI_API_KEY it talks to the local mock
// server in demo mode (scripted answers, no cost); with it, to OpenAI (real requests, real cost).
// Ctrl+C stops everything.
//   npm run demo                    (build + package + start)
//   node out/test/demo/demo.js --no-package   reuse the newest penny-*.vsix
//   PENNY_DEMO_PORT=8080 (default 8080 if free, else any free port)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  copyToTemp,
  isShuttingDown,
  killGroup,
  onShutdown,
  portIsFree,
  freePort,
  repoRoot,
  startCodeServer,
  ToolMissingError,
  type CodeServer,
} from '../harness/codeServer';
import { DEMO_SETTINGS } from './settings';

const DEMO_KEY = 'sk-test-penny-0000';

function log(text: string): void {
  console.log(`[demo] ${text}`);
}

/** `node esbuild.mjs --production --package`; returns the .vsix. */
async function buildVsix(root: string): Promise<string> {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  log('building and packaging Penny...');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['esbuild.mjs', '--production', '--package'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`packaging failed (code ${code}, signal ${signal})`))));
  });
  const vsix = path.join(root, `penny-${version}.vsix`);
  if (!fs.existsSync(vsix)) throw new Error(`packaging finished but ${vsix} is missing`);
  return vsix;
}

function newestVsix(root: string): string {
  const found = fs
    .readdirSync(root)
    .filter((name) => /^penny-.*\.vsix$/.test(name))
    .map((name) => path.join(root, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!found[0]) throw new Error('no penny-*.vsix yet: run without --no-package');
  return found[0];
}

/** Starts `node out/test/server/cli.js --demo` in its own process group; resolves with its URL. */
async function startDemoMock(root: string): Promise<string> {
  const cli = path.join(root, 'out', 'test', 'server', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build with \`node esbuild.mjs --tests\``);
  const child = spawn(process.execPath, [cli, '--demo'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const pid = child.pid!;
  onShutdown({ stop: () => killGroup(pid), kill: () => killSync(pid) });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void killGroup(pid);
      reject(new Error('timed out after 15 s waiting for the mock server to print MOCK_OPENAI_URL='));
    }, 15_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = /MOCK_OPENAI_URL=(\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock server exited (code ${code}) before it printed its URL`));
    });
  });
}

function killSync(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // gone
  }
}

async function demoPort(): Promise<number> {
  if (process.env.PENNY_DEMO_PORT) {
    const port = Number(process.env.PENNY_DEMO_PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PENNY_DEMO_PORT=${process.env.PENNY_DEMO_PORT} is not a port`);
    return port;
  }
  return (await portIsFree(8080)) ? 8080 : freePort();
}

async function main(): Promise<void> {
  const root = repoRoot();
  const vsix = process.argv.includes('--no-package') ? newestVsix(root) : await buildVsix(root);

  const realKey = process.env.OPENAI_API_KEY;
  // The workspace README on the first screen, and the editor as VS Code ships it (the test profile quiets both).
  const settings: Record<string, unknown> = { ...DEMO_SETTINGS };
  const env: Record<string, string> = {};
  if (realKey) {
    log('OPENAI_API_KEY is set: Penny talks to OpenAI (real requests, real cost).');
  } else {
    const url = await startDemoMock(root);
    settings['penny.baseUrl'] = url;
    env.OPENAI_API_KEY = DEMO_KEY;
    log(`no OPENAI_API_KEY: Penny talks to the local demo server at ${url} (scripted answers, nothing is sent anywhere).`);
  }

  const workspace = copyToTemp(path.join(root, 'test', 'demo', 'workspace'), 'penny-demo-');
  log('starting VS Code (code-server)...');
  const server: CodeServer = await startCodeServer({
    workspace: workspace.dir,
    installVsix: vsix,
    settings,
    // VS Code's defaults on the remote too: nothing in its Machine settings, as on a new machine.
    machineSettings: {},
    editorDefaults: true,
    env,
    port: await demoPort(),
  });
  const url = server.workbenchUrl();
  console.log(
    `\n  Penny demo is running. Open:\n\n    ${url}\n\n  It opens on the sample workspace's README, which says what to try.\n  (code-server log: ${server.logFile})\n  Press Ctrl+C to stop.\n`,
  );

  // Runs until SIGINT/SIGTERM (the shutdown handlers stop code-server and the mock server, remove the
  // temp dirs and exit), or until code-server dies on its own.
  const exit = await server.exited;
  if (isShuttingDown()) return; // Ctrl+C: the handlers finish and exit
  console.error(`[demo] code-server exited (code ${exit.code}, signal ${exit.signal})\n${server.logTail()}`);
  await server.stop();
  workspace.remove();
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof ToolMissingError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  // Exit through the 'exit' handlers, which kill what was started.
  process.exit(1);
});
