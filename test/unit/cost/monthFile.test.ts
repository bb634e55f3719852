import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { listMonths, monthFilePath, readRecords, SkippedLineLog, type RecordRange } from '../../../src/core/cost/monthFile';
import { isRequestLine, serializeRecord } from '../../../src/core/cost/record';
import { makeRecord, tempDir } from './helpers';

describe('ledger month files', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  const line = (latencyMs: number): string => `${serializeRecord(makeRecord({ latencyMs }))}\n`;

  async function read(text: string, range: Partial<RecordRange> = {}) {
    const file = monthFilePath(dir, '2026-11');
    writeFileSync(file, text);
    const latencies: number[] = [];
    const result = await readRecords(file, { start: 0, end: Infinity, chunkBytes: 7, firstLine: 1, ...range }, (parsed) =>
      latencies.push(isRequestLine(parsed) ? parsed.record.latencyMs : -1),
    );
    return { latencies, ...result };
  }

  it('lists the months that have a file, oldest first, and none without a directory', async () => {
    for (const name of ['ledger-2026-11.jsonl', 'ledger-2025-12.jsonl', 'ledger-2026-01.jsonl', 'notes.txt', 'ledger-2026-1.jsonl']) {
      writeFileSync(path.join(dir, name), '');
    }
    mkdirSync(path.join(dir, 'ledger-2026-02.jsonl.d'));
    assert.deepEqual(await listMonths(dir), ['2025-12', '2026-01', '2026-11']);
    assert.deepEqual(await listMonths(path.join(dir, 'missing')), []);
    assert.equal(monthFilePath(dir, '2026-11'), path.join(dir, 'ledger-2026-11.jsonl'));
  });

  it('reads every record and numbers the lines that are not records, blank lines aside', async () => {
    const result = await read([line(1), 'not json\n', line(2), '\n', '   \n', '{"torn": "模\n', line(3)].join(''));
    assert.deepEqual(result.latencies, [1, 2, 3]);
    assert.deepEqual(result.skipped, { lines: [2, 6], lastIncomplete: false });
    assert.equal(result.lines, 7);
    assert.equal(result.unterminated, undefined);
  });

  it('keeps a last line without its newline apart: a record, or an incomplete line', async () => {
    const whole = await read(line(1) + line(2).trimEnd());
    assert.deepEqual(whole.latencies, [1]);
    assert.equal(whole.unterminated && isRequestLine(whole.unterminated) && whole.unterminated.record.latencyMs, 2);
    assert.deepEqual(whole.skipped, { lines: [], lastIncomplete: false });
    assert.equal(whole.linesEnd, line(1).length);
    assert.equal(whole.end, line(1).length + line(2).length - 1);

    const torn = await read(line(1) + 'not json\n' + line(2).slice(0, 40));
    assert.deepEqual(torn.skipped, { lines: [2, 3], lastIncomplete: true });
    assert.equal(torn.unterminated, undefined);
  });

  it('numbers lines from the line number it is given', async () => {
    const text = line(1) + line(2) + 'garbage\n';
    const result = await read(text, { start: line(1).length, firstLine: 2 });
    assert.deepEqual(result.latencies, [2]);
    assert.deepEqual(result.skipped.lines, [3]);
  });

  it('reading from inside a line, drops it and counts the lines before to number a skipped one', async () => {
    const text = line(1) + line(2) + 'garbage\n' + line(4) + '{"torn"';
    const result = await read(text, { start: 5, firstLine: undefined });
    assert.deepEqual(result.latencies, [2, 4]);
    assert.deepEqual(result.skipped, { lines: [3, 5], lastIncomplete: true });
  });

  describe('reporting skipped lines', () => {
    let warnings: string[];
    let log: SkippedLineLog;
    beforeEach(() => {
      warnings = [];
      log = new SkippedLineLog((message) => warnings.push(message));
    });

    it('reports each line once, and the last line of a file as incomplete', () => {
      log.report('/l/a.jsonl', { lines: [2, 7], lastIncomplete: true });
      log.report('/l/a.jsonl', { lines: [2, 7, 9], lastIncomplete: false });
      log.report('/l/b.jsonl', { lines: [2], lastIncomplete: false });
      log.report('/l/b.jsonl', { lines: [], lastIncomplete: false });
      assert.deepEqual(warnings, [
        'Penny skipped a corrupt line in its cost ledger /l/a.jsonl, line 2.',
        'Penny skipped an incomplete line in its cost ledger /l/a.jsonl, line 7.',
        'Penny skipped a corrupt line in its cost ledger /l/a.jsonl, line 9.',
        'Penny skipped a corrupt line in its cost ledger /l/b.jsonl, line 2.',
      ]);
    });

    it('reports five lines of a read one by one and sums up the rest in one warning', () => {
      log.report('/l/a.jsonl', { lines: Array.from({ length: 1000 }, (_, i) => i + 1), lastIncomplete: false });
      assert.equal(warnings.length, 6);
      assert.match(warnings[4], /line 5\.$/);
      assert.equal(warnings[5], 'Penny skipped 995 more corrupt lines in its cost ledger /l/a.jsonl.');
      log.report('/l/a.jsonl', { lines: [500, 1001], lastIncomplete: false });
      assert.equal(warnings.length, 7, 'lines summed up are reported too: never again');
      assert.match(warnings[6], /line 1001\.$/);
    });
  });

  it('reads a file that is gone as an error, for the caller to handle', async () => {
    await assert.rejects(
      readRecords(monthFilePath(dir, '1999-01'), { start: 0, end: Infinity, chunkBytes: 64, firstLine: 1 }, () => undefined),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
  });
});
