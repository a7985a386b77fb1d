// One client credentials token request (RFC 6749 §4.4) with oauth4webapi,
// over the same connection policy as the service itself: its TLS settings, its
// network policy, enforced by createConnector on the address dialled, and its
// proxy (proxy.ts): an https:// token endpoint through a CONNECT tunnel, an
// http:// one as a forward-proxy request, both by the service's ProxyDispatcher.
//
// oauth4webapi builds the request (grant_type, client authentication, scope,
// audience) and validates the answer; the HTTP exchange is ours, through a
// `customFetch` that calls undici's fetch with the service's Agent. That fetch
// reads the whole body (at most the service's maxResponseBytes) under the
// request's AbortSignal, so the caller's deadline covers connect, headers and
// body, and hands oauth4webapi an in-memory Response.
//
// Errors: network failures become HttpCallError (the connector's own errors,
// e.g. BLOCKED_ADDRESS, pass through unchanged); answers that are no token
// become OAuth2Error. Neither carries the secret, a token or the body.
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
import type { AuthConfig, ServiceConfig } from '../../services/types.js';
import { createConnector } from '../connector.js';
import { createProxyRouter, proxyFor, ProxyDispatcher, type ProxyRouter } from '../proxy.js';
import { HttpCallError, httpCallError, toHttpCallError, type HttpErrorContext } from '../errors.js';
import { OAuth2Error, plainOAuthErrorCode, redact, type OAuth2Failure } from './oauth2-errors.js';

export type OAuth2Auth = Extract<AuthConfig, { type: 'oauth2' }>;

export interface TokenGrant {
  accessToken: string;
  /** seconds, as sent by the endpoint; absent when it sent none */
  expiresIn?: number;
}

// As in service-client.ts: shorter than Node's default server keep-alive (5 s).
const KEEP_ALIVE_MS = 4_000;

/**
 * undici Agents for token requests, one per service id; a service whose
 * tls / network / connect timeout changed (configuration reload) gets a new
 * Agent and the old one is closed once its requests are done.
 */
/** What a token request is sent through: the service's dispatcher, and its proxy router when it has a proxy. */
export interface TokenAgent {
  agent: Dispatcher;
  proxy?: ProxyRouter;
}

export class TokenAgents {
  readonly #agents = new Map<string, { fingerprint: string } & TokenAgent>();
  readonly #closing = new Set<Promise<void>>();

  /** Throws HttpCallError TLS_FAILURE for unusable TLS material, TypeError for a bad allowCidrs entry. */
  agentFor(service: ServiceConfig): TokenAgent {
    // A digest, so no second copy of key material is kept around.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([service.tls, service.network, service.timeouts.connectTimeout, service.proxy]))
      .digest('base64');
    const current = this.#agents.get(service.id);
    if (current?.fingerprint === fingerprint) return current;
    const options = { serviceId: service.id, tls: service.tls, network: service.network, connectTimeout: service.timeouts.connectTimeout };
    const proxy = service.proxy ? createProxyRouter(service.id, service.proxy) : undefined;
    const agentOptions: Agent.Options = {
      keepAliveTimeout: KEEP_ALIVE_MS,
      // Our own deadline (an AbortSignal) bounds the request; see oauth2.ts.
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: false,
    };
    const agent = proxy
      ? new ProxyDispatcher({ ...options, router: proxy, agent: agentOptions })
      : new Agent({ ...agentOptions, connect: createConnector(options) });
    if (current) this.#retire(current.agent);
    const entry = { fingerprint, agent, ...(proxy && { proxy }) };
    this.#agents.set(service.id, entry);
    return entry;
  }

  #retire(agent: Dispatcher): void {
    const closing = agent.close().catch(() => {});
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }

  async close(): Promise<void> {
    for (const { agent } of this.#agents.values()) this.#retire(agent);
    this.#agents.clear();
    await Promise.all([...this.#closing]);
  }
}

/** The token URL, checked: http(s) only, plain http only with allowInsecureHttp. */
export function tokenEndpoint(service: ServiceConfig, auth: OAuth2Auth): URL {
  let url: URL;
  try {
    url = new URL(auth.tokenUrl);
  } catch {
    throw new TypeError(`service "${service.id}": auth.tokenUrl is not an absolute URL`);
  }
  if (url.protocol === 'http:') {
    if (!service.allowInsecureHttp) throw httpCallError('INSECURE_HTTP', { serviceId: service.id, url });
  } else if (url.protocol !== 'https:') {
    throw new TypeError(`service "${service.id}": auth.tokenUrl must be an http(s) URL, not ${url.protocol}`);
  }
  return url;
}

/** The first HttpCallError in an error's cause chain (undici wraps the connector's errors in "fetch failed"). */
function httpCallErrorIn(err: unknown): HttpCallError | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i += 1) {
    if (cur instanceof HttpCallError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Performs the token request. `signal` is the request's own deadline: when it
 * aborts, the request is stopped and its reason is thrown.
 */
export async function requestToken(
  service: ServiceConfig,
  auth: OAuth2Auth,
  tokenUrl: URL,
  via: TokenAgent,
  signal: AbortSignal,
): Promise<TokenGrant> {
  const { agent } = via;
  // an http:// endpoint through a proxy: the proxy's 407 is told apart from the endpoint's answers
  const proxy = proxyFor(via.proxy, tokenUrl);
  const forwarded = proxy && tokenUrl.protocol === 'http:' ? proxy : undefined;
  const ctx: HttpErrorContext = { serviceId: service.id, url: tokenUrl, maxResponseBytes: service.maxResponseBytes };
  const secrets = [auth.clientSecret];
  const failure = (f: Omit<OAuth2Failure, 'tokenUrl'>) =>
    new OAuth2Error(service.id, { ...f, tokenUrl: tokenUrl.href, detail: f.detail && redact(f.detail, secrets) });
  let status: number | undefined;

  const networkError = (err: unknown): Error => {
    if (signal.aborted) return signal.reason instanceof Error ? signal.reason : httpCallError('DEADLINE', ctx);
    return httpCallErrorIn(err) ?? toHttpCallError(err, ctx);
  };

  const customFetch = async (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>): Promise<Response> => {
    let res: Awaited<ReturnType<typeof undiciFetch>>;
    try {
      res = await undiciFetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        redirect: 'manual',
        signal,
        dispatcher: agent,
      });
    } catch (err) {
      throw networkError(err);
    }
    if (forwarded && res.status === 407) {
      throw new OAuth2Error(service.id, { code: 'TOKEN_REQUEST_FAILED', status: 407, tokenUrl: tokenUrl.href, detail: `the proxy ${forwarded.label} refused the request (407): check the credentials in ${forwarded.source}` });
    }
    status = res.status;
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.byteLength;
          if (received > service.maxResponseBytes) {
            void reader.cancel().catch(() => {});
            throw httpCallError('RESPONSE_TOO_LARGE', ctx, { detail: `more than ${service.maxResponseBytes} bytes received` });
          }
          chunks.push(value);
        }
      } catch (err) {
        if (err instanceof HttpCallError && err.code === 'RESPONSE_TOO_LARGE') throw err;
        throw networkError(err);
      }
    }
    const body = NULL_BODY_STATUS.has(res.status) ? null : Buffer.concat(chunks, received);
    return new Response(body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
  };

  const as: oauth.AuthorizationServer = { issuer: tokenUrl.origin, token_endpoint: tokenUrl.href };
  const client: oauth.Client = { client_id: auth.clientId };
  const clientAuth = auth.clientAuth === 'post' ? oauth.ClientSecretPost(auth.clientSecret) : oauth.ClientSecretBasic(auth.clientSecret);
  const parameters = new URLSearchParams();
  if (auth.scope) parameters.set('scope', auth.scope);
  if (auth.audience) parameters.set('audience', auth.audience);
  const options: oauth.ClientCredentialsGrantRequestOptions = { signal, [oauth.customFetch]: customFetch };
  // oauth4webapi refuses http: unless told; tokenEndpoint() has already refused it without allowInsecureHttp.
  if (tokenUrl.protocol === 'http:') options[oauth.allowInsecureRequests] = true;

  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, parameters, options);
    result = await oauth.processClientCredentialsResponse(as, client, response);
  } catch (err) {
    if (err instanceof HttpCallError || err instanceof OAuth2Error) throw err;
    if (signal.aborted) throw networkError(err);
    if (err instanceof oauth.ResponseBodyError) {
      throw failure({ code: 'TOKEN_REQUEST_FAILED', status: err.status, oauthError: plainOAuthErrorCode(err.error, secrets) });
    }
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      const code = err.cause.map((c) => c.parameters.error).find((e) => e !== undefined);
      throw failure({ code: 'TOKEN_REQUEST_FAILED', status: err.status, oauthError: plainOAuthErrorCode(code, secrets) });
    }
    if (err instanceof oauth.OperationProcessingError && err.code === oauth.RESPONSE_IS_NOT_CONFORM) {
      throw failure({ code: 'TOKEN_REQUEST_FAILED', status });
    }
    if (err instanceof oauth.OperationProcessingError || err instanceof oauth.UnsupportedOperationError) {
      // oauth4webapi's messages are fixed texts naming a property, never its value.
      throw failure({ code: 'TOKEN_RESPONSE_INVALID', status, detail: err.message });
    }
    // Anything else (a bad clientId / clientSecret argument, ...): name it, say nothing of values.
    throw failure({ code: 'TOKEN_REQUEST_FAILED', status, detail: err instanceof Error ? err.name : undefined });
  }

  if (result.token_type !== 'bearer') {
    throw failure({ code: 'TOKEN_RESPONSE_INVALID', status, detail: '"token_type" is not Bearer' });
  }
  // It goes into an Authorization header: visible ASCII only (no CR/LF, no spaces).
  if (!/^[\x21-\x7E]+$/.test(result.access_token)) {
    throw failure({ code: 'TOKEN_RESPONSE_INVALID', status, detail: '"access_token" has characters not allowed in an HTTP header' });
  }
  return result.expires_in === undefined ? { accessToken: result.access_token } : { accessToken: result.access_token, expiresIn: result.expires_in };
}
