// scriptcode.yaml reloaded while serving (watch on): a valid change applies
// at once to new invocations (services, limits, logging level) while one in
// flight finishes on the old configuration; an invalid change keeps the old
// one and logs its problems with their lines; /health/ready and /metrics
// report the generation. Timing: every wait polls with a generous timeout.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer as Upstream } from '../helpers/servers.js';
import { metric, startServer, type ServerUnderTest } from './helpers.js';

let a: Upstream;
let b: Upstream;
const held: ServerResponse[] = [];
let slowArrived = 0;

beforeAll(async () => {
  const partner = (name: string) => (req: { url?: string }, res: ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/api/slow')) {
      slowArrived++;
      held.push(res); // answered when the test says so
      return;
    }
    res.end(JSON.stringify({ name }));
  };
  a = await startHttpServer(partner('A'));
  b = await startHttpServer(partner('B'));
});

afterAll(async () => {
  await a?.close();
  await b?.close();
});

let s: ServerUnderTest | undefined;
afterEach(async () => {
  for (const res of held.splice(0)) res.end(JSON.stringify({ name: 'late' }));
  await s?.close();
  s = undefined;
});

const config = (url: string, extra = '') => `serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
services:
  partner:
    url: ${url}/api
limits:
  scriptService: { restCalls: 5 }
${extra}`;

const SCRIPTS = {
  'scripts/who.js': `function callService() { return [{ who: api.rest.v1.get('partner').body.name }]; }`,
  'scripts/slow.js': `function callService() { return [{ who: api.rest.v1.get('partner', { path: 'slow' }).body.name }]; }`,
  'scripts/calls.js': `function callService(c) {
    var n = Number(c.getFirstParameter('n'));
    for (var i = 0; i < n; i++) api.rest.v1.get('partner');
    return [{ calls: n }];
  }`,
};

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function generation(t: ServerUnderTest): Promise<number> {
  const ready = await t.get('/health/ready');
  expect(ready.status).toBe(200);
  return ready.json().configGeneration as number;
}

const waitForGeneration = (t: ServerUnderTest, n: number) => until(async () => (await generation(t)) >= n && n, `configuration generation ${n}`);

describe('reloading scriptcode.yaml while serving', () => {
  it('a valid change applies to new invocations at once; the one in flight finishes on the old configuration', async () => {
    s = await startServer({ 'scriptcode.yaml': config(a.url), ...SCRIPTS }, { watch: true });
    const t = s;
    expect(await generation(t)).toBe(1);
    expect(metric((await t.get('/metrics')).text, 'scriptcode_config_generation')).toBe(1);
    expect((await t.post('/api/scripts/who/run', {})).json().output).toEqual([{ who: 'A' }]);
    expect((await t.post('/api/scripts/calls/run', { input: { n: '3' } })).status).toBe(200);

    // an invocation waiting on service A while the file changes
    const before = slowArrived;
    const inFlight = t.post('/api/scripts/slow/run', {});
    await until(async () => slowArrived > before, 'the slow call to reach A');

    await t.app.write('scriptcode.yaml', config(b.url, 'logging:\n  level: warn\n').replace('restCalls: 5', 'restCalls: 2'));
    await waitForGeneration(t, 2);

    // new invocations: the new service URL and the new limit
    expect((await t.post('/api/scripts/who/run', {})).json().output).toEqual([{ who: 'B' }]);
    const limited = await t.post('/api/scripts/calls/run', { input: { n: '3' } });
    expect(limited.status).toBe(422);
    expect(limited.json().error).toMatchObject({ code: 'REST_CALL_LIMIT' });

    // the one in flight still talks to A, and completes
    held.shift()!.end(JSON.stringify({ name: 'A-slow' }));
    const slow = await inFlight;
    expect(slow.status).toBe(200);
    expect(slow.json().output).toEqual([{ who: 'A-slow' }]);

    // what the log and the metrics say
    const reloaded = t.log.parsed().find((l) => String(l.msg).startsWith('scriptcode.yaml reloaded'));
    expect(reloaded).toMatchObject({ level: 'info', generation: 2, changed: expect.arrayContaining(['services', 'limits', 'logging']) });
    expect(metric((await t.get('/metrics')).text, 'scriptcode_config_generation')).toBe(2);
    expect(metric((await t.get('/metrics')).text, 'scriptcode_config_reload_failures_total')).toBe(0);
    // logging.level: warn — the per-request info lines stop
    const lines = t.log.lines.length;
    await t.post('/api/scripts/who/run', {});
    expect(t.log.parsed().slice(lines).filter((l) => l.level === 'info')).toEqual([]);
  });

  it('an invalid change keeps the running configuration and logs every problem with its line; fixing it applies', async () => {
    s = await startServer({ 'scriptcode.yaml': config(a.url), ...SCRIPTS }, { watch: true });
    const t = s;
    await t.app.write('scriptcode.yaml', config(b.url).replace('restCalls: 5', 'restCalls: -1') + 'servces: {}\n');
    await until(async () => (metric((await t.get('/metrics')).text, 'scriptcode_config_reload_failures_total') ?? 0) >= 1, 'a refused reload');

    expect(await generation(t)).toBe(1);
    expect((await t.post('/api/scripts/who/run', {})).json().output).toEqual([{ who: 'A' }]);
    const refused = t.log.parsed().find((l) => String(l.msg).includes('cannot be used'))!;
    expect(refused).toMatchObject({ level: 'error', generation: 1 });
    const msg = String(refused.msg);
    expect(msg).toContain('generation 1 stays in force');
    expect(msg).toMatch(/limits\.scriptService\.restCalls: .*\(line 8, column \d+\)/);
    expect(msg).toMatch(/servces: unknown key — did you mean 'services'/);
    expect(refused.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'limits.scriptService.restCalls', line: 8 })]));

    await t.app.write('scriptcode.yaml', config(b.url));
    await waitForGeneration(t, 2);
    expect((await t.post('/api/scripts/who/run', {})).json().output).toEqual([{ who: 'B' }]);
  });

  it('settings that only a restart applies are named in the log; the rest applies', async () => {
    s = await startServer({ 'scriptcode.yaml': config(a.url), ...SCRIPTS }, { watch: true });
    const t = s;
    await t.app.write('scriptcode.yaml', config(b.url, 'pool:\n  maxQueue: 7\nserver:\n  bodyLimitBytes: 2048\n'));
    await waitForGeneration(t, 2);
    expect((await t.post('/api/scripts/who/run', {})).json().output).toEqual([{ who: 'B' }]);
    const warning = t.log.parsed().find((l) => String(l.msg).includes('take effect only after a restart'));
    expect(warning).toMatchObject({ level: 'warn', restartNeeded: ['server.bodyLimitBytes', 'pool.maxQueue'] });
    // an invalid server: section is refused like any other problem
    await t.app.write('scriptcode.yaml', config(b.url, 'server:\n  bodyLimitBytes: lots\n'));
    await until(async () => (metric((await t.get('/metrics')).text, 'scriptcode_config_reload_failures_total') ?? 0) >= 1, 'a refused reload');
    expect(await generation(t)).toBe(2);
  });
});
