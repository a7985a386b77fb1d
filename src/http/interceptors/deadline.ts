// No attempt starts once the call's budget is spent; the budget left when it
// starts caps its timeouts and waits further in.
import { deadlineError, type Interceptor } from '../pipeline.js';

export function deadlineInterceptor(): Interceptor {
  return (next) => (request, call) => {
    const remaining = call.budgetEnd - Date.now();
    if (remaining <= 0) return Promise.reject(deadlineError(call, request));
    call.remaining = remaining;
    return next(request, call);
  };
}
