// The pool sizes itself from the machine, keeps spare isolates ready ahead of
// demand and retires idle ones (issue 10, "sync mode at scale").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer } from '../helpers/servers.js';
import { testBinding } from '../helpers/test-binding.js';
import { autoMaxIsolates, asyncIsolateMemoryMb } from '../../src/sandbox/pool-sizing.js';

const GB = 1024 ** 3;
let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A partner that holds every call until `release()` (then answers at once), counting them. */
async function startHoldingPartner() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const calls = { arrived: 0, inFlight: 0 };
  const server = await startHttpServer((req, res) => {
    calls.arrived++;
    calls.inFlight++;
    res.setHeader('content-type', 'application/json');
    void released.then(() => {
      calls.inFlight--;
      res.end('{"ok":true}');
    });
  });
  return { server, calls, release };
}

/** An application with one async script calling the partner, on one async isolate. */
function asyncApp(partnerUrl: string, pool = ''): Record<string, string> {
  return {
    'scriptcode.yaml': `services:\n  partner: { url: "${partnerUrl}", allowInsecureHttp: true, network: { allowPrivate: true } }\n` +
      `pool:\n  maxIsolates: 1\n  spareIsolates: 0\n  asyncInvocationsPerIsolate: 64\n${pool}`,
    'scripts/calls.js': `async function callService() { const r = await api.rest.v1.get('partner', { path: 'x' }); return [{ ok: r.body.ok }]; }`,
  };
}

describe('pool sizing', () => {
  it('maxIsolates: auto is one isolate per 32 MB of memory, between 16 and 1024', () => {
    expect(autoMaxIsolates(24 * GB)).toBe(768);
    expect(autoMaxIsolates(8 * GB)).toBe(256);
    expect(autoMaxIsolates(0.25 * GB)).toBe(16);
    expect(autoMaxIsolates(256 * GB)).toBe(1024);
  });

  it('an async isolate holds the kind\'s memory plus half a megabyte per slot', () => {
    expect(asyncIsolateMemoryMb(64, 64)).toBe(96);
    expect(asyncIsolateMemoryMb(128, 1)).toBe(129);
  });
});

describe('pool lifecycle', () => {
  it('keeps spare isolates ready ahead of demand and retires idle ones down to the spares', async () => {
    t = await startRuntime({
      'scriptcode.yaml': 'pool:\n  spareIsolates: 2\n  idleSeconds: 1\n',
      'scripts/ok.js': 'function callService() { return [{ ok: true }]; }',
      'scripts/sleeps.js': 'function callService() { api.test.v1.sleep(300); return [{ slept: true }]; }',
    }, { bindings: [testBinding()], warmIsolates: 1 });
    const pool = () => t!.runtime.stats().pools['64MB']!;
    expect(pool().size).toBe(1);
    const running = t.runtime.runScript('sleeps');
    // the invocation took the warm isolate: two more are made so that two stay ready
    await vi.waitFor(() => expect(pool()).toMatchObject({ size: 3, busy: 1, idle: 2 }), { timeout: 10_000, interval: 50 });
    await running;
    // six blocked at once need six isolates
    await Promise.all(Array.from({ length: 6 }, () => t!.runtime.runScript('sleeps')));
    expect(pool().size).toBeGreaterThanOrEqual(6);
    // idle for a second: back to the spares
    await vi.waitFor(() => expect(pool().size).toBe(2), { timeout: 10_000, interval: 100 });
    await expect(t.runtime.runScript('ok')).resolves.toMatchObject({ output: [{ ok: true }] });
  });
});

describe('a burst of async invocations on an empty pool', () => {
  it('each starts its call as soon as its context is made, not once the whole burst has one', async () => {
    const { server: partner, calls, release } = await startHoldingPartner();
    try {
      t = await startRuntime(asyncApp(partner.url), { warmIsolates: 0 });
      const pool = () => t!.runtime.stats().pools['64MB async'];
      // forty at once: each needs a context of its own, ~5 ms of the isolate's time to make
      const burst = Array.from({ length: 40 }, () => t!.runtime.runScript('calls'));
      await vi.waitFor(() => expect(calls.arrived).toBeGreaterThan(0), { timeout: 10_000, interval: 1 });
      const contextsAtFirstCall = pool()!.contexts;
      release();
      for (const answer of await Promise.all(burst)) expect(answer.output).toEqual([{ ok: true }]);
      // the first turn of a new context went before the contexts still to be made (when it waited
      // in line behind them, no call started before all forty existed)
      expect(contextsAtFirstCall).toBeLessThan(20);
      // the contexts stay for the next invocations (the first answered ones' went to later ones of the burst)
      expect(pool()!.invocations).toBe(0);
      expect(pool()!.contexts).toBeGreaterThanOrEqual(contextsAtFirstCall);
      expect(pool()!.contexts).toBeLessThanOrEqual(40);
    } finally {
      await t?.close();
      t = undefined;
      await partner.close();
    }
  });
});

describe('contexts after a burst', () => {
  it('light traffic keeps using one context and the others are released once idle', async () => {
    const { server: partner, calls, release } = await startHoldingPartner();
    try {
      t = await startRuntime(asyncApp(partner.url, '  idleSeconds: 1\n'), { warmIsolates: 0 });
      const pool = () => t!.runtime.stats().pools['64MB async']!;
      const burst = Array.from({ length: 20 }, () => t!.runtime.runScript('calls'));
      await vi.waitFor(() => expect(calls.inFlight).toBe(20), { timeout: 10_000, interval: 5 });
      release();
      for (const answer of await Promise.all(burst)) expect(answer.output).toEqual([{ ok: true }]);
      expect(pool().contexts).toBeGreaterThanOrEqual(20);
      // one invocation after the other, without a pause: taking the context free the
      // longest instead would go round all twenty, none idle for the second it takes
      const deadline = Date.now() + 15_000;
      while (pool().contexts > 1 && Date.now() < deadline) {
        expect((await t.runtime.runScript('calls')).output).toEqual([{ ok: true }]);
      }
      expect(pool().contexts).toBe(1);
    } finally {
      await t?.close();
      t = undefined;
      await partner.close();
    }
  }, 30_000);
});
