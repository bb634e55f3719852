// Shared rig of the fault tests: the real OpenAIClient -> MeteredClient -> Ledger + CostMeter stack
// against the local mock server, in a temporary directory, with instant retries.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/cost/ledger';
import type { Feature, LedgerRecord } from '../../../src/core/cost/record';
import { PriceBook } from '../../../src/core/cost/pricing';
import { CostMeter } from '../../../src/core/costMeter';
import { MeteredClient, type MeteredResult, type RunOptions } from '../../../src/core/meteredClient';
import { OpenAIClient, type ChatRequest, type ClientOptions, type RetryNotice } from '../../../src/core/openaiClient';

/** A key that looks real: no user-facing text or file may ever contain it. */
export const API_KEY = 'sk-proj-PENNYfaultRIGsecret0123456789abcdefXYZ';

/** Rejects with a message naming what was awaited if `promise` has not settled within `ms`: nothing waits forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A base URL on 127.0.0.1 where nothing listens (a port that was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

/** MeteredClient that also keeps every result it returned, for the test to inspect. */
export class RecordingMetered extends MeteredClient {
  readonly results: MeteredResult[] = [];
  /** Calls of run() that have not returned yet. */
  inFlight = 0;
  peakInFlight = 0;

  override async run(feature: Feature, request: ChatRequest, options?: RunOptions): Promise<MeteredResult> {
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      const result = await super.run(feature, request, options);
      this.results.push(result);
      return result;
    } finally {
      this.inFlight--;
    }
  }
}

export interface Rig {
  dir: string;
  ledger: Ledger;
  meter: CostMeter;
  metered: RecordingMetered;
  /** Delays the client asked its (fake, instant) sleep for: its retries. */
  sleeps: number[];
  retries: RetryNotice[];
  ledgerWarnings: string[];
  ledgerErrors: string[];
  /** Longest ledger append so far, queueing included. */
  longestAppendMs(): number;
  /** A new client, pointed somewhere else (e.g. back at the live server after "connection refused"). */
  reconnect(url: string, overrides?: Partial<ClientOptions>): void;
  remove(): void;
}

export function makeRig(baseUrl: string, clientOptions: Partial<ClientOptions> = {}): Rig {
  const dir = mkdtempSync(path.join(tmpdir(), 'penny-faults-'));
  const sleeps: number[] = [];
  const retries: RetryNotice[] = [];
  const ledgerWarnings: string[] = [];
  const ledgerErrors: string[] = [];
  const ledger = new Ledger(path.join(dir, 'ledger'), { onWarning: (m) => ledgerWarnings.push(m) });
  const meter = new CostMeter();
  let longestAppend = 0;
  const append = ledger.append.bind(ledger);
  ledger.append = async (record) => {
    const started = Date.now();
    try {
      return await append(record);
    } finally {
      longestAppend = Math.max(longestAppend, Date.now() - started);
    }
  };
  const newClient = (url: string, overrides: Partial<ClientOptions> = {}) =>
    new OpenAIClient({
      baseUrl: url,
      apiKey: API_KEY,
      idleTimeoutMs: 5000,
      timeoutMs: 5000,
      maxRetries: 2,
      onRetry: (notice) => retries.push(notice),
      sleep: async (ms, signal) => {
        sleeps.push(ms);
        if (signal?.aborted) throw new Error('aborted');
      },
      ...clientOptions,
      ...overrides,
    });
  let client = newClient(baseUrl);
  const metered = new RecordingMetered({
    client: async () => client,
    priceBook: () => new PriceBook(),
    budget: () => ({ daily: null, monthly: null, enforce: false }),
    ledger,
    meter,
    onLedgerError: (m) => ledgerErrors.push(m),
  });
  return {
    dir,
    ledger,
    meter,
    metered,
    sleeps,
    retries,
    ledgerWarnings,
    ledgerErrors,
    longestAppendMs: () => longestAppend,
    reconnect: (url, overrides) => {
      client = newClient(url, overrides);
    },
    // A failed case may leave a conversation save running: retry rather than trip over it.
    remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 }),
  };
}

/** Every line of every ledger file, parsed: throws (failing the test) on any line that is not JSON. */
export function readLedgerLines(ledgerDir: string): LedgerRecord[] {
  let names: string[];
  try {
    names = readdirSync(ledgerDir);
  } catch {
    return [];
  }
  const records: LedgerRecord[] = [];
  for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
    const text = readFileSync(path.join(ledgerDir, name), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), `${name} ends with a complete line`);
    text
      .split('\n')
      .slice(0, -1)
      .forEach((line, index) => {
        try {
          records.push(JSON.parse(line) as LedgerRecord);
        } catch {
          assert.fail(`${name}:${index + 1} is not JSON: ${line.slice(0, 120)}`);
        }
      });
  }
  return records;
}

/** Text a user may see: plain words, no stack trace, no key. */
export function assertUserFacing(text: string | undefined, label: string): void {
  assert.ok(text && text.trim().length > 0, `${label}: a message is shown`);
  assert.doesNotMatch(text, /\n\s+at\s|\bat [\w.<>]+ \(.*:\d+:\d+\)|node:internal|\.js:\d+/, `${label}: no stack trace in "${text}"`);
  assert.ok(!text.includes(API_KEY), `${label}: the key never shows`);
  assert.doesNotMatch(text, /sk-proj-[A-Za-z0-9]{6,}|PENNYfaultRIG/, `${label}: not even part of the key, in "${text}"`);
  assert.doesNotMatch(text, /\[object Object\]|undefined|null/, `${label}: no placeholder garbage in "${text}"`);
}

/** The files of a directory tree, recursively, with their contents: nothing written may hold the key. */
export function assertNoKeyOnDisk(dir: string): void {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(API_KEY) && !text.includes('PENNYfaultRIG'), `${path.basename(file)} holds the API key`);
  }
}
