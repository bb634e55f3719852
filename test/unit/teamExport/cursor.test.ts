// The team export's cursor: batches of complete lines after it, bounded; its state file; the backlog.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { serializeRecord } from '../../../src/core/cost/record';
import { backlog, loadState, newState, readBatch, saveState, STATE_FILE } from '../../../src/core/teamExport/cursor';
import { makeRecord, tempDir } from '../cost/helpers';

describe('team export: cursor', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  const file = (month: string) => path.join(dir, `ledger-${month}.jsonl`);
  const recordLine = (id: string, month = '2026-11') => `${serializeRecord(makeRecord({ id, time: `${month}-25T12:00:00.000Z` }))}\n`;
  const ids = (batch: Awaited<ReturnType<typeof readBatch>>) => batch!.lines.map((l) => ('record' in l ? l.record.id : l.use.ref));

  it('reads complete lines only: a line still being written waits for its newline', async () => {
    const first = recordLine('a');
    writeFileSync(file('2026-11'), first + recordLine('b').slice(0, 40));
    const batch = await readBatch(dir, {}, 64 * 1024);
    assert.deepEqual(ids(batch), ['a']);
    assert.equal(batch!.end, Buffer.byteLength(first));
    assert.equal(await readBatch(dir, { '2026-11': batch!.end }, 64 * 1024), undefined);
    appendFileSync(file('2026-11'), recordLine('b').slice(40));
    assert.deepEqual(ids(await readBatch(dir, { '2026-11': batch!.end }, 64 * 1024)), ['b']);
  });

  it('is bounded: a small budget reads a few lines at a time, a line longer than the budget whole', async () => {
    writeFileSync(file('2026-11'), ['a', 'b', 'c', 'd'].map((id) => recordLine(id)).join(''));
    const seen: string[] = [];
    const cursor: Record<string, number> = {};
    for (let batch = await readBatch(dir, cursor, 100); batch; batch = await readBatch(dir, cursor, 100)) {
      assert.equal(batch.lines.length, 1, 'a 100-byte budget holds no more than one ~250-byte line');
      seen.push(...ids(batch));
      cursor[batch.month] = batch.end;
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  });

  it('goes through the month files oldest first, each with its own offset; skips corrupt lines', async () => {
    writeFileSync(file('2026-10'), recordLine('old', '2026-10') + 'not json\n');
    writeFileSync(file('2026-11'), recordLine('new'));
    const first = await readBatch(dir, {}, 64 * 1024);
    assert.equal(first!.month, '2026-10');
    assert.deepEqual(ids(first), ['old']);
    const second = await readBatch(dir, { '2026-10': first!.end }, 64 * 1024);
    assert.equal(second!.month, '2026-11');
    assert.deepEqual(ids(second), ['new']);
  });

  it('a file shorter than its cursor was replaced: read again from its start', async () => {
    writeFileSync(file('2026-11'), recordLine('a') + recordLine('b'));
    const end = (await readBatch(dir, {}, 64 * 1024))!.end;
    truncateSync(file('2026-11'), 0);
    writeFileSync(file('2026-11'), recordLine('c'));
    assert.deepEqual(ids(await readBatch(dir, { '2026-11': end }, 64 * 1024)), ['c']);
  });

  it('counts the backlog: lines and request records after the cursor', async () => {
    writeFileSync(file('2026-11'), recordLine('a') + recordLine('b') + recordLine('c'));
    assert.deepEqual(await backlog(dir, {}), { requests: 3, lines: 3 });
    assert.deepEqual(await backlog(dir, { '2026-11': Buffer.byteLength(recordLine('a')) }), { requests: 2, lines: 2 });
  });

  it('state: saved atomically and read back; an unreadable one is set aside and the export starts over', async () => {
    const state = { ...newState(1000, 'instance-1'), cursor: { '2026-11': 42 }, lastSuccessMs: 2000 };
    await saveState(dir, state);
    assert.deepEqual(await loadState(dir, 5000, () => assert.fail('no warning')), state);
    assert.deepEqual(readdirSync(dir), [STATE_FILE], 'no temporary file left');
    writeFileSync(path.join(dir, STATE_FILE), '{"version":1,');
    const warnings: string[] = [];
    const fresh = await loadState(dir, 5000, (m) => warnings.push(m));
    assert.deepEqual(fresh.cursor, {});
    assert.equal(fresh.startTimeMs, 5000);
    assert.equal(warnings.length, 1);
    assert.ok(existsSync(path.join(dir, `${STATE_FILE}.corrupt`)));
  });
});
