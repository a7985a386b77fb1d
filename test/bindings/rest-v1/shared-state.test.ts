// `state: { redis }` (http/shared-state.ts) against real Redis: three runtimes
// sharing the machine's Redis hold one `rateLimit` between them; a Redis of
// the test's own, stopped mid-run, costs no invocation (each process goes on
// with its own limit, reported down) and is used again once it is back. Each
// test writes under a key prefix of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateBackendEvent } from '../../../src/runtime/observer.js';
import { makeApp, startRuntime, type TestRuntime } from '../../helpers/app.js';
import { cliInProcess } from '../../helpers/cli-in-process.js';
import { startEchoServer } from '../../helpers/echo-server.js';
import { rejection } from '../../helpers/expect.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
const arrivals: number[] = [];
let healthy = false;
let failingHits = 0;
let cachedHits = 0;
const runtimes: TestRuntime[] = [];
let ownRedis: ChildProcess | undefined;

const SCRIPT = "async function callService() { const r = await api.rest.v1.get('partner', { path: 'limited' }); return [r.body]; }";

// timeoutMs 5 s: a loaded machine can stall the event loop past a short one, and a process then goes on
// with its own state (by design: Redis trouble never fails an invocation), which is not what these tests are about
function files(redisUrl: string, prefix: string, requests: number) {
  return {
    'scriptcode.yaml': `state: { redis: { url: '${redisUrl}', keyPrefix: '${prefix}', timeoutMs: 5000 } }
services:
  partner: { url: ${server.url}, allowInsecureHttp: true, network: { allowPrivate: true }, rateLimit: { requests: ${requests}, perSeconds: 1 } }
`,
    'scripts/call.js': SCRIPT,
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on ${port}`);
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid!, 'SIGKILL');
  await exited;
}

beforeAll(async () => {
  server = await startEchoServer({
    '/limited': (_req, res) => { arrivals.push(performance.now()); res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); },
    '/catalog': (_req, res) => { cachedHits++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ n: cachedHits })); },
    // well again, it answers after a second: the probe is still out while the others ask
    '/flaky': (_req, res) => {
      failingHits++;
      res.statusCode = healthy ? 200 : 500;
      res.setHeader('content-type', 'application/json');
      setTimeout(() => res.end('{"ok":true}'), healthy ? 1_000 : 0);
    },
  });
}, 30_000);

afterAll(async () => {
  for (const t of runtimes) await t.close();
  if (ownRedis) await stopRedis(ownRedis);
  await server?.close();
});

describe('state.redis', () => {
  it('three runtimes sharing Redis hold one rateLimit of 20/s between them: over 5 s the partner sees 100 ± 10 %', async () => {
    const prefix = `scriptcode-test:${randomUUID()}:`;
    const three: TestRuntime[] = [];
    for (let i = 0; i < 3; i++) three.push(await startRuntime(files('redis://127.0.0.1:6379', prefix, 20)));
    runtimes.push(...three);
    // connections open and the window empty again, so arrival times are not blurred by connection set-up
    await Promise.all(three.flatMap((t) => Array.from({ length: 5 }, () => t.runtime.runScript('call'))));
    await new Promise((r) => setTimeout(r, 1_100));
    arrivals.length = 0;
    // eight callers per runtime, each calling again as soon as its call returns: far more than 20/s asked
    let stop = false;
    const failures: unknown[] = [];
    const loops = three.flatMap((t) => Array.from({ length: 8 }, async () => {
      while (!stop) await t.runtime.runScript('call').catch((err: unknown) => failures.push(err));
    }));
    await new Promise((r) => setTimeout(r, 6_600));
    stop = true;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    arrivals.sort((a, b) => a - b);
    // five seconds that start half a second after the first request: the slots come a second apart in
    // batches of 20 (a sliding window), so the window's edges fall between batches whatever the jitter
    const from = arrivals[0]! + 500;
    const inFiveSeconds = arrivals.filter((t) => t >= from && t < from + 5_000).length;
    // each process alone would have let 100 through: 300
    expect(inFiveSeconds).toBeGreaterThanOrEqual(90);
    expect(inFiveSeconds).toBeLessThanOrEqual(110);
  }, 60_000);

  it('Redis stopped mid-run: invocations keep succeeding on the process\'s own limit, reported down; back when Redis is', async () => {
    const port = await freePort();
    ownRedis = await startRedis(port);
    const events: StateBackendEvent[] = [];
    const t = await startRuntime(files(`redis://127.0.0.1:${port}`, `scriptcode-test:${randomUUID()}:`, 50), {
      observer: { stateBackendChanged: (e) => events.push(e) },
    });
    runtimes.push(t);
    const call = async () => JSON.stringify((await t.runtime.runScript('call')).output);
    expect(await call()).toBe('[{"ok":true}]');
    expect(events).toEqual([{ backend: 'redis', up: true }]);

    await stopRedis(ownRedis);
    for (let i = 0; i < 5; i++) expect(await call()).toBe('[{"ok":true}]');
    expect(events.at(-1)).toEqual({ backend: 'redis', up: false });
    expect(t.log.lines.filter((l) => l.includes('shared state unavailable'))).toHaveLength(1);

    ownRedis = await startRedis(port);
    // ioredis reconnects on its own (backing off up to 2 s)
    const deadline = Date.now() + 15_000;
    while (events.at(-1)?.up !== true && Date.now() < deadline) {
      expect(await call()).toBe('[{"ok":true}]');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(events.at(-1)).toEqual({ backend: 'redis', up: true });
    expect(t.log.lines.some((l) => l.includes('shared state available again'))).toBe(true);
  }, 60_000);

  it('a circuit one runtime opens is open on the others within a second; one probe for all; its success closes it everywhere', async () => {
    const prefix = `scriptcode-test:${randomUUID()}:`;
    const yaml = `state: { redis: { url: 'redis://127.0.0.1:6379', keyPrefix: '${prefix}', timeoutMs: 5000 } }
services:
  flaky: { url: ${server.url}, allowInsecureHttp: true, network: { allowPrivate: true }, circuitBreaker: { failureThreshold: 2, resetAfterMs: 2000 } }
`;
    const script = "async function callService() { try { await api.rest.v1.get('flaky', { path: 'flaky' }); return [{ ok: true }]; } catch (e) { return [{ code: e.code }]; } }";
    const three: TestRuntime[] = [];
    for (let i = 0; i < 3; i++) three.push(await startRuntime({ 'scriptcode.yaml': yaml, 'scripts/call.js': script }));
    runtimes.push(...three);
    const [a, b, c] = three as [TestRuntime, TestRuntime, TestRuntime];
    const call = async (t: TestRuntime) => (await t.runtime.runScript('call')).output[0] as { ok?: boolean; code?: string };
    // every runtime has looked at the shared circuit once (closed); the next look is a second later
    for (const t of three) expect(await call(t)).toEqual({ code: 'HTTP_500' });
    expect(await call(a)).toEqual({ code: 'HTTP_500' }); // a's second failure in a row: a opens the circuit
    expect(await call(a)).toEqual({ code: 'CIRCUIT_OPEN' });
    await new Promise((r) => setTimeout(r, 1_100));
    const before = failingHits;
    expect(await call(b)).toEqual({ code: 'CIRCUIT_OPEN' });
    expect(await call(c)).toEqual({ code: 'CIRCUIT_OPEN' });
    expect(failingHits).toBe(before); // b and c failed fast: the partner saw nothing of them

    // past resetAfterMs the partner is well again: of many calls at once from the three, one goes out (the probe);
    // the others fail fast while it is out
    healthy = true;
    await new Promise((r) => setTimeout(r, 1_200));
    const burst = await Promise.all(three.flatMap((t) => Array.from({ length: 4 }, () => call(t))));
    expect(failingHits - before).toBe(1);
    expect(burst.filter((r) => r.ok)).toHaveLength(1);
    expect(burst.filter((r) => r.code === 'CIRCUIT_OPEN')).toHaveLength(11);
    // the probe's success reaches the others at their next look
    await new Promise((r) => setTimeout(r, 1_100));
    for (const t of three) expect(await call(t)).toEqual({ ok: true });
  }, 60_000);

  it('offline tests need no Redis (a reference to an unset variable is fine there); a URL that is not redis:// is refused by name', async () => {
    const app = await makeApp({
      'scriptcode.yaml': "state: { redis: { url: '${env:SC_NO_SUCH_REDIS_URL}' } }\n",
      'scripts/hello.js': "function callService(context) { return [{ hi: context.getFirstParameter('name') }]; }",
      'tests/hello.test.yaml': 'script: hello\ncases:\n  - name: greets\n    input: { name: Ada }\n    expect: { output: [{ hi: Ada }] }\n',
    });
    try {
      const r = await cliInProcess(['test', '--app', app.dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/1 passed, 0 failed/);
    } finally {
      await app.remove();
    }
    const wrong = await rejection(() => startRuntime({ 'scriptcode.yaml': "state: { redis: { url: 'http://user:pw@cache.internal:6379' } }\n" }));
    expect(wrong.message).toContain('state.redis.url must be a redis:// or rediss:// URL');
    expect(wrong.message).not.toContain('cache.internal');
  }, 30_000);

  it('OAuth2: 150 invocations at once over three runtimes make one token request; a revoked token is dropped for all and replaced; Redis holds it encrypted', async () => {
    let tokenRequests = 0;
    let current = '';
    const revoked = new Set<string>();
    const idp = await startEchoServer({
      '/token': (_req, res) => {
        tokenRequests++;
        current = `tok-${tokenRequests}-${randomUUID()}`;
        // slow enough that every runtime asks while the first request is out
        setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ access_token: current, token_type: 'Bearer', expires_in: 300 })); }, 300);
      },
      '/api': (req, res) => {
        const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
        res.setHeader('content-type', 'application/json');
        if (!token.startsWith('tok-') || revoked.has(token)) { res.statusCode = 401; res.end('{"error":"invalid_token"}'); return; }
        res.end('{"ok":true}');
      },
    });
    try {
      const prefix = `scriptcode-test:${randomUUID()}:`;
      const yaml = `state: { redis: { url: 'redis://127.0.0.1:6379', keyPrefix: '${prefix}', timeoutMs: 5000 } }
serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }
services:
  crm: { url: ${idp.url}/api, auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: forms-runtime, clientSecret: shared-secret-Kq7-never-shown } }
`;
      const script = "async function callService() { const r = await api.rest.v1.get('crm'); return [r.body]; }";
      const three: TestRuntime[] = [];
      for (let i = 0; i < 3; i++) three.push(await startRuntime({ 'scriptcode.yaml': yaml, 'scripts/call.js': script }));
      runtimes.push(...three);
      const all = async (n: number) => (await Promise.all(three.flatMap((t) => Array.from({ length: n }, () => t.runtime.runScript('call'))))).map((a) => JSON.stringify(a.output));
      expect(new Set(await all(50))).toEqual(new Set(['[{"ok":true}]']));
      expect(tokenRequests).toBe(1);

      // Redis holds the token sealed: not the token, not the secret
      const redis = new Redis('redis://127.0.0.1:6379');
      try {
        const keys = await redis.keys(`${prefix}oauth2:*`);
        expect(keys.filter((k) => !k.endsWith(':lock'))).toHaveLength(1);
        const stored = (await redis.get(keys.find((k) => !k.endsWith(':lock'))!))!;
        expect(stored).not.toContain(current);
        expect(stored).not.toContain('shared-secret');
      } finally {
        redis.disconnect();
      }

      // the partner revokes the token: every runtime gets a 401, one new token serves them all
      revoked.add(current);
      const revokedToken = current;
      expect(new Set(await all(5))).toEqual(new Set(['[{"ok":true}]']));
      // one new token serves all three
      expect(tokenRequests - 1).toBe(1);
      // the revoked token is gone from Redis for everyone
      const check = new Redis('redis://127.0.0.1:6379');
      try {
        for (const key of (await check.keys(`${prefix}oauth2:*`)).filter((k) => !k.endsWith(':lock'))) {
          const stored = (await check.get(key))!;
          expect(stored.slice(0, 64)).not.toBe(createHash('sha256').update(revokedToken).digest('hex'));
        }
      } finally {
        check.disconnect();
      }
    } finally {
      await idp.close();
    }
  }, 60_000);

  it('response cache: an answer one runtime kept is served to the others without reaching the partner', async () => {
    const prefix = `scriptcode-test:${randomUUID()}:`;
    const yaml = `state: { redis: { url: 'redis://127.0.0.1:6379', keyPrefix: '${prefix}', timeoutMs: 5000 } }
services:
  catalog: { url: ${server.url}, allowInsecureHttp: true, network: { allowPrivate: true }, cache: { ttlSeconds: 60 } }
`;
    const script = "async function callService() { const r = await api.rest.v1.get('catalog', { path: 'catalog' }); return [r.body]; }";
    const two: TestRuntime[] = [];
    for (let i = 0; i < 2; i++) two.push(await startRuntime({ 'scriptcode.yaml': yaml, 'scripts/call.js': script }));
    runtimes.push(...two);
    const before = cachedHits;
    const first = await two[0]!.runtime.runScript('call');
    const other = await two[1]!.runtime.runScript('call', { trace: true });
    expect(other.output).toEqual(first.output);
    expect(cachedHits).toBe(before + 1);
    expect(other.trace!.calls[0]).toMatchObject({ cached: true, status: 200 });
  }, 30_000);
});
