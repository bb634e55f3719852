import assert from 'node:assert/strict';
import { CsvExport } from '../../../src/core/cost/export';
import { makeRecord } from './helpers';

const HEADER = 'time,feature,model,tier,promptTokens,cachedTokens,completionTokens,costUsd,exact,latencyMs,outcome,id,language';

describe('ledger CSV export', () => {
  it('is a header row alone, with its line end, when there are no records', () => {
    assert.equal(new CsvExport().text(), `${HEADER}\r\n`);
  });

  it('writes one row per record: quoted where needed, formulas defused, USD without exponent', () => {
    const csv = new CsvExport();
    csv.add(makeRecord({ id: 'a1', time: '2026-10-03T08:00:00.000Z', costUsd: 0.00000015, language: 'typescript' }));
    csv.add(makeRecord({ id: 'a2', model: 'my "fast", model\nv2', tier: 'flex', costUsd: null, exact: false, outcome: 'error' }));
    csv.add(makeRecord({ id: 'a3', model: '=HYPERLINK("http://x")', costUsd: 12.5 }));
    csv.add(makeRecord({ id: 'a4', model: '-1', tier: '@x', costUsd: 0.1 + 0.2, language: '=cmd' }));
    assert.equal(
      csv.text(),
      [
        HEADER,
        '2026-10-03T08:00:00.000Z,chat,gpt-4o-mini-2024-07-18,default,1000,0,100,0.00000015,true,850,ok,a1,typescript',
        '2026-11-25T12:00:00.000Z,chat,"my ""fast"", model\nv2",flex,1000,0,100,,false,850,error,a2,',
        `2026-11-25T12:00:00.000Z,chat,"'=HYPERLINK(""http://x"")",default,1000,0,100,12.5,true,850,ok,a3,`,
        `2026-11-25T12:00:00.000Z,chat,'-1,'@x,1000,0,100,0.3,true,850,ok,a4,'=cmd`,
        '',
      ].join('\r\n'),
    );
  });
});
