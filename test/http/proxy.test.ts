// ServiceConfig.proxy through a REAL HTTP proxy (test/helpers/test-proxy.ts),
// all on loopback. The test proxy records every CONNECT (target host:port)
// and every forwarded request, and dials targets from 127.0.0.2 — so a target
// that sees a peer 127.0.0.2 was reached through the proxy, never directly
// (the client itself connects from 127.0.0.1).
//
// Also: routing (`env`, NO_PROXY), Basic proxy credentials, the network policy
// on the target (checked before the proxy is dialled), and the errors of a
// proxy that is down, refuses, hangs or talks nonsense.
import type http from 'node:http';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCallError, ServiceClient } from '../../src/http/index.js';
import { createProxyRouter, matchesNoProxy, parseNoProxy, parseProxyUrl } from '../../src/http/proxy.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { closedPort, startHttpServer, startHttpsServer, startTcpServer, type TestServer } from '../helpers/servers.js';
import { PROXY_SOURCE, startTestProxy, type TestProxy } from '../helpers/test-proxy.js';
import { client, failure, get, serviceConfig, track, trackServer } from './support.js';
import { pause } from '../helpers/expect.js';

const strict = { allowPrivate: false, allowCidrs: [] as string[] };
const loopbackOnly = { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] };

let certs: TestCertificates;
beforeAll(async () => {
  certs = await createTestCertificates();
});
afterAll(async () => {
  await certs?.cleanup();
});

function startProxy(options: { credentials?: string; tls?: boolean } = {}): Promise<TestProxy> {
  return startTestProxy({ credentials: options.credentials, tls: options.tls ? { cert: certs.serverCert, key: certs.serverKey } : undefined }).then(track);
}

/** An HTTPS target (test CA) answering `hello <client cert CN>` and recording each request's peer address. */
async function httpsTarget(options: { requestClientCert?: boolean; handler?: http.RequestListener } = {}) {
  const peers: string[] = [];
  const server = trackServer(
    await startHttpsServer(
      (req, res) => {
        peers.push(req.socket.remoteAddress ?? '');
        if (options.handler) {
          options.handler(req, res);
          return;
        }
        const cert = (req.socket as TLSSocket).getPeerCertificate();
        res.end(`hello ${cert?.subject?.CN ?? 'anonymous'}`);
      },
      {
        cert: certs.serverCert,
        key: certs.serverKey,
        requestClientCert: options.requestClientCert,
        ca: options.requestClientCert ? certs.caCert : undefined,
      },
    ),
  );
  return { server, peers };
}

async function httpTarget() {
  const seen: { url: string; peer: string; auth?: string }[] = [];
  const server = trackServer(
    await startHttpServer((req, res) => {
      seen.push({ url: req.url ?? '', peer: req.socket.remoteAddress ?? '', auth: req.headers['proxy-authorization'] });
      res.end('plain ok');
    }),
  );
  return { server, seen };
}

/** A fake proxy on a raw socket: reads the CONNECT request, then does `answer` with the socket. */
async function rawProxy(answer: (socket: net.Socket) => void): Promise<TestServer> {
  return trackServer(await startTcpServer((socket) => socket.once('data', () => answer(socket))));
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/** Runs `fn` with exactly these proxy variables set (the others unset), then restores the environment. */
async function withProxyEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(PROXY_VARS.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARS) delete process.env[name];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('https target through a proxy URL (CONNECT tunnel)', () => {
  it('tunnels the call: one CONNECT host:port, TLS end to end, the target sees the proxy as its peer', async () => {
    const { server, peers } = await httpsTarget();
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert }, network: loopbackOnly });
    const res = await get(c, `${server.url}/hello?x=1`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello anonymous');
    expect(proxy.connects).toEqual([`127.0.0.1:${server.port}`]);
    expect(proxy.forwards).toEqual([]);
    expect(peers).toEqual([PROXY_SOURCE]);
    expect(server.connections).toBe(1);
  });

  it('keeps the tunnel alive: sequential calls use one CONNECT and one target connection', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert } });
    for (const path of ['/1', '/2', '/3']) expect((await get(c, `https://localhost:${server.port}${path}`)).status).toBe(200);
    expect(proxy.connects).toEqual([`localhost:${server.port}`]);
    expect(proxy.connections).toBe(1);
    expect(server.connections).toBe(1);
  });

  it('still verifies the target certificate through the tunnel: an untrusted CA is TLS_FAILURE', async () => {
    const { server, peers } = await httpsTarget();
    const proxy = await startProxy();
    const err = await failure(get(client({ proxy: proxy.url }), `https://localhost:${server.port}/`));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'TLS_FAILURE', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', host: 'localhost' });
    // It did go through the proxy: the handshake with the target failed inside the tunnel.
    expect(proxy.connects).toEqual([`localhost:${server.port}`]);
    expect(peers).toEqual([]);
    // ...and an unrelated CA does not help either.
    const other = await failure(get(client({ proxy: proxy.url, tls: { ca: certs.otherCaCert } }), `https://localhost:${server.port}/`));
    expect(other.code).toBe('TLS_FAILURE');
  });

  it("presents the service's client certificate to the target (mutual TLS through the tunnel)", async () => {
    const { server } = await httpsTarget({ requestClientCert: true });
    const proxy = await startProxy();
    const without = await failure(get(client({ proxy: proxy.url, tls: { ca: certs.caCert } }), `${server.url}/`));
    expect(without.code).toBe('TLS_FAILURE');
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    expect((await get(c, `${server.url}/`)).body.toString()).toBe('hello scriptcode-test-client');
    expect(proxy.connects).toHaveLength(2);
  });

  it('enforces maxResponseBytes through the tunnel, and the next call works', async () => {
    const { server } = await httpsTarget({
      handler: (req, res) => res.end(req.url === '/big' ? 'x'.repeat(5000) : 'small'),
    });
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert }, maxResponseBytes: 1000 });
    const err = await failure(get(c, `${server.url}/big`));
    expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE', kind: 'policy' });
    expect((await get(c, `${server.url}/small`)).body.toString()).toBe('small');
    expect(proxy.connects.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps the read timeout precise through the tunnel', async () => {
    const { server } = await httpsTarget({ handler: () => {} });
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert }, timeouts: { readTimeout: 300 } });
    const started = performance.now();
    const err = await failure(get(c, `${server.url}/slow`));
    const elapsed = performance.now() - started;
    expect(err.code).toBe('READ_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // the target never answers: without the timer the call would wait until the test's own timeout
    expect(elapsed).toBeLessThan(5_000);
    expect(proxy.connects).toHaveLength(1);
  });
});

describe('http target through a proxy URL (forward proxy)', () => {
  it('sends the call as a forward-proxy request with the absolute URL, not CONNECT', async () => {
    const { server, seen } = await httpTarget();
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url, network: loopbackOnly });
    const res = await get(c, `${server.url}/path?q=1`);
    expect(res.body.toString()).toBe('plain ok');
    expect(proxy.forwards).toEqual([`${server.url}/path?q=1`]);
    expect(proxy.connects).toEqual([]);
    expect(seen).toEqual([{ url: '/path?q=1', peer: PROXY_SOURCE, auth: undefined }]);
  });

  it('reuses the keep-alive connection to the proxy for sequential calls', async () => {
    const { server } = await httpTarget();
    const proxy = await startProxy();
    const c = client({ proxy: proxy.url });
    for (const path of ['/1', '/2', '/3']) expect((await get(c, `${server.url}${path}`)).status).toBe(200);
    expect(proxy.forwards).toHaveLength(3);
    expect(proxy.connections).toBe(1);
  });

  it('still refuses plain http:// unless allowInsecureHttp, without touching the proxy', async () => {
    const { server } = await httpTarget();
    const proxy = await startProxy();
    const err = await failure(get(client({ proxy: proxy.url, allowInsecureHttp: false }), `${server.url}/`));
    expect(err.code).toBe('INSECURE_HTTP');
    expect(proxy.connections).toBe(0);
  });
});

describe('proxy credentials (Basic)', () => {
  const user = 'svc-user';
  const password = 'p@ss:w0rd/SECRET';
  const credentials = `${user}:${password}`;
  const withCredentials = (proxy: TestProxy, pw = password) =>
    proxy.url.replace('://', `://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@`);

  it('CONNECT: 407 without credentials, 407 with wrong ones, works with the right ones', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy({ credentials });

    const missing = await failure(get(client({ proxy: proxy.url, tls: { ca: certs.caCert } }), `${server.url}/`));
    expect(missing).toBeInstanceOf(HttpCallError);
    expect(missing).toMatchObject({ code: 'PROXY_REFUSED', kind: 'connection', host: '127.0.0.1' });
    expect(missing.detail).toMatch(/^407\b/);
    expect(missing.message).toContain(`the proxy ${proxy.url}`);
    expect(missing.message).toMatch(/requires authentication/);

    const wrong = await failure(get(client({ proxy: withCredentials(proxy, 'WRONG-SECRET'), tls: { ca: certs.caCert } }), `${server.url}/`));
    expect(wrong).toMatchObject({ code: 'PROXY_REFUSED' });
    expect(wrong.detail).toMatch(/^407\b/);
    expect(wrong.message).not.toMatch(/SECRET|svc-user|@/);
    expect(server.connections).toBe(0);

    const c = client({ proxy: withCredentials(proxy), tls: { ca: certs.caCert } });
    expect((await get(c, `${server.url}/`)).body.toString()).toBe('hello anonymous');
    expect(proxy.authorizations.at(-1)).toBe(`Basic ${Buffer.from(credentials).toString('base64')}`);
    expect(proxy.connects).toHaveLength(3);
  });

  it('forward requests: 407 without credentials, works with them (and they never reach the target)', async () => {
    const { server, seen } = await httpTarget();
    const proxy = await startProxy({ credentials });
    const missing = await failure(get(client({ proxy: proxy.url }), `${server.url}/`));
    expect(missing).toMatchObject({ code: 'PROXY_REFUSED', kind: 'connection' });
    expect(missing.detail).toMatch(/^407\b/);
    expect(seen).toEqual([]);

    const c = client({ proxy: withCredentials(proxy) });
    expect((await get(c, `${server.url}/ok`)).body.toString()).toBe('plain ok');
    expect(seen).toEqual([{ url: '/ok', peer: PROXY_SOURCE, auth: undefined }]);
  });
});

describe("proxy: 'env' (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)", () => {
  it('uses HTTPS_PROXY for https targets; a NO_PROXY host goes direct', async () => {
    const { server, peers } = await httpsTarget();
    const proxy = await startProxy();
    await withProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'example.test, localhost' }, async () => {
      const c = client({ proxy: 'env', tls: { ca: certs.caCert } });
      expect((await get(c, `https://127.0.0.1:${server.port}/via-proxy`)).status).toBe(200);
      expect(proxy.connects).toEqual([`127.0.0.1:${server.port}`]);
      expect((await get(c, `https://localhost:${server.port}/direct`)).status).toBe(200);
      expect(proxy.connects).toHaveLength(1); // unchanged: localhost is in NO_PROXY
    });
    expect(peers).toEqual([PROXY_SOURCE, '127.0.0.1']);
  });

  it('uses HTTP_PROXY for http targets only (https targets go direct without HTTPS_PROXY)', async () => {
    const { server: plain } = await httpTarget();
    const { server: secure, peers } = await httpsTarget();
    const proxy = await startProxy();
    await withProxyEnv({ HTTP_PROXY: proxy.url }, async () => {
      const c = client({ proxy: 'env', tls: { ca: certs.caCert } });
      expect((await get(c, `${plain.url}/a`)).body.toString()).toBe('plain ok');
      expect((await get(c, `${secure.url}/b`)).status).toBe(200);
    });
    expect(proxy.forwards).toEqual([`${plain.url}/a`]);
    expect(proxy.connects).toEqual([]);
    expect(peers).toEqual(['127.0.0.1']);
  });

  it('lower-case https_proxy wins over HTTPS_PROXY; the variables are read when the client is created', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    const down = await closedPort();
    const c = await withProxyEnv({ https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${down}` }, async () =>
      client({ proxy: 'env', tls: { ca: certs.caCert } }),
    );
    expect((await get(c, `${server.url}/`)).status).toBe(200);
    expect(proxy.connects).toHaveLength(1);
  });

  it('a NO_PROXY target gets the full direct check (and never reaches the proxy)', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    await withProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.0/8' }, async () => {
      const err = await failure(get(client({ proxy: 'env', tls: { ca: certs.caCert }, network: strict }), `${server.url}/`));
      expect(err).toMatchObject({ code: 'BLOCKED_ADDRESS', host: '127.0.0.1' });
    });
    await pause();
    expect(proxy.connections).toBe(0);
    expect(server.connections).toBe(0);
  });
});

describe('network policy with a proxy', () => {
  it('refuses a blocked IP-literal target before dialling the proxy (no CONNECT, no connection)', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    const err = await failure(get(client({ proxy: proxy.url, tls: { ca: certs.caCert }, network: strict }), `${server.url}/x`));
    expect(err).toMatchObject({ kind: 'policy', code: 'BLOCKED_ADDRESS', host: '127.0.0.1' });
    expect(err.message).toMatch(/127\.0\.0\.1.*loopback.*network\.allowPrivate/);
    // and for a forward-proxied http:// target too
    const { server: plain } = await httpTarget();
    const err2 = await failure(get(client({ proxy: proxy.url, network: strict }), `${plain.url}/x`));
    expect(err2.code).toBe('BLOCKED_ADDRESS');
    await pause();
    expect(proxy.connects).toEqual([]);
    expect(proxy.forwards).toEqual([]);
    expect(proxy.connections).toBe(0);
    expect(server.connections + plain.connections).toBe(0);
  });

  it('refuses a name that resolves locally to a blocked address (localhost)', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    const err = await failure(get(client({ proxy: proxy.url, tls: { ca: certs.caCert }, network: strict }), `https://localhost:${server.port}/`));
    expect(err.code).toBe('BLOCKED_ADDRESS');
    expect(err.message).toContain('localhost resolves to');
    await pause();
    expect(proxy.connections).toBe(0);
  });

  it('refuses a name when any of its local addresses is blocked', async () => {
    const proxy = await startProxy();
    const lookup = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    const c = track(new ServiceClient(serviceConfig({ proxy: proxy.url, network: strict }), { lookup }));
    const err = await failure(get(c, 'https://mixed.test/'));
    expect(err).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(err.message).toContain('mixed.test resolves to 10.1.2.3');
    await pause();
    expect(proxy.connections).toBe(0);
  });

  it('lets a name that does not resolve locally go to the proxy (which resolves it), and dials the private proxy', async () => {
    // The client's resolver knows no `localhost` (a corporate network where only the proxy
    // resolves names); the proxy, on loopback, resolves it and reaches the target.
    const { server, peers } = await httpsTarget();
    const proxy = await startProxy();
    const asked: string[] = [];
    const lookup = async (name: string) => {
      asked.push(name);
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    };
    const c = track(new ServiceClient(serviceConfig({ proxy: proxy.url, tls: { ca: certs.caCert }, network: strict }), { lookup }));
    expect((await get(c, `https://localhost:${server.port}/`)).body.toString()).toBe('hello anonymous');
    expect(asked).toEqual(['localhost']);
    expect(proxy.connects).toEqual([`localhost:${server.port}`]);
    expect(peers).toEqual([PROXY_SOURCE]);
  });

  it('lets a name that resolves locally to a public address go to the proxy', async () => {
    const { server } = await httpsTarget();
    const proxy = await startProxy();
    const lookup = async () => [{ address: '93.184.216.34', family: 4 }];
    const c = track(new ServiceClient(serviceConfig({ proxy: proxy.url, tls: { ca: certs.caCert }, network: strict }), { lookup }));
    // The proxy resolves `localhost` itself: nothing is dialled at the public address.
    expect((await get(c, `https://localhost:${server.port}/`)).status).toBe(200);
    expect(proxy.connects).toEqual([`localhost:${server.port}`]);
  });
});

describe('proxy failures', () => {
  it('a proxy that is down: CONNECTION_REFUSED naming the proxy (never its credentials)', async () => {
    const port = await closedPort();
    const err = await failure(get(client({ proxy: `http://someone:TOPSECRET@127.0.0.1:${port}` }), 'https://localhost:9/path?key=QUERYSECRET'));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ kind: 'connection', code: 'CONNECTION_REFUSED', host: '127.0.0.1', detail: 'ECONNREFUSED' });
    expect(err.message).toContain(`the proxy http://127.0.0.1:${port} refused the connection`);
    expect(err.message).toContain('localhost:9');
    expect(err.message).not.toMatch(/TOPSECRET|someone|QUERYSECRET/);
  });

  it.each([
    [403, 'Forbidden', /does not allow this destination/],
    [502, 'Bad Gateway', /could not reach the service/],
  ])('a proxy answering CONNECT with %i: PROXY_REFUSED with the status', async (status, reason, advice) => {
    const fake = await rawProxy((socket) => socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\n\r\n`));
    const err = await failure(get(client({ proxy: `http://127.0.0.1:${fake.port}` }), 'https://service.test/api'));
    expect(err).toMatchObject({ code: 'PROXY_REFUSED', kind: 'connection', detail: `${status} ${reason}`, host: 'service.test' });
    expect(err.message).toContain(`the proxy http://127.0.0.1:${fake.port} refused the connection to service.test:443: it answered ${status} ${reason}`);
    expect(err.message).toMatch(advice);
  });

  it('the real proxy failing to reach the target: PROXY_REFUSED', async () => {
    const proxy = await startProxy();
    const port = await closedPort();
    const err = await failure(get(client({ proxy: proxy.url }), `https://127.0.0.1:${port}/`));
    expect(err).toMatchObject({ code: 'PROXY_REFUSED' });
    expect(err.detail).toMatch(/^5\d\d\b/);
    expect(proxy.connects).toEqual([`127.0.0.1:${port}`]);
  });

  it('a proxy that never answers CONNECT: CONNECT_TIMEOUT at the configured time, naming the proxy', async () => {
    const silent = trackServer(await startTcpServer());
    const c = client({ proxy: `http://127.0.0.1:${silent.port}`, timeouts: { connectTimeout: 300 } });
    const started = performance.now();
    const err = await failure(get(c, 'https://service.test/'));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ kind: 'timeout', code: 'CONNECT_TIMEOUT' });
    expect(err.message).toContain(`through the proxy http://127.0.0.1:${silent.port} within 300 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000);
    expect(silent.connections).toBe(1);
  });

  it('a proxy closing the connection without an answer: CONNECTION_RESET naming the proxy', async () => {
    const fake = await rawProxy((socket) => socket.end());
    const err = await failure(get(client({ proxy: `http://127.0.0.1:${fake.port}` }), 'https://service.test/'));
    expect(err).toMatchObject({ code: 'CONNECTION_RESET', host: '127.0.0.1' });
    expect(err.message).toContain(`the proxy http://127.0.0.1:${fake.port} closed the connection`);
  });

  it('a proxy answering garbage: PROTOCOL_ERROR', async () => {
    const fake = await rawProxy((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const err = await failure(get(client({ proxy: `http://127.0.0.1:${fake.port}` }), 'https://service.test/'));
    expect(err).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(err.message).toContain('malformed answer to CONNECT service.test:443');
  });
});

describe('https:// proxy', () => {
  it('reaches the proxy over TLS (trusted via tls.ca) and runs the target TLS inside it', async () => {
    const { server, peers } = await httpsTarget();
    const proxy = await startProxy({ tls: true });
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert } });
    expect((await get(c, `https://localhost:${server.port}/`)).body.toString()).toBe('hello anonymous');
    expect(proxy.connects).toEqual([`localhost:${server.port}`]);
    expect(peers).toEqual([PROXY_SOURCE]);
  });

  it("verifies the proxy's certificate: TLS_FAILURE naming the proxy", async () => {
    const proxy = await startProxy({ tls: true });
    const err = await failure(get(client({ proxy: proxy.url }), 'https://service.test/'));
    expect(err).toMatchObject({ code: 'TLS_FAILURE', host: '127.0.0.1', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(err.message).toContain(`the TLS connection to the proxy ${proxy.url} failed`);
    expect(proxy.connects).toEqual([]);
  });
});

describe('proxy settings', () => {
  it('parses a proxy URL: default port, label without credentials, Basic authorization', () => {
    expect(parseProxyUrl('s', 'http://proxy.corp:3128', 'x')).toEqual({
      protocol: 'http:', host: 'proxy.corp', port: 3128, label: 'http://proxy.corp:3128', source: 'x', authorization: undefined,
    });
    const p = parseProxyUrl('s', 'https://us%40er:p%3Ass@[::1]/', 'x');
    expect(p).toMatchObject({ protocol: 'https:', host: '::1', port: 443, label: 'https://[::1]:443' });
    expect(Buffer.from(p.authorization!.replace('Basic ', ''), 'base64').toString()).toBe('us@er:p:ss');
    // a value without a scheme (common in HTTPS_PROXY) is http://
    expect(parseProxyUrl('s', 'proxy.corp:8080', 'x').label).toBe('http://proxy.corp:8080');
  });

  it('refuses unusable proxy URLs without printing them', () => {
    expect(() => parseProxyUrl('s', 'socks5://user:SECRET@h:1080', 'HTTPS_PROXY')).toThrow(/HTTPS_PROXY must be an http:\/\/ or https:\/\//);
    expect(() => parseProxyUrl('s', 'http://user:SECRET@', 'HTTPS_PROXY')).toThrow(TypeError);
    for (const bad of ['socks5://user:SECRET@h:1080', 'http://user:SECRET@', 'http://us%ZZer:SECRET@h']) {
      try {
        parseProxyUrl('s', bad, 'HTTPS_PROXY');
        expect.unreachable();
      } catch (err) {
        expect((err as Error).message).not.toContain('SECRET');
      }
    }
    expect(() => new ServiceClient(serviceConfig({ proxy: 'ftp://proxy.corp' }))).toThrow(/proxy setting must be an http/);
  });

  it('env routing: per scheme, lower case first, empty means direct, no fallback', () => {
    const route = (env: NodeJS.ProcessEnv, protocol: string, host = 'api.example.com', port = protocol === 'https:' ? 443 : 80) =>
      createProxyRouter('s', 'env', env).route(protocol, host, port)?.label;
    expect(route({ HTTPS_PROXY: 'http://p:1' }, 'https:')).toBe('http://p:1');
    expect(route({ HTTPS_PROXY: 'http://p:1' }, 'http:')).toBeUndefined();
    expect(route({ HTTP_PROXY: 'http://p:2' }, 'https:')).toBeUndefined();
    expect(route({ http_proxy: 'http://p:3', HTTP_PROXY: 'http://p:2' }, 'http:')).toBe('http://p:3');
    expect(route({ https_proxy: '', HTTPS_PROXY: 'http://p:1' }, 'https:')).toBeUndefined();
    expect(route({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '.example.com' }, 'https:')).toBeUndefined();
    expect(route({ HTTPS_PROXY: 'http://p:1', no_proxy: 'other.com', NO_PROXY: 'example.com' }, 'https:')).toBe('http://p:1');
    expect(route({}, 'https:')).toBeUndefined();
    expect(() => createProxyRouter('s', 'env', { HTTPS_PROXY: 'socks5://u:SECRET@h' })).toThrow(/environment variable HTTPS_PROXY/);
  });

  it('NO_PROXY matching: names and subdomains, ports, IP literals, CIDRs, *', () => {
    const rules = parseNoProxy('example.com, *.corp.local .internal,10.0.0.0/8 ::1 [fd00::1]:8443 api.test:8443 127.0.0.1');
    const m = (host: string, port = 443) => matchesNoProxy(rules, host, port);
    expect(m('example.com')).toBe(true);
    expect(m('a.b.example.com')).toBe(true);
    expect(m('notexample.com')).toBe(false);
    expect(m('x.corp.local')).toBe(true);
    expect(m('corp.local')).toBe(true);
    expect(m('svc.internal')).toBe(true);
    expect(m('10.20.30.40')).toBe(true);
    expect(m('11.0.0.1')).toBe(false);
    expect(m('[::1]')).toBe(true);
    expect(m('fd00::1', 8443)).toBe(true);
    expect(m('fd00::1', 443)).toBe(false);
    expect(m('api.test', 8443)).toBe(true);
    expect(m('api.test', 443)).toBe(false);
    expect(m('127.0.0.1')).toBe(true);
    expect(m('EXAMPLE.COM.')).toBe(true);
    expect(matchesNoProxy(parseNoProxy('*'), 'anything', 1)).toBe(true);
    expect(matchesNoProxy(parseNoProxy(''), 'anything', 1)).toBe(false);
  });
});
