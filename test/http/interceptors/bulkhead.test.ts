import { describe, expect, it } from 'vitest';
import { bulkheadInterceptor } from '../../../src/http/interceptors/bulkhead.js';
import { CallStoppedError } from '../../../src/http/pipeline.js';
import { Bulkhead } from '../../../src/http/resilience/bulkhead.js';
import { harness, partner, reply } from './harness.js';

describe('bulkheadInterceptor', () => {
  it('holds one slot per call: a call that finds none free within its connect timeout is BULKHEAD_FULL, nothing sent', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const p = await partner(async (_req, _n, res) => {
      await gate;
      reply(res, 200, 'ok');
    });
    const h = harness(p.url, [bulkheadInterceptor(new Bulkhead(1))]);
    const first = h.send('/a');
    await expect.poll(() => p.arrivals.length).toBe(1);
    const refused = await h.send('/b', { connectTimeout: 50 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CallStoppedError);
    expect(refused).toMatchObject({ kind: 'policy', code: 'BULKHEAD_FULL', message: "service 'svc' already has 1 calls in flight (maxConcurrent) and no slot freed up within 50 ms" });
    open();
    expect((await first).status).toBe(200);
    expect(p.arrivals.map((a) => a.path)).toEqual(['/a']);
  });

  it('a waiting call gets the slot when the call before it ends, and a failed call gives its slot back', async () => {
    let n = 0;
    const p = await partner((_req, _n, res) => {
      if (++n === 1) res.destroy();
      else reply(res, 200, String(n));
    });
    const h = harness(p.url, [bulkheadInterceptor(new Bulkhead(1))]);
    const [failed, waited] = await Promise.allSettled([h.send('/1'), h.send('/2')]);
    expect(failed.status).toBe('rejected');
    expect(waited).toMatchObject({ status: 'fulfilled', value: { status: 200 } });
    expect((await h.send('/3')).status).toBe(200);
  });
});
