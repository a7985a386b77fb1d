// One HTTP client per configured service: an undici Agent (keep-alive, one
// pool per origin) whose connections all go through the policy-checking
// connector. It does one request at a time, exactly as asked: no redirects
// (a 3xx is returned — following is the caller's decision), no retries, no
// auth; those are layers above.
//
// Timeouts are our own timers, not undici's headersTimeout/bodyTimeout, which
// tick in ~0.5 s steps; a read timeout of 300 ms must fire at ~300 ms:
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
// `service.proxy` (see proxy.ts): connections then go through the proxy
// connector; an http:// target through a proxy is sent as a forward-proxy
// request (absolute URL as path, Proxy-Authorization added here).
import { STATUS_CODES } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { ServiceConfig } from '../services/types.js';
import { createConnector, type LookupAll } from './connector.js';
import { httpCallError, toHttpCallError, type HttpCallError, type HttpErrorContext } from './errors.js';
import { createProxyConnector, createProxyRouter, forwardRequest, proxyConnectTimeout, proxyFor, proxyRefused, type ProxyRouter } from './proxy.js';

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
  readonly #agent: Agent;
  /** undefined without `service.proxy` */
  readonly #proxy: ProxyRouter | undefined;
  #closed = false;
  /** connect timeouts of the calls in flight: the connector gives a connection the longest of them */
  readonly #connectTimeouts = new Set<{ ms: number }>();

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
    const connect = this.#proxy
      ? createProxyConnector({ ...connectorOptions, router: this.#proxy })
      : createConnector(connectorOptions);
    this.#agent = new Agent({
      connect,
      keepAliveTimeout: KEEP_ALIVE_MS,
      // Disabled: our own timers enforce precise read timeouts (see top).
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: false,
    });
  }

  #longestConnectTimeout(): number {
    let ms = this.#service.timeouts.connectTimeout;
    for (const entry of this.#connectTimeouts) ms = Math.max(ms, entry.ms);
    return ms;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#closed) throw new Error(`service "${this.serviceId}": the HTTP client is closed`);
    const { url } = req;
    const service = this.#service;
    const connectMs = req.connectTimeout ?? service.timeouts.connectTimeout;
    const readMs = req.readTimeout ?? service.timeouts.readTimeout;
    const maxBytes = service.maxResponseBytes;
    const ctx: HttpErrorContext = { serviceId: this.serviceId, url, shownUrl: req.shownUrl, connectTimeout: connectMs, readTimeout: readMs, maxResponseBytes: maxBytes };

    if (url.protocol === 'http:') {
      if (!service.allowInsecureHttp) throw httpCallError('INSECURE_HTTP', ctx);
    } else if (url.protocol !== 'https:') {
      throw new TypeError(`service "${this.serviceId}": only http: and https: URLs can be called, not ${url.protocol}`);
    }
    if (req.signal.aborted) throw httpCallError('DEADLINE', ctx, { cause: req.signal.reason });

    const method = req.method.toUpperCase();
    const started = performance.now();
    const proxy = proxyFor(this.#proxy, url);
    const forward = proxy && url.protocol === 'http:' ? forwardRequest(proxy, url, req.headers) : undefined;
    const target = { ...ctx, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (url.protocol === 'https:' ? '443' : '80') };

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let failure: HttpCallError | undefined;
      let controller: Dispatcher.DispatchController | undefined;
      let reading = false;
      let timer: NodeJS.Timeout;
      const connectEntry = { ms: connectMs };
      this.#connectTimeouts.add(connectEntry);

      const onAbort = () => fail(httpCallError('DEADLINE', ctx, { cause: req.signal.reason }));
      req.signal.addEventListener('abort', onAbort, { once: true });

      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        req.signal.removeEventListener('abort', onAbort);
        this.#connectTimeouts.delete(connectEntry);
      };
      // Settles the promise first, then aborts the request in undici (which
      // destroys the socket). undici may call back later; `settled` ignores it.
      const fail = (err: HttpCallError) => {
        if (settled) return;
        cleanup();
        failure = err;
        reject(err);
        // Not yet on a socket: onRequestStart will abort with `failure`.
        controller?.abort(err);
      };

      timer = setTimeout(() => fail(proxy ? proxyConnectTimeout(target, proxy) : httpCallError('CONNECT_TIMEOUT', ctx)), connectMs);

      let status = 0;
      let statusText = '';
      let headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let received = 0;
      const mayHaveBody = (code: number) => method !== 'HEAD' && code !== 204 && code !== 304;

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          controller = c;
          if (settled) {
            c.abort(failure ?? new Error('aborted'));
            return;
          }
          // A request can start again on another socket (undici retrying the
          // head of a pipeline); the read phase starts once.
          if (!reading) {
            reading = true;
            clearTimeout(timer);
            timer = setTimeout(() => fail(httpCallError('READ_TIMEOUT', ctx)), readMs);
          }
        },
        onResponseStart: (_c, statusCode, rawHeaders, statusMessage) => {
          if (settled || statusCode < 200) return; // 1xx: the final response follows
          if (forward && statusCode === 407) {
            fail(proxyRefused(target, proxy!, statusCode, statusMessage || STATUS_CODES[statusCode] || '', firstHeader(rawHeaders, 'proxy-authenticate')));
            return;
          }
          status = statusCode;
          statusText = statusMessage || STATUS_CODES[statusCode] || '';
          headers = normalizeHeaders(rawHeaders);
          const length = Number(headers['content-length']);
          if (mayHaveBody(statusCode) && Number.isFinite(length) && length > maxBytes) {
            fail(httpCallError('RESPONSE_TOO_LARGE', ctx, { detail: `content-length ${length}` }));
          }
        },
        onResponseData: (_c, chunk) => {
          if (settled) return;
          received += chunk.length;
          if (received > maxBytes) {
            fail(httpCallError('RESPONSE_TOO_LARGE', ctx, { detail: `more than ${maxBytes} bytes received` }));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          if (settled) return;
          cleanup();
          const response: HttpResponse = {
            status,
            statusText,
            headers,
            body: Buffer.concat(chunks, received),
            timings: { totalMs: performance.now() - started },
          };
          // undici hands the connection back to its pool only after this
          // callback: in a setImmediate queued after it, then a microtask
          // ('drain'). A caller's next request dispatched before that would
          // open a second connection; resolving two immediates later makes
          // sequential calls reuse the keep-alive connection.
          setImmediate(() => setImmediate(() => resolve(response)));
        },
        onResponseError: (_c, err) => {
          if (settled) return;
          // undici refuses bad arguments (e.g. a header value with CR/LF) this way: a caller bug, not a network failure.
          if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
            cleanup();
            reject(new TypeError(`service "${this.serviceId}": invalid request: ${err.message}`));
            return;
          }
          fail(toHttpCallError(err, ctx));
        },
      };

      try {
        this.#agent.dispatch(
          {
            origin: url.origin,
            path: forward ? forward.path : `${url.pathname}${url.search}`,
            method: method as Dispatcher.HttpMethod,
            headers: forward ? forward.headers : req.headers,
            body: req.body,
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          handler,
        );
      } catch (err) {
        fail(toHttpCallError(err, ctx));
      }
    });
  }

  /** Stops new calls, waits for calls in flight (each bounded by its timeouts), closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#agent.close();
  }
}

function firstHeader(raw: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = Object.entries(raw).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Lower-case names (undici gives them so); arrays from repeated headers joined. */
function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => {
        const key = name.toLowerCase();
        return [key, Array.isArray(value) ? value.join(key === 'set-cookie' ? '\n' : ', ') : value];
      }),
  );
}
