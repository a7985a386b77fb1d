// Bearer tokens on /api/*, the loopback-only rule without tokens, and the
// validation of the `server:` section.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { makeApp, type TestApp } from '../helpers/app.js';
import { spawnServe, startServer, type ServerUnderTest } from './helpers.js';
import { rejection } from '../helpers/expect.js';

const TOKEN_A = 'tok-A-5f0c1d2e3b4a69788796a5b4c3d2e1f0';
const TOKEN_B = 'tok-B-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const SCRIPT = { 'scripts/hi.js': 'function callService() { return [{ hi: true }]; }' };

let t: ServerUnderTest | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await app?.remove();
  t = undefined;
  app = undefined;
});

describe('with server.auth.tokens', () => {
  it('every /api/* endpoint needs one of the tokens; 401 with WWW-Authenticate otherwise', async () => {
    process.env.SC_TEST_SERVER_TOKEN = TOKEN_B;
    try {
      t = await startServer({ ...SCRIPT, 'scriptcode.yaml': `server:\n  auth:\n    tokens: ["${TOKEN_A}", "\${env:SC_TEST_SERVER_TOKEN}"]\n` });
    } finally {
      delete process.env.SC_TEST_SERVER_TOKEN;
    }
    const endpoints: [string, string, unknown][] = [
      ['POST', '/api/scripts/hi/run', {}],
      ['POST', '/api/validators/v/validate', {}],
      ['POST', '/api/tasks/t/execute', {}],
      ['POST', '/api/formatters/f/format', { textToFormat: 'x' }],
      ['GET', '/api/scripts', undefined],
      ['GET', '/api/services', undefined],
      ['POST', '/api/cache/invalidate', undefined],
    ];
    for (const [method, path, body] of endpoints) {
      const missing = await t.call(method, path, { body });
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="scriptcode"');
      expect(missing.json()).toEqual({ error: { name: 'Unauthorized', message: expect.stringContaining('bearer token'), code: 'TOKEN_MISSING' } });

      const wrong = await t.call(method, path, { body, headers: { authorization: `Bearer ${TOKEN_A.slice(0, -1)}x` } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers['www-authenticate']).toBe('Bearer realm="scriptcode", error="invalid_token"');
      expect(wrong.json().error.code).toBe('TOKEN_INVALID');

      for (const scheme of [`Basic ${TOKEN_A}`, TOKEN_A, 'Bearer ', `Bearer ${TOKEN_A} extra`]) {
        expect((await t.call(method, path, { body, headers: { authorization: scheme } })).status).toBe(401);
      }
      // both tokens work, the second one from a secret reference; the scheme is case-insensitive
      for (const token of [`Bearer ${TOKEN_A}`, `bearer ${TOKEN_B}`]) {
        const ok = await t.call(method, path, { body, headers: { authorization: token } });
        expect(ok.status, `${method} ${path} with a token`).not.toBe(401);
      }
    }
    expect((await t.post('/api/scripts/hi/run', {}, { authorization: `Bearer ${TOKEN_A}` })).json().output).toEqual([{ hi: true }]);
  });

  it('health, metrics and the OpenAPI document stay open; OpenAPI says which endpoints need the token', async () => {
    t = await startServer({ ...SCRIPT, 'scriptcode.yaml': `server:\n  auth:\n    tokens: ["${TOKEN_A}"]\n` });
    for (const path of ['/health/live', '/health/ready', '/metrics', '/openapi.json']) expect((await t.get(path)).status, path).toBe(200);
    const doc = (await t.get('/openapi.json')).json();
    expect(doc.paths['/api/scripts/{name}/run'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/scripts/{name}/run'].post.responses).toHaveProperty('401');
    expect(doc.paths['/health/ready'].get.security).toEqual([]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('an unauthenticated request never reaches the body parser or the script', async () => {
    t = await startServer({ ...SCRIPT, 'scriptcode.yaml': `server:\n  bodyLimitBytes: 100\n  auth:\n    tokens: ["${TOKEN_A}"]\n` });
    // over the body limit and not even JSON: still a 401, not a 413 or 400
    const r = await t.call('POST', '/api/scripts/hi/run', { rawBody: 'x'.repeat(1000), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(401);
    const metrics = (await t.get('/metrics')).text;
    expect(metrics).not.toMatch(/scriptcode_invocations_total\{/);
  });
});

describe('without tokens', () => {
  it('serves /api/* without authentication on loopback', async () => {
    t = await startServer(SCRIPT);
    expect(t.server.config.host).toBe('127.0.0.1');
    expect((await t.post('/api/scripts/hi/run', {})).status).toBe(200);
    expect((await t.get('/openapi.json')).json().paths['/api/scripts/{name}/run'].post.responses).not.toHaveProperty('401');
    expect(t.log.text).toContain('/api/* is not authenticated (loopback only)');
  });

  it('refuses to start on a non-loopback address, before opening any socket', async () => {
    app = await makeApp(SCRIPT);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      const err = await rejection(() => createServer({ app: app!.dir, config: { server: { host, port: 0 } } }));
      expect(err.name, host).toBe('ConfigError');
      expect(err.issues).toEqual([expect.objectContaining({ path: 'server.host', message: expect.stringContaining('refusing to serve the API without authentication') })]);
      expect(err.message).toContain('server.auth.tokens');
    }
  });

  it('the CLI exits with code 2 and says why, and nothing listens', async () => {
    app = await makeApp({ ...SCRIPT, 'scriptcode.yaml': 'server:\n  host: 0.0.0.0\n  port: 0\n' });
    const err = await spawnServe(['--app', app.dir]).then(
      async (p) => {
        await p.kill();
        throw new Error('serve should not have started');
      },
      (e: { code: number; stderr: string }) => e,
    );
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('server.host: refusing to serve the API without authentication on 0.0.0.0');
  });

  it('listens on every address when server.auth.open is true, with a warning', async () => {
    t = await startServer(SCRIPT, { config: { server: { host: '0.0.0.0', auth: { open: true } } } });
    expect(t.server.address?.address).toBe('0.0.0.0');
    // reachable through loopback like any other address
    const port = t.server.address!.port;
    const r = await fetch(`http://127.0.0.1:${port}/api/scripts/hi/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(t.log.parsed().some((l) => l.level === 'warn' && String(l.msg).includes('WITHOUT authentication'))).toBe(true);
  });

  it('tokens allow a non-loopback address', async () => {
    t = await startServer(SCRIPT, { config: { server: { host: '0.0.0.0', auth: { tokens: [TOKEN_A] } } } });
    expect(t.server.address?.address).toBe('0.0.0.0');
    expect((await t.post('/api/scripts/hi/run', {})).status).toBe(401);
  });
});

describe('the server: section', () => {
  it('applies defaults', async () => {
    t = await startServer(SCRIPT);
    expect(t.server.config).toEqual({
      host: '127.0.0.1', port: 0, auth: { tokens: [], open: false }, bodyLimitBytes: 1048576, shutdownTimeoutMs: 30000, trustProxy: false, warmIsolates: 1, workers: 1,
      console: { enabled: true },
    });
  });

  it('reports every problem with its key path and line, never a value', async () => {
    app = await makeApp({ ...SCRIPT, 'scriptcode.yaml': 'server:\n  port: 99999\n  bodyLimit: 5\n  auth:\n    tokens: ["short-secret"]\n    open: maybe\n' });
    const err = await rejection(() => createServer({ app: app!.dir }));
    expect(err.name).toBe('ConfigError');
    expect(err.issues.map((i: { path: string }) => i.path).sort()).toEqual(['server.auth.open', 'server.auth.tokens[0]', 'server.bodyLimit', 'server.port']);
    expect(err.message).toMatch(/server\.port: .*65535.*\(line 2/);
    expect(err.message).toMatch(/server\.bodyLimit: unknown key \(allowed here: host, port, auth, bodyLimitBytes, /);
    expect(err.message).toMatch(/server\.auth\.tokens\[0\]: a token must have at least 16 characters/);
    expect(err.message).not.toContain('short-secret');
  });

  it('a port in use is a clear error', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      app = await makeApp(SCRIPT);
      const server = await createServer({ app: app.dir, config: { server: { port } }, logDestination: { write: () => true } as never });
      const err = await rejection(() => server.listen());
      expect(err.code).toBe('EADDRINUSE');
      await server.close();
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
