// circuitBreaker: while the service's circuit is open its calls fail fast
// (CIRCUIT_OPEN) without reaching it; each attempt's outcome moves the
// breaker: a service failure (5xx, timeout, connection failure) counts, a
// refused token or our own error is neutral. With state.redis the breaker is
// shared with every process (shared-circuit.ts).
import { HttpCallError } from '../errors.js';
import { CallStoppedError, type Interceptor } from '../pipeline.js';
import { type CircuitBreaker, isServiceFailure } from '../resilience/circuit-breaker.js';
import type { SharedCircuit } from '../resilience/shared-circuit.js';

export function circuitBreakerInterceptor(breaker: CircuitBreaker, shared?: SharedCircuit): Interceptor {
  return (next) => async (request, call) => {
    const acquired = shared ? await shared.tryAcquire(request.readTimeout) : breaker.tryAcquire();
    if (!acquired) {
      throw new CallStoppedError('policy', 'CIRCUIT_OPEN',
        `service '${call.service.id}' is failing and its circuit is open: calls fail fast for another ${breaker.retryInMs()} ms, then one probe call is let through`);
    }
    let response;
    try {
      response = await next(request, call);
    } catch (err) {
      if (err instanceof HttpCallError && isServiceFailure({ errorKind: err.kind })) breaker.failure();
      else breaker.neutral();
      throw err;
    }
    if (isServiceFailure({ status: response.status })) breaker.failure();
    else breaker.success();
    return response;
  };
}
