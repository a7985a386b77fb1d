// rate-limiter.ts: the GCRA schedule, on a clock the test gives it.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/http/resilience/rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a full burst through at once; the next ones wait a window after the ones they replace', () => {
    const limiter = new RateLimiter({ requests: 5, perSeconds: 1 });
    const waits = Array.from({ length: 8 }, () => limiter.reserve(10_000, 1_000));
    expect(waits).toEqual([0, 0, 0, 0, 0, 1_000, 1_000, 1_000]);
  });

  it('never lets more than `requests` through in any window of `perSeconds`', () => {
    const limiter = new RateLimiter({ requests: 4, perSeconds: 2 });
    const sent: number[] = [];
    // a caller every 50 ms for 10 s, each sending when its slot comes
    for (let now = 0; now < 10_000; now += 50) {
      const wait = limiter.reserve(60_000, now);
      if (wait !== undefined) sent.push(now + wait);
    }
    sent.sort((a, b) => a - b);
    for (let i = 4; i < sent.length; i++) expect(sent[i]! - sent[i - 4]!).toBeGreaterThanOrEqual(2_000 - 1e-6);
  });

  it('takes nothing when the slot is further away than the caller may wait', () => {
    const limiter = new RateLimiter({ requests: 1, perSeconds: 60 });
    expect(limiter.reserve(0, 0)).toBe(0);
    expect(limiter.reserve(1_000, 1)).toBeUndefined();
    // the refusal reserved nothing: the next slot is still the one a minute after the first
    expect(limiter.reserve(60_000, 2)).toBe(59_998);
  });

  it('an idle limiter does not bank more than one burst', () => {
    const limiter = new RateLimiter({ requests: 2, perSeconds: 1 });
    limiter.reserve(0, 0);
    const later = 3_600_000;
    expect([limiter.reserve(0, later), limiter.reserve(0, later), limiter.reserve(10_000, later)]).toEqual([0, 0, 1_000]);
  });
});
