// Lifecycle safety under load (issue 10): thousands of invocations at once, a
// fifth of them ended by the wall clock while blocked in a REST call, a tenth
// memory bombs, a tenth CPU loops (sync, and async after an await, sharing
// isolates with well-behaved invocations). The process survives, and every
// well-behaved invocation succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { testBinding } from '../helpers/test-binding.js';

const TOTAL = 2_000;
const CONCURRENCY = 32;

let partner: TestServer;
let t: TestRuntime;

beforeAll(async () => {
  partner = await startHttpServer((_req, res) => {
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    }, 1);
  });
  const service = `services:\n  partner:\n    url: ${partner.url}\n    allowInsecureHttp: true\n    network: { allowPrivate: true }\n`;
  t = await startRuntime({
    'scriptcode.yaml': `${service}pool:\n  maxIsolates: 48\n  asyncInvocationsPerIsolate: 16\nlogging:\n  level: warn\n`,
    'scripts/goodSync.js': `function callService(context) {
      const r = api.rest.v1.get('partner', { path: 'ok' });
      return [{ n: context.getFirstParameter('n'), ok: r.body.ok }];
    }`,
    'scripts/goodAsync.js': `async function callService(context) {
      const [a, b] = await Promise.all([api.rest.v1.get('partner', { path: 'a' }), api.rest.v1.get('partner', { path: 'b' })]);
      return [{ n: context.getFirstParameter('n'), ok: a.body.ok && b.body.ok }];
    }`,
    // api.rest.v1 ends its own calls a little before the deadline, so that the
    // script can handle the timeout; the test binding's call waits until the
    // invocation itself is ended by the wall clock
    'scripts/hangs.js': `function callService() { api.test.v1.sleep(60000); return [{ never: true }]; }`,
    'scripts/hangs.yaml': 'limits: { wallMs: 300 }\n',
    'scripts/bomb.js': 'function callService() { const a = []; for (;;) a.push(new Array(100000).fill(7)); }',
    'scripts/bomb.yaml': 'limits: { memoryMb: 16, cpuMs: 20000 }\n',
    'scripts/loop.js': 'function callService() { for (;;) {} }',
    'scripts/loop.yaml': 'limits: { cpuMs: 100 }\n',
    'scripts/loopAfterAwait.js': `async function callService() { await api.rest.v1.get('partner', { path: 'x' }); for (;;) {} }`,
    'scripts/loopAfterAwait.yaml': 'limits: { cpuMs: 100 }\n',
  }, { warmIsolates: 0, bindings: [testBinding()] });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await partner?.close();
});

type Kind = 'goodSync' | 'goodAsync' | 'hangs' | 'bomb' | 'loop' | 'loopAfterAwait';

/** A fifth wall-clock hits, a tenth bombs, a tenth loops, the rest well-behaved; interleaved. */
function plan(i: number): Kind {
  const slot = i % 10;
  if (slot < 2) return 'hangs';
  if (slot === 2) return 'bomb';
  if (slot === 3) return i % 20 === 3 ? 'loop' : 'loopAfterAwait';
  return slot % 2 === 0 ? 'goodSync' : 'goodAsync';
}

const EXPECTED: Record<Exclude<Kind, 'goodSync' | 'goodAsync'>, string> = {
  hangs: 'WALL_CLOCK_LIMIT',
  bomb: 'MEMORY_LIMIT',
  loop: 'CPU_LIMIT',
  loopAfterAwait: 'CPU_LIMIT',
};

describe('stress', () => {
  it(`${TOTAL} invocations at concurrency ${CONCURRENCY} with runaways of every kind: good ones all succeed`, async () => {
    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let next = 0;
    async function worker(): Promise<void> {
      while (next < TOTAL) {
        const i = next++;
        const kind = plan(i);
        counts[kind] = (counts[kind] ?? 0) + 1;
        try {
          const answer = await t.runtime.runScript(kind, { input: { n: String(i) } });
          if (kind !== 'goodSync' && kind !== 'goodAsync') failures.push(`${i} ${kind}: succeeded`);
          else if (JSON.stringify(answer.output) !== JSON.stringify([{ n: String(i), ok: true }])) failures.push(`${i} ${kind}: ${JSON.stringify(answer.output)}`);
        } catch (err) {
          const e = err as { body?: { error?: { code?: string } }; message?: string };
          const code = e.body?.error?.code;
          if (kind === 'goodSync' || kind === 'goodAsync' || code !== EXPECTED[kind]) failures.push(`${i} ${kind}: ${code ?? e.message}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures).toEqual([]);
    expect(counts.hangs).toBe(TOTAL / 5);
    expect(counts.bomb).toBe(TOTAL / 10);
    expect((counts.loop ?? 0) + (counts.loopAfterAwait ?? 0)).toBe(TOTAL / 10);
    // and the runtime still answers
    await expect(t.runtime.runScript('goodSync', { input: { n: 'last' } })).resolves.toMatchObject({ output: [{ n: 'last', ok: true }] });
  }, 90_000);
});
