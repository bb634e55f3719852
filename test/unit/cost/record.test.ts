import assert from 'node:assert/strict';
import {
  legacyId,
  newRecordId,
  parseLine,
  RECORD_FIELDS,
  serializeRecord,
  serializeUse,
  USE_FIELDS,
  type LedgerRecord,
  type UseRecord,
} from '../../../src/core/cost/record';
import { makeRecord } from './helpers';

describe('ledger record format', () => {
  it('writes one line of JSON with the record fields only, in a fixed order, and reads it back', () => {
    const record = makeRecord({ costUsd: null, exact: false, outcome: 'cut', language: 'typescript' });
    const shuffled = Object.fromEntries(Object.entries({ ...record, apiKey: 'sk-secret' }).reverse()) as unknown as LedgerRecord;
    const line = serializeRecord(shuffled);
    assert.doesNotMatch(line, /\n|sk-secret/);
    assert.deepEqual(Object.keys(JSON.parse(line)), [...RECORD_FIELDS]);
    assert.deepEqual(parseLine(line), { record, timeMs: Date.parse(record.time) });
  });

  it('accepts features, outcomes and fields a newer Penny may write', () => {
    const line = JSON.stringify({ ...makeRecord(), feature: 'agent', outcome: 'refused', note: 'x' });
    assert.equal((parseLine(line) as { record: LedgerRecord }).record.feature, 'agent');
    assert.equal((parseLine(line) as { record: LedgerRecord }).record.outcome, 'refused');
  });

  it('reads a record written before records had ids with an id derived from its line: the same at every read, different per line', () => {
    const { id: _id, ...old } = makeRecord();
    const line = JSON.stringify(old);
    const first = parseLine(line) as { record: LedgerRecord };
    assert.match(first.record.id, /^v0-[0-9a-f]{16}$/);
    assert.equal((parseLine(line) as { record: LedgerRecord }).record.id, first.record.id);
    assert.deepEqual(first.record, { ...old, id: legacyId(line) });
    const other = JSON.stringify({ ...old, latencyMs: old.latencyMs + 1 });
    assert.notEqual(legacyId(other), first.record.id);
    assert.notEqual(newRecordId(), newRecordId());
    assert.match(newRecordId(), /^[0-9a-f]{32}$/);
  });

  it('writes and reads what became of an answer as a use record of its own', () => {
    const use: UseRecord = {
      time: '2026-11-25T12:00:01.000Z',
      use: 'accepted',
      ref: 'record-1',
      feature: 'completion',
      model: 'gpt-4o-mini',
      language: 'go',
      chars: 42,
    };
    const line = serializeUse({ ...use, secret: 'sk-x' } as UseRecord);
    assert.deepEqual(Object.keys(JSON.parse(line)), [...USE_FIELDS]);
    assert.deepEqual(parseLine(line), { use, timeMs: Date.parse(use.time) });
    assert.equal(parseLine(JSON.stringify({ ...use, chars: -1 })), undefined, 'negative characters');
    assert.equal(parseLine(JSON.stringify({ ...use, ref: 7 })), undefined, 'a ref that is no string');
    assert.equal(parseLine(JSON.stringify({ ...use, time: 'soon' })), undefined, 'a time that is no date');
  });

  it('rejects a line that is not a complete, well-formed record', () => {
    const { costUsd: _cost, ...withoutCost } = makeRecord();
    const bad: [string, string][] = [
      ['not json', 'not json'],
      ['torn', serializeRecord(makeRecord()).slice(0, 60)],
      ['null', 'null'],
      ['an array', '[1,2,3]'],
      ['a number', '42'],
      ['no cost', JSON.stringify(withoutCost)],
      ['a time that is no date', JSON.stringify(makeRecord({ time: 'yesterday' }))],
      ['a model that is no string', JSON.stringify({ ...makeRecord(), model: 4 })],
      ['negative tokens', JSON.stringify(makeRecord({ promptTokens: -1 }))],
      ['fractional tokens', JSON.stringify(makeRecord({ cachedTokens: 1.5 }))],
      ['a cost as text', JSON.stringify({ ...makeRecord(), costUsd: '0.1' })],
      ['a negative cost', JSON.stringify(makeRecord({ costUsd: -0.1 }))],
      ['exact as text', JSON.stringify({ ...makeRecord(), exact: 'true' })],
      ['a latency that is not finite', serializeRecord(makeRecord({ latencyMs: NaN }))],
      ['no outcome', JSON.stringify({ ...makeRecord(), outcome: undefined })],
      ['an id that is no string', JSON.stringify({ ...makeRecord(), id: 5 })],
      ['a language that is no string', JSON.stringify({ ...makeRecord(), language: ['ts'] })],
    ];
    for (const [what, line] of bad) assert.equal(parseLine(line), undefined, what);
  });
});
