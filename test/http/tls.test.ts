// TLS against real HTTPS servers on loopback with certificates made by
// openssl (test/helpers/certs.ts): trust via tls.ca, mutual TLS with cert/key
// and with a PKCS#12 bundle, minimum version, and that verification cannot be
// switched off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { HttpCallError, ServiceClient } from '../../src/http/index.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { startHttpsServer, startTcpServer, type HttpsServerOptions } from '../helpers/servers.js';
import { client, failure, get, serviceConfig, trackServer } from './support.js';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await createTestCertificates();
});
afterAll(async () => {
  await certs?.cleanup();
});

async function server(options: Partial<HttpsServerOptions> = {}) {
  return trackServer(
    await startHttpsServer(
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.end(`hello ${peer?.subject?.CN ?? 'anonymous'}`);
      },
      { cert: certs.serverCert, key: certs.serverKey, ...options },
    ),
  );
}

describe('server certificate verification', () => {
  it('works when the test CA is trusted via tls.ca (by name and by IP)', async () => {
    const s = await server();
    const c = client({ tls: { ca: certs.caCert } });
    expect((await get(c, `https://localhost:${s.port}/`)).body.toString()).toBe('hello anonymous');
    expect((await get(c, `${s.url}/`)).status).toBe(200);
  });

  it('fails with TLS_FAILURE (keeping the OpenSSL reason) when the CA is not trusted', async () => {
    const s = await server();
    const err = await failure(get(client(), `https://localhost:${s.port}/path?key=SECRET`));
    expect(err).toBeInstanceOf(HttpCallError);
    expect(err).toMatchObject({ kind: 'connection', code: 'TLS_FAILURE', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(err.message).toContain('tls.ca');
    expect(err.message).not.toContain('SECRET');
  });

  it('fails when only an unrelated CA is trusted', async () => {
    const s = await server();
    const err = await failure(get(client({ tls: { ca: certs.otherCaCert } }), `https://localhost:${s.port}/`));
    expect(err).toMatchObject({ code: 'TLS_FAILURE', detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('still verifies when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const s = await server();
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const err = await failure(get(client(), `https://localhost:${s.port}/`));
      expect(err.code).toBe('TLS_FAILURE');
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });
});

describe('mutual TLS', () => {
  const mtls = () => server({ requestClientCert: true, ca: certs.caCert });

  it('fails without a client certificate', async () => {
    const s = await mtls();
    const err = await failure(get(client({ tls: { ca: certs.caCert } }), `https://localhost:${s.port}/`));
    expect(err).toMatchObject({ code: 'TLS_FAILURE', detail: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(err.message).toMatch(/client certificate/);
  });

  it('works with tls.cert + tls.key', async () => {
    const s = await mtls();
    const c = client({ tls: { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey } });
    expect((await get(c, `https://localhost:${s.port}/`)).body.toString()).toBe('hello scriptcode-test-client');
  });

  it('works with tls.pfx (base64 PKCS#12) + passphrase', async () => {
    const s = await mtls();
    const c = client({ tls: { ca: certs.caCert, pfx: certs.clientPfxBase64, passphrase: certs.clientPfxPassphrase } });
    expect((await get(c, `https://localhost:${s.port}/`)).body.toString()).toBe('hello scriptcode-test-client');
  });

  it('refuses unusable TLS material when the client is created', () => {
    const create = () => new ServiceClient(serviceConfig({ tls: { pfx: certs.clientPfxBase64, passphrase: 'wrong' } }));
    expect(create).toThrow(HttpCallError);
    expect(create).toThrow(/tls settings are unusable/);
    expect(create).not.toThrow(/wrong/);
  });
});

describe('TLS version and connect timeout', () => {
  it('fails when tls.minVersion is TLSv1.3 and the server stops at TLSv1.2', async () => {
    const s = await server({ maxVersion: 'TLSv1.2' });
    const err = await failure(get(client({ tls: { ca: certs.caCert, minVersion: 'TLSv1.3' } }), `https://localhost:${s.port}/`));
    expect(err.code).toBe('TLS_FAILURE');
    expect(err.message).toContain('tls.minVersion');
    // ...and TLSv1.2 (the default minimum) works with it.
    expect((await get(client({ tls: { ca: certs.caCert } }), `https://localhost:${s.port}/`)).status).toBe(200);
  });

  // Loopback-only way to make a connect phase hang: a TCP server that accepts
  // the connection but never answers the TLS ClientHello. The connect phase
  // (DNS + TCP + TLS handshake) then cannot finish.
  it('ends a handshake that never completes with CONNECT_TIMEOUT at the configured time', async () => {
    const silent = trackServer(await startTcpServer());
    const c = client({ timeouts: { connectTimeout: 300 } });
    const started = performance.now();
    const err = await failure(get(c, `https://127.0.0.1:${silent.port}/`));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ kind: 'timeout', code: 'CONNECT_TIMEOUT' });
    expect(err.message).toContain('300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // the handshake never completes: without the timer the call would wait until the test's own timeout
    expect(elapsed).toBeLessThan(5_000);
    expect(silent.connections).toBe(1);
  });

  it('honours a per-call connectTimeout, shorter or longer than the service default', async () => {
    const silent = trackServer(await startTcpServer());
    // shorter: 150 ms against a service default of 8 s
    let started = performance.now();
    let err = await failure(get(client({ timeouts: { connectTimeout: 8_000 } }), `https://127.0.0.1:${silent.port}/`, { connectTimeout: 150 }));
    expect(err.code).toBe('CONNECT_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(4_000);
    // longer: 800 ms against a service default of 100 ms
    const c = client({ timeouts: { connectTimeout: 100 } });
    started = performance.now();
    err = await failure(get(c, `https://127.0.0.1:${silent.port}/`, { connectTimeout: 800 }));
    expect(err.code).toBe('CONNECT_TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(780);
  });
});
