// Issue 7 §2: scripts that try to exhaust the runtime. Each is ended by the
// limit that names itself, while well-behaved invocations running at the same
// time keep succeeding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startEchoServer } from '../helpers/echo-server.js';
import { rejection } from '../helpers/expect.js';

const abuses: Record<string, { body: string; code: string | string[]; limits?: string }> = {
  syncLoop: { body: 'for (;;) {}', code: 'CPU_LIMIT' },
  whileTrueMath: { body: 'var x = 0; while (true) { x = Math.sqrt(x + 1); }', code: 'CPU_LIMIT' },
  loopAfterAwait: { body: 'return (async function () { await null; for (;;) {} })();', code: 'CPU_LIMIT' },
  loopAfterManyAwaits: { body: 'return (async function () { for (;;) { await 0; } })();', code: 'CPU_LIMIT' },
  loopInCatch: { body: 'try { throw new Error("x"); } catch (e) { for (;;) {} }', code: 'CPU_LIMIT' },
  loopInFinally: { body: 'try { return [1]; } finally { for (;;) {} }', code: 'CPU_LIMIT' },
  loopInResultGetter: { body: 'return [{ get x() { for (;;) {} } }];', code: 'CPU_LIMIT' },
  loopInBodyGetter: { body: 'api.rest.v1.post("echo", {}, { get x() { for (;;) {} } });', code: 'CPU_LIMIT' },
  loopInToJSON: { body: 'return [{ toJSON: function () { for (;;) {} } }];', code: 'CPU_LIMIT' },
  loopInSort: { body: '[3, 2, 1].sort(function () { for (;;) {} });', code: 'CPU_LIMIT' },
  regexBacktracking: { body: 'return [/^(a+)+$/.test("a".repeat(40) + "b")];', code: 'CPU_LIMIT' },
  catchesItsLimitAndRetries: { body: 'for (;;) { try { for (;;) {} } catch (e) { } }', code: 'CPU_LIMIT' },
  deepRecursion: { body: 'function f() { return f() + 1; } return [f()];', code: 'RangeError' },
  recursionCaughtForever: { body: 'function f() { return f() + 1; } for (;;) { try { f(); } catch (e) {} }', code: 'CPU_LIMIT' },
  // CPU to spare: with the app's 300 ms the bomb would race the clock (it fills 64 MB in ~300 ms)
  arrayBomb: { body: 'var a = []; for (;;) a.push(new Array(1e5).fill(1));', code: 'MEMORY_LIMIT', limits: 'cpuMs: 5000' },
  objectBomb: { body: 'var a = []; for (var i = 0; ; i++) a.push({ i: i, s: "x" + i });', code: ['MEMORY_LIMIT', 'CPU_LIMIT'] },
  stringBomb: { body: 'var parts = []; for (;;) parts.push("x".repeat(1e6) + parts.length);', code: ['MEMORY_LIMIT', 'CPU_LIMIT'] },
  typedArrayBomb: { body: 'var a = []; for (;;) a.push(new Float64Array(1 << 20));', code: 'MEMORY_LIMIT', limits: 'cpuMs: 5000' },
  bigArrayBuffer: { body: 'return [new ArrayBuffer(1024 * 1024 * 1024).byteLength];', code: ['MEMORY_LIMIT', 'RangeError'] },
  hugeOutput: { body: 'var rows = []; for (var i = 0; i < 3e5; i++) rows.push({ i: i, text: "some text for row " + i }); return rows;', code: ['OUTPUT_LIMIT', 'MEMORY_LIMIT', 'CPU_LIMIT'] },
  restBudget: { body: 'for (;;) { try { api.rest.v1.get("echo"); } catch (e) { } }', code: 'REST_CALL_LIMIT' },
  slowPartnerCaught: { body: 'for (;;) { try { api.rest.v1.get("slow"); } catch (e) { } }', code: 'WALL_CLOCK_LIMIT', limits: 'wallMs: 600\n  restCalls: 1000' },
  // nothing in the sandbox can settle it (no timers, no pending call): it fails at once
  neverSettles: { body: 'return new Promise(function () {});', code: 'UNSETTLED_PROMISE' },
  logFlood: { body: 'for (;;) Logger.info("line {}", nonsensitive(1));', code: ['CPU_LIMIT', 'WALL_CLOCK_LIMIT'], limits: 'wallMs: 1500' },
};

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;

beforeAll(async () => {
  server = await startEchoServer({ '/slow': () => { /* never answers */ } });
  const files: Record<string, string> = {
    'scriptcode.yaml': `services:
  echo: { url: '${server.url}/e', allowInsecureHttp: true, network: { allowPrivate: true } }
  slow: { url: '${server.url}/slow', allowInsecureHttp: true, network: { allowPrivate: true }, timeouts: { readTimeout: 100 } }
limits:
  scriptService: { cpuMs: 300, maxOutputBytes: 2000000 }
logging:
  level: info
`,
    'scripts/good.js': 'function callService(context) { return [{ n: Number(context.getFirstParameter("n")) * 2 }]; }',
  };
  for (const [name, abuse] of Object.entries(abuses)) {
    files[`scripts/${name}.js`] = `function callService(context) {\n${abuse.body}\n}`;
    if (abuse.limits) files[`scripts/${name}.yaml`] = `limits:\n  ${abuse.limits}\n`;
  }
  t = await startRuntime(files);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
});

describe('resource abuse', () => {
  it.each(Object.keys(abuses))('%s is ended by its limit while others keep running', async (name) => {
    const expected = ([] as string[]).concat(abuses[name].code);
    const good = Array.from({ length: 5 }, (_, i) => t.runtime.runScript('good', { input: { n: String(i) } }));
    const started = Date.now();
    const err = await rejection(() => t.runtime.runScript(name));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    if (name === 'restBudget') {
      // stopped at the call after the refused one, not by the CPU limit later
      const line = t.log.parsed().find((l) => l.msg === 'invocation finished' && l.invocationId === err.body.invocationId);
      expect(line?.restCalls).toBe(52);
    }
    const { name: errorName, code } = err.body.error as { name: string; code?: string };
    expect(expected).toContain(code ?? errorName);
    if (code?.endsWith('_LIMIT')) expect(err.body.error.message).toMatch(/limit/);
    const results = await Promise.all(good);
    results.forEach((r, i) => expect(r.output).toEqual([{ n: i * 2 }]));
  });

  it('the runtime is whole afterwards', async () => {
    const r = await Promise.all(Array.from({ length: 20 }, (_, i) => t.runtime.runScript('good', { input: { n: String(i) } })));
    expect(r.map((x) => (x.output[0] as { n: number }).n)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });
});
