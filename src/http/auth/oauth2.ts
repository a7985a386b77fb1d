// OAuth 2.0 client credentials tokens for services with `auth: oauth2`
// (SPEC §4.4): cached until shortly before they expire, fetched by ONE request
// however many calls wait for them, dropped on demand after a 401.
//
// Cache key: (tokenUrl, clientId, scope, audience, and a digest of the client
// secret and clientAuth), not the service id, so two services with the same
// client share one token; a rotated secret (configuration reload) is a new
// entry, never the token issued under the old one. A shared token request is
// made with the settings of the service whose call started it (its tls,
// network policy, connect timeout, maxResponseBytes, clientSecret and
// clientAuth); errors of that request name that service (HttpCallError), or the
// waiting caller's service (OAuth2Error, re-issued per caller).
//
// Expiry ("now" is the `now` option, Date.now by default):
//  - the lifetime is `expires_in`, counted from when the request was SENT (the
//    server started its clock before we got the answer); without `expires_in`
//    it is DEFAULT_LIFETIME_MS (5 min);
//  - a token is used until lifetime − margin, where margin =
//    min(refreshBeforeExpiryMs (default 30 s), 10 % of the lifetime): a 1 h
//    token is refreshed 30 s early, a 60 s token 6 s early, a 5 min default
//    one 30 s early;
//  - after that callers wait for a new token (the old one is not handed out
//    while the refresh runs, nor if it fails).
//  - a token that is already due when it arrives (expires_in: 0) is still
//    given to the callers that waited for it, but not cached.
//
// Timeouts and cancellation:
//  - each caller waits at most its own `timeoutMs` (→ HttpCallError
//    READ_TIMEOUT) and until its `signal` aborts (→ HttpCallError DEADLINE);
//    leaving never cancels the shared request for the others;
//  - the shared request runs until the LATEST deadline among its callers
//    (extended as callers join), then is aborted (→ READ_TIMEOUT). It is not
//    cancelled when every caller has left: its token, if it comes in time, is
//    cached for the next caller. Connecting is bounded by the service's
//    timeouts.connectTimeout (the connector's own timer) as for every call.
//  - timeouts use the real clock, not the `now` option.
//
// A failed request caches nothing (the next call tries again) but is reported
// in state().lastError (its code) and to the observer. Observer:
// tokenRequested once per real token request, 'fetched' or 'failed' (a request
// stopped by close() counts as failed).
//
// Nothing here logs. Errors, state and observer events never hold the client
// secret, a token or a response body.
import { createHash } from 'node:crypto';
import { HttpCallError, httpCallError } from '../errors.js';
import { notify, type RuntimeObserver } from '../../runtime/observer.js';
import type { ServiceConfig } from '../../services/types.js';
import { OAuth2Error } from './oauth2-errors.js';
import { requestToken, TokenAgents, tokenEndpoint, type OAuth2Auth } from './oauth2-request.js';
import type { SharedTokens } from './shared-tokens.js';

export { OAuth2Error, type OAuth2ErrorCode } from './oauth2-errors.js';

export interface OAuth2TokenState {
  /** a token is cached and still used (not yet within the refresh margin) */
  cached: boolean;
  /** ms until the cached token expires (by expires_in, or the default lifetime); only when cached */
  expiresInMs?: number;
  /** a token request is in flight */
  fetching: boolean;
  /** the code of the last failed token request (OAuth2Error or HttpCallError code), cleared by a success */
  lastError?: string;
}

export interface OAuth2TokensOptions {
  observer?: RuntimeObserver;
  /** refresh this long before expiry; default 30 000, capped at 10 % of each token's lifetime */
  refreshBeforeExpiryMs?: number;
  /** the clock for expiry (ms); default Date.now */
  now?: () => number;
  /** lifetime assumed when the endpoint sends no expires_in; default 300 000 (5 min) */
  defaultLifetimeMs?: number;
}

export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 30_000;
export const DEFAULT_LIFETIME_MS = 5 * 60_000;
/** the refresh margin is at most this share of a token's lifetime */
const MAX_MARGIN_SHARE = 0.1;

interface Flight {
  promise: Promise<string>;
  controller: AbortController;
  serviceId: string;
  tokenUrl: URL;
  /** performance.now() value at which the request is aborted */
  deadline: number;
  /** the longest timeoutMs among the callers (for the timeout error) */
  longestTimeoutMs: number;
  timer?: NodeJS.Timeout;
}

interface Entry {
  token?: string;
  /** `now` values */
  expiresAt?: number;
  refreshAt?: number;
  flight?: Flight;
  lastError?: string;
}

function oauth2Auth(service: ServiceConfig): OAuth2Auth {
  if (service.auth.type !== 'oauth2') {
    throw new TypeError(`service "${service.id}": auth.type is "${service.auth.type}", not "oauth2"`);
  }
  return service.auth;
}

const cacheKeys = new WeakMap<OAuth2Auth, string>();

function cacheKey(auth: OAuth2Auth): string {
  let key = cacheKeys.get(auth);
  if (key === undefined) {
    // a digest, so the key holds no copy of the secret
    const credentials = createHash('sha256').update(JSON.stringify([auth.clientSecret, auth.clientAuth])).digest('base64');
    key = JSON.stringify([auth.tokenUrl, auth.clientId, auth.scope ?? null, auth.audience ?? null, credentials]);
    cacheKeys.set(auth, key);
  }
  return key;
}

/** A copy for one caller, so callers sharing a request never share (and mutate) one error object. */
function errorFor(err: unknown, serviceId: string): unknown {
  if (err instanceof OAuth2Error) return err.forService(serviceId);
  if (err instanceof HttpCallError) {
    return new HttpCallError(err.code, err.message, { serviceId: err.serviceId, host: err.host, url: err.url, detail: err.detail, cause: err.cause });
  }
  return err instanceof Error ? new Error(err.message) : err;
}

export class OAuth2Tokens {
  readonly #observer: RuntimeObserver | undefined;
  readonly #refreshBeforeExpiryMs: number;
  readonly #defaultLifetimeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #agents = new TokenAgents();
  #closed = false;

  constructor(options: OAuth2TokensOptions = {}) {
    this.#observer = options.observer;
    this.#refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
    this.#defaultLifetimeMs = options.defaultLifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.#now = options.now ?? Date.now;
    if (!(this.#refreshBeforeExpiryMs >= 0) || !Number.isFinite(this.#refreshBeforeExpiryMs)) {
      throw new RangeError('refreshBeforeExpiryMs must be a finite number >= 0');
    }
    if (!(this.#defaultLifetimeMs > 0) || !Number.isFinite(this.#defaultLifetimeMs)) {
      throw new RangeError('defaultLifetimeMs must be a finite number > 0');
    }
  }

  /**
   * A valid access token for the service (auth.type must be 'oauth2').
   * Rejects with OAuth2Error (the endpoint refused, or answered no usable
   * token), HttpCallError (network, TLS, policy, INSECURE_HTTP, READ_TIMEOUT
   * after timeoutMs, DEADLINE when `signal` aborts), TypeError (not an oauth2
   * service, bad tokenUrl), or Error when closed.
   */
  async token(service: ServiceConfig, options: { signal: AbortSignal; timeoutMs: number; shared?: SharedTokens }): Promise<string> {
    const auth = oauth2Auth(service);
    if (this.#closed) throw new Error(`service "${service.id}": the OAuth2 token client is closed`);
    const { signal, timeoutMs } = options;
    // the hot path: a cached token, nothing else to check or parse
    const entry = this.#entry(auth);
    if (entry.token !== undefined && !signal.aborted && this.#now() < entry.refreshAt!) return entry.token;
    const tokenUrl = tokenEndpoint(service, auth);
    if (signal.aborted) throw httpCallError('DEADLINE', { serviceId: service.id, url: tokenUrl }, { cause: signal.reason });
    if (!(timeoutMs > 0)) throw httpCallError('READ_TIMEOUT', { serviceId: service.id, url: tokenUrl, readTimeout: timeoutMs });

    const flight = entry.flight ?? this.#start(entry, service, auth, tokenUrl, options.shared);
    this.#extend(flight, timeoutMs);
    return this.#wait(flight, service.id, tokenUrl, signal, timeoutMs);
  }

  /**
   * Drops the cached token if it is still `token` (after a 401 from the
   * service); the next token() fetches a new one. With `shared`, for every
   * process: the shared copy goes too, unless another process already replaced it.
   */
  invalidate(service: ServiceConfig, token: string, shared?: SharedTokens): void {
    if (shared) void shared.drop(cacheKey(oauth2Auth(service)), token);
    const entry = this.#entries.get(cacheKey(oauth2Auth(service)));
    if (entry && entry.token !== undefined && entry.token === token) {
      entry.token = undefined;
      entry.expiresAt = undefined;
      entry.refreshAt = undefined;
    }
  }

  state(service: ServiceConfig): OAuth2TokenState {
    const entry = this.#entries.get(cacheKey(oauth2Auth(service)));
    const state: OAuth2TokenState = { cached: false, fetching: entry?.flight !== undefined };
    if (entry?.token !== undefined) {
      const now = this.#now();
      if (now < entry.refreshAt!) {
        state.cached = true;
        state.expiresInMs = Math.max(0, entry.expiresAt! - now);
      }
    }
    if (entry?.lastError !== undefined) state.lastError = entry.lastError;
    return state;
  }

  /**
   * Forgets the tokens of every client that none of `services` uses any more
   * (configuration reload: a removed service, a changed tokenUrl, client or
   * secret). Requests in flight are left to finish.
   */
  retainOnly(services: Iterable<ServiceConfig>): void {
    const keep = new Set<string>();
    for (const service of services) if (service.auth.type === 'oauth2') keep.add(cacheKey(service.auth));
    for (const [key, entry] of this.#entries) if (!keep.has(key) && entry.flight === undefined) this.#entries.delete(key);
  }

  /** Stops requests in flight (their callers get an Error), forgets every token, closes the connections. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const entry of this.#entries.values()) {
        const flight = entry.flight;
        if (flight) {
          clearTimeout(flight.timer);
          flight.controller.abort(new Error(`service "${flight.serviceId}": the OAuth2 token client was closed`));
        }
      }
      this.#entries.clear();
    }
    await this.#agents.close();
  }

  #entry(auth: OAuth2Auth): Entry {
    const key = cacheKey(auth);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {};
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #start(entry: Entry, service: ServiceConfig, auth: OAuth2Auth, tokenUrl: URL, shared: SharedTokens | undefined): Flight {
    const controller = new AbortController();
    const sentAt = this.#now();
    const flight: Flight = {
      controller,
      serviceId: service.id,
      tokenUrl,
      deadline: 0,
      longestTimeoutMs: 0,
      promise: undefined as unknown as Promise<string>,
    };
    const key = cacheKey(auth);
    flight.promise = (async () => {
      try {
        // another process may have the token, or be fetching it (it holds the lock for as long as this request may take)
        const found = shared && await shared.obtain(key, auth.clientSecret, () => flight.longestTimeoutMs, controller.signal);
        if (found) {
          if (!this.#closed) {
            entry.token = found.token;
            entry.refreshAt = this.#now() + found.dueInMs;
            entry.expiresAt = entry.refreshAt;
            entry.lastError = undefined;
          }
          return found.token;
        }
        let grant: Awaited<ReturnType<typeof requestToken>>;
        try {
          grant = await requestToken(service, auth, tokenUrl, this.#agents.agentFor(service), controller.signal);
        } catch (err) {
          if (shared) void shared.release(key);
          throw err;
        }
        const lifetime = grant.expiresIn === undefined ? this.#defaultLifetimeMs : grant.expiresIn * 1000;
        const margin = Math.min(this.#refreshBeforeExpiryMs, lifetime * MAX_MARGIN_SHARE);
        if (!this.#closed) {
          entry.token = grant.accessToken;
          entry.expiresAt = sentAt + lifetime;
          entry.refreshAt = sentAt + lifetime - margin;
          entry.lastError = undefined;
        }
        notify(this.#observer, 'tokenRequested', { serviceId: service.id, outcome: 'fetched' });
        if (shared) await shared.publish(key, auth.clientSecret, grant.accessToken, sentAt + lifetime - margin - this.#now());
        return grant.accessToken;
      } catch (err) {
        entry.lastError = err instanceof OAuth2Error || err instanceof HttpCallError ? err.code : 'TOKEN_REQUEST_FAILED';
        notify(this.#observer, 'tokenRequested', { serviceId: service.id, outcome: 'failed' });
        throw err;
      } finally {
        clearTimeout(flight.timer);
        if (entry.flight === flight) entry.flight = undefined;
      }
    })();
    // Callers attach their own handlers; a request nobody waits for any more must not be an unhandled rejection.
    flight.promise.catch(() => {});
    entry.flight = flight;
    return flight;
  }

  /** Moves the shared request's deadline to this caller's, if that is later. */
  #extend(flight: Flight, timeoutMs: number): void {
    const deadline = performance.now() + timeoutMs;
    if (deadline <= flight.deadline) return;
    flight.deadline = deadline;
    flight.longestTimeoutMs = Math.max(flight.longestTimeoutMs, timeoutMs);
    clearTimeout(flight.timer);
    flight.timer = setTimeout(() => {
      flight.controller.abort(
        httpCallError('READ_TIMEOUT', { serviceId: flight.serviceId, url: flight.tokenUrl, readTimeout: Math.round(flight.longestTimeoutMs) }),
      );
    }, timeoutMs);
  }

  #wait(flight: Flight, serviceId: string, tokenUrl: URL, signal: AbortSignal, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () =>
        settle(() => reject(httpCallError('DEADLINE', { serviceId, url: tokenUrl }, { cause: signal.reason })));
      const timer = setTimeout(
        () => settle(() => reject(httpCallError('READ_TIMEOUT', { serviceId, url: tokenUrl, readTimeout: timeoutMs }))),
        timeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (token) => settle(() => resolve(token)),
        (err: unknown) => settle(() => reject(errorFor(err, serviceId))),
      );
    });
  }
}
