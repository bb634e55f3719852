// Benchmark: cost report over 100,000 ledger records, cold (a new Ledger reads the files) and warm.
// Run: node out/test/bench/ledgerReport.js   (after `node esbuild.mjs --tests`)
//
// The records span the last 45 days, so every one of them lies in the files a report must read: the
// worst case. They are written straight to the month files in the ledger's own line format (100,000
// appends one at a time would time the disk, not the report); a few real appends follow.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ledger } from '../../src/core/cost/ledger';
import type { LedgerRecord } from '../../src/core/cost/record';
import { PriceBook } from '../../src/core/cost/pricing';
import { randomLedgerRecord } from '../support/ledgerRecords';
import { mulberry32 } from '../support/random';

const RECORDS = 100_000;
const DAYS = 45;

/** Spread evenly over the last DAYS days. */
function makeRecords(now: Date): LedgerRecord[] {
  const next = mulberry32(2026);
  const prices = new PriceBook();
  const start = now.getTime() - DAYS * 86_400_000;
  const records: LedgerRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    records.push(randomLedgerRecord(new Date(start + ((now.getTime() - start) * i) / RECORDS), next, prices));
  }
  return records;
}

/** Writes the records into their month files, one JSON line each, as Ledger.append would. */
function writeMonthFiles(dir: string, records: LedgerRecord[]): void {
  const byMonth = new Map<string, string[]>();
  for (const record of records) {
    const month = record.time.slice(0, 7);
    const lines = byMonth.get(month) ?? [];
    lines.push(JSON.stringify(record));
    byMonth.set(month, lines);
  }
  for (const [month, lines] of byMonth) writeFileSync(path.join(dir, `ledger-${month}.jsonl`), lines.join('\n') + '\n');
}

/** Wall-clock and CPU milliseconds of `work` (CPU time is the fairer figure on a busy machine). */
async function timed<T>(work: () => Promise<T>): Promise<[T, Timing]> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await work();
  const cpu = process.cpuUsage(cpuStarted);
  return [result, { wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 }];
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'penny-bench-'));
  try {
    const now = new Date();
    const records = makeRecords(now);
    writeMonthFiles(dir, records);

    const rows: [string, Timing][] = [];
    const ledger = new Ledger(dir, { now: () => now });
    const [cold, coldMs] = await timed(() => ledger.report());
    rows.push(['report(), cold (new Ledger)', coldMs]);
    rows.push(['report(), warm', (await timed(() => ledger.report()))[1]]);
    rows.push(['report(), warm, again', (await timed(() => ledger.report()))[1]]);
    rows.push(['append() one record', (await timed(() => ledger.append({ ...records[RECORDS - 1], time: now.toISOString() })))[1]]);
    rows.push(['report() after that append', (await timed(() => ledger.report()))[1]]);
    rows.push(['totals() (budget check), warm', (await timed(() => ledger.totals()))[1]]);
    rows.push(['recent(50)', (await timed(() => ledger.recent(50)))[1]]);
    rows.push(['exportCsv(), all records', (await timed(() => ledger.exportCsv()))[1]]);
    const second = new Ledger(dir, { now: () => now });
    rows.push(['report(), cold again (new Ledger)', (await timed(() => second.report()))[1]]);

    const inReport = cold.byDay.reduce((sum, day) => sum + day.totals.requests, 0);
    console.log(`Ledger report benchmark: ${RECORDS.toLocaleString('en-US')} records over ${DAYS} days, Node ${process.version}`);
    console.log(
      `(last 30 days: ${inReport.toLocaleString('en-US')} requests, $${cold.byDay.reduce((sum, day) => sum + day.totals.usd, 0).toFixed(2)}; this month: $${cold.month.usd.toFixed(2)})`,
    );
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(`${'operation'.padEnd(width)}  ${'wall ms'.padStart(9)}  ${'CPU ms'.padStart(9)}`);
    console.log(`${'-'.repeat(width)}  ${'-'.repeat(9)}  ${'-'.repeat(9)}`);
    for (const [name, { wallMs, cpuMs }] of rows) {
      console.log(`${name.padEnd(width)}  ${wallMs.toFixed(2).padStart(9)}  ${cpuMs.toFixed(2).padStart(9)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
