// Shared helpers of the cost tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LedgerRecord } from '../../../src/core/cost/record';

/** Rejects with `message` if `promise` has not settled within `ms`: no test waits forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${message}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'penny-cost-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let recordCount = 0;

/** A plausible record with an id of its own; `overrides` pick what a test is about. */
export function makeRecord(overrides: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    time: '2026-11-25T12:00:00.000Z',
    feature: 'chat',
    model: 'gpt-4o-mini-2024-07-18',
    tier: 'default',
    promptTokens: 1000,
    cachedTokens: 0,
    completionTokens: 100,
    costUsd: 0.00021,
    exact: true,
    latencyMs: 850,
    outcome: 'ok',
    id: `record-${++recordCount}`,
    ...overrides,
  };
}
