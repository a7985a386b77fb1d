// The CONNECT tunnel on undici's ProxyAgent (src/http/proxy-tunnel.ts) and
// what proxy.ts keeps around it: what ProxyAgent alone would lose (the
// proxy's reason phrase and Proxy-Authenticate, a 2xx other than 200, bytes
// after the answer), the connect timeout over the whole tunnel, and the
// forward requests kept out of ProxyAgent. Real proxies on loopback: the
// `proxy` package, or a raw socket answering CONNECT as a test needs.
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCallError, ServiceClient } from '../../src/http/index.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { pause } from '../helpers/expect.js';
import { startHttpServer, startHttpsServer, startTcpServer, type TestServer } from '../helpers/servers.js';
import { PROXY_SOURCE, startTestProxy } from '../helpers/test-proxy.js';
import { client, failure, get, serviceConfig, track, trackServer } from './support.js';

let certs: TestCertificates;
let target: TestServer;
/** Proxy-Authorization of each request the target received */
const seenByTarget: (string | undefined)[] = [];
beforeAll(async () => {
  certs = await createTestCertificates();
  target = await startHttpsServer((req, res) => {
    seenByTarget.push(req.headers['proxy-authorization']);
    res.end('hello');
  }, { cert: certs.serverCert, key: certs.serverKey });
});
afterAll(async () => {
  await target?.close();
  await certs?.cleanup();
});

/**
 * A proxy on a raw socket: reads the CONNECT request and writes `answer`;
 * with `tunnel`, then pipes the socket to the target (as a proxy would after
 * a 2xx).
 */
async function rawProxy(answer: string, options: { tunnel?: boolean } = {}): Promise<TestServer & { requests: string[] }> {
  const requests: string[] = [];
  const server = await startTcpServer((socket) =>
    socket.once('data', (head: Buffer) => {
      requests.push(head.toString('latin1'));
      if (!options.tunnel) {
        socket.end(answer);
        return;
      }
      const upstream = net.connect(target.port, '127.0.0.1', () => {
        socket.write(answer);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    }),
  );
  return Object.assign(trackServer(server), { requests });
}

const viaRaw = (proxy: TestServer, overrides: Parameters<typeof serviceConfig>[0] = {}) =>
  client({ proxy: `http://127.0.0.1:${proxy.port}`, tls: { ca: certs.caCert }, ...overrides });

describe('what the proxy answers to CONNECT', () => {
  it("keeps the proxy's own reason phrase and reads its Proxy-Authenticate", async () => {
    const blocked = await rawProxy('HTTP/1.1 403 Blocked by policy\r\nContent-Length: 0\r\n\r\n');
    const refused = await failure(get(viaRaw(blocked), 'https://service.test/'));
    expect(refused).toMatchObject({ code: 'PROXY_REFUSED', detail: '403 Blocked by policy', host: 'service.test' });

    const negotiate = await rawProxy('HTTP/1.1 407 Login First\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n');
    const auth = await failure(get(viaRaw(negotiate), 'https://service.test/'));
    expect(auth).toMatchObject({ code: 'PROXY_REFUSED', detail: '407 Login First' });
    expect(auth.message).toMatch(/asks for Negotiate authentication; only Basic/);
  });

  it('sends CONNECT host:port with Host and the Basic credentials of the proxy URL', async () => {
    const proxy = await rawProxy('HTTP/1.1 200 Connection established\r\n\r\n', { tunnel: true });
    const c = client({ proxy: `http://us%40er:p%3Ass@127.0.0.1:${proxy.port}`, tls: { ca: certs.caCert } });
    expect((await get(c, `https://localhost:${target.port}/`)).body.toString()).toBe('hello');
    const [head] = proxy.requests;
    expect(head).toMatch(new RegExp(`^CONNECT localhost:${target.port} HTTP/1.1\r\n`));
    expect(head).toContain(`host: localhost:${target.port}\r\n`);
    expect(head).toContain(`proxy-authorization: Basic ${Buffer.from('us@er:p:ss').toString('base64')}\r\n`);
  });

  it('opens the tunnel on any 2xx, not only 200', async () => {
    const proxy = await rawProxy('HTTP/1.1 201 Tunnel Open\r\n\r\n', { tunnel: true });
    const res = await get(viaRaw(proxy), `https://localhost:${target.port}/`);
    expect(res.body.toString()).toBe('hello');
  });

  it('refuses bytes sent after the answer, before the TLS handshake: PROTOCOL_ERROR', async () => {
    const chatty = await rawProxy('HTTP/1.1 200 OK\r\n\r\nWelcome to the proxy\r\n');
    const err = await failure(get(viaRaw(chatty), 'https://service.test/'));
    expect(err).toMatchObject({ code: 'PROTOCOL_ERROR', host: '127.0.0.1' });
    expect(err.message).toContain('malformed answer to CONNECT service.test:443 (data after the CONNECT answer');
  });
});

describe('the connect timeout over the tunnel', () => {
  it('a TLS handshake that hangs in the tunnel: CONNECT_TIMEOUT naming the proxy, and the tunnel is closed', async () => {
    const silent = trackServer(await startTcpServer());
    const proxy = track(await startTestProxy());
    const fromClient: net.Socket[] = [];
    proxy.server.on('connection', (s: net.Socket) => fromClient.push(s));
    const c = client({ proxy: proxy.url, timeouts: { connectTimeout: 300 } });
    const err = await failure(get(c, `https://localhost:${silent.port}/`));
    expect(err).toMatchObject({ kind: 'timeout', code: 'CONNECT_TIMEOUT' });
    expect(err.message).toContain(`through the proxy ${proxy.url} within 300 ms`);
    expect(proxy.connects).toEqual([`localhost:${silent.port}`]);
    // Our end of the tunnel is closed, not left open until the proxy or the target gives up.
    expect(fromClient).toHaveLength(1);
    await expect.poll(() => fromClient[0]!.readableEnded).toBe(true);
  });

  it('a local lookup slower than the connect timeout: CONNECT_TIMEOUT, the proxy never dialled', async () => {
    const proxy = track(await startTestProxy());
    const lookup = () => new Promise<never>(() => {});
    const c = track(new ServiceClient(serviceConfig({ proxy: proxy.url, network: { allowPrivate: false }, timeouts: { connectTimeout: 300 } }), { lookup }));
    const err = await failure(get(c, 'https://slow-dns.test/'));
    expect(err).toMatchObject({ code: 'CONNECT_TIMEOUT' });
    await pause();
    expect(proxy.connections).toBe(0);
  });
});

describe('around the tunnel', () => {
  it('an https:// proxy forwards http:// targets (a request over TLS to the proxy, no CONNECT)', async () => {
    const peers: string[] = [];
    const plain = trackServer(await startHttpServer((req, res) => {
      peers.push(req.socket.remoteAddress ?? '');
      res.end('plain ok');
    }));
    const proxy = track(await startTestProxy({ tls: { cert: certs.serverCert, key: certs.serverKey } }));
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert } });
    expect((await get(c, `${plain.url}/p?q=1`)).body.toString()).toBe('plain ok');
    expect(proxy.forwards).toEqual([`${plain.url}/p?q=1`]);
    expect(proxy.connects).toEqual([]);
    expect(peers).toEqual([PROXY_SOURCE]);
  });

  it("does not show the service's client certificate to an https:// proxy (the target gets it)", async () => {
    const shown: unknown[] = [];
    const proxy = track(await startTestProxy({ tls: { cert: certs.serverCert, key: certs.serverKey, requestCert: true, rejectUnauthorized: false } }));
    proxy.server.prependListener('connect', (req: { socket: TLSSocket }) => shown.push(req.socket.getPeerCertificate().subject));
    const mutual = trackServer(await startHttpsServer(
      (req, res) => res.end(`hello ${(req.socket as TLSSocket).getPeerCertificate().subject?.CN}`),
      { cert: certs.serverCert, key: certs.serverKey, requestClientCert: true, ca: certs.caCert },
    ));
    const c = client({ proxy: proxy.url, tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    expect((await get(c, `https://localhost:${mutual.port}/`)).body.toString()).toBe('hello scriptcode-test-client');
    expect(shown).toEqual([undefined]);
  });

  it("never passes a call's own Proxy-Authorization on: not to the target, not to the proxy", async () => {
    const credentials = 'corp:pw';
    const proxy = track(await startTestProxy({ credentials }));
    const c = client({ proxy: proxy.url.replace('://', `://${credentials}@`), tls: { ca: certs.caCert } });
    const headers = { 'proxy-authorization': 'Basic c2NyaXB0OmxlYWs=' };
    expect((await get(c, `https://localhost:${target.port}/`, { headers })).status).toBe(200);
    expect(seenByTarget.at(-1)).toBeUndefined();
    const plain = trackServer(await startHttpServer((_req, res) => res.end('ok')));
    expect((await get(c, `${plain.url}/`, { headers })).status).toBe(200);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from(credentials).toString('base64')}`, `Basic ${Buffer.from(credentials).toString('base64')}`]);
  });

  it('names the proxy, never its credentials, in every error', async () => {
    const refusing = await rawProxy('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    const c = client({ proxy: `http://admin:TOPSECRET@127.0.0.1:${refusing.port}` });
    const err = await failure(get(c, 'https://service.test/'));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(`${err.message} ${err.detail} ${String(err.cause)}`).not.toMatch(/TOPSECRET|admin/);
  });
});
