import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/cost/ledger';
import type { LedgerRecord } from '../../../src/core/cost/record';
import type { CostReport, Totals } from '../../../src/core/cost/tallies';
import { mulberry32 } from '../../support/random';
import { makeRecord, tempDir, withTimeout } from './helpers';

/** Local time (the ledger groups by the local day), as the ISO UTC string a record holds. */
function localIso(year: number, month: number, day: number, hour = 12, minute = 0, second = 0): string {
  return new Date(year, month - 1, day, hour, minute, second).toISOString();
}

/** Local noon, `daysBack` days before 25 Nov 2026. */
function daysAgo(daysBack: number, hour = 12): string {
  return new Date(2026, 10, 25 - daysBack, hour).toISOString();
}

const NOW = new Date(2026, 10, 25, 15, 0, 0); // 25 Nov 2026, 15:00 local

function totals(usd: number, requests: number, unpriced = 0, estimatedUsd = 0): Totals {
  return { usd, requests, unpriced, estimatedUsd };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n');
}

describe('Ledger', function () {
  this.timeout(30_000); // real file I/O: generous on a busy machine
  let dir: string;
  let remove: () => void;
  let warnings: string[];
  const open = (options: { now?: () => Date; keepMonths?: number; readChunkBytes?: number } = {}): Ledger =>
    new Ledger(dir, { now: () => NOW, onWarning: (message) => warnings.push(message), ...options });

  beforeEach(() => {
    ({ dir, remove } = tempDir());
    dir = path.join(dir, 'nested', 'ledger'); // the ledger creates its directory
    warnings = [];
  });
  afterEach(() => remove());

  it('reads back what it wrote, newest first, one JSON line per record', async () => {
    const ledger = open();
    const records = [
      makeRecord({ time: daysAgo(0, 9), latencyMs: 1 }),
      makeRecord({ time: daysAgo(0, 10), latencyMs: 2, feature: 'completion', outcome: 'cancelled', exact: false }),
      makeRecord({ time: daysAgo(0, 11), latencyMs: 3, costUsd: null, model: 'llama3.1' }),
    ];
    for (const record of records) await ledger.append(record);
    assert.deepEqual(await ledger.recent(10), [...records].reverse());
    assert.deepEqual(await ledger.recent(2), [records[2], records[1]]);
    assert.deepEqual(await ledger.recent(0), []);

    const file = path.join(dir, 'ledger-2026-11.jsonl');
    const written = lines(file);
    assert.equal(written.length, 4, 'three lines and the final newline');
    assert.equal(written[3], '');
    assert.deepEqual(
      written.slice(0, 3).map((line) => JSON.parse(line)),
      records,
    );
    assert.deepEqual(Object.keys(JSON.parse(written[0])), Object.keys(makeRecord()), 'a fixed key order');
    assert.deepEqual(warnings, []);
  });

  it('writes only the record fields', async () => {
    const ledger = open();
    await ledger.append({ ...makeRecord(), apiKey: 'sk-secret' } as LedgerRecord);
    assert.doesNotMatch(readFileSync(path.join(dir, 'ledger-2026-11.jsonl'), 'utf8'), /sk-secret/);
  });

  it('reports nothing, without error, before anything was written', async () => {
    const report = await open().report();
    assert.deepEqual(report.today, totals(0, 0));
    assert.deepEqual(report.month, totals(0, 0));
    assert.equal(report.byDay.length, 30);
    assert.deepEqual(report.byModel, {});
    assert.deepEqual(report.byFeature, {});
    assert.deepEqual(await open().recent(5), []);
    assert.equal(
      await open().exportCsv(),
      'time,feature,model,tier,promptTokens,cachedTokens,completionTokens,costUsd,exact,latencyMs,outcome,id,language\r\n',
    );
  });

  it('rejects a record that would not read back, and keeps working', async () => {
    const ledger = open();
    await assert.rejects(ledger.append(makeRecord({ latencyMs: NaN })), TypeError);
    await assert.rejects(ledger.append(makeRecord({ time: 'yesterday' })), TypeError);
    await assert.rejects(ledger.append(makeRecord({ promptTokens: 1.5 })), TypeError);
    await ledger.append(makeRecord({ time: daysAgo(0) }));
    assert.equal((await ledger.report()).today.requests, 1);
  });

  describe('totals', () => {
    const records: LedgerRecord[] = [
      // today: 2 priced chats (mini), an escalation (gpt-4o), an estimated cancelled completion, an unpriced chat
      makeRecord({ time: daysAgo(0, 9), costUsd: 0.00021 }),
      makeRecord({ time: daysAgo(0, 10), costUsd: 0.00042 }),
      makeRecord({ time: daysAgo(0, 11), feature: 'escalation', model: 'gpt-4o-2024-08-06', costUsd: 0.0125 }),
      makeRecord({ time: daysAgo(0, 12), feature: 'completion', costUsd: 0.000033, exact: false, outcome: 'cancelled' }),
      makeRecord({ time: daysAgo(0, 13), model: 'llama3.1', costUsd: null }),
      // earlier this month
      makeRecord({ time: daysAgo(1), feature: 'completion', costUsd: 0.001 }),
      makeRecord({ time: daysAgo(10), costUsd: 0.002, exact: false, outcome: 'stalled' }),
      // last month, inside the 30 days
      makeRecord({ time: daysAgo(27), costUsd: 0.5 }),
      // outside everything
      makeRecord({ time: daysAgo(35), costUsd: 7 }),
    ];

    async function check(ledger: Ledger): Promise<void> {
      const report = await ledger.report();
      assert.deepEqual(report.today, totals(0.013163, 5, 1, 0.000033));
      assert.deepEqual(report.month, totals(0.016163, 7, 1, 0.002033));
      assert.equal(report.byDay.length, 30);
      assert.equal(report.byDay[0].day, '2026-10-27');
      assert.equal(report.byDay[29].day, '2026-11-25');
      assert.deepEqual(report.byDay[29].totals, report.today);
      assert.deepEqual(report.byDay[28], { day: '2026-11-24', totals: totals(0.001, 1) });
      assert.deepEqual(report.byDay[19], { day: '2026-11-15', totals: totals(0.002, 1, 0, 0.002) });
      assert.deepEqual(report.byDay[2], { day: '2026-10-29', totals: totals(0.5, 1) });
      assert.deepEqual(report.byDay[3], { day: '2026-10-30', totals: totals(0, 0) }, 'days without requests are listed');
      assert.deepEqual(report.byModel, {
        'gpt-4o-mini-2024-07-18': totals(0.003663, 5, 0, 0.002033),
        'gpt-4o-2024-08-06': totals(0.0125, 1),
        'llama3.1': totals(0, 1, 1),
      });
      assert.deepEqual(report.byFeature, {
        chat: totals(0.00263, 4, 1, 0.002),
        escalation: totals(0.0125, 1),
        completion: totals(0.001033, 2, 0, 0.000033),
      });
      const { today, month, todayByFeature } = await ledger.totals();
      assert.equal(today.usd, 0.013163);
      assert.equal(month.usd, 0.016163);
      assert.deepEqual({ today, month }, { today: report.today, month: report.month }, 'the totals agree with the report');
      assert.deepEqual(todayByFeature, { chat: 0.00063, escalation: 0.0125, completion: 0.000033 });
    }

    it('adds up today, this month, the last 30 days, by model and by feature', async () => {
      const ledger = open();
      for (const record of records) await ledger.append(record);
      await check(ledger); // kept up to date by the appends
      await check(open()); // read cold from the files
      assert.deepEqual(
        readdirSync(dir).sort(),
        ['ledger-2026-10.jsonl', 'ledger-2026-11.jsonl'],
        'one file per month; the October record 35 days back is still kept',
      );
    });

    it('updates a warm report on append, and sees what another window appended', async () => {
      const ledger = open();
      const otherWindow = open();
      assert.equal((await ledger.report()).today.requests, 0);
      await ledger.append(makeRecord({ time: daysAgo(0), costUsd: 0.25 }));
      assert.deepEqual((await ledger.report()).today, totals(0.25, 1));
      await otherWindow.append(makeRecord({ time: daysAgo(0), costUsd: 0.5 }));
      assert.deepEqual((await ledger.report()).today, totals(0.75, 2));
      await ledger.append(makeRecord({ time: daysAgo(0), costUsd: 1 }));
      assert.deepEqual((await ledger.report()).today, totals(1.75, 3));
      assert.deepEqual((await otherWindow.report()).today, totals(1.75, 3));
    });

    it('splits days at local midnight', async () => {
      const ledger = open();
      await ledger.append(makeRecord({ time: localIso(2026, 11, 24, 23, 59, 59), costUsd: 1 }));
      await ledger.append(makeRecord({ time: localIso(2026, 11, 25, 0, 0, 0), costUsd: 2 }));
      await ledger.append(makeRecord({ time: localIso(2026, 10, 31, 23, 59, 59), costUsd: 4 }));
      await ledger.append(makeRecord({ time: localIso(2026, 11, 1, 0, 0, 0), costUsd: 8 }));
      const report = await ledger.report();
      assert.equal(report.today.usd, 2);
      assert.equal(report.byDay[28].totals.usd, 1);
      assert.equal(report.month.usd, 11, 'this local month starts at local midnight on the 1st');
      assert.equal(report.byDay.find((d) => d.day === '2026-10-31')?.totals.usd, 4);
    });

    // CI runs in UTC, where local and UTC days coincide: check zones where they do not, in child processes.
    for (const [zone, lastSecondOfNov30, firstSecondOfDec1] of [
      ['Asia/Kathmandu', '2026-11-30T18:14:59Z', '2026-11-30T18:15:00Z'], // +05:45: both in the November file
      ['America/St_Johns', '2026-12-01T03:29:59Z', '2026-12-01T03:30:00Z'], // -03:30: both in the December file
    ]) {
      it(`splits days and months at local midnight in ${zone}`, () => {
        const script = `
          const { Ledger } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/cost/ledger.js'))});
          const record = ${JSON.stringify(makeRecord())};
          const now = new Date(Date.parse(${JSON.stringify(firstSecondOfDec1)}) + 30 * 60_000);
          const ledger = new Ledger(process.argv[1], { now: () => now });
          (async () => {
            await ledger.append({ ...record, time: new Date(${JSON.stringify(lastSecondOfNov30)}).toISOString(), costUsd: 1 });
            await ledger.append({ ...record, time: new Date(${JSON.stringify(firstSecondOfDec1)}).toISOString(), costUsd: 2 });
            const report = await ledger.report();
            console.log(JSON.stringify({ today: report.today.usd, month: report.month.usd, lastDays: report.byDay.slice(-2).map((d) => [d.day, d.totals.usd]) }));
          })();`;
        const result = spawnSync(process.execPath, ['-e', script, dir], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TZ: zone } });
        assert.equal(result.status, 0, `child failed: ${result.stderr}`);
        assert.deepEqual(JSON.parse(result.stdout), {
          today: 2,
          month: 2,
          lastDays: [
            ['2026-11-30', 1],
            ['2026-12-01', 2],
          ],
        });
      });
    }

    it('sums exactly', async () => {
      const ledger = open();
      await Promise.all(Array.from({ length: 300 }, () => ledger.append(makeRecord({ time: daysAgo(0), costUsd: 0.0000001 }))));
      assert.equal((await ledger.report()).today.usd, 0.00003);
      assert.equal((await open().report()).today.usd, 0.00003);
    });
  });

  describe('damaged files', () => {
    const file = (): string => path.join(dir, 'ledger-2026-11.jsonl');
    const line = (record: LedgerRecord): string => `${JSON.stringify(record)}\n`;

    it('skips a torn last line with one warning, and the next append starts a new line', async () => {
      mkdirSync(dir, { recursive: true });
      const first = makeRecord({ time: daysAgo(0, 9), costUsd: 1 });
      const second = makeRecord({ time: daysAgo(0, 10), costUsd: 2 });
      writeFileSync(file(), line(first) + line(second) + line(makeRecord()).slice(0, 60));

      const ledger = open();
      assert.deepEqual((await ledger.report()).today, totals(3, 2));
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0].includes(file()) && warnings[0].includes('line 3'), warnings[0]);

      const third = makeRecord({ time: daysAgo(0, 11), costUsd: 4 });
      await ledger.append(third);
      assert.deepEqual((await ledger.report()).today, totals(7, 3));
      assert.deepEqual(await ledger.recent(5), [third, second, first]);
      assert.equal(warnings.length, 1, 'the same torn line is not reported again');
      const written = lines(file());
      assert.equal(written.length, 5);
      assert.deepEqual(JSON.parse(written[3]), third, 'the new record is on its own line');

      const fresh: string[] = [];
      const reopened = new Ledger(dir, { now: () => NOW, onWarning: (message) => fresh.push(message) });
      assert.deepEqual((await reopened.report()).today, totals(7, 3));
      assert.equal(fresh.length, 1);
      assert.match(fresh[0], /line 3/);
    });

    it('skips corrupt lines in the middle, one warning each', async () => {
      mkdirSync(dir, { recursive: true });
      const { costUsd: _dropped, ...withoutCost } = makeRecord();
      writeFileSync(
        file(),
        [
          line(makeRecord({ costUsd: 1, time: daysAgo(0) })),
          'this is not json\n',
          line(makeRecord({ costUsd: 2, time: daysAgo(0) })),
          `${JSON.stringify(withoutCost)}\n`,
          '\n',
          `${JSON.stringify({ ...makeRecord(), promptTokens: -1 })}\n`,
          '[1,2,3]\n',
          line(makeRecord({ costUsd: 4, time: daysAgo(0) })),
        ].join(''),
      );
      const ledger = open();
      assert.deepEqual((await ledger.report()).today, totals(7, 3));
      assert.equal(warnings.length, 4);
      for (const [index, lineNumber] of [2, 4, 6, 7].entries()) {
        assert.ok(warnings[index].includes(`ledger-2026-11.jsonl, line ${lineNumber}.`), warnings[index]);
      }
      assert.equal((await ledger.recent(10)).length, 3);
      assert.equal(warnings.length, 4, 'reading again warns no more');
      await ledger.append(makeRecord({ costUsd: 8, time: daysAgo(0) }));
      assert.equal((await ledger.report()).today.usd, 15);
    });

    it('summarizes a file full of garbage instead of warning per line', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file(), 'garbage\n'.repeat(1000) + line(makeRecord({ costUsd: 1, time: daysAgo(0) })));
      assert.deepEqual((await open().report()).today, totals(1, 1));
      assert.equal(warnings.length, 6);
      assert.match(warnings[5], /995 more corrupt lines/);
    });

    it('counts a complete record that only lacks its newline, once', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file(), line(makeRecord({ costUsd: 1, time: daysAgo(0) })) + JSON.stringify(makeRecord({ costUsd: 2, time: daysAgo(0) })));
      const ledger = open();
      assert.deepEqual((await ledger.report()).today, totals(3, 2));
      await ledger.append(makeRecord({ costUsd: 4, time: daysAgo(0) }));
      assert.deepEqual((await ledger.report()).today, totals(7, 3));
      assert.deepEqual((await open().report()).today, totals(7, 3));
      assert.deepEqual(warnings, []);
    });

    it('lists the newest records of a large file, numbering a corrupt line deep inside it', async () => {
      mkdirSync(dir, { recursive: true });
      const body = Array.from({ length: 2000 }, (_, i) => line(makeRecord({ time: daysAgo(0), latencyMs: i + 1 })));
      body.splice(1500, 0, '{"torn": \n');
      writeFileSync(file(), body.join(''));
      const ledger = open();
      assert.deepEqual(
        (await ledger.recent(3)).map((r) => r.latencyMs),
        [2000, 1999, 1998],
      );
      assert.deepEqual(warnings, []);
      const all = await ledger.recent(5000);
      assert.deepEqual(
        all.map((r) => r.latencyMs),
        Array.from({ length: 2000 }, (_, i) => 2000 - i),
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /line 1501\./);
      warnings.length = 0;
      await open({ readChunkBytes: 1000 }).recent(5000);
      assert.match(warnings[0], /line 1501\./, 'the lines before the window are counted in chunks too');
    });

    it('starts over when a file shrinks', async () => {
      const ledger = open();
      await ledger.append(makeRecord({ costUsd: 1, time: daysAgo(0) }));
      await ledger.append(makeRecord({ costUsd: 2, time: daysAgo(0) }));
      assert.equal((await ledger.report()).today.usd, 3);
      writeFileSync(file(), line(makeRecord({ costUsd: 4, time: daysAgo(0) })));
      assert.deepEqual((await ledger.report()).today, totals(4, 1));
    });
  });

  describe('reading in chunks', () => {
    const file = (): string => path.join(dir, 'ledger-2026-11.jsonl');
    const line = (record: LedgerRecord): string => `${JSON.stringify(record)}\n`;
    const unicodeModels = ['modèle-é', '模型', 'rocket-🚀', 'ünïcødé 🚀🚀'];

    it('decodes lines and characters that straddle two reads', async () => {
      mkdirSync(dir, { recursive: true });
      // Each round shifts every character one byte further, so each straddles a 7-byte read in some round.
      for (let shift = 1; shift <= 7; shift++) {
        const padding = 'p'.repeat(shift);
        writeFileSync(
          file(),
          [
            line(makeRecord({ time: daysAgo(0), model: padding, costUsd: 8 })),
            ...unicodeModels.map((model, i) => line(makeRecord({ time: daysAgo(0), model, costUsd: i + 1 }))),
          ].join(''),
        );
        const report = await open({ readChunkBytes: 7 }).report();
        assert.deepEqual(report.byModel, {
          [padding]: totals(8, 1),
          'modèle-é': totals(1, 1),
          模型: totals(2, 1),
          'rocket-🚀': totals(3, 1),
          'ünïcødé 🚀🚀': totals(4, 1),
        });
        assert.equal(await open({ readChunkBytes: 7 }).exportCsv(), await open().exportCsv());
      }
      assert.deepEqual(warnings, []);
    });

    it('counts a line torn mid-character once another window completes it, exactly once', async () => {
      mkdirSync(dir, { recursive: true });
      const growing = Buffer.from(line(makeRecord({ time: daysAgo(0, 10), model: 'rocket-🚀', costUsd: 2 })));
      const midRocket = growing.indexOf(Buffer.from('🚀')) + 2;
      writeFileSync(file(), Buffer.concat([Buffer.from(line(makeRecord({ time: daysAgo(0, 9), costUsd: 1 }))), growing.subarray(0, midRocket)]));

      const ledger = open({ readChunkBytes: 7 });
      assert.deepEqual((await ledger.report()).today, totals(1, 1));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /an incomplete line .*, line 2\./);

      appendFileSync(file(), growing.subarray(midRocket, growing.length - 1));
      assert.deepEqual((await ledger.report()).byModel['rocket-🚀'], totals(2, 1), 'whole but for its newline: counted');
      appendFileSync(file(), '\n');
      assert.deepEqual((await ledger.report()).today, totals(3, 2), 'its newline does not count it again');
      await ledger.append(makeRecord({ time: daysAgo(0, 11), costUsd: 4 }));
      assert.deepEqual((await ledger.report()).today, totals(7, 3));
      assert.deepEqual((await open({ readChunkBytes: 7 }).report()).today, totals(7, 3));
      assert.equal(warnings.length, 1);
    });

    it('skips corrupt lines in the middle with the same warnings at any chunk size', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        file(),
        [
          line(makeRecord({ costUsd: 1, time: daysAgo(0) })),
          'this is not json\n',
          line(makeRecord({ costUsd: 2, time: daysAgo(0), model: '模型' })),
          '{"torn": "模\n',
          '\n',
          '[1,2,3]\n',
          line(makeRecord({ costUsd: 4, time: daysAgo(0) })),
        ].join(''),
      );
      const warnedLines = (): (string | undefined)[] => warnings.splice(0).map((warning) => /line (\d+)\.$/.exec(warning)?.[1]);
      for (const readChunkBytes of [1, 7, 64]) {
        assert.deepEqual((await open({ readChunkBytes }).report()).today, totals(7, 3), `chunk ${readChunkBytes}`);
        assert.deepEqual(warnedLines(), ['2', '4', '6'], `report, chunk ${readChunkBytes}`);
        assert.equal((await open({ readChunkBytes }).exportCsv()).split('\r\n').length, 1 + 3 + 1, 'header, three records, final line end');
        assert.deepEqual(warnedLines(), ['2', '4', '6'], `export, chunk ${readChunkBytes}`);
      }
    });

    it('reports the same with any chunk size, whether it reads a file whole or while it is written', async () => {
      mkdirSync(dir, { recursive: true });
      const next = mulberry32(20261125);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
      const models = ['gpt-4o-mini-2024-07-18', ...unicodeModels, `long-${'x'.repeat(300)}`];
      let valid = 0;
      let unpriced = 0;
      const text = Array.from({ length: 150 }, () => {
        const roll = next();
        if (roll < 0.03) return 'not json\n';
        if (roll < 0.05) return '\n';
        const record = makeRecord({
          time: daysAgo(Math.floor(next() * 30), Math.floor(next() * 24)),
          feature: pick(['completion', 'chat', 'escalation'] as const),
          model: pick(models),
          costUsd: next() < 0.1 ? null : Math.floor(next() * 1e6) / 1e9,
          exact: next() < 0.9,
        });
        if (roll < 0.07) return `${line(record).slice(0, 1 + Math.floor(next() * 100))}\n`; // torn by a crash, then appended after
        valid++;
        if (record.costUsd === null) unpriced++;
        return line(record);
      }).join('');

      const chunkSizes = [7, 64, undefined];
      const readers = chunkSizes.map((readChunkBytes) => {
        const seen: string[] = [];
        return { seen, ledger: new Ledger(dir, { now: () => NOW, readChunkBytes, onWarning: (message) => seen.push(message) }) };
      });
      // Written in bursts that end anywhere, mid-line and mid-character included, each read as it lands.
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length;) {
        const burst = bytes.subarray(written, written + 1 + Math.floor(next() * 3000));
        appendFileSync(file(), burst);
        written += burst.length;
        const reports: CostReport[] = [];
        for (const { ledger } of readers) reports.push(await ledger.report());
        for (const [i, report] of reports.entries()) assert.deepEqual(report, reports[0], `chunk ${chunkSizes[i]} after ${written} bytes`);
      }

      const final = await readers[0].ledger.report();
      const byDay = final.byDay.reduce((sum, day) => ({ requests: sum.requests + day.totals.requests, unpriced: sum.unpriced + day.totals.unpriced }), {
        requests: 0,
        unpriced: 0,
      });
      assert.deepEqual(byDay, { requests: valid, unpriced });
      for (const readChunkBytes of chunkSizes) assert.deepEqual(await open({ readChunkBytes }).report(), final, `cold, chunk ${readChunkBytes}`);
      for (const { seen } of readers) assert.deepEqual(seen, readers[0].seen);
      assert.ok(readers[0].seen.length > 0, 'the corrupt lines were reported');
      assert.equal(await open({ readChunkBytes: 64 }).exportCsv(), await open().exportCsv());
    });
  });

  describe('months', () => {
    it('rotates to a new file each UTC month', async () => {
      let now = new Date(2026, 10, 25, 12);
      const ledger = open({ now: () => now });
      await ledger.append(makeRecord({ time: localIso(2026, 11, 25), costUsd: 1 }));
      now = new Date(2026, 11, 2, 12);
      await ledger.append(makeRecord({ time: localIso(2026, 12, 2), costUsd: 2 }));
      assert.deepEqual(readdirSync(dir).sort(), ['ledger-2026-11.jsonl', 'ledger-2026-12.jsonl']);
      const report = await ledger.report();
      assert.equal(report.month.usd, 2);
      assert.equal(report.today.usd, 2);
      assert.equal(
        report.byDay.reduce((sum, day) => sum + day.totals.usd, 0),
        3,
        'the 30 days span both files',
      );
    });

    it('deletes files older than keepMonths at start and when the month turns', async () => {
      mkdirSync(dir, { recursive: true });
      for (let month = 1; month <= 11; month++) {
        const name = `ledger-2026-${String(month).padStart(2, '0')}.jsonl`;
        writeFileSync(path.join(dir, name), `${JSON.stringify(makeRecord({ time: localIso(2026, month, 15) }))}\n`);
      }
      writeFileSync(path.join(dir, 'ledger-2025-12.jsonl'), '');
      writeFileSync(path.join(dir, 'notes.txt'), 'not a ledger file');

      let now = new Date(2026, 10, 25, 12);
      const ledger = open({ now: () => now, keepMonths: 3 });
      await ledger.report();
      assert.deepEqual(readdirSync(dir).sort(), ['ledger-2026-09.jsonl', 'ledger-2026-10.jsonl', 'ledger-2026-11.jsonl', 'notes.txt']);

      now = new Date(2026, 11, 15, 12);
      await ledger.append(makeRecord({ time: localIso(2026, 12, 15) }));
      assert.deepEqual(readdirSync(dir).sort(), ['ledger-2026-10.jsonl', 'ledger-2026-11.jsonl', 'ledger-2026-12.jsonl', 'notes.txt']);
      assert.equal((await ledger.exportCsv()).split('\r\n').length, 1 + 3 + 1, 'header, three records, final line end');
    });

    it('keeps 13 months by default', async () => {
      mkdirSync(dir, { recursive: true });
      for (const month of ['2025-10', '2025-11', '2025-12', '2026-11']) writeFileSync(path.join(dir, `ledger-${month}.jsonl`), '');
      await open().report();
      assert.deepEqual(readdirSync(dir).sort(), ['ledger-2025-11.jsonl', 'ledger-2025-12.jsonl', 'ledger-2026-11.jsonl']);
    });
  });

  it('keeps 500 concurrent appends whole and in separate lines', async () => {
    const ledger = open();
    const count = 500;
    await withTimeout(
      Promise.all(Array.from({ length: count }, (_, i) => ledger.append(makeRecord({ time: daysAgo(0), latencyMs: i, costUsd: 0.001 })))),
      20_000,
      '500 concurrent appends',
    );
    const written = lines(path.join(dir, 'ledger-2026-11.jsonl'));
    assert.equal(written.pop(), '', 'ends with a newline');
    assert.equal(written.length, count);
    const latencies = written.map((text) => (JSON.parse(text) as LedgerRecord).latencyMs).sort((a, b) => a - b);
    assert.deepEqual(
      latencies,
      Array.from({ length: count }, (_, i) => i),
    );
    assert.deepEqual((await ledger.report()).today, totals(0.5, count));
    assert.deepEqual((await open().report()).today, totals(0.5, count));
    assert.deepEqual(warnings, []);
  });

  it('exports every record as RFC 4180 CSV', async () => {
    const ledger = open();
    await ledger.append(makeRecord({ id: 'e1', time: '2026-10-03T08:00:00.000Z', costUsd: 0.00000015, promptTokens: 1, completionTokens: 0 }));
    await ledger.append(
      makeRecord({
        id: 'e2',
        time: '2026-11-20T09:30:00.000Z',
        model: 'my "fast", model\nv2',
        tier: 'flex',
        costUsd: null,
        exact: false,
        outcome: 'error',
      }),
    );
    await ledger.append(makeRecord({ id: 'e3', time: '2026-11-21T10:00:00.000Z', model: '=HYPERLINK("http://x")', costUsd: 12.5, language: 'python' }));
    // What became of an answer is not a request: it is no row of its own.
    await ledger.appendUse({ time: '2026-11-21T10:00:05.000Z', use: 'used', ref: 'e3', feature: 'chat', model: 'x' });
    assert.equal(
      await ledger.exportCsv(),
      [
        'time,feature,model,tier,promptTokens,cachedTokens,completionTokens,costUsd,exact,latencyMs,outcome,id,language',
        '2026-10-03T08:00:00.000Z,chat,gpt-4o-mini-2024-07-18,default,1,0,0,0.00000015,true,850,ok,e1,',
        '2026-11-20T09:30:00.000Z,chat,"my ""fast"", model\nv2",flex,1000,0,100,,false,850,error,e2,',
        `2026-11-21T10:00:00.000Z,chat,"'=HYPERLINK(""http://x"")",default,1000,0,100,12.5,true,850,ok,e3,python`,
        '',
      ].join('\r\n'),
    );
  });

  it('survives its directory being removed', async () => {
    const ledger = open();
    await ledger.append(makeRecord({ time: daysAgo(0), costUsd: 1 }));
    remove();
    assert.equal(existsSync(dir), false);
    assert.deepEqual((await ledger.report()).today, totals(0, 0));
    await ledger.append(makeRecord({ time: daysAgo(0), costUsd: 2 }));
    assert.deepEqual((await ledger.report()).today, totals(2, 1));
    appendFileSync(path.join(dir, 'ledger-2026-11.jsonl'), JSON.stringify(makeRecord({ time: daysAgo(0), costUsd: 4 })) + '\n');
    assert.deepEqual((await ledger.report()).today, totals(6, 2));
  });
});
