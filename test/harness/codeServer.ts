// Starts a real VS Code (code-server) for the integration and UI layers and the demo, in a temp dir
// of its own, and always stops it: the whole process group, also on exit, SIGINT and SIGTERM.
// How and why: /work/shared/notes/real-vscode.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const INSTALL_HINT =
  'run `bash test/tools/ensure-tools.sh` (it installs Node 24, code-server and Chromium and prints the exports), or run through `bash test/tools/with-tools.sh <command>`';
const CODE_SERVER_VERSION = '4.139.1';

/** A missing tool: its message says how to install it; printed without a stack. */
export class ToolMissingError extends Error {
  constructor(message: string) {
    super(`${message}\n  -> ${INSTALL_HINT}`);
    this.name = 'ToolMissingError';
    this.stack = this.message;
  }
}

/** The checkout's root: the nearest folder above this file whose package.json is Penny's. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'penny') return dir;
      } catch {
        // not ours
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json named "penny" above ${__dirname}`);
  }
}

function toolsCacheDir(): string {
  return process.env.PENNY_TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'penny-tools');
}

/** The code-server executable: PENNY_CODE_SERVER if set, else the ensure-tools cache. */
export function findCodeServer(): string {
  const fromEnv = process.env.PENNY_CODE_SERVER;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new ToolMissingError(`PENNY_CODE_SERVER=${fromEnv} is not an executable`);
  }
  const cached = path.join(toolsCacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (isExecutable(cached)) return cached;
  throw new ToolMissingError(`code-server ${CODE_SERVER_VERSION} not found (PENNY_CODE_SERVER is not set and ${cached} does not exist)`);
}

/** Debian's Chromium: PENNY_CHROMIUM, else /usr/bin/chromium. */
export function findChromium(): string {
  const candidate = process.env.PENNY_CHROMIUM ?? '/usr/bin/chromium';
  if (isExecutable(candidate)) return candidate;
  throw new ToolMissingError(`Chromium not found at ${candidate}${process.env.PENNY_CHROMIUM ? ' (PENNY_CHROMIUM)' : ''}`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** code-server 4.139 runs on Node 24: checks the `node` it will find on PATH, to fail with a hint rather than a crash log. */
function checkNodeForCodeServer(env: NodeJS.ProcessEnv): void {
  const result = spawnSync('node', ['-p', 'process.versions.node'], { env, encoding: 'utf8', timeout: 10_000 });
  const major = Number((result.stdout ?? '').trim().split('.')[0]);
  if (result.status !== 0 || !(major >= 22)) {
    throw new ToolMissingError(
      `code-server needs Node >= 22 first on PATH; found ${result.error ? `no node (${result.error.message})` : `node ${(result.stdout ?? '').trim() || '?'}`}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Process groups and shutdown

/** Cleanups run on SIGINT/SIGTERM (async, bounded) and, for what is left, on exit (sync). */
interface Cleanup {
  /** Async, graceful. */
  stop(): Promise<void>;
  /** Sync, last resort on process exit. */
  kill(): void;
}
const cleanups = new Set<Cleanup>();
let handlersInstalled = false;
let shuttingDown = false;

/** Registers a cleanup to run on exit/SIGINT/SIGTERM; returns its unregister function. */
export function onShutdown(cleanup: Cleanup): () => void {
  installHandlers();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** True once a SIGINT/SIGTERM started stopping everything. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const cleanup of [...cleanups].reverse()) {
      try {
        cleanup.kill();
      } catch {
        // best effort while exiting
      }
    }
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.error(`\n[penny] ${signal}: stopping code-server, browsers and servers...`);
    const all = Promise.allSettled([...cleanups].reverse().map((c) => c.stop()));
    const deadline = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
    void Promise.race([all, deadline]).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs` if any member is left; resolves once the group is gone. */
export async function killGroup(pid: number, graceMs = 5_000): Promise<void> {
  if (!groupAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await pollUntil(() => !groupAlive(pid), graceMs)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await pollUntil(() => !groupAlive(pid), 5_000))) console.error(`[penny] process group ${pid} still alive 5 s after SIGKILL`);
}

function killGroupSync(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function pollUntil(condition: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True if nothing listens on host:port and we may bind it. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The last `lines` lines of a text file, or a note that it cannot be read. */
export function tail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}

// ---------------------------------------------------------------------------------------------
// code-server

/** A quiet, deterministic workbench (see real-vscode.md): nothing takes focus, nothing goes to the network. */
export const QUIET_WORKBENCH: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.autoDetect': 'off',
};

/**
 * A quiet editor for engine-level tests: no suggest widget or parameter hints to compete with ghost
 * text for Tab. User journeys run with VS Code's defaults instead (`editorDefaults`).
 */
export const QUIET_EDITOR: Readonly<Record<string, unknown>> = {
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.parameterHints.enabled': false,
  'editor.inlineSuggest.enabled': true,
};

export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = { ...QUIET_WORKBENCH, ...QUIET_EDITOR };

/**
 * The quiet settings that VS Code scopes to the machine: code-server is a remote window, where it
 * reads them from the remote's Machine settings only (from the User settings it takes them or not,
 * depending on whether the setting was known when the file was read: walkthroughs opened over the
 * editor in some runs and took the keyboard focus).
 */
export const QUIET_MACHINE: Readonly<Record<string, unknown>> = {
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

export interface CodeServerOptions {
  /** Folder to open (used by `workbenchUrl`); code-server itself is started without one. */
  workspace?: string;
  /** User settings merged over QUIET_SETTINGS, written where a user puts them: `User/settings.json`. */
  settings?: Record<string, unknown>;
  /** VS Code's default editor settings (no QUIET_EDITOR): quick suggestions, parameter hints, as a new user has them. */
  editorDefaults?: boolean;
  /**
   * Remote (Machine) settings, `Machine/settings.json` (default QUIET_MACHINE; `{}` for VS Code's
   * defaults, as on a new machine). code-server is a remote window: this is where Remote-SSH, WSL
   * or Codespaces keep a remote's own settings. Penny's settings never go here.
   */
  machineSettings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host (e.g. OPENAI_API_KEY). */
  env?: Record<string, string | undefined>;
  /** A .vsix to install into the fresh extensions dir before starting. */
  installVsix?: string;
  /** Runs after the install, before code-server starts (e.g. to add files to an installed extension). */
  afterInstall?: (extensionsDir: string) => void;
  /**
   * `--locale`: the display language, with an empty language pack registered for it (see
   * registerLanguagePack): extensions get their translations for it, VS Code's own UI stays English.
   */
  locale?: string;
  /** Adds `--vscode-option enable-smoke-test-driver` (needed to run an extension test payload). */
  smokeTestDriver?: boolean;
  /** Port to bind (default: a free one). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long to wait for /healthz (default 60 s). */
  readyTimeoutMs?: number;
  /** Keep the temp dir after stop() (for debugging); also PENNY_KEEP_TEMP=1. */
  keepTemp?: boolean;
}

export interface CodeServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  host: string;
  tempDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout and stderr. */
  logFile: string;
  pid: number;
  /** Settles when the code-server process exits (for whatever reason), with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The workbench URL for `folder` (default: options.workspace), with an optional test payload. */
  workbenchUrl(folder?: string, payload?: Array<[string, string]>): string;
  /** The last lines of code-server's log. */
  logTail(lines?: number): string;
  /** Kills the process group (SIGTERM, then SIGKILL after a grace period) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Starts code-server in a temp dir of its own and waits until /healthz answers. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const executable = findCodeServer();
  const host = options.host ?? '127.0.0.1';
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'penny-code-server-'));
  const keepTemp = options.keepTemp ?? process.env.PENNY_KEEP_TEMP === '1';
  const removeTemp = () => {
    if (!keepTemp) fs.rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    const userDataDir = path.join(tempDir, 'user-data');
    const extensionsDir = path.join(tempDir, 'extensions');
    const logFile = path.join(tempDir, 'code-server.log');
    const env = codeServerEnv(tempDir, options.env);
    checkNodeForCodeServer(env);
    for (const dir of [userDataDir, extensionsDir, ...['config', 'data', 'cache', 'state', 'runtime'].map((d) => path.join(tempDir, 'xdg', d))]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    writeSettings(userDataDir, 'User', { ...(options.editorDefaults ? QUIET_WORKBENCH : QUIET_SETTINGS), ...options.settings });
    writeSettings(userDataDir, 'Machine', options.machineSettings ?? QUIET_MACHINE);
    if (options.locale) registerLanguagePack(userDataDir, options.locale);

    if (options.installVsix) installVsix(executable, options.installVsix, userDataDir, extensionsDir, env, logFile);
    options.afterInstall?.(extensionsDir);

    // A port picked by freePort() can be taken before code-server binds it: retry with another one.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort(host));
      const started = await launch({ executable, host, port, tempDir, userDataDir, extensionsDir, logFile, env, options, removeTemp });
      if (started !== 'address-in-use') return started;
      if (options.port !== undefined || attempt >= 3) {
        throw new Error(`code-server could not bind ${host}:${port} (address in use)\n--- ${logFile} (tail) ---\n${tail(logFile)}`);
      }
    }
  } catch (error) {
    removeTemp();
    throw error;
  }
}

interface LaunchArgs {
  executable: string;
  host: string;
  port: number;
  tempDir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  options: CodeServerOptions;
  removeTemp(): void;
}

async function launch(a: LaunchArgs): Promise<CodeServer | 'address-in-use'> {
  const configFile = path.join(a.tempDir, 'config.yaml');
  fs.writeFileSync(configFile, `bind-addr: ${a.host}:${a.port}\nauth: none\ncert: false\n`);
  const args = [
    '--config',
    configFile,
    '--bind-addr',
    `${a.host}:${a.port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    a.userDataDir,
    '--extensions-dir',
    a.extensionsDir,
  ];
  if (a.options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (a.options.locale) args.push('--locale', a.options.locale);

  fs.appendFileSync(a.logFile, `\n$ ${a.executable} ${args.join(' ')}\n`);
  const logFd = fs.openSync(a.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(a.executable, args, { cwd: a.tempDir, env: a.env, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${a.executable}`);

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve((exited = { code, signal }))),
  );
  child.once('error', (error) => fs.appendFileSync(a.logFile, `\n[penny] spawn error: ${error.message}\n`));

  let stopped: Promise<void> | undefined;
  const unregister = onShutdown({ stop: () => stop(), kill: () => (killGroupSync(pid), a.removeTemp()) });
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await killGroup(pid);
      unregister();
      a.removeTemp();
    })();
    return stopped;
  };

  const url = `http://${a.host}:${a.port}`;
  const timeoutMs = a.options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const log = tail(a.logFile);
      await stop();
      if (/EADDRINUSE|address already in use/i.test(log)) return 'address-in-use';
      throw new Error(`code-server exited before it was ready (code ${exited.code}, signal ${exited.signal})\n--- code-server log (tail) ---\n${log}`);
    }
    if (await healthy(url)) break;
    if (Date.now() >= deadline) {
      const log = tail(a.logFile);
      await stop();
      throw new Error(`timed out after ${timeoutMs} ms waiting for code-server to answer ${url}/healthz\n--- code-server log (tail) ---\n${log}`);
    }
    await delay(100);
  }

  return {
    url,
    port: a.port,
    host: a.host,
    tempDir: a.tempDir,
    userDataDir: a.userDataDir,
    extensionsDir: a.extensionsDir,
    logFile: a.logFile,
    pid,
    exited: exitedPromise,
    workbenchUrl(folder = a.options.workspace, payload) {
      const params = new URLSearchParams();
      if (folder) params.set('folder', folder);
      if (payload) params.set('payload', JSON.stringify(payload));
      const query = params.toString();
      return `${url}/${query ? `?${query}` : ''}`;
    },
    logTail: (lines = 40) => tail(a.logFile, lines),
    stop,
  };
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The environment code-server (and so the extension host) runs with: XDG dirs in the temp dir, none of an outer VS Code's variables. */
function codeServerEnv(tempDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS' || key === 'PASSWORD' || key === 'HASHED_PASSWORD') continue;
    env[key] = value;
  }
  const xdg = path.join(tempDir, 'xdg');
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_CACHE_HOME: path.join(xdg, 'cache'),
    XDG_STATE_HOME: path.join(xdg, 'state'),
    XDG_RUNTIME_DIR: path.join(xdg, 'runtime'),
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Writes the User (local) or Machine (remote) settings file. Nothing is mirrored from one to the other. */
function writeSettings(userDataDir: string, kind: 'User' | 'Machine', settings: Record<string, unknown>): void {
  fs.mkdirSync(path.join(userDataDir, kind), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, kind, 'settings.json'), JSON.stringify(settings, null, 2));
}

/**
 * Registers a language pack for `locale` with no translations of its own. code-server ignores
 * `--locale` (and runs in English) unless <user-data-dir>/languagepacks.json lists a pack for it; with
 * one, the workbench's language is `locale`, so the extension host reads extensions'
 * package.nls.<locale>.json and l10n/bundle.l10n.<locale>.json, while VS Code's own strings, missing
 * from the pack, fall back to English. The file is written here the way VS Code's server writes it
 * when a language pack extension is installed through it: `code-server --install-extension` does not
 * write it (microsoft/vscode#237663, coder/code-server#3372).
 */
function registerLanguagePack(userDataDir: string, locale: string): void {
  const translations = path.join(userDataDir, `language-pack.${locale}.i18n.json`);
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const pack = {
    hash: `penny-test-${locale}`,
    // The language picker names the pack by its first extension: an empty list breaks the workbench.
    extensions: [{ extensionIdentifier: { id: `penny-test.language-pack-${locale}` }, version: '0.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}

function installVsix(executable: string, vsix: string, userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv, logFile: string): void {
  if (!fs.existsSync(vsix)) throw new Error(`installVsix: ${vsix} does not exist (build it with \`npm run package\`)`);
  const args = ['--install-extension', path.resolve(vsix), '--force', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const result = spawnSync(executable, args, { env, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  fs.appendFileSync(logFile, `$ ${executable} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    throw new Error(`installing ${vsix} into code-server failed (${why})\n${tail(logFile, 20)}`);
  }
}

/** A copy of `source` in a fresh temp dir (removed by `remove()`, or on exit/SIGINT). */
export function copyToTemp(source: string, prefix = 'penny-workspace-'): { dir: string; remove(): void } {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(parent, path.basename(source));
  const remove = () => {
    unregister();
    fs.rmSync(parent, { recursive: true, force: true });
  };
  const unregister = onShutdown({ stop: async () => remove(), kill: () => fs.rmSync(parent, { recursive: true, force: true }) });
  try {
    fs.cpSync(source, dir, { recursive: true });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}
