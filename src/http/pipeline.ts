// The path of one call below the binding, as undici composes dispatchers: a
// terminal dispatch that sends one request over a Transport, wrapped by small
// interceptors, each one concern (interceptors/): bulkhead, redirects, retry,
// credential refresh, deadline, circuit breaker, rate limit, credentials.
// A service's pipeline has only the interceptors its settings need and is
// built once per service and gateway (buildPipeline).
//
// Interceptors are `(next) => dispatch`; what one call shares between them
// (its budget, signal, trace, the credential of the latest attempt) is the
// CallContext. Failures are HttpCallError (the wire), OAuth2Error (no token)
// or CallStoppedError (a guard stopped the call): the binding maps them to
// the errors scripts see.
import { decodeContent } from './decode-content.js';
import type { HttpResponse } from './service-client.js';
import type { Transport } from './transport.js';
import type { ServiceConfig } from '../services/types.js';

/** What varies per call and per attempt; credentials are added by the credentials interceptor at each attempt. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  connectTimeout: number;
  readTimeout: number;
  /** how errors print the URL (placeholders unfilled: path parameters may be personal data); not after a redirect */
  shownUrl?: string;
}

/** One try as the call's trace records it. */
export interface AttemptRecord {
  status?: number;
  errorCode?: string;
  durationMs: number;
  /** the wait before the next try, when one follows */
  waitMs?: number;
}

export interface CallContext {
  readonly service: ServiceConfig;
  /** epoch ms after which no attempt may start (the script's budget less a reserve) */
  readonly budgetEnd: number;
  /** aborted when the invocation ends */
  readonly signal: AbortSignal;
  readonly trace: { attempt(record: AttemptRecord): void };
  /** set by the deadline interceptor: ms of budget left when the current attempt started */
  remaining: number;
  /** set by the credentials interceptor: when the current attempt started (performance.now()) */
  attemptStarted: number;
  /** set by the credentials interceptor: the credential of the latest attempt (an OAuth2 token), which the answer may echo */
  credential?: string;
}

export type Dispatch = (request: OutgoingRequest, call: CallContext) => Promise<HttpResponse>;
export type Interceptor = (next: Dispatch) => Dispatch;

export type StopKind = 'timeout' | 'policy' | 'protocol';

/** A guard stopped the call (circuit open, rate limit, no time left, a redirect it may not follow). */
export class CallStoppedError extends Error {
  override readonly name = 'CallStoppedError';
  constructor(readonly kind: StopKind, readonly code: string, message: string) {
    super(message);
  }
}

/** The budget ran out: no attempt may start, or the last one was cut short by it. */
export function deadlineError(call: CallContext, request: OutgoingRequest): CallStoppedError {
  return new CallStoppedError('timeout', 'DEADLINE', `the call ${request.method} to service '${call.service.id}' was stopped because the script's time budget ran out`);
}

/** The innermost dispatch: one request over the transport, its content decoded, timeouts within the attempt's budget. */
export function transportDispatch(transport: Transport): Dispatch {
  return async (request, call) => {
    const { service, remaining } = call;
    const response = await transport.request(service, {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      signal: call.signal,
      connectTimeout: Math.min(request.connectTimeout, remaining),
      readTimeout: Math.min(request.readTimeout, remaining),
      shownUrl: request.shownUrl,
    });
    return decodeContent(response, service.id, request.url, service.maxResponseBytes);
  };
}

/** `interceptors` around `terminal`, the first one outermost. */
export function compose(terminal: Dispatch, ...interceptors: (Interceptor | undefined)[]): Dispatch {
  return interceptors.reduceRight<Dispatch>((next, interceptor) => (interceptor ? interceptor(next) : next), terminal);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
