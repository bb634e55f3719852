// One ledger record: its fields, the one line of JSON it is written as, and the checks a line must
// pass to count. Pure: no files, no clock.

export type Feature = 'completion' | 'chat' | 'escalation';
export type Outcome = 'ok' | 'cancelled' | 'error' | 'cut' | 'stalled' | 'length';

export interface LedgerRecord {
  /** ISO 8601 UTC, when the request started. */
  time: string;
  feature: Feature;
  /** The resolved model if the API said, else the requested one. */
  model: string;
  /** Service tier ('default' if unknown). */
  tier: string;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  /** null: price unknown. */
  costUsd: number | null;
  /** false: estimated (usage never arrived). */
  exact: boolean;
  latencyMs: number;
  outcome: Outcome;
}

/** The fields of a record in the order they are written (and exported). */
export const RECORD_FIELDS = [
  'time',
  'feature',
  'model',
  'tier',
  'promptTokens',
  'cachedTokens',
  'completionTokens',
  'costUsd',
  'exact',
  'latencyMs',
  'outcome',
] as const satisfies readonly (keyof LedgerRecord)[];

/** A record read from a line, and its `time` in epoch milliseconds (already parsed by the checks). */
export interface ParsedRecord {
  record: LedgerRecord;
  timeMs: number;
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The record in one line, or undefined when the line is not a complete, well-formed record. */
export function parseRecord(line: string): ParsedRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const timeMs = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
  // Feature and outcome are checked as strings only: a newer Penny may write values this one does not
  // know, and their money must still count.
  const valid =
    Number.isFinite(timeMs) &&
    typeof r.feature === 'string' &&
    typeof r.model === 'string' &&
    typeof r.tier === 'string' &&
    isCount(r.promptTokens) &&
    isCount(r.cachedTokens) &&
    isCount(r.completionTokens) &&
    (r.costUsd === null || isNonNegative(r.costUsd)) &&
    typeof r.exact === 'boolean' &&
    isNonNegative(r.latencyMs) &&
    typeof r.outcome === 'string';
  return valid ? { record: value as LedgerRecord, timeMs } : undefined;
}

/** One line of JSON (without its '\n'): the record's own fields only, in a fixed order. */
export function serializeRecord(record: LedgerRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) ordered[field] = record[field];
  return JSON.stringify(ordered);
}
