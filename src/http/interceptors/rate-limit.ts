// rateLimit: each attempt takes a slot of the service's limit, waiting for one
// if the next comes before the budget ends (leaving time for the request
// itself), else RATE_LIMITED. Per process, or across processes with state.redis.
import { CallStoppedError, deadlineError, sleep, type Interceptor } from '../pipeline.js';
import type { RateLimiter } from '../resilience/rate-limiter.js';
import type { SharedRateLimiter } from '../resilience/shared-rate-limiter.js';

export function rateLimitInterceptor(limiter: RateLimiter | SharedRateLimiter): Interceptor {
  return (next) => async (request, call) => {
    const waitMs = await limiter.reserve(Math.max(0, call.remaining - request.connectTimeout / 2));
    if (waitMs === undefined) {
      const { requests, perSeconds } = limiter.limit;
      throw new CallStoppedError('policy', 'RATE_LIMITED',
        `service '${call.service.id}' allows ${requests} requests per ${perSeconds} s (rateLimit) and the next free slot comes after this invocation's time is up`);
    }
    if (waitMs > 0) {
      await sleep(waitMs, call.signal);
      if (call.signal.aborted || Date.now() >= call.budgetEnd) throw deadlineError(call, request);
    }
    return next(request, call);
  };
}
