// Retries as the service's `retry` settings and the method allow
// (retry-policy.ts decides), within the call's budget, and records every
// attempt in the call's trace. A failure it does not retry leaves as it came,
// except a timeout that only happened because the budget capped it: that is
// the budget's DEADLINE.
import { HttpCallError } from '../errors.js';
import { OAuth2Error } from '../auth/oauth2-errors.js';
import { deadlineError, sleep, type Interceptor } from '../pipeline.js';
import { decideRetry } from '../resilience/retry-policy.js';

export function retryInterceptor(): Interceptor {
  return (next) => async (request, call) => {
    const config = call.service.retry;
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await next(request, call);
      } catch (err) {
        const durationMs = performance.now() - call.attemptStarted;
        if (err instanceof OAuth2Error) {
          // no token, no call: the service itself was not contacted
          call.trace.attempt({ errorCode: err.code, durationMs });
          throw err;
        }
        if (!(err instanceof HttpCallError)) throw err;
        const decision = decideRetry({ attempt, method: request.method, config, errorCode: err.code, remainingMs: call.budgetEnd - Date.now() });
        call.trace.attempt({ errorCode: err.code, durationMs, waitMs: decision.retry ? decision.waitMs : undefined });
        if (decision.retry) {
          await sleep(decision.waitMs, call.signal);
          continue;
        }
        const { remaining } = call;
        const cappedByBudget = (err.code === 'READ_TIMEOUT' && remaining < request.readTimeout) || (err.code === 'CONNECT_TIMEOUT' && remaining < request.connectTimeout);
        throw cappedByBudget ? deadlineError(call, request) : err;
      }
      const durationMs = performance.now() - call.attemptStarted;
      const decision = decideRetry({ attempt, method: request.method, config, status: response.status, retryAfter: response.headers['retry-after'], remainingMs: call.budgetEnd - Date.now() });
      call.trace.attempt({ status: response.status, durationMs, waitMs: decision.retry ? decision.waitMs : undefined });
      if (!decision.retry) return response;
      await sleep(decision.waitMs, call.signal);
    }
  };
}
