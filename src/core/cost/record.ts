// The ledger's lines: a request record (what a request cost) or a use record (what became of its
// answer: a completion offered, accepted or typed through; an answer's code used; a rewrite applied),
// each one line of JSON, and the checks a line must pass to count. Pure: no files, no clock.

export type Feature = 'completion' | 'chat' | 'escalation';
export type Outcome = 'ok' | 'cancelled' | 'error' | 'cut' | 'stalled' | 'length';

export interface LedgerRecord {
  /**
   * Unique per request: what use records refer to and what an exporter de-duplicates by. Records of
   * Penny versions that wrote none get one derived from their line (stable across reads).
   */
  id: string;
  /** ISO 8601 UTC, when the request started. */
  time: string;
  feature: Feature;
  /** The VS Code language id of the code the request was about, when there was one (completions). */
  language?: string;
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

/** The fields of a record in the order they are written (and exported: the newer fields last, so old CSV columns keep their places). */
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
  'id',
  'language',
] as const satisfies readonly (keyof LedgerRecord)[];

/** What became of a request's answer. */
export type Use =
  /** A completion given to VS Code to show. */
  | 'offered'
  /** A completion accepted (Tab). */
  | 'accepted'
  /** More of a completion already accepted or typed through (its rest taken after its first lines): characters only. */
  | 'acceptedMore'
  /** A completion the user typed out themselves while it was shown. */
  | 'typedThrough'
  /** An answer's code used (copied, inserted, applied or opened as a new file), written once per answer. */
  | 'used'
  /** An escalated answer's rewrite applied to the code it was asked about. */
  | 'rewriteApplied';

export interface UseRecord {
  /** ISO 8601 UTC, when it happened. */
  time: string;
  use: Use;
  /** The `id` of the request record. */
  ref: string;
  /** The request's feature, model and language, so that tallies need not look the request up. */
  feature: Feature;
  model: string;
  language?: string;
  /** Characters accepted or typed through (completions). */
  chars?: number;
}

export const USE_FIELDS = ['time', 'use', 'ref', 'feature', 'model', 'language', 'chars'] as const satisfies readonly (keyof UseRecord)[];

/** A record read from a line, and its `time` in epoch milliseconds (already parsed by the checks). */
export interface ParsedRecord {
  record: LedgerRecord;
  timeMs: number;
}

export interface ParsedUse {
  use: UseRecord;
  timeMs: number;
}

export type ParsedLine = ParsedRecord | ParsedUse;

export function isRequestLine(parsed: ParsedLine): parsed is ParsedRecord {
  return 'record' in parsed;
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The record in one line, or undefined when the line is not a complete, well-formed record or use. */
export function parseLine(line: string): ParsedLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const timeMs = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
  if (!Number.isFinite(timeMs)) return undefined;
  if ('use' in r) return parseUse(r, timeMs);
  // Feature and outcome are checked as strings only: a newer Penny may write values this one does not
  // know, and their money must still count.
  const valid =
    isOptionalString(r.id) &&
    isOptionalString(r.language) &&
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
  if (!valid) return undefined;
  r.id ??= legacyId(line);
  return { record: value as LedgerRecord, timeMs };
}

function parseUse(r: Record<string, unknown>, timeMs: number): ParsedUse | undefined {
  const valid =
    typeof r.use === 'string' &&
    typeof r.ref === 'string' &&
    typeof r.feature === 'string' &&
    typeof r.model === 'string' &&
    isOptionalString(r.language) &&
    (r.chars === undefined || isCount(r.chars));
  return valid ? { use: r as unknown as UseRecord, timeMs } : undefined;
}

/** One line of JSON (without its '\n'): the record's own fields only, in a fixed order. */
export function serializeRecord(record: LedgerRecord): string {
  return serializeFields(record, RECORD_FIELDS);
}

export function serializeUse(use: UseRecord): string {
  return serializeFields(use, USE_FIELDS);
}

function serializeFields<T extends object>(value: T, fields: readonly (keyof T)[]): string {
  const ordered: Record<string, unknown> = {};
  for (const field of fields) ordered[field as string] = value[field];
  return JSON.stringify(ordered);
}

/** A new request record: a fresh id, and the language only when there is one (no `language: undefined`). */
export function newRequestRecord(fields: Omit<LedgerRecord, 'id'>, id = newRecordId()): LedgerRecord {
  const { language, ...rest } = fields;
  return { id, ...rest, ...(language === undefined ? {} : { language }) };
}

/** A new record id: 16 random bytes, hex (no clock, no machine in it). */
export function newRecordId(random: (bytes: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Array.from(random(16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** An id for a record written before records had ids: two 32-bit FNV-1a hashes of its line, so every read gives the same. */
export function legacyId(line: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
  }
  return `v0-${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
