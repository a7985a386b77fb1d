// maxConcurrent: a call holds one of the service's slots from its first
// attempt to its answer (retries and redirects included); a call that finds
// none free within its connect timeout (or what is left of its budget) is
// refused with BULKHEAD_FULL.
import { CallStoppedError, type Interceptor } from '../pipeline.js';
import { type Bulkhead, BulkheadFullError } from '../resilience/bulkhead.js';

export function bulkheadInterceptor(bulkhead: Bulkhead): Interceptor {
  return (next) => async (request, call) => {
    const waitMs = Math.max(0, Math.min(request.connectTimeout, call.budgetEnd - Date.now()));
    let release: () => void;
    try {
      release = await bulkhead.acquire(waitMs, call.signal);
    } catch (err) {
      if (!(err instanceof BulkheadFullError)) throw err;
      throw new CallStoppedError('policy', 'BULKHEAD_FULL',
        `service '${call.service.id}' already has ${bulkhead.maxConcurrent} calls in flight (maxConcurrent) and no slot freed up within ${waitMs} ms`);
    }
    try {
      return await next(request, call);
    } finally {
      release();
    }
  };
}
