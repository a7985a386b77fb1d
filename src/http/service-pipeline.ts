// One service's pipeline, outermost first — the order is the behaviour:
//   bulkhead          one slot for the whole call (retries and redirects included)
//   redirects         each followed redirect is a new request, with retries of its own
//   retry             attempts, their trace, the retry policy
//   credential refresh  (OAuth2) one more try with a fresh token after a 401
//   deadline          no attempt once the budget is spent
//   circuit breaker   fail fast while open; each attempt's outcome counts
//   rate limit        a slot of the service's rate per attempt
//   credentials       the attempt's credentials (a token fetched if needed)
//   transport         the request, its content decoded (pipeline.ts)
// Interceptors a service's settings do not ask for are left out.
import type { ServiceConfig } from '../services/types.js';
import { bulkheadInterceptor } from './interceptors/bulkhead.js';
import { circuitBreakerInterceptor } from './interceptors/circuit-breaker.js';
import { credentialRefreshInterceptor } from './interceptors/credential-refresh.js';
import { credentialsInterceptor, type Authorizer } from './interceptors/credentials.js';
import { deadlineInterceptor } from './interceptors/deadline.js';
import { rateLimitInterceptor } from './interceptors/rate-limit.js';
import { redirectsInterceptor } from './interceptors/redirects.js';
import { retryInterceptor } from './interceptors/retry.js';
import { compose, transportDispatch, type Dispatch } from './pipeline.js';
import type { ServiceGuards } from './service-guards.js';
import type { Transport } from './transport.js';

export function buildPipeline(service: ServiceConfig, guards: ServiceGuards, authorizer: Authorizer, transport: Transport): Dispatch {
  return compose(
    transportDispatch(transport),
    guards.bulkhead && bulkheadInterceptor(guards.bulkhead),
    service.followRedirects ? redirectsInterceptor() : undefined,
    retryInterceptor(),
    service.auth.type === 'oauth2' ? credentialRefreshInterceptor(authorizer) : undefined,
    deadlineInterceptor(),
    guards.breaker && circuitBreakerInterceptor(guards.breaker, guards.circuit),
    guards.rateLimiter && rateLimitInterceptor(guards.rateLimiter),
    credentialsInterceptor(authorizer),
  );
}
