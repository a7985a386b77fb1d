// The network policy applied where it matters: on the address actually
// dialled. Every refusal is checked against a real loopback server that must
// see no connection at all. No non-loopback address is ever dialled: refused
// addresses are refused before any socket exists.
import { request as undiciRequest, Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector, type LookupAll } from '../../src/http/connector.js';
import { HttpCallError, toHttpCallError } from '../../src/http/errors.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { startHttpServer, startHttpsServer } from '../helpers/servers.js';
import { client, failure, get, track, trackServer } from './support.js';
import { pause } from '../helpers/expect.js';

const strict = { network: { allowPrivate: false, allowCidrs: [] } };
let certs: TestCertificates | undefined;
afterAll(async () => certs?.cleanup());

async function okServer() {
  return trackServer(await startHttpServer((_req, res) => res.end('ok')));
}

describe('connector: addresses refused before dialling', () => {
  it('refuses the IP literal 127.0.0.1 without any connection reaching the server', async () => {
    const server = await okServer();
    const err = await failure(get(client(strict), `${server.url}/x`));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ kind: 'policy', code: 'BLOCKED_ADDRESS', serviceId: 'svc', host: '127.0.0.1' });
    expect(err.message).toMatch(/127\.0\.0\.1.*loopback.*network\.allowPrivate/);
    await pause();
    expect(server.connections).toBe(0);
  });

  it('refuses localhost (a name resolving to loopback) without any connection', async () => {
    const server = await okServer();
    const err = await failure(get(client(strict), `http://localhost:${server.port}/x`));
    expect(err.code).toBe('BLOCKED_ADDRESS');
    expect(err.message).toContain('localhost resolves to 127.0.0.1');
    await pause();
    expect(server.connections).toBe(0);
  });

  it('refuses an IPv4-mapped IPv6 literal [::ffff:127.0.0.1]', async () => {
    const server = await okServer();
    const err = await failure(get(client(strict), `http://[::ffff:127.0.0.1]:${server.port}/x`));
    expect(err.code).toBe('BLOCKED_ADDRESS');
    expect(err.message).toContain('loopback');
    await pause();
    expect(server.connections).toBe(0);
  });

  it('refuses the cloud metadata address 169.254.169.254 at once, before dialling', async () => {
    // Refused before a socket exists, so nothing leaves this machine: a dial would
    // have waited for the 10 s connect timeout (and said CONNECT_TIMEOUT)
    const started = performance.now();
    const err = await failure(
      get(client({ ...strict, timeouts: { connectTimeout: 10_000 } }), 'http://169.254.169.254/latest/meta-data/?token=SECRET'),
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(err).toMatchObject({ code: 'BLOCKED_ADDRESS', kind: 'policy' });
    expect(err.message).toContain('linkLocal');
    expect(err.message).not.toContain('SECRET');
  });

  it('allows loopback by name and by literal with allowPrivate', async () => {
    const server = await okServer();
    const c = client({ network: { allowPrivate: true } });
    expect((await get(c, `${server.url}/a`)).body.toString()).toBe('ok');
    expect((await get(c, `http://localhost:${server.port}/b`)).body.toString()).toBe('ok');
    expect(server.connections).toBeGreaterThanOrEqual(1);
  });

  it('allows an address inside allowCidrs', async () => {
    const server = await okServer();
    const res = await get(client({ network: { allowPrivate: false, allowCidrs: ['127.0.0.0/8'] } }), `${server.url}/`);
    expect(res.status).toBe(200);
  });
});

describe('connector used directly with undici', () => {
  const base = { serviceId: 'direct', tls: { minVersion: 'TLSv1.2' as const }, connectTimeout: 2_000 };

  function agentWith(lookup: LookupAll, network = { allowPrivate: false, allowCidrs: ['127.0.0.1/32'] }) {
    return track(new Agent({ connect: createConnector({ ...base, network, lookup }) }));
  }

  it('refuses a name when ANY of its addresses is refused, even if the first is allowed', async () => {
    const server = await okServer();
    const agent = agentWith(async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ]);
    const err = await undiciRequest(`http://mixed.test:${server.port}/`, { dispatcher: agent }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect((err as Error).message).toContain('mixed.test resolves to 10.0.0.1');
    await pause();
    expect(server.connections).toBe(0);
  });

  it('dials the checked IP, not the name (which real DNS could answer differently)', async () => {
    const server = await okServer();
    // `pinned.test` does not exist in DNS: the call can only work if the connector dials the IP it checked.
    const agent = agentWith(async () => [{ address: '127.0.0.1', family: 4 }]);
    const res = await undiciRequest(`http://pinned.test:${server.port}/`, { dispatcher: agent });
    expect(await res.body.text()).toBe('ok');
  });

  it('tries the next address when one refuses the connection', async () => {
    const server = await okServer();
    // ::1 has no listener on this port (the server binds 127.0.0.1 only).
    const agent = agentWith(
      async () => [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ],
      { allowPrivate: true, allowCidrs: [] },
    );
    const res = await undiciRequest(`http://twofold.test:${server.port}/`, { dispatcher: agent });
    expect(await res.body.text()).toBe('ok');
  });

  it('verifies the certificate against the host name, not the dialled IP', async () => {
    const { serverCert, serverKey, caCert } = (certs = await createTestCertificates());
    const server = trackServer(await startHttpsServer((_req, res) => res.end('tls ok'), { cert: serverCert, key: serverKey }));
    const agent = () =>
      track(
        new Agent({
          connect: createConnector({
            ...base,
            tls: { minVersion: 'TLSv1.2', ca: caCert },
            network: { allowPrivate: true, allowCidrs: [] },
            lookup: async () => [{ address: '127.0.0.1', family: 4 }],
          }),
        }),
      );
    // localhost is in the certificate: works although 127.0.0.1 is what is dialled.
    const ok = await undiciRequest(`https://localhost:${server.port}/`, { dispatcher: agent() });
    expect(await ok.body.text()).toBe('tls ok');
    // other.test is not, even though the dialled 127.0.0.1 is: must fail.
    const err = await undiciRequest(`https://other.test:${server.port}/`, { dispatcher: agent() }).then(
      () => undefined,
      (e: unknown) => toHttpCallError(e, { serviceId: 'direct', host: 'other.test' }),
    );
    expect(err).toMatchObject({ code: 'TLS_FAILURE', detail: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('rejects a malformed allowCidrs entry when the connector is built', () => {
    expect(() =>
      createConnector({ ...base, network: { allowPrivate: false, allowCidrs: ['nonsense'] } }),
    ).toThrow(/allowCidrs: "nonsense"/);
  });
});
