import assert from 'node:assert/strict';
import { isRequestEnvelope, type RequestEnvelope } from '../../../src/shared/protocol';
import { RpcClient } from '../../../src/webview/rpc';

describe('the webview protocol', () => {
  it('matches each reply to its request by id, in any order', async () => {
    const sent: RequestEnvelope[] = [];
    const rpc = new RpcClient((message) => sent.push(message));
    const history = rpc.request('history');
    const suggestions = rpc.request('fileSuggestions', { query: 'app' });
    assert.deepEqual(
      sent.map((m) => [m.kind, m.method]),
      [
        ['request', 'history'],
        ['request', 'fileSuggestions'],
      ],
    );
    assert.notEqual(sent[0].id, sent[1].id);
    rpc.handleResponse({ kind: 'response', id: sent[1].id, ok: true, result: ['src/app.ts'] });
    rpc.handleResponse({ kind: 'response', id: sent[0].id, ok: true, result: [] });
    assert.deepEqual(await suggestions, ['src/app.ts']);
    assert.deepEqual(await history, []);
  });

  it("a failed request rejects with the extension's message; unknown ids are ignored", async () => {
    const sent: RequestEnvelope[] = [];
    const rpc = new RpcClient((message) => sent.push(message));
    const attach = rpc.request('attach', { kind: 'selection' });
    rpc.handleResponse({ kind: 'response', id: 9999, ok: true, result: undefined });
    rpc.handleResponse({ kind: 'response', id: sent[0].id, ok: false, error: 'Select some code first.' });
    await assert.rejects(attach, /Select some code first\./);
  });

  it('tells requests from anything else a webview might post', () => {
    assert.equal(isRequestEnvelope({ kind: 'request', id: 1, method: 'ready', params: undefined }), true);
    for (const other of [null, 'ready', { kind: 'request', id: '1', method: 'ready' }, { kind: 'event', event: 'snapshot' }, { kind: 'request', id: 1 }]) {
      assert.equal(isRequestEnvelope(other), false, JSON.stringify(other));
    }
  });
});
