// A partner's rate limit (`rateLimit: { requests, perSeconds }`), kept on our
// side so that a burst of invocations does not earn a 429 or a ban: at most
// `requests` requests in ANY window of `perSeconds` (a sliding window, which
// is what a partner's "N per S" allows whichever way it counts). The times of
// the last `requests` slots handed out are kept in a ring; the next slot is
// `perSeconds` after the oldest of them. A request over the limit reserves
// that slot and waits for it, unless it is further away than it may wait.
// Every attempt counts (retries too): the partner counts them.
//
// Without shared state (SPEC §9) the limit holds per process: N processes or
// machines may together send N times the rate.
export interface RateLimit {
  requests: number;
  perSeconds: number;
}

export class RateLimiter {
  private readonly windowMs: number;
  /** the last `requests` slots (performance.now() ms), oldest at `next` */
  private readonly slots: Float64Array;
  private next = 0;

  constructor(readonly limit: RateLimit) {
    this.windowMs = limit.perSeconds * 1000;
    this.slots = new Float64Array(limit.requests).fill(-Infinity);
  }

  /**
   * Takes the next slot: answers how many ms to wait before sending (0: now),
   * or undefined when the slot is more than `maxWaitMs` away — then nothing
   * is taken.
   */
  reserve(maxWaitMs: number, now = performance.now()): number | undefined {
    const slot = Math.max(now, this.slots[this.next]! + this.windowMs);
    const waitMs = slot - now;
    if (waitMs > maxWaitMs) return undefined;
    this.slots[this.next] = slot;
    this.next = (this.next + 1) % this.slots.length;
    return waitMs;
  }
}
