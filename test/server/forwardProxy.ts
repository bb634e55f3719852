// A forward proxy for tests, on `node:net`/`node:http` alone. It tunnels CONNECT requests to the
// hosts it was given a route for, and only to those: a test that addresses a server by a made-up
// hostname (e.g. penny-mock.test) can reach it through this proxy and no other way.
// Third-party proxies (e.g. npm `proxy`) resolve hostnames through DNS, so they cannot do that.
// VS Code's fetch tunnels every request, http:// ones too, so absolute-form requests are only
// recorded and refused.
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

const HOST_PORT = /^([^:[\]]+):(\d+)$/;

export interface ProxiedRequest {
  /** CONNECT for a tunnel; anything else is an absolute-form request, which this proxy refuses. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
}

export class ForwardProxy {
  readonly url: string;
  /** Every request the proxy received, in order, routed or not. */
  readonly requests: ProxiedRequest[] = [];
  /** A CONNECT socket leaves the HTTP server's bookkeeping, so closeAllConnections() cannot end it. */
  private readonly tunnelSockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly routes: ReadonlyMap<string, string>,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** `routes` maps a hostname clients ask for to the address the proxy connects to instead (same port). */
  static start(routes: Record<string, string>): Promise<ForwardProxy> {
    const server = http.createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        const proxy = new ForwardProxy(server, new Map(Object.entries(routes).map(([host, address]) => [host.toLowerCase(), address])));
        server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => proxy.tunnel(req, client, head));
        server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
          proxy.requests.push({ method: req.method ?? '', target: req.url ?? '' });
          res.writeHead(501, { 'content-type': 'text/plain' }).end('this test proxy only tunnels (CONNECT)\n');
        });
        resolve(proxy);
      });
    });
  }

  reset(): void {
    this.requests.length = 0;
  }

  /** Stops listening and closes every connection, open tunnels included. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.tunnelSockets) socket.destroy();
    });
  }

  private tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): void {
    const target = req.url ?? '';
    this.requests.push({ method: 'CONNECT', target });
    this.track(client);
    client.on('error', () => client.destroy());
    const [, hostname = '', port = ''] = HOST_PORT.exec(target) ?? [];
    const address = this.routes.get(hostname.toLowerCase());
    if (!address) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.track(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }

  private track(socket: net.Socket): void {
    this.tunnelSockets.add(socket);
    socket.on('close', () => this.tunnelSockets.delete(socket));
  }
}
