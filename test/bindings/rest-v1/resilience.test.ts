// Retries, the circuit breaker, the bulkhead and redirects (SPEC §4.4)
// against real flaky servers on loopback.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startEchoServer } from '../../helpers/echo-server.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let other: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;
const counters: Record<string, number> = {};
let healthy = false;
let active = 0;
let maxActive = 0;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const count = (key: string) => (counters[key] = (counters[key] ?? 0) + 1);

beforeAll(async () => {
  other = await startEchoServer();
  server = await startEchoServer({
    '/flaky': (_q, res, got) => { const n = count(got.path); n <= 2 ? json(res, 503, { n }) : json(res, 200, { n }); },
    '/always503': (_q, res, got) => { count(got.path); json(res, 503, { down: true }); },
    '/limited': (_q, res, got) => { const n = count(got.path); n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { n }); },
    '/longLimited': (_q, res, got) => { count(got.path); json(res, 429, {}, { 'retry-after': '30' }); },
    '/reset': (req, res, got) => { const n = count(got.path); if (n === 1) req.socket.destroy(); else json(res, 200, { n }); },
    '/health': (_q, res, got) => { count(got.path); healthy ? json(res, 200, { ok: true }) : json(res, 500, { ok: false }); },
    '/slow': (_q, res) => { active++; maxActive = Math.max(maxActive, active); setTimeout(() => { active--; json(res, 200, {}); }, 1_500); },
    '/r/chain': (_q, res, got) => { const n = Number(got.query.n?.[0] ?? 0); n < 3 ? (res.writeHead(302, { location: `/r/chain?n=${n + 1}` }), res.end()) : json(res, 200, { hops: n, query: got.query }); },
    '/r/see-other': (_q, res) => { res.writeHead(303, { location: '/r/landing' }); res.end(); },
    '/r/landing': (_q, res, got) => json(res, 200, { method: got.method, body: got.body }),
    '/r/away': (_q, res) => { res.writeHead(302, { location: `${other.url}/stolen` }); res.end(); },
    '/r/loop': (_q, res) => { res.writeHead(307, { location: '/r/loop' }); res.end(); },
  });
  const local = 'allowInsecureHttp: true, network: { allowPrivate: true }';
  t = await startRuntime({
    'scriptcode.yaml': `services:
  retrying: { url: '${server.url}', ${local}, retry: { attempts: 3 } }
  retryingPost: { url: '${server.url}', ${local}, retry: { attempts: 3, methods: [POST] } }
  once: { url: '${server.url}', ${local} }
  breaker: { url: '${server.url}', ${local}, circuitBreaker: { failureThreshold: 3, resetAfterMs: 400 } }
  bulk: { url: '${server.url}', ${local}, maxConcurrent: 2, timeouts: { connectTimeout: 100, readTimeout: 2000 } }
  redirecting:
    url: ${server.url}/r
    ${local.replace(', ', '\n    ')}
    followRedirects: true
    auth: { type: apiKey, in: query, name: key, value: redirect-secret }
`,
    'scripts/call.js': `function callService(context) {
      var p = context.getInputParameters();
      var started = Date.now();
      try {
        var r = api.rest.v1.request({ method: p.get('method') ? p.get('method').get(0) : 'GET', serviceId: p.get('service').get(0), path: p.get('path').get(0), body: p.get('method') ? { x: 1 } : undefined });
        return [{ status: r.status.code, body: r.body, ms: Date.now() - started }];
      } catch (e) {
        return [{ name: e.name, code: e.code, status: e.status ? e.status.code : null, message: e.message, ms: Date.now() - started }];
      }
    }`,
    'scripts/short.js': "function callService() { try { api.rest.v1.get('retrying', { path: 'longLimited' }); } catch (e) { return [{ name: e.name, status: e.status && e.status.code }]; } }",
    'scripts/short.yaml': 'limits:\n  wallMs: 2000\n',
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
  await other?.close();
});

const call = async (service: string, path: string, method?: string) => {
  const r = await t.runtime.runScript('call', { input: { service, path, ...(method ? { method } : {}) }, trace: true });
  return { result: r.output[0] as Record<string, any>, calls: r.trace!.calls as Record<string, any>[] };
};

describe('retries', () => {
  it('503 twice then 200: three attempts, each visible in the trace', async () => {
    const { result, calls } = await call('retrying', 'flaky');
    expect(result).toMatchObject({ status: 200, body: { n: 3 } });
    expect(calls[0].attempts).toBe(3);
    expect(calls[0].attemptLog.map((a: { status: number }) => a.status)).toEqual([503, 503, 200]);
    expect(calls[0].attemptLog[0].waitMs).toBeGreaterThanOrEqual(0);
  });

  it('attempts run out: the last answer is the RestResponseError', async () => {
    counters['/always503'] = 0;
    const { result, calls } = await call('retrying', 'always503');
    expect(result).toMatchObject({ name: 'RestResponseError', status: 503 });
    expect(counters['/always503']).toBe(3);
    expect(calls[0].attempts).toBe(3);
  });

  it('429 with Retry-After is honoured', async () => {
    const { result } = await call('retrying', 'limited');
    expect(result).toMatchObject({ status: 200, body: { n: 2 } });
    expect(result.ms).toBeGreaterThanOrEqual(950);
  });

  it('a Retry-After beyond the remaining time is not waited for', async () => {
    const started = Date.now();
    const r = await t.runtime.runScript('short');
    expect(r.output).toEqual([{ name: 'RestResponseError', status: 429 }]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('POST is not retried unless retry.methods says so', async () => {
    counters['/always503'] = 0;
    expect((await call('retrying', 'always503', 'POST')).result).toMatchObject({ status: 503 });
    expect(counters['/always503']).toBe(1);
    expect((await call('retryingPost', 'always503', 'POST')).result).toMatchObject({ status: 503 });
    expect(counters['/always503']).toBe(4);
  });

  it('a connection reset is retried; without retry it is a RestConnectionError', async () => {
    counters['/reset'] = 0;
    expect((await call('once', 'reset')).result).toMatchObject({ name: 'RestConnectionError', code: 'CONNECTION_RESET' });
    counters['/reset'] = 0;
    expect((await call('retrying', 'reset')).result).toMatchObject({ status: 200, body: { n: 2 } });
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures, fails fast, half-opens to probe and closes on success', async () => {
    healthy = false;
    counters['/health'] = 0;
    for (let i = 0; i < 3; i++) expect((await call('breaker', 'health')).result).toMatchObject({ name: 'RestResponseError', status: 500 });
    const open = await call('breaker', 'health');
    expect(open.result).toMatchObject({ name: 'RestPolicyError', code: 'CIRCUIT_OPEN', status: null });
    expect(open.result.message).toContain('circuit is open');
    expect(counters['/health']).toBe(3);
    expect((t.runtime.services() as { id: string; circuit?: string }[]).find((s) => s.id === 'breaker')?.circuit).toBe('open');
    await new Promise((r) => setTimeout(r, 450));
    healthy = true;
    expect((await call('breaker', 'health')).result).toMatchObject({ status: 200 });
    expect(counters['/health']).toBe(4);
    expect((t.runtime.services() as { id: string; circuit?: string }[]).find((s) => s.id === 'breaker')?.circuit).toBe('closed');
  });

  it('a failed probe opens the circuit again', async () => {
    healthy = false;
    for (let i = 0; i < 3; i++) await call('breaker', 'health');
    await new Promise((r) => setTimeout(r, 450));
    expect((await call('breaker', 'health')).result).toMatchObject({ status: 500 });
    expect((await call('breaker', 'health')).result).toMatchObject({ code: 'CIRCUIT_OPEN' });
    healthy = true;
  });
});

describe('bulkhead', () => {
  it('at most maxConcurrent calls reach the service; the others fail fast with BULKHEAD_FULL', async () => {
    maxActive = 0;
    // each call holds its slot 1.5 s: the five start well within that even on a loaded machine
    const results = await Promise.all(Array.from({ length: 5 }, () => call('bulk', 'slow')));
    const ok = results.filter((r) => r.result.status === 200).length;
    const full = results.filter((r) => r.result.code === 'BULKHEAD_FULL').length;
    expect(ok).toBe(2);
    expect(full).toBe(3);
    expect(maxActive).toBe(2);
  });
});

describe('redirects', () => {
  it('are not followed by default', async () => {
    expect((await call('once', 'r/chain')).result).toMatchObject({ name: 'RestResponseError', status: 302 });
  });

  it('same-origin chains are followed; auth query parameters go along and stay out of the trace', async () => {
    const { result, calls } = await call('redirecting', 'chain');
    // the partner saw the key on the last hop; its echo reaches the script redacted
    expect(server.requests.at(-1)?.query).toMatchObject({ n: ['3'], key: ['redirect-secret'] });
    expect(result).toMatchObject({ status: 200, body: { hops: 3, query: { n: ['3'], key: ['*****'] } } });
    expect(JSON.stringify(calls)).not.toContain('redirect-secret');
  });

  it('303 after POST continues as GET without the body', async () => {
    expect((await call('redirecting', 'see-other', 'POST')).result).toMatchObject({ status: 200, body: { method: 'GET', body: '' } });
  });

  it('a cross-origin redirect is a RestPolicyError and the other origin is never contacted', async () => {
    const before = other.requests.length;
    expect((await call('redirecting', 'away')).result).toMatchObject({ name: 'RestPolicyError', code: 'CROSS_ORIGIN_REDIRECT' });
    expect(other.requests.length).toBe(before);
  });

  it('more than 5 redirects is a RestPolicyError', async () => {
    expect((await call('redirecting', 'loop')).result).toMatchObject({ name: 'RestPolicyError', code: 'TOO_MANY_REDIRECTS' });
  });
});
