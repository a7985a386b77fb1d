// A REAL HTTP proxy for tests (the `proxy` package: an http.Server that
// answers CONNECT and forwards plain requests), on loopback. It records every
// CONNECT (target host:port), every forwarded request and the
// Proxy-Authorization each carried, and dials targets from 127.0.0.2 — so a
// target that sees a peer 127.0.0.2 was reached through the proxy, never
// directly (the client itself connects from 127.0.0.1).
import http from 'node:http';
import https from 'node:https';
import { createProxy } from 'proxy';
import { listen, type TestServer } from './servers.js';

/** The address the test proxy dials targets from (Linux routes all of 127.0.0.0/8 to loopback). */
export const PROXY_SOURCE = '127.0.0.2';

export interface TestProxy extends TestServer {
  /** `host:port` of every CONNECT received, refused ones included */
  connects: string[];
  /** absolute URLs of every forward-proxy request received */
  forwards: string[];
  /** Proxy-Authorization of every CONNECT / forward request */
  authorizations: (string | undefined)[];
}

export interface TestProxyOptions {
  /** `user:password` the proxy asks for (407 without them) */
  credentials?: string;
  /** an https:// proxy with this certificate */
  tls?: https.ServerOptions;
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const base = options.tls ? https.createServer(options.tls) : http.createServer();
  const server = createProxy(base);
  server.localAddress = PROXY_SOURCE;
  if (options.credentials) {
    const expected = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  const connects: string[] = [];
  const forwards: string[] = [];
  const authorizations: (string | undefined)[] = [];
  // Prepended: they run before the proxy's own listeners, refused requests included.
  server.prependListener('connect', (req: http.IncomingMessage) => {
    connects.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization']);
  });
  server.prependListener('request', (req: http.IncomingMessage) => {
    forwards.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization']);
  });
  if (options.tls) (server as https.Server).on('tlsClientError', () => {});
  const listening = await listen(server, options.tls ? 'https' : 'http');
  return Object.assign(listening, { connects, forwards, authorizations });
}
