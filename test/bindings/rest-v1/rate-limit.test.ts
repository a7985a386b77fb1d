// `rateLimit` of a service, end to end: a real partner records when each
// request arrives; many invocations at once stay within the limit (they wait
// for their slot), and a call whose slot comes after its time is up fails at
// once with RATE_LIMITED, before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../../helpers/app.js';
import { startEchoServer } from '../../helpers/echo-server.js';

let server: Awaited<ReturnType<typeof startEchoServer>>;
let t: TestRuntime;
const arrivals: Record<string, number[]> = { limited: [], slow: [] };

beforeAll(async () => {
  server = await startEchoServer({
    '/limited': (_req, res) => { arrivals.limited!.push(performance.now()); res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); },
    '/slow': (_req, res) => { arrivals.slow!.push(performance.now()); res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); },
  });
  t = await startRuntime({
    'scriptcode.yaml': `serviceDefaults: { allowInsecureHttp: true, network: { allowPrivate: true } }
services:
  limited: { url: ${server.url}/limited, rateLimit: { requests: 5, perSeconds: 1 } }
  slow: { url: ${server.url}/slow, rateLimit: { requests: 1, perSeconds: 60 } }
`,
    'scripts/call.js': `async function callService(context) {
      try { await api.rest.v1.get(context.getFirstParameter('service')); return [{ ok: true }]; }
      catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
    }`,
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
});

const call = async (service: string) => (await t.runtime.runScript('call', { input: { service } })).output[0] as Record<string, unknown>;

describe('rateLimit', () => {
  it('15 invocations at once against 5 per second: all succeed, never more than 5 requests in any second', async () => {
    // five connections open and the window empty again, so arrival times are not blurred by connection set-up
    await Promise.all(Array.from({ length: 5 }, () => call('limited')));
    await new Promise((r) => setTimeout(r, 1_100));
    arrivals.limited = [];
    const results = await Promise.all(Array.from({ length: 15 }, () => call('limited')));
    expect(results).toEqual(Array.from({ length: 15 }, () => ({ ok: true })));
    const at = arrivals.limited!;
    expect(at).toHaveLength(15);
    // the 6th request left a second after the 1st, and so on; what the partner sees also carries the
    // time each took to reach it, which a busy machine stretches for some more than others (a fifth of
    // the window allowed): without the limit all 15 arrive within a few milliseconds
    for (let i = 5; i < at.length; i++) expect(at[i]! - at[i - 5]!).toBeGreaterThan(800);
    expect(at[14]! - at[0]!).toBeGreaterThan(1_800);
  }, 30_000);

  it('a call whose slot comes after its time is up: RATE_LIMITED at once, nothing sent', async () => {
    expect(await call('slow')).toEqual({ ok: true });
    const refused = await call('slow');
    expect(refused).toMatchObject({ name: 'RestPolicyError', code: 'RATE_LIMITED' });
    expect(refused.message).toBe("api.rest.v1: service 'slow' allows 1 requests per 60 s (rateLimit) and the next free slot comes after this invocation's time is up");
    expect(arrivals.slow).toHaveLength(1);
  });
});
