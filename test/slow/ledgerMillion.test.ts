// A ledger of 1,000,000 records: report() completes and adds up, old months are pruned to keepMonths,
// and memory stays bounded. Then one month file longer than V8's longest string: report() still reads
// it, in memory far below its size. The records are written straight to the month files in the
// ledger's own line format (a million appends would time the disk, not the ledger); report() then runs
// in a fresh child process, which times it cold (first read) and warm (cached tallies) and measures its
// memory. No absolute time is asserted: the timings are printed.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { constants } from 'node:buffer';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serializeRecord, type LedgerRecord } from '../../src/core/cost/record';
import type { Totals } from '../../src/core/cost/tallies';
import { PriceBook, usdToUnits } from '../../src/core/cost/pricing';
import type { ChildReport } from './fixtures/ledgerReportChild';
import { randomLedgerRecord } from '../support/ledgerRecords';
import { mulberry32 } from '../support/random';

const RECORDS = 1_000_000;
const KEEP_MONTHS = 13;
/** A fixed "now", mid-month, so the scenario is the same whenever it runs. */
const NOW = new Date('2026-11-20T12:00:00.000Z');
const REPORT_DAYS = 30;

const pad2 = (n: number) => String(n).padStart(2, '0');
const localDay = (d: Date) => `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
const utcMonth = (d: Date) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}`;

/** What the report must say, tallied independently while the records are made (money in nano-dollars). */
class Expected {
  private readonly tallies = new Map<string, { units: number; requests: number; unpriced: number; estimatedUnits: number }>();
  readonly today = localDay(NOW);
  readonly month = this.today.slice(0, 7);
  readonly windowDays = new Set(Array.from({ length: REPORT_DAYS }, (_, back) => localDay(new Date(NOW.getFullYear(), NOW.getMonth(), NOW.getDate() - back))));

  add(record: LedgerRecord, day: string): void {
    const keys: string[] = [];
    if (this.windowDays.has(day)) keys.push(`day:${day}`);
    if (day === this.today) keys.push('today');
    if (day.startsWith(this.month)) keys.push('month', `model:${record.model}`, `feature:${record.feature}`);
    for (const key of keys) {
      let tally = this.tallies.get(key);
      if (!tally) this.tallies.set(key, (tally = { units: 0, requests: 0, unpriced: 0, estimatedUnits: 0 }));
      tally.requests++;
      if (record.costUsd === null) tally.unpriced++;
      else {
        const units = usdToUnits(record.costUsd);
        tally.units += units;
        if (!record.exact) tally.estimatedUnits += units;
      }
    }
  }

  check(actual: Totals | undefined, key: string): void {
    const tally = this.tallies.get(key) ?? { units: 0, requests: 0, unpriced: 0, estimatedUnits: 0 };
    assert.ok(actual, `the report has ${key}`);
    assert.deepEqual(
      { requests: actual.requests, units: usdToUnits(actual.usd), unpriced: actual.unpriced, estimatedUnits: usdToUnits(actual.estimatedUsd) },
      { requests: tally.requests, units: tally.units, unpriced: tally.unpriced, estimatedUnits: tally.estimatedUnits },
      key,
    );
  }

  keys(prefix: string): string[] {
    return [...this.tallies.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}

interface Written {
  expected: Expected;
  files: string[];
  records: number;
  bytes: number;
  writeMs: number;
}

/** What the ledger's serializer writes (JSON.stringify with this key order), built directly: faster. */
function lineOf(r: LedgerRecord): string {
  return `{"time":"${r.time}","feature":"${r.feature}","model":"${r.model}","tier":"${r.tier}","promptTokens":${r.promptTokens},"cachedTokens":${r.cachedTokens},"completionTokens":${r.completionTokens},"costUsd":${r.costUsd},"exact":${r.exact},"latencyMs":${r.latencyMs},"outcome":"${r.outcome}","id":"${r.id}"}`;
}

/**
 * Writes RECORDS records spread evenly in time over [from, NOW], one file per UTC month in the ledger's
 * exact line format; returns what the report must show and the file names written.
 */
function writeLedger(dir: string, from: Date): Written {
  const started = Date.now();
  const next = mulberry32(1_000_000);
  const prices = new PriceBook();
  const expected = new Expected();
  const files: string[] = [];
  let bytes = 0;
  let month = '';
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const file = `ledger-${month}.jsonl`;
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path.join(dir, file), text);
    files.push(file);
    bytes += text.length;
    lines = [];
  };
  const span = NOW.getTime() - from.getTime();
  for (let i = 0; i < RECORDS; i++) {
    const time = new Date(from.getTime() + Math.floor((span * i) / RECORDS));
    const record = randomLedgerRecord(time, next, prices);
    const recordMonth = utcMonth(time);
    if (recordMonth !== month) {
      flush();
      month = recordMonth;
    }
    lines.push(lineOf(record));
    if (i === 0) assert.equal(lines[0], serializeRecord(record), 'the generated line is exactly what the ledger writes');
    expected.add(record, localDay(time));
  }
  flush();
  return { expected, files, records: RECORDS, bytes, writeMs: Date.now() - started };
}

/**
 * Writes this month's file past `minBytes`: one block of records, each padded by a field this Penny
 * does not know (a newer one may add fields) to ~4 KB, repeated. Few records make a large file, so
 * the test times the reading rather than a few million JSON.parse calls.
 */
function writeOversizedMonth(dir: string, minBytes: number): Written {
  const started = Date.now();
  const next = mulberry32(4096);
  const prices = new PriceBook();
  const monthStart = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), 1);
  const block = Array.from({ length: 1000 }, (_, i) =>
    randomLedgerRecord(new Date(monthStart + Math.floor(((NOW.getTime() - monthStart) * i) / 1000)), next, prices),
  );
  const padding = `,"note":"${'x'.repeat(4000)}"}`;
  const bytes = Buffer.from(block.map((record) => `${lineOf(record).slice(0, -1)}${padding}\n`).join(''));
  const file = `ledger-${utcMonth(NOW)}.jsonl`;
  const expected = new Expected();
  let written = 0;
  const fd = openSync(path.join(dir, file), 'w');
  try {
    while (written < minBytes) {
      writeSync(fd, bytes);
      written += bytes.length;
      for (const record of block) expected.add(record, localDay(new Date(record.time)));
    }
  } finally {
    closeSync(fd);
  }
  return { expected, files: [file], records: (written / bytes.length) * block.length, bytes: written, writeMs: Date.now() - started };
}

function runChild(dir: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'fixtures', 'ledgerReportChild.js'), [dir, NOW.toISOString(), String(KEEP_MONTHS)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: ChildReport | undefined;
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (message) => (result = message as ChildReport));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('hang: the report child did not finish within 150 s'));
    }, 150_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`the report child failed (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

function checkReport(child: ChildReport, expected: Expected): void {
  expected.check(child.report.today, 'today');
  expected.check(child.report.month, 'month');
  assert.equal(child.report.byDay.length, REPORT_DAYS);
  for (const { day, totals } of child.report.byDay) expected.check(totals, `day:${day}`);
  assert.deepEqual(Object.keys(child.report.byModel).sort(), expected.keys('model:').sort());
  for (const [model, totals] of Object.entries(child.report.byModel)) expected.check(totals, `model:${model}`);
  assert.deepEqual(Object.keys(child.report.byFeature).sort(), expected.keys('feature:').sort());
  for (const [feature, totals] of Object.entries(child.report.byFeature)) expected.check(totals, `feature:${feature}`);
}

function print(label: string, written: Written, child: ChildReport): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(
    [
      `      ${label}: ${written.records.toLocaleString('en-US')} records, ${written.files.length} month files, ${(written.bytes / 1048576).toFixed(0)} MB (written in ${written.writeMs} ms)`,
      `      report() cold ${ms(child.coldMs)}, warm ${ms(child.warmMs)}, after an append ${ms(child.afterAppendMs)}, a second Ledger cold ${ms(child.secondInstanceColdMs)}; recent(100) ${ms(child.recentMs)}`,
      `      files kept ${child.filesAfter.length} of ${child.filesBefore.length}; month ${child.report.month.requests.toLocaleString('en-US')} requests, $${child.report.month.usd.toFixed(2)}`,
      `      memory: peak RSS ${child.peakRssMb.toFixed(0)} MB (process start ${child.baselineRssMb.toFixed(0)} MB), heap kept by the ledger ${child.heapRetainedMb.toFixed(2)} MB`,
    ].join('\n'),
  );
}

describe('a ledger of a million records', function () {
  this.timeout(240_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'penny-million-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('over 15 months: report() completes and adds up, old months pruned to keepMonths, memory bounded', async () => {
    const written = writeLedger(dir, new Date('2025-09-01T00:00:00.000Z'));
    assert.equal(written.files.length, 15);
    const child = await runChild(dir);
    print('15 months', written, child);

    // Files bounded: one per month, the two beyond keepMonths deleted.
    assert.deepEqual(child.filesBefore, written.files);
    assert.equal(child.filesAfter.length, KEEP_MONTHS);
    assert.deepEqual(child.filesAfter, written.files.slice(2), 'the two oldest months are gone, nothing else was touched');
    for (const file of child.filesAfter) assert.ok(statSync(path.join(dir, file)).size < 32 * 1048576, `${file} is one month's worth`);

    checkReport(child, written.expected);
    assert.deepEqual(child.warnings, []);
    assert.equal(child.recentCount, 100);
    // A report needs this month and the one before; its cache is per-day tallies, not records.
    assert.ok(child.heapRetainedMb < 20, `the ledger keeps ${child.heapRetainedMb.toFixed(1)} MB of heap after the report`);
    assert.ok(child.peakRssMb - child.baselineRssMb < 600, `peak RSS rose ${(child.peakRssMb - child.baselineRssMb).toFixed(0)} MB`);
  });

  it('all in this month (one ~230 MB file): report() completes and adds up, memory bounded', async () => {
    const written = writeLedger(dir, new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), 1)));
    assert.equal(written.files.length, 1);
    const child = await runChild(dir);
    print('one month', written, child);
    assert.deepEqual(child.filesAfter, written.files);
    checkReport(child, written.expected);
    assert.deepEqual(child.warnings, []);
    assert.ok(child.heapRetainedMb < 20, `the ledger keeps ${child.heapRetainedMb.toFixed(1)} MB of heap after the report`);
    // The file is read a chunk at a time: what memory grows by is garbage the heap has not returned yet.
    assert.ok(child.peakRssMb - child.baselineRssMb < 400, `peak RSS rose ${(child.peakRssMb - child.baselineRssMb).toFixed(0)} MB`);
  });
});

describe("a month file longer than V8's longest string", function () {
  this.timeout(240_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'penny-oversized-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('report() reads it and adds up, its memory far below the file size', async () => {
    const written = writeOversizedMonth(dir, constants.MAX_STRING_LENGTH + 64 * 1048576);
    const child = await runChild(dir);
    print('oversized month', written, child);
    checkReport(child, written.expected);
    assert.deepEqual(child.warnings, []);
    const rise = child.peakRssMb - child.baselineRssMb;
    assert.ok(rise < written.bytes / 1048576 / 2, `peak RSS rose ${rise.toFixed(0)} MB reading a ${(written.bytes / 1048576).toFixed(0)} MB file`);
  });
});
