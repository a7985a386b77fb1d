import { describe, expect, it } from 'vitest';
import { deadlineInterceptor } from '../../../src/http/interceptors/deadline.js';
import { CallStoppedError } from '../../../src/http/pipeline.js';
import { harness, partner, reply } from './harness.js';

describe('deadlineInterceptor', () => {
  it('starts no attempt once the budget is spent: DEADLINE, the service not contacted', async () => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor()]);
    const error = await h.dispatch(h.request('/x'), h.context(-1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStoppedError);
    expect(error).toMatchObject({ kind: 'timeout', code: 'DEADLINE', message: "the call GET to service 'svc' was stopped because the script's time budget ran out" });
    expect(p.arrivals).toHaveLength(0);
  });

  it('otherwise records what is left of the budget for the attempt (which caps its timeouts)', async () => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor()]);
    const call = h.context(3_000);
    call.remaining = 0;
    await h.dispatch(h.request('/x'), call);
    expect(call.remaining).toBeGreaterThan(2_000);
    expect(call.remaining).toBeLessThanOrEqual(3_000);
  });
});
