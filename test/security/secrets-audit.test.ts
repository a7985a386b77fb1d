// Issue 7 §6: every kind of script, every auth type, successes and failures,
// with tracing on and the most talkative logging (level trace, policy
// `plain`): no distinctive secret value may appear in any log line, trace,
// error, answer or service description.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { startHttpServer, startHttpsServer, type TestServer } from '../helpers/servers.js';
import { received } from '../helpers/echo-server.js';
import { startServer } from '../server/helpers.js';

export const SECRETS = {
  basicPassword: 'SECRET-basic-pw-7f3a',
  encoded: Buffer.from('legacy:SECRET-encoded-pw-91bc').toString('base64'),
  encodedInner: 'SECRET-encoded-pw-91bc',
  bearer: 'SECRET-bearer-token-c4d2',
  apiKeyHeader: 'SECRET-api-key-header-55e1',
  apiKeyQuery: 'SECRET-api-key-query-0a9f',
  clientSecret: 'SECRET-client-secret-b7e8',
  accessToken: 'SECRET-access-token-3d6c',
  hashKey: 'SECRET-hash-key-e2f0',
};

let certs: TestCertificates;
let idp: TestServer;
let upstream: TestServer;
let mtls: TestServer;
let t: TestRuntime;
let files: Record<string, string>;
const answers: unknown[] = [];

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  certs = await createTestCertificates();
  idp = await startHttpServer(async (req, res) => {
    await received(req);
    json(res, 200, { access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 3600 });
  });
  const echo = async (req: IncomingMessage, res: ServerResponse) => {
    const got = await received(req);
    if (got.path.endsWith('/fail')) return json(res, 500, { error: 'upstream failed', echoedHeaders: Object.keys(got.headers) });
    if (got.path.endsWith('/unauthorized')) return json(res, 401, { error: 'no' });
    if (got.path.endsWith('/slow')) return; // never answers
    json(res, 200, { path: got.path, headerNames: Object.keys(got.headers).sort() });
  };
  upstream = await startHttpServer(echo);
  mtls = await startHttpsServer(echo, { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requestClientCert: true });
  for (const [k, v] of Object.entries(SECRETS)) process.env[`SC_AUDIT_${k.toUpperCase()}`] = v;
  process.env.SC_AUDIT_PFX = certs.clientPfxBase64;
  const env = (k: keyof typeof SECRETS) => `'\${env:SC_AUDIT_${k.toUpperCase()}}'`;
  files = {
    'scriptcode.yaml': `logging:
  level: trace
  sensitive: plain
  hashKey: ${env('hashKey')}
serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
  timeouts: { readTimeout: 300 }
services:
  basic: { url: '${upstream.url}/basic', auth: { type: basic, username: user, password: ${env('basicPassword')} } }
  encoded: { url: '${upstream.url}/enc', auth: { type: basic, encodedCredentials: ${env('encoded')} } }
  bearer: { url: '${upstream.url}/bearer', auth: { type: bearer, token: ${env('bearer')} } }
  keyHeader: { url: '${upstream.url}/kh', auth: { type: apiKey, in: header, name: X-Api-Key, value: ${env('apiKeyHeader')} } }
  keyQuery: { url: '${upstream.url}/kq', auth: { type: apiKey, in: query, name: key, value: ${env('apiKeyQuery')} } }
  oauth: { url: '${upstream.url}/oauth', auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: c, clientSecret: ${env('clientSecret')} } }
  mutual: { url: '${mtls.url}/m', tls: { ca: '\${file:${certs.dir}/ca.crt}', pfx: '\${env:SC_AUDIT_PFX}', passphrase: '${certs.clientPfxPassphrase}' } }
`,
    'scripts/everything.js': `function callService(context) {
      var out = [];
      ['basic', 'encoded', 'bearer', 'keyHeader', 'keyQuery', 'oauth', 'mutual'].forEach(function (id) {
        ['ok', 'fail', 'unauthorized', 'slow'].forEach(function (path) {
          try {
            var r = api.rest.v1.get(id, { path: path, queryParams: { q: 'x' } });
            Logger.info('{} {} answered {}', id, path, JSON.stringify(r));
            out.push(r);
          } catch (e) {
            Logger.error('{} {} failed {} {} {}', id, path, e.name, e.message, JSON.stringify(e));
            console.log(e, e.stack, e.headers, e.body);
            out.push({ name: e.name, message: e.message, code: e.code, body: e.body, headers: e.headers, stack: e.stack });
          }
        });
        try { api.rest.v1.get(id, {}, { Authorization: 'Bearer x', 'X-Api-Key': 'y' }); } catch (e) { out.push(e.message); }
      });
      Logger.debug('api {}', JSON.stringify(api));
      return out;
    }`,
    'scripts/uncaught.js': "function callService() { api.rest.v1.get('bearer', { path: 'fail' }); }",
    'validators/v.js': "function callService() { var r = api.rest.v1.get('keyQuery', { path: 'ok' }); return [{ key: 'k', parameters: [JSON.stringify(r)] }]; }",
    'tasks/t.js': "function callService(context) { try { api.rest.v1.get('oauth', { path: 'fail' }); } catch (e) { context.handleFailure(e); } }",
    'tasks/t2.js': "function callService(context) { api.rest.v1.get('basic', { path: 'unauthorized' }); }",
    'formatters/f.js': 'function formatText(i) { return { formattedText: i.textToFormat }; }',
  };
  t = await startRuntime(files);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([idp?.close(), upstream?.close(), mtls?.close()]);
  for (const k of Object.keys(SECRETS)) delete process.env[`SC_AUDIT_${k.toUpperCase()}`];
  delete process.env.SC_AUDIT_PFX;
});

async function collect(fn: () => Promise<unknown>): Promise<void> {
  try {
    answers.push(await fn());
  } catch (err) {
    answers.push(err, (err as { body?: unknown }).body, String(err), (err as Error).stack);
  }
}

describe('secrets audit', () => {
  it('runs the acceptance set and finds no secret anywhere', async () => {
    await collect(() => t.runtime.runScript('everything', { trace: true }));
    await collect(() => t.runtime.runScript('uncaught', { trace: true }));
    await collect(() => t.runtime.validate('v', { trace: true }));
    await collect(() => t.runtime.executeTask('t', { trace: true }));
    await collect(() => t.runtime.executeTask('t2', { trace: true }));
    await collect(() => t.runtime.format('f', { textToFormat: 'x', trace: true }));
    answers.push(t.runtime.services(), t.runtime.stats());

    const haystack = JSON.stringify(answers) + answers.map(String).join('\n') + t.log.text;
    // the audit looked at real material: calls were made and logged
    expect(t.log.lines.length).toBeGreaterThan(40);
    expect(haystack).toContain('REST call');
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(haystack.includes(secret), `${name} leaked`).toBe(false);
    }
    expect(haystack).not.toContain(certs.clientPfxBase64.slice(0, 40));
  }, 60_000);

  it('through the HTTP server too: answers, /api/services, /metrics, /openapi.json and the server log', async () => {
    const server = await startServer(files, { logLevel: 'trace' });
    try {
      await server.post('/api/scripts/everything/run', { trace: true });
      await server.post('/api/scripts/uncaught/run', { trace: true });
      await server.post('/api/validators/v/validate', { trace: true });
      await server.post('/api/tasks/t/execute', { trace: true });
      await server.post('/api/tasks/t2/execute', { trace: true });
      const metrics = await server.get('/metrics');
      expect(metrics.text).toContain('scriptcode_rest_calls_total');
      expect(metrics.text).toContain('scriptcode_token_requests_total');
      await server.get('/api/services');
      await server.get('/api/scripts');
      await server.get('/openapi.json');
      const haystack = server.answers.map((a) => a.text).join('\n') + server.log.text;
      expect(server.log.lines.length).toBeGreaterThan(40);
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(haystack.includes(secret), `${name} leaked`).toBe(false);
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
