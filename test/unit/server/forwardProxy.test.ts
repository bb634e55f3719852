import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { ForwardProxy } from '../../server/forwardProxy';
import { MockOpenAIServer } from '../../server/mockOpenAI';

/** Sends `CONNECT target` to the proxy; resolves with the status and the connection (a tunnel on 200). */
async function connect(proxy: ForwardProxy, target: string): Promise<{ status: number; socket: Socket }> {
  const request = http.request(proxy.url, { method: 'CONNECT', path: target, agent: false });
  request.end();
  const [response, socket] = (await once(request, 'connect')) as [http.IncomingMessage, Socket];
  return { status: response.statusCode ?? 0, socket };
}

/** A plain HTTP GET through an open tunnel; resolves with the response body. */
async function getThrough(socket: Socket, url: string): Promise<string> {
  const request = http.request(url, { createConnection: () => socket });
  request.end();
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  let body = '';
  for await (const chunk of response) body += chunk;
  return body;
}

describe('ForwardProxy', () => {
  let server: MockOpenAIServer;
  let proxy: ForwardProxy;
  let port: string;

  beforeEach(async () => {
    server = await MockOpenAIServer.start();
    proxy = await ForwardProxy.start({ 'penny-mock.test': '127.0.0.1' });
    port = new URL(server.url).port;
  });
  afterEach(async () => {
    await proxy.stop();
    await server.stop();
  });

  it('tunnels CONNECT for a routed name to its address, and records it', async () => {
    const { status, socket } = await connect(proxy, `penny-mock.test:${port}`);
    assert.equal(status, 200);
    const body = await getThrough(socket, `http://penny-mock.test:${port}/v1/models`);
    assert.match(body, /gpt-4o-mini/);
    assert.deepEqual(proxy.requests, [{ method: 'CONNECT', target: `penny-mock.test:${port}` }]);
    assert.equal(server.requests[0].headers.host, `penny-mock.test:${port}`);
  });

  it('refuses a host it has no route for, even a reachable one', async () => {
    const { status, socket } = await connect(proxy, `127.0.0.1:${port}`);
    socket.destroy();
    assert.equal(status, 502);
    assert.equal(server.requests.length, 0);
  });

  it('refuses absolute-form requests, and records them', async () => {
    const url = `http://penny-mock.test:${port}/v1/models`;
    const request = http.request(proxy.url, { path: url, agent: false });
    request.end();
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    response.resume();
    assert.equal(response.statusCode, 501);
    assert.deepEqual(proxy.requests, [{ method: 'GET', target: url }]);
    assert.equal(server.requests.length, 0);
  });

  it('stop() ends open tunnels', async () => {
    const { socket } = await connect(proxy, `penny-mock.test:${port}`);
    const closed = once(socket, 'close');
    await proxy.stop();
    await closed;
  });
});
