// Authorization added by the host and invisible to scripts; HTTPS with a
// private CA and mutual TLS (SPEC §4.4), against real servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { createTestCertificates, type TestCertificates } from '../../helpers/certs.js';
import { startHttpsServer, type TestServer } from '../../helpers/servers.js';
import { received, type Received } from '../../helpers/echo-server.js';

const SECRETS = {
  password: 'pw-Zq81-never-shown',
  token: 'tok-Vx33-never-shown',
  apiKey: 'key-Lm02-never-shown',
  queryKey: 'qkey-Pp77-never-shown',
};
const ENCODED = Buffer.from('legacy:enc-Rr55-never-shown').toString('base64');

let certs: TestCertificates;
let server: TestServer;
let mtls: TestServer;
const requests: Received[] = [];
let t: TestRuntime;

beforeAll(async () => {
  certs = await createTestCertificates();
  const echo = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const got = await received(req);
    requests.push(got);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: got.path, seenAuth: got.headers.authorization !== undefined || got.headers['x-api-key'] !== undefined || got.query.key !== undefined }));
  };
  server = await startHttpsServer(echo, { cert: certs.serverCert, key: certs.serverKey });
  mtls = await startHttpsServer(echo, { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestClientCert: true });
  process.env.SC_TEST_PASSWORD = SECRETS.password;
  process.env.SC_TEST_APIKEY = SECRETS.apiKey;
  process.env.SC_TEST_PFX = certs.clientPfxBase64;
  const tls = `tls: { ca: '\${file:${certs.dir}/ca.crt}' }`;
  const net = 'network: { allowPrivate: true }';
  t = await startRuntime({
    'token.txt': `${SECRETS.token}\n`,
    'scriptcode.yaml': `serviceDefaults:
  ${net}
  ${tls}
services:
  basic: { url: '${server.url}/basic', auth: { type: basic, username: api-user, password: '\${env:SC_TEST_PASSWORD}' } }
  basicEncoded: { url: '${server.url}/enc', auth: { type: basic, encodedCredentials: '${ENCODED}' } }
  basicAsDocumented: { url: '${server.url}/doc', auth: { type: basic, encodedCredentials: cGFzc3dvcmQ= } }
  bearer: { url: '${server.url}/bearer', auth: { type: bearer, token: '\${file:token.txt}' } }
  keyHeader: { url: '${server.url}/kh', auth: { type: apiKey, in: header, name: X-Api-Key, value: '\${env:SC_TEST_APIKEY}' } }
  keyQuery: { url: '${server.url}/kq', auth: { type: apiKey, in: query, name: key, value: '${SECRETS.queryKey}' } }
  untrusted: { url: '${server.url}/u', tls: { ca: '\${file:${certs.dir}/other-ca.crt}' } }
  noClientCert: { url: '${mtls.url}/m' }
  clientCert: { url: '${mtls.url}/m', tls: { ca: '\${file:${certs.dir}/ca.crt}', cert: '\${file:${certs.dir}/client.crt}', key: '\${file:${certs.dir}/client.key}' } }
  clientPfx: { url: '${mtls.url}/m', tls: { ca: '\${file:${certs.dir}/ca.crt}', pfx: '\${env:SC_TEST_PFX}', passphrase: '${certs.clientPfxPassphrase}' } }
  tls13: { url: '${server.url}/t', tls: { ca: '\${file:${certs.dir}/ca.crt}', minVersion: TLSv1.3 } }
`,
    'scripts/call.js': `function callService(context) {
      var id = context.getFirstParameter('service');
      try {
        var r = api.rest.v1.get(id, { queryParams: { q: 'v' } });
        return [{ status: r.status.code, body: r.body, headers: r.headers }];
      } catch (e) {
        return [{ name: e.name, code: e.code, message: e.message }];
      }
    }`,
    'scripts/snoop.js': `function callService() {
      var seen = [];
      seen.push(JSON.stringify(api), Object.getOwnPropertyNames(api.rest.v1).join(','), String(api.rest.v1.get));
      try { api.rest.v1.get('basic', {}, { Authorization: 'x' }); } catch (e) { seen.push(e.message); }
      var r = api.rest.v1.get('keyQuery');
      seen.push(JSON.stringify(r));
      Logger.info('response {}', nonsensitive(JSON.stringify(r)));
      return [{ seen: seen }];
    }`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
  await mtls?.close();
  for (const k of ['SC_TEST_PASSWORD', 'SC_TEST_APIKEY', 'SC_TEST_PFX']) delete process.env[k];
});

const call = async (service: string) =>
  (await t.runtime.runScript('call', { input: { service }, trace: true }));

describe('authorization', () => {
  it('basic (both forms), bearer and API keys arrive at the server', async () => {
    for (const s of ['basic', 'basicEncoded', 'basicAsDocumented', 'bearer', 'keyHeader', 'keyQuery']) {
      expect((await call(s)).output[0], s).toMatchObject({ status: 200, body: { seenAuth: true } });
    }
    const byPath = Object.fromEntries(requests.map((r) => [r.path, r]));
    expect(byPath['/basic'].headers.authorization).toBe(`Basic ${Buffer.from(`api-user:${SECRETS.password}`).toString('base64')}`);
    expect(byPath['/enc'].headers.authorization).toBe(`Basic ${ENCODED}`);
    // the reference documentation's example, not base64 of user:password: sent as given, as the platform does
    expect(byPath['/doc'].headers.authorization).toBe('Basic cGFzc3dvcmQ=');
    expect(byPath['/bearer'].headers.authorization).toBe(`Bearer ${SECRETS.token}`);
    expect(byPath['/kh'].headers['x-api-key']).toBe(SECRETS.apiKey);
    expect(byPath['/kq'].query).toEqual({ q: ['v'], key: [SECRETS.queryKey] });
  });

  it('a script can neither see nor override a credential, and none reaches the trace, the log or an answer', async () => {
    const r = await t.runtime.runScript('snoop', { trace: true });
    const everything = JSON.stringify(r) + t.log.text;
    for (const secret of [...Object.values(SECRETS), ENCODED]) expect(everything).not.toContain(secret);
    expect(JSON.stringify(r.output)).toContain('set by the authorization configured');
    const traced = JSON.stringify((await call('keyQuery')).trace);
    expect(traced).not.toContain(SECRETS.queryKey);
    expect(traced).toContain('"q":["*****"]');
  });
});

describe('TLS', () => {
  it('trusts an extra CA from tls.ca, and fails with another CA', async () => {
    expect((await call('basic')).output[0]).toMatchObject({ status: 200 });
    const r = (await call('untrusted')).output[0] as Record<string, string>;
    expect(r).toMatchObject({ name: 'RestConnectionError', code: 'TLS_FAILURE' });
    expect(r.message).toContain('tls.ca');
  });

  it('mutual TLS: refused without a client certificate, works with cert/key and with a PKCS#12 bundle', async () => {
    expect((await call('noClientCert')).output[0]).toMatchObject({ name: 'RestConnectionError', code: expect.stringMatching(/TLS_FAILURE|CONNECTION_RESET/) });
    expect((await call('clientCert')).output[0]).toMatchObject({ status: 200 });
    expect((await call('clientPfx')).output[0]).toMatchObject({ status: 200 });
  });

  it('minVersion TLSv1.3 works against a server that speaks it', async () => {
    expect((await call('tls13')).output[0]).toMatchObject({ status: 200 });
  });
});
