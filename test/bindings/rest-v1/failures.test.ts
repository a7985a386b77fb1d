// Timeouts, connection failures and the network policy as scripts see them
// (SPEC §4.3, §4.4), against real sockets on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { closedPort, startHttpServer, type TestServer } from '../../helpers/servers.js';
import { rejection } from '../../helpers/expect.js';

let hanging: TestServer;
let ok: TestServer;
let t: TestRuntime;
let port: number;

beforeAll(async () => {
  hanging = await startHttpServer(() => { /* never answers */ });
  ok = await startHttpServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); });
  port = await closedPort();
  const local = 'allowInsecureHttp: true\n    network: { allowPrivate: true }';
  t = await startRuntime({
    'scriptcode.yaml': `services:
  slow:
    url: ${hanging.url}
    ${local}
    timeouts: { connectTimeout: 1000, readTimeout: 400 }
  down:
    url: http://127.0.0.1:${port}
    ${local}
  nowhere:
    url: http://no-such-host.invalid
    ${local}
  loopbackLiteral: { url: '${ok.url}', allowInsecureHttp: true }
  loopbackName: { url: 'http://localhost:${ok.port}', allowInsecureHttp: true }
  mappedV6: { url: 'http://[::ffff:127.0.0.1]:${ok.port}', allowInsecureHttp: true }
  metadata: { url: 'http://169.254.169.254/latest/meta-data', allowInsecureHttp: true }
  allowedByCidr: { url: '${ok.url}', allowInsecureHttp: true, network: { allowCidrs: ['127.0.0.0/8'] } }
`,
    'scripts/call.js': `function callService(context) {
      var started = Date.now();
      try {
        var r = api.rest.v1.get(context.getFirstParameter('service'), { timeouts: context.getFirstParameter('readTimeout') ? { readTimeout: Number(context.getFirstParameter('readTimeout')) } : undefined });
        return [{ ok: r.body }];
      } catch (e) {
        return [{ name: e.name, code: e.code, message: e.message, hasStatus: e.status !== undefined, ms: Date.now() - started, isError: e instanceof Error }];
      }
    }`,
    'scripts/budget.js': "function callService() { try { api.rest.v1.get('slow', { timeouts: { readTimeout: 60000 } }); } catch (e) { return [{ name: e.name, code: e.code }]; } }",
    'scripts/budget.yaml': 'limits:\n  wallMs: 700\n',
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await hanging?.close();
  await ok?.close();
});

const call = async (service: string, readTimeout?: number) =>
  (await t.runtime.runScript('call', { input: { service, ...(readTimeout ? { readTimeout: String(readTimeout) } : {}) } })).output[0] as Record<string, any>;

describe('api.rest.v1 failures', () => {
  it('a read timeout ends the call on time: RestTimeoutError READ_TIMEOUT, no status', async () => {
    const r = await call('slow');
    expect(r).toMatchObject({ name: 'RestTimeoutError', code: 'READ_TIMEOUT', hasStatus: false, isError: true });
    expect(r.ms).toBeGreaterThanOrEqual(390);
    expect(r.ms).toBeLessThan(1500);
    const shorter = await call('slow', 150);
    expect(shorter.code).toBe('READ_TIMEOUT');
    expect(shorter.ms).toBeLessThan(1000);
  });

  it('the call is capped by the script\'s remaining time and the script can still handle it', async () => {
    const started = Date.now();
    const r = await t.runtime.runScript('budget');
    expect(r.output).toEqual([{ name: 'RestTimeoutError', code: 'DEADLINE' }]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refused connections and DNS failures are RestConnectionError with a code', async () => {
    expect(await call('down')).toMatchObject({ name: 'RestConnectionError', code: 'CONNECTION_REFUSED', hasStatus: false });
    expect(await call('nowhere')).toMatchObject({ name: 'RestConnectionError', code: 'DNS_FAILURE' });
  });

  it('the network policy refuses loopback (literal, name, IPv4-mapped IPv6) and metadata addresses without a connection', async () => {
    const before = ok.connections;
    for (const service of ['loopbackLiteral', 'loopbackName', 'mappedV6']) {
      const r = await call(service);
      expect(r, service).toMatchObject({ name: 'RestPolicyError', code: 'BLOCKED_ADDRESS' });
      expect(r.message).toContain('network.allowPrivate');
    }
    const started = Date.now();
    expect(await call('metadata')).toMatchObject({ name: 'RestPolicyError', code: 'BLOCKED_ADDRESS' });
    // refused before dialling: a dial would have waited the 5 s default connect timeout
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(ok.connections).toBe(before);
    expect(await call('allowedByCidr')).toEqual({ ok: { ok: true } });
  });

  it('plain http:// is refused unless allowInsecureHttp is set', async () => {
    const err = await rejection(() => startRuntime({ 'scriptcode.yaml': `services:\n  p: { url: '${ok.url}', network: { allowPrivate: true } }\n` }));
    expect(err.message).toContain('allowInsecureHttp');
  });
});
