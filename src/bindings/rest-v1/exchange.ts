// One REST call as it goes over the wire: the bulkhead slot, then attempts —
// each checked by the circuit breaker, authorized, sent, classified — with
// retries and same-origin redirects, all inside the script's time budget.
// What the script asked for has been validated before this point.
import { HttpCallError, type HttpResponse, type Transport } from '../../http/index.js';
import { decodeContent } from '../../http/decode-content.js';
import { OAuth2Error } from '../../http/auth/oauth2.js';
import { Bulkhead, BulkheadFullError } from '../../http/resilience/bulkhead.js';
import { CircuitBreaker, isServiceFailure } from '../../http/resilience/circuit-breaker.js';
import { RateLimiter } from '../../http/resilience/rate-limiter.js';
import { SharedRateLimiter } from '../../http/resilience/shared-rate-limiter.js';
import { SharedCircuit } from '../../http/resilience/shared-circuit.js';
import type { SharedState } from '../../http/shared-state.js';
import { ResponseCache } from '../../http/response-cache.js';
import { MAX_REDIRECTS, REDIRECT_STATUSES, nextRedirect } from '../../http/resilience/redirects.js';
import { decideRetry } from '../../http/resilience/retry-policy.js';
import { notify, type RuntimeObserver } from '../../runtime/observer.js';
import type { ServiceConfig } from '../../services/types.js';
import type { CallTrace } from './call-trace.js';
import { restError } from './errors.js';
import type { BindingCallError } from '../binding.js';

/** What varies per call and per attempt; credentials are added by `authorize` at each attempt. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  connectTimeout: number;
  readTimeout: number;
}

/** The credentials of one attempt; a service without auth has none. */
export interface AttemptCredentials {
  /** added over the request's headers */
  headers?: Readonly<Record<string, string>>;
  /** set on the request's query (an API key in the query) */
  query?: Readonly<Record<string, string>>;
  /** what was used, for a 401 refresh (OAuth2 tokens) */
  credential?: string;
}

/**
 * Gives the credentials of each attempt, which may change between attempts
 * (OAuth2). Synchronous when nothing has to be fetched: a static credential
 * costs no promise.
 */
export interface Authorizer {
  authorize(service: ServiceConfig, remainingMs: number, signal: AbortSignal): AttemptCredentials | Promise<AttemptCredentials>;
  /** after a 401: drop `credential` so the next attempt gets a fresh one; false when that cannot help */
  refresh(service: ServiceConfig, credential: string): boolean;
}

const ERROR_NAMES = { timeout: 'RestTimeoutError', connection: 'RestConnectionError', policy: 'RestPolicyError', protocol: 'RestProtocolError' } as const;

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(done, ms);
  function done() {
    clearTimeout(timer);
    signal.removeEventListener('abort', done);
    resolve();
  }
  signal.addEventListener('abort', done, { once: true });
});

/** The per-service state that outlives calls: circuit breaker, bulkhead and rate limit. */
export class ServiceGuards {
  readonly breaker?: CircuitBreaker;
  /** the breaker shared with the other processes, when `state.redis` is set */
  readonly circuit?: SharedCircuit;
  readonly bulkhead?: Bulkhead;
  readonly rateLimiter?: RateLimiter | SharedRateLimiter;
  readonly cache?: ResponseCache;

  /** `shared`: the application's Redis, when `state.redis` is set (rate limits across processes) */
  constructor(service: ServiceConfig, observer: RuntimeObserver | undefined, shared?: SharedState) {
    if (service.circuitBreaker) {
      const config = service.circuitBreaker;
      this.breaker = new CircuitBreaker(config, (state) => {
        notify(observer, 'circuitChanged', { serviceId: service.id, state });
        this.circuit?.changed(state);
      });
      if (shared) this.circuit = new SharedCircuit(this.breaker, shared, service.id, config.resetAfterMs);
    }
    if (service.maxConcurrent) this.bulkhead = new Bulkhead(service.maxConcurrent);
    if (service.rateLimit) this.rateLimiter = shared ? new SharedRateLimiter(service.rateLimit, service.id, shared) : new RateLimiter(service.rateLimit);
    if (service.cache) this.cache = new ResponseCache(service.cache, shared && { state: shared, serviceId: service.id });
  }
}

export interface ExchangeContext {
  service: ServiceConfig;
  guards: ServiceGuards;
  transport: Transport;
  authorizer: Authorizer;
  trace: CallTrace;
  /** epoch ms after which no attempt may run (the script's budget less a reserve) */
  budgetEnd: number;
  /** aborted when the invocation ends */
  signal: AbortSignal;
  /** set by the exchange: the credential of the latest attempt (an OAuth2 token), which the answer may echo */
  credential?: string;
}

export function exchange(ctx: ExchangeContext, request: OutgoingRequest): Promise<HttpResponse> {
  // without a bulkhead there is nothing to hold: no extra async step
  return ctx.guards.bulkhead ? inBulkhead(ctx, ctx.guards.bulkhead, request) : attempts(ctx, request);
}

async function inBulkhead(ctx: ExchangeContext, bulkhead: Bulkhead, request: OutgoingRequest): Promise<HttpResponse> {
  const { service } = ctx;
  const waitMs = Math.max(0, Math.min(request.connectTimeout, ctx.budgetEnd - Date.now()));
  let release: () => void;
  try {
    release = await bulkhead.acquire(waitMs, ctx.signal);
  } catch (err) {
    if (!(err instanceof BulkheadFullError)) throw err;
    throw restError('RestPolicyError', service.id, 'BULKHEAD_FULL',
      `api.rest.v1: service '${service.id}' already has ${bulkhead.maxConcurrent} calls in flight (maxConcurrent) and no slot freed up within ${waitMs} ms`);
  }
  try {
    return await attempts(ctx, request);
  } finally {
    release();
  }
}

async function attempts(ctx: ExchangeContext, first: OutgoingRequest): Promise<HttpResponse> {
  const { service, guards, trace } = ctx;
  let request = first;
  let attempt = 0;
  let redirects = 0;
  let refreshedCredential = false;
  for (;;) {
    attempt++;
    const remaining = ctx.budgetEnd - Date.now();
    if (remaining <= 0) throw deadline(service, request);
    if (guards.breaker && !(guards.circuit ? await guards.circuit.tryAcquire(request.readTimeout) : guards.breaker.tryAcquire())) {
      throw restError('RestPolicyError', service.id, 'CIRCUIT_OPEN',
        `api.rest.v1: service '${service.id}' is failing and its circuit is open: calls fail fast for another ${guards.breaker.retryInMs()} ms, then one probe call is let through`);
    }
    if (guards.rateLimiter) await withinRateLimit(ctx, guards.rateLimiter, remaining, request);
    const started = performance.now();
    let response: HttpResponse;
    let credential: string | undefined;
    try {
      const pending = ctx.authorizer.authorize(service, remaining, ctx.signal);
      const credentials = pending instanceof Promise ? await pending : pending;
      credential = credentials.credential;
      ctx.credential = credential;
      // credentials go on copies: the request (and its trace) never holds them
      const headers = credentials.headers ? { ...request.headers, ...credentials.headers } : request.headers;
      let url = request.url;
      if (credentials.query) {
        url = new URL(request.url);
        for (const [name, value] of Object.entries(credentials.query)) url.searchParams.set(name, value);
      }
      response = await ctx.transport.request(service, {
        method: request.method,
        url,
        headers,
        body: request.body,
        signal: ctx.signal,
        connectTimeout: Math.min(request.connectTimeout, remaining),
        readTimeout: Math.min(request.readTimeout, remaining),
        // path parameters may be personal data: errors name the URL as the script wrote it
        shownUrl: request.url === first.url ? trace.url : undefined,
      });
      response = decodeContent(response, service.id, request.url, service.maxResponseBytes);
    } catch (err) {
      const durationMs = performance.now() - started;
      if (err instanceof OAuth2Error) {
        // no token, no call: the service itself was not contacted
        guards.breaker?.neutral();
        trace.attempt({ errorCode: err.code, durationMs });
        throw restError('RestConnectionError', service.id, err.code, `api.rest.v1: ${err.message}`);
      }
      if (!(err instanceof HttpCallError)) {
        guards.breaker?.neutral();
        throw err;
      }
      if (guards.breaker) {
        if (isServiceFailure({ errorKind: err.kind })) guards.breaker.failure();
        else guards.breaker.neutral();
      }
      const decision = decideRetry({ attempt, method: request.method, config: service.retry, errorCode: err.code, remainingMs: ctx.budgetEnd - Date.now() });
      trace.attempt({ errorCode: err.code, durationMs, waitMs: decision.retry ? decision.waitMs : undefined });
      if (decision.retry) {
        await sleep(decision.waitMs, ctx.signal);
        continue;
      }
      const cappedByBudget = (err.code === 'READ_TIMEOUT' && remaining < request.readTimeout) || (err.code === 'CONNECT_TIMEOUT' && remaining < request.connectTimeout);
      throw cappedByBudget ? deadline(service, request) : restError(ERROR_NAMES[err.kind], service.id, err.code, `api.rest.v1: ${err.message}`);
    }
    const durationMs = performance.now() - started;

    if (guards.breaker) {
      if (isServiceFailure({ status: response.status })) guards.breaker.failure();
      else guards.breaker.success();
    }

    if (response.status === 401 && credential !== undefined && !refreshedCredential && ctx.authorizer.refresh(service, credential)) {
      // The token was refused (revoked, rotated): one more try with a fresh one.
      refreshedCredential = true;
      trace.attempt({ status: 401, durationMs });
      attempt--;
      continue;
    }
    const decision = decideRetry({ attempt, method: request.method, config: service.retry, status: response.status, retryAfter: response.headers['retry-after'], remainingMs: ctx.budgetEnd - Date.now() });
    trace.attempt({ status: response.status, durationMs, waitMs: decision.retry ? decision.waitMs : undefined });
    if (decision.retry) {
      await sleep(decision.waitMs, ctx.signal);
      continue;
    }

    if (service.followRedirects && REDIRECT_STATUSES.has(response.status)) {
      const base = new URL(service.url.replace(/\{[^{}]*\}/g, 'x'));
      const step = nextRedirect(request.url, request.method, response.status, response.headers.location, base.origin);
      if (step.type === 'crossOrigin') {
        throw restError('RestPolicyError', service.id, 'CROSS_ORIGIN_REDIRECT',
          `api.rest.v1: service '${service.id}' redirected to ${step.location}, outside its origin ${base.origin}; only same-origin redirects are followed`);
      }
      if (step.type === 'invalid') {
        throw restError('RestProtocolError', service.id, 'INVALID_REDIRECT', `api.rest.v1: service '${service.id}' answered ${response.status} without a usable Location header`);
      }
      if (++redirects > MAX_REDIRECTS) {
        throw restError('RestPolicyError', service.id, 'TOO_MANY_REDIRECTS', `api.rest.v1: service '${service.id}' redirected more than ${MAX_REDIRECTS} times`);
      }
      const headers = { ...request.headers };
      if (step.dropBody) {
        delete headers['content-type'];
      }
      request = { ...request, method: step.method, url: step.url, headers, body: step.dropBody ? undefined : request.body };
      attempt = 0;
      continue;
    }
    return response;
  }
}

function deadline(service: ServiceConfig, request: OutgoingRequest): BindingCallError {
  return restError('RestTimeoutError', service.id, 'DEADLINE',
    `api.rest.v1: the call ${request.method} to service '${service.id}' was stopped because the script's time budget ran out`);
}

/** Waits for the call's slot under the service's rate limit, if one comes before the budget ends. */
async function withinRateLimit(ctx: ExchangeContext, limiter: RateLimiter | SharedRateLimiter, remaining: number, request: OutgoingRequest): Promise<void> {
  const { service } = ctx;
  // the slot must leave time for the request itself
  const waitMs = await limiter.reserve(Math.max(0, remaining - request.connectTimeout / 2));
  if (waitMs === undefined) {
    const { requests, perSeconds } = limiter.limit;
    throw restError('RestPolicyError', service.id, 'RATE_LIMITED',
      `api.rest.v1: service '${service.id}' allows ${requests} requests per ${perSeconds} s (rateLimit) and the next free slot comes after this invocation's time is up`);
  }
  if (waitMs <= 0) return;
  await sleep(waitMs, ctx.signal);
  if (ctx.signal.aborted || Date.now() >= ctx.budgetEnd) throw deadline(service, request);
}
