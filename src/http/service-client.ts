// One HTTP client per configured service: an undici Agent (keep-alive, one
// pool per origin) whose connections all go through the policy-checking
// connector. It does one request at a time, exactly as asked: no redirects
// (a 3xx is returned — following is the caller's decision), no retries, no
// auth; those are layers above.
//
// Timeouts are our own timer (one per request, see in-flight-request.ts), not
// undici's headersTimeout/bodyTimeout, which tick in ~0.5 s steps for values
// of a second or more; a read timeout of 300 ms must fire at ~300 ms:
//  - connect: from the call until the request is handed to a connected socket
//    (covers waiting for DNS, TCP, TLS);
//  - read: from then until the last byte of the body;
//  - the caller's signal (the script's time budget) at any point → DEADLINE.
//
// The body is collected up to maxResponseBytes and the request is aborted as
// soon as a content-length or the bytes received say it will be larger.
//
// The client never logs; its errors carry origin + path only.
//
// `service.proxy` (see proxy.ts): requests then go through a ProxyDispatcher,
// which sends each direct, through a CONNECT tunnel or as a forward-proxy
// request, as the proxy settings say.
import { Agent, type Dispatcher } from 'undici';
import type { ServiceConfig } from '../services/types.js';
import { createConnector, type LookupAll } from './connector.js';
import { httpCallError } from './errors.js';
import { errorContext, InFlightRequest } from './in-flight-request.js';
import { createProxyRouter, proxyFor, ProxyDispatcher, type ProxyRouter } from './proxy.js';

export interface HttpRequest {
  method: string;
  /** absolute http(s) URL, query string included */
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** the caller's deadline (the script's time budget); aborting it fails the call with DEADLINE */
  signal: AbortSignal;
  /** ms; override the service's timeouts for this call */
  connectTimeout?: number;
  readTimeout?: number;
  /** how errors print the URL instead of its origin + path (path parameters may be personal data) */
  shownUrl?: string;
}

export interface HttpResponse {
  status: number;
  /** the reason phrase sent by the server, or the standard one when it sent none */
  statusText: string;
  /** lower-case names; repeated headers joined with ', ', set-cookie with '\n' */
  headers: Record<string, string>;
  body: Buffer;
  timings: { totalMs: number };
}

export interface ServiceClientOptions {
  /** replaces dns.lookup for the network policy checks (tests, embedders with their own resolver) */
  lookup?: LookupAll;
}

// Idle keep-alive connections are closed after this, unless the server asks
// for less (undici honours `Keep-Alive: timeout=`). Shorter than Node's
// default server keep-alive (5 s) so we rarely reuse a socket being closed.
const KEEP_ALIVE_MS = 4_000;

export class ServiceClient {
  readonly serviceId: string;
  readonly #service: ServiceConfig;
  readonly #agent: Dispatcher;
  /** undefined without `service.proxy` */
  readonly #proxy: ProxyRouter | undefined;
  #closed = false;
  /** connect timeouts above the service's of the calls in flight: the connector gives a connection the longest of them */
  readonly #connectTimeouts = new Map<InFlightRequest, number>();

  constructor(service: ServiceConfig, options: ServiceClientOptions = {}) {
    this.serviceId = service.id;
    this.#service = service;
    const connectorOptions = {
      serviceId: service.id,
      tls: service.tls,
      network: service.network,
      connectTimeout: () => this.#longestConnectTimeout(),
      lookup: options.lookup,
    };
    this.#proxy = service.proxy ? createProxyRouter(service.id, service.proxy) : undefined;
    const agentOptions: Agent.Options = {
      keepAliveTimeout: KEEP_ALIVE_MS,
      // Disabled: our own timers enforce precise read timeouts (see top).
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: false,
    };
    this.#agent = this.#proxy
      ? new ProxyDispatcher({ ...connectorOptions, router: this.#proxy, agent: agentOptions })
      : new Agent({ ...agentOptions, connect: createConnector(connectorOptions) });
  }

  #longestConnectTimeout(): number {
    let ms = this.#service.timeouts.connectTimeout;
    for (const entryMs of this.#connectTimeouts.values()) ms = Math.max(ms, entryMs);
    return ms;
  }

  /** Never throws: every failure is a rejection. */
  request(req: HttpRequest): Promise<HttpResponse> {
    try {
      return this.#start(req);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Starts the call; throws what the call refuses before it is sent. Not async: the promise is the in-flight request's own. */
  #start(req: HttpRequest): Promise<HttpResponse> {
    if (this.#closed) throw new Error(`service "${this.serviceId}": the HTTP client is closed`);
    const { url } = req;
    const service = this.#service;
    const connectMs = req.connectTimeout ?? service.timeouts.connectTimeout;
    const readMs = req.readTimeout ?? service.timeouts.readTimeout;

    if (url.protocol === 'http:') {
      if (!service.allowInsecureHttp) throw httpCallError('INSECURE_HTTP', errorContext(service, req, connectMs, readMs));
    } else if (url.protocol !== 'https:') {
      throw new TypeError(`service "${this.serviceId}": only http: and https: URLs can be called, not ${url.protocol}`);
    }
    if (req.signal.aborted) throw httpCallError('DEADLINE', errorContext(service, req, connectMs, readMs), { cause: req.signal.reason });

    const method = req.method.toUpperCase();
    const proxy = proxyFor(this.#proxy, url);
    // Only a connect timeout above the service's own can lengthen a new connection's.
    const longer = connectMs > service.timeouts.connectTimeout;
    const call = new InFlightRequest(service, req, method, connectMs, readMs, proxy, proxy !== undefined && url.protocol === 'http:', longer ? this.#forgetConnectTimeout : noop);
    if (longer) this.#connectTimeouts.set(call, connectMs);
    try {
      this.#agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body,
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        call,
      );
    } catch (err) {
      call.failWith(err);
    }
    return call.promise;
  }

  readonly #forgetConnectTimeout = (call: InFlightRequest) => {
    this.#connectTimeouts.delete(call);
  };

  /** Stops new calls, waits for calls in flight (each bounded by its timeouts), closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }
}

function noop(): void {}
