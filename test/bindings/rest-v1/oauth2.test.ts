// OAuth 2.0 client credentials through scripts (SPEC §4.4): a real token
// endpoint on loopback that counts its requests, and a protected service.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { received } from '../../helpers/echo-server.js';
import { startHttpServer, type TestServer } from '../../helpers/servers.js';

const CLIENT_SECRET = 'cs-Hq29-never-shown';
let issued = 0;
let tokenRequests = 0;
let expiresIn = 3600;
let revoked = new Set<string>();
let tokenDelayMs = 0;
let idp: TestServer;
let api: TestServer;
let t: TestRuntime;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  idp = await startHttpServer(async (req: IncomingMessage, res) => {
    const got = await received(req);
    tokenRequests++;
    const form = new URLSearchParams(got.body);
    // RFC 6749 §2.3.1: id and secret are form-encoded before base64
    const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
      .split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' '))).join(':');
    if (form.get('grant_type') !== 'client_credentials' || basic !== `forms-runtime:${CLIENT_SECRET}` || form.get('scope') !== 'customers.read') {
      return json(res, 401, { error: 'invalid_client' });
    }
    const token = `tok-${++issued}-Zx81-never-shown`;
    setTimeout(() => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn }), tokenDelayMs);
  });
  api = await startHttpServer((req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!token.startsWith('tok-') || revoked.has(token)) return json(res, 401, { error: 'invalid_token' });
    json(res, 200, { token: token.split('-')[1] });
  });
  process.env.SC_OAUTH_SECRET = CLIENT_SECRET;
  t = await startRuntime({
    'scriptcode.yaml': `serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
services:
  crm:
    url: ${api.url}/api
    auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: forms-runtime, clientSecret: '\${env:SC_OAUTH_SECRET}', scope: customers.read }
  crmBadSecret:
    url: ${api.url}/api
    auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: other-client, clientSecret: wrong-secret-value, scope: customers.read }
pool:
  maxIsolates: 25
`,
    'scripts/call.js': `function callService(context) {
      try { return [api.rest.v1.get(context.getFirstParameter('service') || 'crm').body]; }
      catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
    }`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await idp?.close();
  await api?.close();
  delete process.env.SC_OAUTH_SECRET;
});

describe('oauth2 client credentials', () => {
  it('50 concurrent invocations share one token request', async () => {
    tokenDelayMs = 100;
    const before = tokenRequests;
    const results = await Promise.all(Array.from({ length: 50 }, () => t.runtime.runScript('call')));
    tokenDelayMs = 0;
    expect(tokenRequests - before).toBe(1);
    for (const r of results) expect(r.output[0]).toEqual({ token: String(issued) });
  });

  it('a token about to expire is refreshed exactly once', async () => {
    const r0 = await t.runtime.runScript('call');
    const current = (r0.output[0] as { token: string }).token;
    expiresIn = 1; // the next token lives one second
    revoked.add(`tok-${current}-Zx81-never-shown`);
    expect((await t.runtime.runScript('call')).output[0]).toEqual({ token: String(Number(current) + 1) });
    expiresIn = 3600;
    const before = tokenRequests;
    await Promise.all(Array.from({ length: 10 }, () => t.runtime.runScript('call')));
    expect(tokenRequests - before).toBe(0); // still valid: no request
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(Array.from({ length: 10 }, () => t.runtime.runScript('call')));
    expect(tokenRequests - before).toBe(1);
    for (const r of after) expect(r.output[0]).toEqual({ token: String(Number(current) + 2) });
  });

  it('a 401 from the service drops the token and retries once with a new one', async () => {
    const r0 = await t.runtime.runScript('call');
    const current = (r0.output[0] as { token: string }).token;
    revoked.add(`tok-${current}-Zx81-never-shown`);
    const before = tokenRequests;
    const r = await t.runtime.runScript('call', { trace: true });
    expect(r.output[0]).toEqual({ token: String(Number(current) + 1) });
    expect(tokenRequests - before).toBe(1);
    const call = (r.trace!.calls as { attemptLog: { status: number }[] }[])[0];
    expect(call.attemptLog.map((a) => a.status)).toEqual([401, 200]);
  });

  it('a refused token request is a RestConnectionError without any secret', async () => {
    const r = await t.runtime.runScript('call', { input: { service: 'crmBadSecret' } });
    expect(r.output[0]).toMatchObject({ name: 'RestConnectionError', code: 'TOKEN_REQUEST_FAILED' });
    expect(JSON.stringify(r)).not.toContain('wrong-secret-value');
  });

  it('token values and the client secret appear nowhere: answers, traces, logs, service state', async () => {
    const r = await t.runtime.runScript('call', { trace: true });
    const services = t.runtime.services() as { id: string; token?: { cached: boolean; expiresInMs?: number } }[];
    expect(services.find((s) => s.id === 'crm')?.token).toMatchObject({ cached: true });
    const everything = JSON.stringify(r) + JSON.stringify(services) + t.log.text;
    expect(everything).not.toContain(CLIENT_SECRET);
    expect(everything).not.toMatch(/tok-\d+-Zx81/);
  });
});
