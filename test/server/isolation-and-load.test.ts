// Over HTTP: nothing carries over between invocations, a runaway script is a
// 422 that does not disturb 20 others, a full queue is a 503 with Retry-After.
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../helpers/servers.js';
import { metric, startServer, type ServerUnderTest } from './helpers.js';

let t: ServerUnderTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('isolation', () => {
  it('nothing carries over between two invocations of the same script in the same isolate', async () => {
    t = await startServer({
      'scripts/leaky.js': `
var counter = (typeof counter === 'number' ? counter : 0) + 1;
function callService(context) {
  var seen = {
    counter: counter,
    globalVar: typeof leakedGlobal === 'undefined' ? null : leakedGlobal,
    globalThisProp: globalThis.leakedProp === undefined ? null : globalThis.leakedProp,
    arrayProto: typeof [].leakedMethod,
    jsonPatched: JSON.stringify({ a: 1 }),
    regexp: typeof RegExp.$1 === 'string' ? RegExp.$1 : null,
  };
  leakedGlobal = context.getFirstParameter('secret');
  globalThis.leakedProp = context.getFirstParameter('secret');
  try { Array.prototype.leakedMethod = function () {}; } catch (e) {}
  try { JSON.stringify = function () { return 'patched'; }; } catch (e) {}
  /(\\d+)/.exec(context.getFirstParameter('secret'));
  return [seen];
}`,
    }, { config: { pool: { maxIsolates: 1 } } });
    const first = await t.post('/api/scripts/leaky/run', { input: { secret: '44051401458' } });
    const second = await t.post('/api/scripts/leaky/run', { input: { secret: 'other' } });
    const clean = { counter: 1, globalVar: null, globalThisProp: null, arrayProto: 'undefined', jsonPatched: '{"a":1}', regexp: null };
    expect(first.json().output).toEqual([clean]);
    expect(second.json().output).toEqual([clean]);
    expect(second.text).not.toContain('44051401458');
    // one isolate served both
    expect(metric((await t.get('/metrics')).text, 'scriptcode_pool_isolates', { pool: '64MB' })).toBe(1);
  });
});

describe('runaway scripts', () => {
  it('async mode: a memory bomb is a 422, the invocations sharing its isolate are 503 ISOLATE_RESET with Retry-After', async () => {
    // holds every request until the test releases it
    const held: (() => void)[] = [];
    const partner = await startHttpServer((_req, res) => { held.push(() => res.end('{}')); });
    try {
      t = await startServer({
        'scriptcode.yaml': `services:\n  partner: { url: '${partner.url}', allowInsecureHttp: true, network: { allowPrivate: true } }\n`,
        'scripts/waits.js': "async function callService() { await api.rest.v1.get('partner'); return [{ ok: true }]; }",
        'scripts/bomb.js': "async function callService() { await null; var a = []; for (;;) a.push(new Array(100000).fill(7)); }",
        'scripts/bomb.yaml': 'limits: { cpuMs: 20000 }\n',
      }, { config: { pool: { maxIsolates: 1, spareIsolates: 0 } } });
      const mates = [t.post('/api/scripts/waits/run', {}), t.post('/api/scripts/waits/run', {})];
      while (held.length < 2) await new Promise((r) => setTimeout(r, 10));
      const bomb = await t.post('/api/scripts/bomb/run', {});
      expect(bomb.status).toBe(422);
      expect(bomb.json().error).toMatchObject({ name: 'LimitExceededError', code: 'MEMORY_LIMIT' });
      for (const mate of await Promise.all(mates)) {
        expect(mate.status).toBe(503);
        expect(mate.headers['retry-after']).toBe('1');
        expect(mate.json().error).toMatchObject({ name: 'IsolateResetError', code: 'ISOLATE_RESET' });
      }
      // a retry gets a fresh isolate
      const retry = t.post('/api/scripts/waits/run', {});
      while (held.length < 3) await new Promise((r) => setTimeout(r, 10));
      held[2]!();
      expect((await retry).json().output).toEqual([{ ok: true }]);
    } finally {
      for (const release of held) release();
      await partner.close();
    }
  });

  it('an endless loop and a memory bomb are 422s while 20 well-behaved invocations at the same time all succeed', async () => {
    t = await startServer({
      'scripts/loop.js': 'function callService() { for (;;) {} }',
      'scripts/bomb.js': 'function callService() { var a = []; for (;;) a.push(new Array(100000).fill(7)); }',
      'scripts/good.js': `function callService(context) {
  var n = Number(context.getFirstParameter('n'));
  var end = Date.now() + 20; var s = 0;
  while (Date.now() < end) s++;
  return [{ n: n, square: n * n }];
}`,
    });
    const runaway = [t.post('/api/scripts/loop/run', {}), t.post('/api/scripts/bomb/run', {})];
    const good = Array.from({ length: 20 }, (_, n) => t!.post('/api/scripts/good/run', { input: { n } }));
    const answers = await Promise.all(good);
    for (const [n, r] of answers.entries()) {
      expect(r.status).toBe(200);
      expect(r.json().output).toEqual([{ n, square: n * n }]);
    }
    const [loop, bomb] = await Promise.all(runaway);
    expect(loop.status).toBe(422);
    expect(loop.json().error).toMatchObject({ name: 'LimitExceededError', code: 'CPU_LIMIT' });
    expect(bomb.status).toBe(422);
    expect(bomb.json().error).toMatchObject({ name: 'LimitExceededError', code: 'MEMORY_LIMIT' });
    // and the server keeps serving
    expect((await t.post('/api/scripts/good/run', { input: { n: 3 } })).json().output).toEqual([{ n: 3, square: 9 }]);
    const metrics = (await t.get('/metrics')).text;
    expect(metric(metrics, 'scriptcode_limit_exceeded_total', { script: 'loop', limit: 'CPU_LIMIT' })).toBe(1);
    expect(metric(metrics, 'scriptcode_limit_exceeded_total', { script: 'bomb', limit: 'MEMORY_LIMIT' })).toBe(1);
    expect(metric(metrics, 'scriptcode_invocations_total', { script: 'good', outcome: 'ok' })).toBe(21);
  });
});

describe('backpressure', () => {
  it('a full queue is a 503 with Retry-After; the admitted invocations finish', async () => {
    t = await startServer(
      { 'scripts/busy.js': 'function callService() { var end = Date.now() + 300; while (Date.now() < end) {} return [{ done: true }]; }' },
      { config: { pool: { maxIsolates: 1, maxQueue: 1 } } },
    );
    // one runs, one waits, the others find the queue full
    const answers = await Promise.all(Array.from({ length: 4 }, () => t!.post('/api/scripts/busy/run', {})));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.headers['retry-after']).toBe('1');
      expect(a.json()).toEqual({ error: { name: 'QueueFullError', message: expect.stringContaining('queue is full'), code: 'QUEUE_FULL' } });
    }
    for (const a of answers.filter((x) => x.status === 200)) expect(a.json().output).toEqual([{ done: true }]);
    const metrics = (await t.get('/metrics')).text;
    expect(metric(metrics, 'scriptcode_rejected_requests_total', { reason: 'queue_full' })).toBe(2);
    expect(metric(metrics, 'scriptcode_queue_depth', { pool: '64MB' })).toBe(0);
    // one isolate, one context: kept for the next invocation
    expect(metric(metrics, 'scriptcode_pool_contexts', { pool: '64MB' })).toBe(1);
    // once drained, the server takes work again
    expect((await t.post('/api/scripts/busy/run', {})).status).toBe(200);
  });

  it('the queue depth and busy isolates are visible in /metrics while work waits', async () => {
    t = await startServer(
      { 'scripts/busy.js': 'function callService() { var end = Date.now() + 400; while (Date.now() < end) {} return []; }' },
      { config: { pool: { maxIsolates: 1, maxQueue: 5 } } },
    );
    const running = Array.from({ length: 3 }, () => t!.post('/api/scripts/busy/run', {}));
    let depth: number | undefined;
    let busy: number | undefined;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const text = (await t.get('/metrics')).text;
      depth = metric(text, 'scriptcode_queue_depth', { pool: '64MB' });
      busy = metric(text, 'scriptcode_pool_busy', { pool: '64MB' });
      if (depth === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(depth).toBe(2);
    expect(busy).toBe(1);
    expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
