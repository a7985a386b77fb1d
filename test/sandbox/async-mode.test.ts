// Async mode (SPEC §4.1, §5): an `async function callService` gets promises
// from api.rest.v1, holds no isolate thread while it waits, shares its isolate
// with other invocations — each in its own context — and keeps every limit
// per invocation.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { testBinding, type TestBindingProbe } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

const probe: TestBindingProbe = { abortedSleeps: 0, received: [] };
let partner: TestServer;
let inFlight = 0;
let maxInFlight = 0;
let t: TestRuntime;

const yaml = (url: string) => `services:
  partner:
    url: ${url}
    allowInsecureHttp: true
    network: { allowPrivate: true }
pool:
  maxIsolates: 1
  spareIsolates: 0
  asyncInvocationsPerIsolate: 32
`;

beforeAll(async () => {
  // answers after ?ms= milliseconds, and counts how many requests it holds at once
  partner = await startHttpServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const ms = Number(new URL(req.url!, 'http://x').searchParams.get('ms') ?? 0);
    setTimeout(() => {
      inFlight--;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    }, ms);
  });
  t = await startRuntime({
    'scriptcode.yaml': yaml(partner.url),
    'scripts/fanOut.js': `async function callService(context) {
      const ms = context.getFirstParameter('ms');
      const all = await Promise.all([1, 2, 3].map((i) => api.rest.v1.get('partner', { path: 'p' + i, queryParams: { ms } })));
      return all.map((r) => ({ path: r.body.path }));
    }`,
    'scripts/slow.js': `async function callService(context) {
      const r = await api.rest.v1.get('partner', { path: 'slow', queryParams: { ms: context.getFirstParameter('ms') } });
      return [{ status: r.status.code, n: context.getFirstParameter('n') }];
    }`,
    'scripts/keepsSecret.js': `async function callService(context) {
      const secret = context.getFirstParameter('secret');
      globalThis.leaked = secret;
      Object.prototype.leakedToo = secret;
      await api.test.v1.sleep(50);
      return [{ mine: globalThis.leaked }];
    }`,
    'scripts/snoop.js': `async function callService() {
      const seen = [typeof globalThis.leaked, typeof ({}).leakedToo];
      await api.test.v1.sleep(10);
      seen.push(typeof globalThis.leaked);
      return [{ seen: seen.join(',') }];
    }`,
    'scripts/runawayAfterAwait.js': `async function callService() { await api.test.v1.sleep(20); for (;;) {} }`,
    'scripts/runawayAfterAwait.yaml': 'limits: { cpuMs: 300 }\n',
    'scripts/bombAfterAwait.js': `async function callService() {
      await api.test.v1.sleep(50);
      const a = []; for (;;) a.push(new Array(100000).fill(7));
    }`,
    // CPU to spare, so that the memory limit, not the clock, is what stops it
    'scripts/bombAfterAwait.yaml': 'limits: { cpuMs: 20000 }\n',
    'scripts/waitsLong.js': `async function callService() { await api.test.v1.sleep(60000); return [{ done: true }]; }`,
    'scripts/waitsTooLong.js': `async function callService() { await api.test.v1.sleep(60000); return [{ done: true }]; }`,
    'scripts/waitsTooLong.yaml': 'limits: { wallMs: 300 }\n',
    'scripts/never.js': `async function callService() { await new Promise(() => {}); return [{ never: true }]; }`,
    'scripts/budget.js': `async function callService() {
      const calls = []; for (let i = 0; i < 5; i++) calls.push(api.test.v1.echo(i));
      const settled = await Promise.allSettled(calls);
      return [{ outcomes: settled.map((s) => s.status === 'fulfilled' ? 'ok' : s.reason.code).join(',') }];
    }`,
    'scripts/budget.yaml': 'limits: { restCalls: 3 }\n',
    'scripts/topLevel.js': `const early = api.test.v1.echo('top');
      async function callService() { return [{ isPromise: early instanceof Promise, value: await early }]; }`,
    'scripts/syncStyle.js': `function callService() { const r = api.test.v1.echo('plain'); return [{ value: r, isPromise: r instanceof Promise }]; }`,
    'scripts/logsAfterAwait.js': `async function callService(context) {
      const n = context.getFirstParameter('n');
      await api.test.v1.sleep(5);
      Logger.info('after await {}', nonsensitive(n));
      return [{ n }];
    }`,
    'scripts/failsAfterAwait.js': `async function callService() {
      try { await api.test.v1.fail('nope'); } catch (e) { return [{ name: e.name, code: e.code, isError: e instanceof Error }]; }
    }`,
  }, { bindings: [testBinding(probe)], warmIsolates: 0 });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await partner?.close();
});

function asyncPool() {
  return t.runtime.stats().pools['64MB async']!;
}

describe('async mode', () => {
  it('Promise.all really runs the calls in parallel: the partner holds all three at once', async () => {
    maxInFlight = 0;
    const answer = await t.runtime.runScript('fanOut', { input: { ms: '150' } });
    expect(answer.output).toEqual([{ path: '/p1?ms=150' }, { path: '/p2?ms=150' }, { path: '/p3?ms=150' }]);
    expect(maxInFlight).toBe(3);
  });

  it('one isolate serves many waiting invocations at once, none holding its thread', async () => {
    // a first round makes the twenty contexts, so that the second starts all its calls together
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.runtime.runScript('slow', { input: { ms: '1', n: String(i) } })));
    maxInFlight = 0;
    // the partner holds each call a second: long enough for all twenty to start, even on a busy machine
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.runtime.runScript('slow', { input: { ms: '1000', n: String(i) } })));
    answers.forEach((a, i) => expect(a.output).toEqual([{ status: 200, n: String(i) }]));
    // all twenty were waiting on the partner together, in one isolate
    expect(maxInFlight).toBe(20);
    expect(asyncPool().size).toBe(1);
  });

  it('nothing carries over between invocations sharing the isolate, concurrent or later', async () => {
    const [a, b] = await Promise.all([
      t.runtime.runScript('keepsSecret', { input: { secret: '90010112345' } }),
      t.runtime.runScript('snoop'),
    ]);
    expect(a.output).toEqual([{ mine: '90010112345' }]);
    expect(b.output).toEqual([{ seen: 'undefined,undefined,undefined' }]);
    const later = await t.runtime.runScript('snoop');
    expect(later.output).toEqual([{ seen: 'undefined,undefined,undefined' }]);
  });

  it('a runaway loop after await is ended by its CPU limit while its isolate-mates finish', async () => {
    const mates = Array.from({ length: 8 }, (_, i) => t.runtime.runScript('slow', { input: { ms: '300', n: String(i) } }));
    const runaway = rejection(() => t.runtime.runScript('runawayAfterAwait'));
    const err = await runaway;
    expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'CPU_LIMIT' });
    expect(err.body.error.message).toContain('CPU time limit of 300 ms exceeded');
    (await Promise.all(mates)).forEach((a, i) => expect(a.output).toEqual([{ status: 200, n: String(i) }]));
    expect(asyncPool().size).toBe(1);
  });

  it('a memory bomb takes its isolate down: it gets MEMORY_LIMIT, its isolate-mates ISOLATE_RESET, later invocations a fresh isolate', async () => {
    const mates = Array.from({ length: 4 }, () => rejection(() => t.runtime.runScript('waitsLong')));
    const bomb = await rejection(() => t.runtime.runScript('bombAfterAwait'));
    expect(bomb.body.error).toMatchObject({ name: 'LimitExceededError', code: 'MEMORY_LIMIT' });
    for (const mate of await Promise.all(mates)) {
      expect(mate).toMatchObject({ name: 'IsolateResetError', code: 'ISOLATE_RESET' });
      expect(mate.message).toContain('pool.asyncInvocationsPerIsolate');
    }
    const after = await t.runtime.runScript('slow', { input: { ms: '1', n: 'x' } });
    expect(after.output).toEqual([{ status: 200, n: 'x' }]);
  });

  it('the wall clock ends an invocation waiting on a call; the call is aborted', async () => {
    const before = probe.abortedSleeps;
    const err = await rejection(() => t.runtime.runScript('waitsTooLong'));
    expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'WALL_CLOCK_LIMIT' });
    expect(err.body.durationMs).toBeGreaterThanOrEqual(290);
    // the caller is answered at the deadline; the aborted call unwinds right after
    await vi.waitFor(() => expect(probe.abortedSleeps).toBe(before + 1));
  });

  it('awaiting a promise nothing can settle fails at once with a clear error', async () => {
    const err = await rejection(() => t.runtime.runScript('never'));
    expect(err.body.error).toMatchObject({ code: 'UNSETTLED_PROMISE' });
    expect(err.body.error.message).toContain('scripts/never.js');
  });

  it('parallel calls count against the REST-call budget', async () => {
    probe.received.length = 0;
    const err = await rejection(() => t.runtime.runScript('budget'));
    expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'REST_CALL_LIMIT' });
    expect(probe.received).toEqual([0, 1, 2]);
  });

  it('calls made by top-level code of an async script return promises too', async () => {
    const answer = await t.runtime.runScript('topLevel');
    expect(answer.output).toEqual([{ isPromise: true, value: 'top' }]);
  });

  it('a non-async entry point keeps synchronous-looking calls', async () => {
    const answer = await t.runtime.runScript('syncStyle');
    expect(answer.output).toEqual([{ value: 'plain', isPromise: false }]);
  });

  it('log lines written after an await belong to their own invocation', async () => {
    const answers = await Promise.all(['a', 'b', 'c'].map((n) => t.runtime.runScript('logsAfterAwait', { input: { n }, trace: true })));
    answers.forEach((a, i) => {
      expect(a.output).toEqual([{ n: ['a', 'b', 'c'][i] }]);
      expect(a.logs!.map((l) => l.message)).toEqual([`after await ${['a', 'b', 'c'][i]}`]);
    });
  });

  it('a failed call rejects with the binding\'s own error class', async () => {
    const answer = await t.runtime.runScript('failsAfterAwait');
    expect(answer.output).toEqual([{ name: 'TestError', code: 'TEST_FAILURE', isError: true }]);
  });
});
