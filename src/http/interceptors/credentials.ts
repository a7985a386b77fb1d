// The service's credentials on each attempt (static: basic, bearer, API key;
// OAuth2: a token, fetched when there is none). They go on copies of the
// request: the request, its trace and its errors never hold them.
import type { Interceptor } from '../pipeline.js';
import type { ServiceConfig } from '../../services/types.js';

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

export function credentialsInterceptor(authorizer: Authorizer): Interceptor {
  return (next) => async (request, call) => {
    // the attempt's time includes getting its token
    call.attemptStarted = performance.now();
    const pending = authorizer.authorize(call.service, call.remaining, call.signal);
    const credentials = pending instanceof Promise ? await pending : pending;
    call.credential = credentials.credential;
    if (!credentials.headers && !credentials.query) return next(request, call);
    const headers = credentials.headers ? { ...request.headers, ...credentials.headers } : request.headers;
    let url = request.url;
    if (credentials.query) {
      url = new URL(request.url);
      for (const [name, value] of Object.entries(credentials.query)) url.searchParams.set(name, value);
    }
    return next({ ...request, url, headers }, call);
  };
}
