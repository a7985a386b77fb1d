// Each limit of SPEC §5 really ends the invocation, names itself, and leaves
// the runtime able to run the next invocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { testBinding, type TestBindingProbe } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

const probe: TestBindingProbe = { abortedSleeps: 0, received: [] };
let t: TestRuntime;

const limitsYaml = (l: string) => `limits: ${l}\n`;

beforeAll(async () => {
  t = await startRuntime({
    'scripts/ok.js': 'function callService(ctx) { return [{ ok: ctx.getFirstParameter("n") }]; }',
    'scripts/loop.js': 'function callService() { for (;;) {} }',
    'scripts/loop.yaml': limitsYaml('{ cpuMs: 200 }'),
    'scripts/loopAfterAwait.js': 'async function callService() { await null; await Promise.resolve(1); for (;;) {} }',
    'scripts/loopAfterAwait.yaml': limitsYaml('{ cpuMs: 200 }'),
    'scripts/loopCatching.js': 'function callService() { for (;;) { try { for (;;) {} } catch (e) {} finally { } } }',
    'scripts/loopCatching.yaml': limitsYaml('{ cpuMs: 200 }'),
    'scripts/loopInFinally.js': 'function callService() { try { return 1; } finally { for (;;) {} } }',
    'scripts/loopInFinally.yaml': limitsYaml('{ cpuMs: 200 }'),
    'scripts/memoryBomb.js': 'function callService() { const a = []; for (;;) a.push(new Array(100000).fill(7)); }',
    'scripts/stringBomb.js': 'function callService() { let s = "x"; for (;;) s = s + s; }',
    'scripts/typedBomb.js': 'function callService() { const a = []; for (;;) a.push(new Float64Array(1 << 20)); }',
    'scripts/blocked.js': 'function callService() { return [{ r: api.test.v1.sleep(60000) }]; }',
    'scripts/blocked.yaml': limitsYaml('{ wallMs: 300 }'),
    'scripts/blockedCaught.js': 'function callService() { for (;;) { try { api.test.v1.sleep(60000); } catch (e) {} } }',
    'scripts/blockedCaught.yaml': limitsYaml('{ wallMs: 300, restCalls: 1000 }'),
    'scripts/budget.js': `function callService() {
      for (let i = 0; i < 5; i++) { try { api.test.v1.echo(i); } catch (e) { Logger.warn('caught {}', nonsensitive(e.code)); } }
      return [{ done: true }];
    }`,
    'scripts/budget.yaml': limitsYaml('{ restCalls: 2 }'),
    'scripts/hugeOutput.js': 'function callService() { return [{ s: "x".repeat(2000000) }]; }',
    'scripts/hugeOutput.yaml': limitsYaml('{ maxOutputBytes: 100000 }'),
    'scripts/recursion.js': 'function callService() { function f(n) { return f(n + 1) + 1; } return [{ r: f(0) }]; }',
  }, { bindings: [testBinding(probe)] });
}, 60_000);

afterAll(() => t?.close());

async function expectLimit(name: string, code: string, withinMs: number) {
  const started = Date.now();
  const err = await rejection(() => t.runtime.runScript(name));
  const elapsed = Date.now() - started;
  expect(err.name).toBe('ScriptFailure');
  expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code });
  expect(err.body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(elapsed).toBeLessThan(withinMs);
  // the runtime still works afterwards
  await expect(t.runtime.runScript('ok', { input: { n: '1' } })).resolves.toMatchObject({ output: [{ ok: '1' }] });
  return err;
}

describe('limits', () => {
  it('CPU: an endless loop is stopped and the message names the limit and how to raise it', async () => {
    const err = await expectLimit('loop', 'CPU_LIMIT', 5_000);
    expect(err.body.error.message).toContain('CPU time limit of 200 ms exceeded');
    expect(err.body.error.message).toContain('cpuMs');
  });

  it('CPU: a loop after await is stopped', async () => {
    await expectLimit('loopAfterAwait', 'CPU_LIMIT', 5_000);
  });

  it('CPU: a loop that catches everything cannot catch the limit', async () => {
    await expectLimit('loopCatching', 'CPU_LIMIT', 5_000);
  });

  it('CPU: a loop in finally is stopped', async () => {
    await expectLimit('loopInFinally', 'CPU_LIMIT', 5_000);
  });

  it('memory: array, string and typed-array bombs are stopped by the memory limit', async () => {
    const e1 = await expectLimit('memoryBomb', 'MEMORY_LIMIT', 15_000);
    expect(e1.body.error.message).toContain('memory limit of 64 MB exceeded');
    // the string bomb dies on V8's maximum string length first: a RangeError, the isolate survives
    const e2 = await rejection(() => t.runtime.runScript('stringBomb'));
    expect(['RangeError', 'LimitExceededError']).toContain(e2.body.error.name);
    await expectLimit('typedBomb', 'MEMORY_LIMIT', 15_000);
  });

  it('wall clock: a blocked host call is ended at the deadline and the host call is aborted', async () => {
    const before = probe.abortedSleeps;
    const err = await expectLimit('blocked', 'WALL_CLOCK_LIMIT', 2_000);
    expect(err.body.error.message).toContain('wall-clock time limit of 300 ms exceeded');
    expect(err.body.durationMs).toBeGreaterThanOrEqual(290);
    expect(probe.abortedSleeps).toBe(before + 1);
  });

  it('wall clock: catching the timeout does not buy more time', async () => {
    await expectLimit('blockedCaught', 'WALL_CLOCK_LIMIT', 2_000);
  });

  it('REST calls: the budget ends the invocation even when the script catches the error', async () => {
    probe.received.length = 0;
    const err = await rejection(() => t.runtime.runScript('budget', { trace: true }));
    expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'REST_CALL_LIMIT' });
    expect(err.body.error.message).toContain('REST call limit of 2');
    expect(probe.received).toEqual([0, 1]);
    expect(err.body.logs.map((l: { message: string }) => l.message)).toContain('caught REST_CALL_LIMIT');
  });

  it('output: a result over maxOutputBytes is refused', async () => {
    const err = await expectLimit('hugeOutput', 'OUTPUT_LIMIT', 5_000);
    expect(err.body.error.message).toContain('output size limit of 100000 bytes');
  });

  it('deep recursion is an ordinary RangeError in the script', async () => {
    const err = await rejection(() => t.runtime.runScript('recursion'));
    expect(err.body.error.name).toBe('RangeError');
    expect(err.body.error.message).toMatch(/call stack/);
  });

  it('a runaway invocation does not disturb 20 others running at the same time', async () => {
    const good = Array.from({ length: 20 }, (_, i) => t.runtime.runScript('ok', { input: { n: String(i) } }));
    const bad = [rejection(() => t.runtime.runScript('loop')), rejection(() => t.runtime.runScript('memoryBomb'))];
    const results = await Promise.all(good);
    results.forEach((r, i) => expect(r.output).toEqual([{ ok: String(i) }]));
    const errors = await Promise.all(bad);
    expect(errors.map((e) => e.body.error.code)).toEqual(['CPU_LIMIT', 'MEMORY_LIMIT']);
  });
});
