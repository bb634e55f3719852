// Requests follow VS Code's proxy settings, changed at runtime: with `http.proxy` set, a chat request
// reaches the local server through a real forward proxy; with the server's host in `http.noProxy`
// it goes direct. VS Code sends localhost and 127.0.0.1 direct whatever the settings, so the
// server is addressed by a name only the proxy can route: a request that skips the proxy fails.
import * as assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as vscode from 'vscode';
import { ForwardProxy } from '../server/forwardProxy';
import { MockOpenAIServer } from '../server/mockOpenAI';
import { penny, waitFor } from './support';

/** `.test` names never resolve (RFC 6761). */
const PROXY_ONLY_HOST = 'penny-mock.test';

describe('proxy', () => {
  let server: MockOpenAIServer;
  let proxy: ForwardProxy;
  let serverAuthority: string;
  const restoreSettings: Array<() => Promise<void>> = [];

  /** Sets a user setting for this suite, waits until the extension host reads it, and records how to restore it. */
  async function setUserSetting(section: string, key: string, value: unknown): Promise<void> {
    const previous = vscode.workspace.getConfiguration(section).inspect(key)?.globalValue;
    restoreSettings.push(() => Promise.resolve(vscode.workspace.getConfiguration(section).update(key, previous, vscode.ConfigurationTarget.Global)));
    await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
    await waitFor(`${section}.${key} = ${JSON.stringify(value)} in the extension host`, () =>
      isDeepStrictEqual(vscode.workspace.getConfiguration(section).get(key), value),
    );
  }

  before(async () => {
    await penny();
    server = await MockOpenAIServer.start();
    proxy = await ForwardProxy.start({ [PROXY_ONLY_HOST]: '127.0.0.1' });
    const baseUrl = new URL(server.url);
    baseUrl.hostname = PROXY_ONLY_HOST;
    serverAuthority = baseUrl.host;
    await setUserSetting('penny', 'baseUrl', baseUrl.toString());
    await setUserSetting('http', 'proxy', proxy.url);
  });
  beforeEach(() => {
    server.reset();
    proxy.reset();
  });
  after(async () => {
    for (const restore of restoreSettings.reverse()) await restore();
    await proxy?.stop();
    await server?.stop();
  });

  it('with http.proxy set, a chat request tunnels through the proxy and is answered', async () => {
    server.enqueue({ content: 'answered through the proxy' });
    const answer = await (await penny()).ask('Hello through the proxy?');
    assert.equal(answer.status, 'done', answer.error?.message);
    assert.equal(answer.text, 'answered through the proxy');
    assert.deepEqual(proxy.requests, [{ method: 'CONNECT', target: serverAuthority }]);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].headers.host, serverAuthority);
  });

  it('with the host in http.noProxy, the request goes direct: the proxy sees nothing and the name does not resolve', async () => {
    await setUserSetting('http', 'noProxy', [PROXY_ONLY_HOST]);
    const answer = await (await penny()).ask('Hello without the proxy?');
    assert.equal(answer.status, 'error');
    assert.match(answer.error!.message, new RegExp(`Cannot reach ${PROXY_ONLY_HOST}`));
    assert.deepEqual(proxy.requests, []);
    assert.equal(server.requests.length, 0);
  });
});
