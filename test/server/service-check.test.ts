// "Test a connection" (POST /api/services/{id}/check, `scriptcode services
// check`) against real loopback servers: each step's verdict, the certificate,
// the token endpoint — and never a secret in what comes back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates, type TestCertificates } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, startHttpServer, startHttpsServer, type TestServer as Upstream } from '../helpers/servers.js';
import { startServer, type ServerUnderTest } from './helpers.js';

const CLIENT_SECRET = 'cs-5f1e9d2c7b3a-never-shown';
const TOKEN = 'at-8e2d6c4b0a9f-never-shown';
const SECRETS = [CLIENT_SECRET, TOKEN, Buffer.from(`checker:${CLIENT_SECRET.replace(/-/g, '%2D')}`).toString('base64')];

let certs: TestCertificates;
let plain: Upstream;
let secure: Upstream;
let idp: Upstream;
let refused: number;
let t: ServerUnderTest;
const seen: { path: string; authorization?: string }[] = [];

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

let yaml: string;

beforeAll(async () => {
  certs = await createTestCertificates();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    if (req.url === '/health' || req.url === '/api/health') return json(res, 200, { status: 'up' });
    if (req.url === '/secured/health') return json(res, req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401, {});
    return json(res, 503, { status: 'down' });
  };
  plain = await startHttpServer(handler);
  secure = await startHttpsServer(handler, { cert: certs.serverCert, key: certs.serverKey });
  idp = await startHttpServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    // RFC 6749 §2.3.1: id and secret are form-encoded before base64
    const client = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
      .split(':').map((part) => decodeURIComponent(part)).join(':');
    const ok = client === `checker:${CLIENT_SECRET}`;
    if (req.url !== '/token' || !ok) return json(res, 401, { error: 'invalid_client' });
    json(res, 200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 600 });
  });
  refused = await closedPort();
  process.env.SC_CHECK_SECRET = CLIENT_SECRET;
  const local = 'network: { allowPrivate: true }';
  yaml = `services:
  plain:
    url: ${plain.url}/api
    allowInsecureHttp: true
    ${local}
    healthPath: /health
  secure:
    url: https://localhost:${secure.port}/api
    tls: { ca: ${JSON.stringify(certs.caCert)} }
    ${local}
    healthPath: health
  untrusted:
    url: https://localhost:${secure.port}/api
    ${local}
  down:
    url: http://127.0.0.1:${refused}/api
    allowInsecureHttp: true
    ${local}
  private:
    url: ${plain.url}/api
    allowInsecureHttp: true
  oauth:
    url: ${plain.url}/secured
    allowInsecureHttp: true
    ${local}
    healthPath: health
    auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: checker, clientSecret: '\${env:SC_CHECK_SECRET}' }
  oauthBroken:
    url: ${plain.url}/secured
    allowInsecureHttp: true
    ${local}
    healthPath: health
    auth: { type: oauth2, tokenUrl: '${idp.url}/wrong', clientId: checker, clientSecret: '\${env:SC_CHECK_SECRET}' }
`;
  t = await startServer({ 'scriptcode.yaml': yaml });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([plain?.close(), secure?.close(), idp?.close()]);
  await certs?.cleanup();
  delete process.env.SC_CHECK_SECRET;
});

type Step = { step: string; status: string; durationMs: number; detail?: string; error?: { code: string; message: string }; certificate?: Record<string, unknown>; httpStatus?: number; addresses?: string[] };

async function check(id: string): Promise<{ ok: boolean; steps: Step[]; [key: string]: unknown }> {
  const r = await t.post(`/api/services/${id}/check`);
  expect(r.status, r.text).toBe(200);
  return r.json();
}

const verdicts = (steps: Step[]) => Object.fromEntries(steps.map((s) => [s.step, s.status]));
const step = (steps: Step[], name: string) => steps.find((s) => s.step === name)!;

describe('POST /api/services/{id}/check', () => {
  it('a reachable plain-http service: every step passes or is skipped with its reason', async () => {
    const r = await check('plain');
    expect(r).toMatchObject({ service: 'plain', url: `${plain.url}/api`, ok: true });
    expect(verdicts(r.steps)).toEqual({ dns: 'skipped', policy: 'ok', tcp: 'ok', tls: 'skipped', token: 'skipped', health: 'ok' });
    expect(step(r.steps, 'policy').detail).toBe('127.0.0.1 (loopback): allowed by network.allowPrivate');
    expect(step(r.steps, 'health')).toMatchObject({ httpStatus: 200, detail: 'GET /health answered 200 OK' });
    for (const s of r.steps) expect(typeof s.durationMs).toBe('number');
  });

  it('TLS with a trusted CA: the certificate is shown, verified; healthPath is relative to the url', async () => {
    const r = await check('secure');
    expect(verdicts(r.steps)).toEqual({ dns: 'ok', policy: 'ok', tcp: 'ok', tls: 'ok', token: 'skipped', health: 'ok' });
    expect(step(r.steps, 'dns').addresses).toContain('127.0.0.1');
    expect(step(r.steps, 'tls').certificate).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=ScriptCode Test CA', verified: true });
    expect(step(r.steps, 'tls').certificate!.validTo).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(step(r.steps, 'health').detail).toBe('GET /api/health answered 200 OK');
  });

  it('TLS with a CA the service does not trust: tls fails, and still says who the server claims to be', async () => {
    const r = await check('untrusted');
    expect(r.ok).toBe(false);
    expect(verdicts(r.steps)).toMatchObject({ tcp: 'ok', tls: 'failed', health: 'skipped' });
    const tls = step(r.steps, 'tls');
    expect(tls.error).toMatchObject({ code: 'TLS_FAILURE' });
    expect(tls.error!.message).toContain('add that CA as tls.ca');
    expect(tls.certificate).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=ScriptCode Test CA', verified: false });
    expect(tls.certificate!.verifyError).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });

  it('an unreachable port: tcp fails with CONNECTION_REFUSED, later steps are skipped', async () => {
    const r = await check('down');
    expect(verdicts(r.steps)).toEqual({ dns: 'skipped', policy: 'ok', tcp: 'failed', tls: 'skipped', token: 'skipped', health: 'skipped' });
    expect(step(r.steps, 'tcp').error).toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('a private address the policy refuses: no connection is made', async () => {
    const before = plain.connections;
    const r = await check('private');
    expect(verdicts(r.steps)).toMatchObject({ policy: 'failed', tcp: 'skipped', tls: 'skipped' });
    expect(step(r.steps, 'policy').error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(step(r.steps, 'policy').error!.message).toContain('network.allowPrivate');
    expect(step(r.steps, 'tcp').detail).toBe('refused by the network policy: no connection was made');
    expect(plain.connections).toBe(before);
  });

  it('OAuth2: a token is fetched (never shown) and used for the health check; a failing token endpoint is reported', async () => {
    const ok = await check('oauth');
    expect(verdicts(ok.steps)).toMatchObject({ token: 'ok', health: 'ok' });
    expect(step(ok.steps, 'token').detail).toMatch(/a token was issued \(valid for \d+ s\); it is not shown/);

    const broken = await check('oauthBroken');
    expect(broken.ok).toBe(false);
    expect(verdicts(broken.steps)).toMatchObject({ tcp: 'ok', token: 'failed', health: 'skipped' });
    expect(step(broken.steps, 'token')).toMatchObject({ httpStatus: 401, error: { code: 'TOKEN_REQUEST_FAILED' } });
    expect(step(broken.steps, 'token').error!.message).toContain('invalid_client');
  });

  it('an unknown id is a 404 naming the services; the route is in /openapi.json; no answer holds a secret', async () => {
    const r = await t.post('/api/services/nope/check');
    expect(r.status).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    expect(r.json().error.message).toContain('plain, secure');
    const listed = (await t.get('/api/services')).json().services as { id: string; healthPath?: string }[];
    expect(listed.find((x) => x.id === 'plain')?.healthPath).toBe('/health');
    expect(listed.find((x) => x.id === 'down')).not.toHaveProperty('healthPath');
    const doc = (await t.get('/openapi.json')).json();
    expect(doc.paths['/api/services/{id}/check'].post.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ServiceCheck' });
    for (const answer of t.answers) for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
    for (const secret of SECRETS) expect(t.log.text).not.toContain(secret);
  });
});

describe('scriptcode services check', () => {
  it('prints a report per service and exits 1 when one failed; --json for one service', async () => {
    const app = t.app.dir;
    const env = { SC_CHECK_SECRET: CLIENT_SECRET };
    // one after the other: both run in this process, whose stdout they capture
    const all = await runCli(['services', 'check', '--app', app], { env });
    const one = await runCli(['services', 'check', 'secure', '--app', app, '--json'], { env });
    expect(all.code, all.stderr).toBe(1);
    expect(all.stdout).toMatch(/^ok {2}plain {2}http:\/\/127\.0\.0\.1:\d+\/api$/m);
    expect(all.stdout).toMatch(/^FAILED {2}untrusted /m);
    expect(all.stdout).toMatch(/^ {2}tls {4}failed +[\d.]+ ms {2}TLS_FAILURE: /m);
    expect(all.stdout).toMatch(/certificate: CN=localhost, issued by CN=ScriptCode Test CA, valid .* NOT verified/);
    expect(all.stdout).toMatch(/^ {2}policy failed .*BLOCKED_ADDRESS/m);
    expect(all.stdout.trim().split('\n').pop()).toBe('7 services checked: 3 ok, 4 failed');
    for (const secret of SECRETS) expect(all.stdout + all.stderr + one.stdout).not.toContain(secret);

    expect(one.code, one.stderr).toBe(0);
    const [result] = one.json();
    expect(result).toMatchObject({ service: 'secure', ok: true });
    expect(result.steps.map((s: Step) => s.step)).toEqual(['dns', 'policy', 'tcp', 'tls', 'token', 'health']);
  }, 60_000);
});
