// The host side of api.rest.v1: one `send` that turns a script's call into an
// HTTP request to a configured service and the answer into the documented
// response or error. Credentials are added at each attempt, after every check
// on what the script asked for, and never leave the host: what the service
// sends back is redacted of them (redact-credentials.ts) before the script,
// the trace or the log sees it.
import type { BindingEnvironment, Gateway } from '../binding.js';
import type { Invocation } from '../../sandbox/invocation.js';
import { NetworkTransport, type HttpResponse, type Transport } from '../../http/index.js';
import { CredentialAuthorizer } from '../../http/auth/authorizer.js';
import type { CallContext, Dispatch } from '../../http/pipeline.js';
import { buildPipeline } from '../../http/service-pipeline.js';
import { OAuth2Tokens, type OAuth2TokenState } from '../../http/auth/oauth2.js';
import { describeService, resolveServices, type ServiceSummary } from '../../services/index.js';
import { configReferences } from '../../app/secret-refs.js';
import { deferredSecretError } from '../../app/deferred-secrets.js';
import type { ServiceConfig } from '../../services/types.js';
import { notify } from '../../runtime/observer.js';
import { SharedState } from '../../http/shared-state.js';
import { SharedTokens } from '../../http/auth/shared-tokens.js';
import { createSensitiveRenderer } from '../../logging/sensitive.js';
import type { BindingCallError } from '../binding.js';
import { CallTrace } from './call-trace.js';
import { encodeBody } from './encode-body.js';
import { requestError, restError } from './errors.js';
import { exchange } from './exchange.js';
import { PreparedService } from './prepared-service.js';
import { MIN_REDACTED_LENGTH, type CredentialRedactor } from './redact-credentials.js';
import { BodyParseError, parseBody, rawText, type ScriptResponse } from './parse-response.js';
import { parseSendOptions, type SendOptions } from './request-options.js';

/** Time kept back from the invocation's budget so a script can still handle a timed-out call. */
function reserveMs(remaining: number): number {
  return Math.min(100, Math.floor(remaining * 0.1));
}

/** `run --show-data`: the trace shows values as they were (credentials stay masked; see call-trace.ts) */
const SHOWN_AS_IS = createSensitiveRenderer('plain');

/**
 * Something the gateways of several configuration generations use at once
 * (scriptcode.yaml reloaded while invocations of the old one still run):
 * closed when the last of them lets go.
 */
class Shared<T> {
  private refs = 0;
  constructor(readonly value: T, private readonly dispose: (value: T) => Promise<void> | void) {}

  acquire(): this {
    this.refs++;
    return this;
  }

  async release(): Promise<void> {
    if (--this.refs === 0) await this.dispose(this.value);
  }
}

/** Same settings, secrets included (compared in memory, never shown). */
function sameService(a: ServiceConfig, b: ServiceConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What an embedder may give api.rest.v1: createRuntime({ transport }) or bindingOptions['rest.v1']. */
export interface RestBindingOptions {
  /** how calls reach services instead of the network (offline tests, `scriptcode record`) */
  transport?: Transport;
}

export class RestGateway implements Gateway {
  readonly methods = { send: (args: unknown[], invocation: Invocation) => this.send(args[0], invocation) };
  // every wait of a call (token, rate of retries, the request itself) listens to invocation.signal
  readonly settlesOnAbort = true;
  private readonly transport: Transport;
  private readonly prepared = new Map<string, PreparedService>();
  /** each service's interceptors over this gateway's transport and credentials */
  private readonly pipelines = new Map<string, Dispatch>();
  private readonly authorizer: CredentialAuthorizer;
  private readonly tokens: OAuth2Tokens;
  /** the OAuth2 token cache, shared with the gateways of earlier and later configuration generations */
  private readonly sharedTokens: Shared<OAuth2Tokens>;
  /** a transport given by the embedder (offline tests), shared likewise; the network transport is per gateway */
  private readonly sharedTransport: Shared<Transport> | undefined;
  /** the application's Redis (`state.redis`), shared likewise while its settings stay the same */
  private readonly sharedState: Shared<SharedState> | undefined;
  private closed = false;

  /**
   * `env.previous`, the gateway of the configuration being replaced, hands
   * over what is worth keeping: the token cache (a service whose tokenUrl,
   * client, scope, audience and secret did not change keeps its token) and,
   * for services whose settings did not change at all, their circuit breaker
   * and bulkhead state. Connections are not carried over: the new gateway
   * opens its own, the old one closes its when its last invocation is done.
   */
  constructor(
    private readonly services: ReadonlyMap<string, ServiceConfig>,
    private readonly env: BindingEnvironment,
    options: RestBindingOptions = {},
  ) {
    const given = options.transport;
    const previous = env.previous instanceof RestGateway ? env.previous : undefined;
    // acquired at the end of the constructor: a gateway that fails to build holds nothing
    this.sharedTokens = previous?.sharedTokens ?? new Shared(new OAuth2Tokens({ observer: env.observer }), (tokens) => tokens.close());
    this.tokens = this.sharedTokens.value;
    if (given) {
      const inherited = previous?.sharedTransport?.value === given ? previous.sharedTransport : undefined;
      this.sharedTransport = inherited ?? new Shared(given, (transport) => transport.close?.());
    }
    this.transport = given ?? new NetworkTransport();
    // offline tests and `record` (a transport of their own) keep their state to themselves
    const redis = given ? undefined : env.config.state?.redis;
    if (redis) {
      const kept = previous?.sharedState;
      this.sharedState = kept && JSON.stringify(kept.value.settings) === JSON.stringify(redis) ? kept : new Shared(new SharedState(redis, env.logger, env.observer), (state) => state.close());
    }
    const state = this.sharedState?.value;
    this.authorizer = new CredentialAuthorizer(this.tokens, state && new SharedTokens(state));
    const references = configReferences(env.config);
    for (const service of services.values()) {
      const before = previous?.prepared.get(service.id);
      if (before && sameService(before.service, service) && before.state === state) {
        this.prepared.set(service.id, before);
        continue;
      }
      const prepared = new PreparedService(service, env.observer, references, state);
      this.prepared.set(service.id, prepared);
      if (prepared.redactor.tooShort.length > 0) {
        env.logger.warn(`service '${service.id}': ${prepared.redactor.tooShort.join(', ')} shorter than ${MIN_REDACTED_LENGTH} characters: ` +
          'such a value is not redacted from what the service sends back (it would replace ordinary text); use a longer credential');
      }
    }
    for (const prepared of this.prepared.values()) {
      this.pipelines.set(prepared.service.id, buildPipeline(prepared.service, prepared.guards, this.authorizer, this.transport));
    }
    // tokens of clients no service uses any more are forgotten (an old generation still running fetches again if it must)
    if (previous) this.tokens.retainOnly(services.values());
    this.sharedTokens.acquire();
    this.sharedTransport?.acquire();
    this.sharedState?.acquire();
  }

  static create(env: BindingEnvironment, options?: RestBindingOptions): RestGateway {
    const services = resolveServices(env.config, { onWarning: (message) => env.logger.warn(message) });
    return new RestGateway(services, env, options);
  }

  private service(options: SendOptions): PreparedService {
    const prepared = this.prepared.get(options.serviceId);
    if (!prepared) {
      const known = [...this.services.keys()];
      throw requestError(options.serviceId, `api.rest.v1: unknown service '${options.serviceId}'; ` +
        (known.length ? `declared services: ${known.join(', ')}` : 'no services are declared in scriptcode.yaml (services:)'), 'UNKNOWN_SERVICE');
    }
    // a secret left for later (the command line's run/record) that is not available: nothing is sent
    const missing = deferredSecretError(this.env.config, options.serviceId);
    if (missing) throw requestError(options.serviceId, `api.rest.v1: service '${options.serviceId}' cannot be called: ${missing.message}`, 'SECRET_UNAVAILABLE');
    return prepared;
  }

  async send(raw: unknown, invocation: Invocation): Promise<ScriptResponse> {
    const options = parseSendOptions(raw);
    const prepared = this.service(options);
    const service = prepared.service;
    const url = prepared.url(options);
    const headers = prepared.headers(options);
    let body: Buffer | undefined;
    if (options.hasBody) {
      const encoded = await encodeBody(service.id, options.body, true, headers['content-type']);
      if (encoded.contentType) headers['content-type'] = encoded.contentType;
      body = encoded.body;
    }

    let redactor = prepared.redactor;
    const trace = new CallTrace(invocation.trace === 'data' ? SHOWN_AS_IS : this.env.sensitive, service.id, options.method, prepared.urlTemplate(options.path), url,
      options.pathParams, options.hasBody ? options.body : undefined, invocation.trace ? { ...headers } : undefined);
    const remaining = invocation.remainingMs();
    const budget = remaining - reserveMs(remaining);
    if (budget <= 0) {
      throw this.finish(invocation, trace, redactor, restError('RestTimeoutError', service.id, 'DEADLINE', `api.rest.v1: the invocation has no time left for a call to service '${service.id}'`));
    }

    // a GET of a service with a cache: an answer kept from an earlier call, if HTTP says it is still fresh
    const cache = options.method === 'GET' ? prepared.guards.cache : undefined;
    const cacheKey = cache?.key(url, headers);
    const kept = cache && await cache.get(cacheKey!);
    if (kept) {
      trace.fromCache();
      trace.response(kept);
      return this.answer(invocation, trace, redactor, service, kept);
    }

    let response: HttpResponse;
    const call: CallContext = { service, trace, budgetEnd: Date.now() + budget, signal: invocation.signal, remaining: budget, attemptStarted: performance.now() };
    try {
      response = await exchange(
        this.pipelines.get(service.id)!,
        call,
        {
          method: options.method,
          url,
          headers,
          body,
          connectTimeout: options.timeouts.connectTimeout ?? service.timeouts.connectTimeout,
          readTimeout: options.timeouts.readTimeout ?? service.timeouts.readTimeout,
          // path parameters may be personal data: errors name the URL as the script wrote it
          shownUrl: trace.url,
        },
      );
    } catch (err) {
      if (err instanceof Error && 'info' in err) throw this.finish(invocation, trace, redactor.forCall(call.credential), err as BindingCallError);
      throw err;
    }
    // what the service answered may echo the credentials of this very call
    redactor = redactor.forCall(call.credential);
    // an answer that echoes a credential is never kept: a later call may carry another (a new OAuth2 token)
    if (cache && !redactor.occursIn(response)) cache.put(cacheKey!, url, headers, response);
    trace.response(response);
    return this.answer(invocation, trace, redactor, service, response);
  }

  private answer(invocation: Invocation, trace: CallTrace, redactor: CredentialRedactor, service: ServiceConfig, response: HttpResponse): ScriptResponse {
    const status = { code: response.status, message: response.statusText };
    if (response.status < 200 || response.status > 299) {
      const hint = response.status >= 300 && response.status < 400 && !service.followRedirects ? ' (redirects are not followed unless the service sets followRedirects: true)' : '';
      throw this.finish(invocation, trace, redactor, restError('RestResponseError', service.id, `HTTP_${response.status}`,
        `api.rest.v1: service '${service.id}' answered ${response.status} ${response.statusText} for ${trace.method} ${trace.url}${hint}`,
        { status, body: rawText(response), headers: response.headers }));
    }
    let parsed: ReturnType<typeof parseBody>;
    try {
      parsed = parseBody(response);
    } catch (err) {
      if (!(err instanceof BodyParseError)) throw err;
      // the parser's detail quotes a few characters of the body: maybe part of an echoed credential
      const problem = redactor.occursIn(response) ? err.message.replace(/ \(.*\)$/s, '') : err.message;
      throw this.finish(invocation, trace, redactor, restError('RestProtocolError', service.id, 'INVALID_BODY',
        `api.rest.v1: service '${service.id}' answered ${response.status} with content-type ${response.headers['content-type'] ?? '(none)'} but ${problem}`));
    }
    this.finish(invocation, trace, redactor);
    return redactor.response(response, { status, headers: response.headers, ...parsed });
  }

  /**
   * Logs, traces and reports the call once, with or without an error; returns
   * the error to throw, its fields redacted of the call's credentials (the
   * single point every error of a call passes before the script sees it).
   * Fields are built only for a log line that is written and an observer that
   * listens.
   */
  private finish<E extends Error & { info?: Record<string, unknown> }>(invocation: Invocation, trace: CallTrace, redactor: CredentialRedactor, error?: E): E {
    if (error) redactor.error(error);
    const level = error ? 'warn' : 'info';
    const logged = invocation.log.isEnabled(level);
    const observer = this.env.observer;
    if (logged || observer?.restCallFinished) {
      const fields = trace.logFields(error?.info);
      if (logged) invocation.log.event(level, { rest: fields }, 'REST call');
      notify(observer, 'restCallFinished', {
        serviceId: trace.serviceId,
        method: trace.method,
        status: fields.status as number | undefined,
        errorCode: error?.info?.code === undefined ? undefined : String(error.info.code),
        durationMs: fields.durationMs as number,
        attempts: fields.attempt as number,
      });
    }
    if (invocation.trace) invocation.calls.push(trace.traced(error?.info, redactor, invocation.root.startedAt));
    return error as E;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([
      this.sharedTransport ? this.sharedTransport.release() : this.transport.close?.(),
      this.sharedTokens.release(),
      this.sharedState?.release(),
    ]);
  }

  /** The resolved settings of a service (connection checks), or undefined. */
  serviceConfig(id: string): ServiceConfig | undefined {
    return this.services.get(id);
  }

  serviceIds(): string[] {
    return [...this.services.keys()];
  }

  /** Services as GET /api/services shows them, with circuit and token state: never a secret. */
  describe(): (ServiceSummary & { circuit?: string; token?: OAuth2TokenState })[] {
    return [...this.services.values()].map((s) => {
      const breaker = this.prepared.get(s.id)?.guards.breaker;
      return {
        ...describeService(s),
        ...(breaker ? { circuit: breaker.current() } : {}),
        ...(s.auth.type === 'oauth2' ? { token: this.tokens.state(s) } : {}),
      };
    });
  }
}
