// The connection check (`scriptcode services check`) of a service with a
// proxy: its tcp and tls steps open one connection through the proxy the way
// calls do (ProxyAgent's tunnel for https://, a connection to the proxy for
// http://) without sending a request; the health step goes through it too.
// A real proxy on loopback (test/helpers/test-proxy.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServiceConnection } from '../../src/http/connection-check.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { startHttpServer, startHttpsServer } from '../helpers/servers.js';
import { startTestProxy } from '../helpers/test-proxy.js';
import { serviceConfig, track, trackServer } from './support.js';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await createTestCertificates();
});
afterAll(async () => {
  await certs?.cleanup();
});

const stepOf = (result: Awaited<ReturnType<typeof checkServiceConnection>>, name: string) => result.steps.find((s) => s.step === name);

describe('connection check through a proxy', () => {
  it('https://: tcp and tls through a CONNECT tunnel, the certificate verified, no request sent', async () => {
    const paths: string[] = [];
    const target = trackServer(await startHttpsServer((req, res) => {
      paths.push(req.url ?? '');
      res.end('{}');
    }, { cert: certs.serverCert, key: certs.serverKey }));
    const proxy = track(await startTestProxy());
    const service = serviceConfig({ url: `https://localhost:${target.port}/api`, proxy: proxy.url, tls: { ca: certs.caCert } });
    const result = await checkServiceConnection(service);
    expect(result).toMatchObject({ ok: true, proxy: proxy.url });
    expect(stepOf(result, 'tcp')).toMatchObject({ status: 'ok' });
    expect(stepOf(result, 'tcp')!.detail).toContain(`through ${proxy.url}`);
    expect(stepOf(result, 'tls')).toMatchObject({ status: 'ok', certificate: { verified: true, subject: expect.stringContaining('CN=localhost') } });
    expect(proxy.connects).toEqual([`localhost:${target.port}`]);
    expect(target.connections).toBe(1);
    expect(paths).toEqual([]);
  });

  it('a proxy refusing the tunnel: tcp fails with PROXY_REFUSED, tls is skipped', async () => {
    const proxy = track(await startTestProxy({ credentials: 'corp:pw' }));
    const service = serviceConfig({ url: 'https://service.test/api', proxy: proxy.url });
    const result = await checkServiceConnection(service);
    expect(result.ok).toBe(false);
    expect(stepOf(result, 'tcp')).toMatchObject({ status: 'failed', error: { code: 'PROXY_REFUSED' } });
    expect(stepOf(result, 'tcp')!.error!.message).toMatch(/407/);
    expect(stepOf(result, 'tls')).toMatchObject({ status: 'skipped' });
  });

  it('http://: tcp to the proxy, and the health request forwarded by it', async () => {
    const plain = trackServer(await startHttpServer((_req, res) => res.end('{}')));
    const proxy = track(await startTestProxy());
    const service = serviceConfig({ url: `${plain.url}/api`, proxy: proxy.url, healthPath: '/health' });
    const result = await checkServiceConnection(service);
    expect(result.ok).toBe(true);
    expect(stepOf(result, 'tcp')!.detail).toContain(`through ${proxy.url}`);
    expect(stepOf(result, 'health')).toMatchObject({ status: 'ok', httpStatus: 200 });
    expect(proxy.forwards).toEqual([`${plain.url}/health`]);
  });
});
