import { describe, expect, it } from 'vitest';
import { deadlineInterceptor } from '../../../src/http/interceptors/deadline.js';
import { rateLimitInterceptor } from '../../../src/http/interceptors/rate-limit.js';
import { RateLimiter } from '../../../src/http/resilience/rate-limiter.js';
import { harness, partner, reply } from './harness.js';

describe('rateLimitInterceptor', () => {
  it('an attempt over the limit waits for the next slot when it comes within the budget', async () => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor(), rateLimitInterceptor(new RateLimiter({ requests: 1, perSeconds: 0.5 }))]);
    await h.send('/1');
    await h.send('/2');
    expect(p.arrivals).toHaveLength(2);
    // the second waited for the window: it arrived no sooner than most of it after the first
    expect(p.arrivals[1]!.at - p.arrivals[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it('RATE_LIMITED, with nothing sent, when the next slot comes after the budget', async () => {
    const p = await partner((_req, _n, res) => reply(res, 200));
    const h = harness(p.url, [deadlineInterceptor(), rateLimitInterceptor(new RateLimiter({ requests: 1, perSeconds: 60 }))]);
    await h.send('/1');
    await expect(h.send('/2', {}, 2_000)).rejects.toMatchObject({
      kind: 'policy', code: 'RATE_LIMITED',
      message: "service 'svc' allows 1 requests per 60 s (rateLimit) and the next free slot comes after this invocation's time is up",
    });
    expect(p.arrivals).toHaveLength(1);
  });
});
