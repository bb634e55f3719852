import assert from 'node:assert/strict';
import { parseRecord, RECORD_FIELDS, serializeRecord, type LedgerRecord } from '../../../src/core/cost/record';
import { makeRecord } from './helpers';

describe('ledger record format', () => {
  it('writes one line of JSON with the record fields only, in a fixed order, and reads it back', () => {
    const record = makeRecord({ costUsd: null, exact: false, outcome: 'cut' });
    const shuffled = Object.fromEntries(Object.entries({ ...record, apiKey: 'sk-secret' }).reverse()) as unknown as LedgerRecord;
    const line = serializeRecord(shuffled);
    assert.doesNotMatch(line, /\n|sk-secret/);
    assert.deepEqual(Object.keys(JSON.parse(line)), [...RECORD_FIELDS]);
    assert.deepEqual(parseRecord(line), { record, timeMs: Date.parse(record.time) });
  });

  it('accepts features, outcomes and fields a newer Penny may write', () => {
    const line = JSON.stringify({ ...makeRecord(), feature: 'agent', outcome: 'refused', note: 'x' });
    assert.equal(parseRecord(line)?.record.feature, 'agent');
    assert.equal(parseRecord(line)?.record.outcome, 'refused');
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
    ];
    for (const [what, line] of bad) assert.equal(parseRecord(line), undefined, what);
  });
});
