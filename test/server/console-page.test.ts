// GET /console and its assets: served from dist/console with a strict
// Content-Security-Policy; off with server.console.enabled: false; the new
// endpoints in /openapi.json; and no configured secret in any answer the
// console (or anything else in the browser) can get.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ASSETS, CONSOLE_CSP } from '../../src/server/console/page.js';
import { startHttpServer, type TestServer as Upstream } from '../helpers/servers.js';
import { startServer, type ServerUnderTest } from './helpers.js';

const SECRETS = {
  apiKey: 'SECRET-api-key-4c1d9e',
  password: 'SECRET-password-77a2f0',
  bearer: 'SECRET-bearer-token-0b5e33',
  clientSecret: 'SECRET-client-secret-e91c4a',
  accessToken: 'SECRET-access-token-5d20b8',
};

let partner: Upstream;
let idp: Upstream;
let t: ServerUnderTest;
const seen: string[] = [];

beforeAll(async () => {
  partner = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.headers['x-api-key'] ?? ''} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    // a partner that echoes what it got: the runtime redacts the credentials from it
    res.end(JSON.stringify({ ok: true, echo: req.headers }));
  });
  idp = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 600 }));
  });
  for (const [name, value] of Object.entries(SECRETS)) process.env[`SC_CONSOLE_${name.toUpperCase()}`] = value;
  const local = 'allowInsecureHttp: true\n    network: { allowPrivate: true }\n    healthPath: /health';
  t = await startServer({
    'scriptcode.yaml': `logging: { sensitive: plain }
services:
  key:
    url: ${partner.url}/api
    ${local}
    auth: { type: apiKey, in: header, name: x-api-key, value: "\${env:SC_CONSOLE_APIKEY}" }
  basic:
    url: ${partner.url}/api
    ${local}
    auth: { type: basic, username: forms, password: "\${env:SC_CONSOLE_PASSWORD}" }
  bearer:
    url: ${partner.url}/api
    ${local}
    auth: { type: bearer, token: "\${env:SC_CONSOLE_BEARER}" }
  oauth:
    url: ${partner.url}/api
    ${local}
    auth: { type: oauth2, tokenUrl: ${idp.url}/token, clientId: forms, clientSecret: "\${env:SC_CONSOLE_CLIENTSECRET}" }
`,
    'scripts/all.js': `function callService(context) {
  return ['key', 'basic', 'bearer', 'oauth'].map(function (id) { return { id: id, body: api.rest.v1.get(id, { path: 'x' }).body }; });
}
`,
    'tests/all.test.yaml': `script: all
cases:
  - name: calls every service
    calls:
      - { service: key, path: x, response: { body: { ok: true } } }
      - { service: basic, path: x, response: { body: { ok: true } } }
      - { service: bearer, path: x, response: { body: { ok: true } } }
      - { service: oauth, path: x, response: { body: { ok: true } } }
    expect:
      output: []
`,
  });
});
afterAll(async () => {
  await t?.close();
  await partner?.close();
  await idp?.close();
  for (const name of Object.keys(SECRETS)) delete process.env[`SC_CONSOLE_${name.toUpperCase()}`];
});

const built = existsSync(join(CONSOLE_ASSETS, 'index.html'));

describe('GET /console', () => {
  it.skipIf(!built)('serves the page and its assets with a strict Content-Security-Policy, without a token', async () => {
    for (const path of ['/console', '/console/']) {
      const page = await t.get(path);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.text).toContain('<div id="app">');
    }
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec((await t.get('/console')).text)![1]!;
    const asset = await t.get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await t.get('/console/assets/nope.js')).status).toBe(404);
    expect((await t.get('/console/assets/../../package.json')).status).toBe(404);
  });

  it('the policy allows only this origin: no inline or eval\'d script, no other host', () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-eval|https?:|blob:|\*/);
    // data: for images only (Monaco's marker underlines)
    expect(CONSOLE_CSP.match(/data:/g)).toHaveLength(1);
    expect(CONSOLE_CSP).toContain("img-src 'self' data:");
    expect(CONSOLE_CSP.match(/'unsafe-inline'/g)).toHaveLength(1);
    expect(CONSOLE_CSP).toMatch(/style-src 'self' 'unsafe-inline'/);
  });

  it('server.console.enabled: false serves neither the page nor the console\'s endpoints', async () => {
    const off = await startServer({ 'scripts/a.js': 'function callService() { return []; }' }, { config: { server: { console: { enabled: false } } } as never });
    try {
      for (const path of ['/console', '/api/console', '/api/sources/scriptService/a']) expect((await off.get(path)).status, path).toBe(404);
      expect((await off.post('/api/check', {})).status).toBe(404);
      expect((await off.post('/api/scripts/a/run', {})).status).toBe(200);
    } finally {
      await off.close();
    }
  });

  it('/openapi.json lists the console\'s endpoints', async () => {
    const doc = (await t.get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/console', '/api/sources/{kind}/{name}', '/api/check', '/api/tests/run']));
    expect(doc.paths['/api/sources/{kind}/{name}'].post.responses).toHaveProperty('409');
    expect(doc.components.schemas).toHaveProperty('SaveRequest');
  });
});

describe('no secret reaches the browser', () => {
  it('none of the configured credentials is in any answer of the console or the API', async () => {
    const run = await t.post('/api/scripts/all/run', { trace: true });
    expect(run.status).toBe(200);
    expect(run.json().trace.calls).toHaveLength(4);
    // the partner did get them: the credentials were in use
    expect(seen.join(' ')).toContain(SECRETS.apiKey);
    expect(seen.join(' ')).toContain(SECRETS.accessToken);
    await t.get('/console');
    if (built) await t.get(/src="(\/console\/assets\/[^"]+\.js)"/.exec((await t.get('/console')).text)![1]!);
    await t.get('/api/console');
    await t.get('/api/scripts');
    await t.get('/api/services');
    await t.get('/api/sources/scriptService/all');
    await t.post('/api/check', {});
    await t.post('/api/check', { kind: 'scriptService', name: 'all' });
    await t.post('/api/tests/run', {});
    for (const id of ['key', 'basic', 'bearer', 'oauth']) await t.post(`/api/services/${id}/check`);
    await t.get('/openapi.json');
    await t.get('/metrics');
    const services = (await t.get('/api/services')).json().services;
    expect(services.find((s: { id: string }) => s.id === 'oauth').token.cached).toBe(true);
    expect(t.answers.length).toBeGreaterThan(15);
    const basic = Buffer.from(`forms:${SECRETS.password}`).toString('base64');
    for (const answer of t.answers) {
      for (const secret of [...Object.values(SECRETS), basic]) expect(answer.text.includes(secret), `${secret} in ${answer.text.slice(0, 200)}`).toBe(false);
    }
  });
});
