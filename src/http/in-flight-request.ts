// One request of a ServiceClient while undici works on it: the undici
// dispatch handler that collects the response, enforces the timeouts and the
// size cap, and settles the caller's promise exactly once.
//
// It is one object with its methods on the prototype, not a bundle of
// closures: a call is the hot path, and every closure is an allocation (and,
// under tsx/esbuild keepNames, a defineProperty).
//
// Timeouts (see service-client.ts for what each covers) use ONE timer per
// request. It is armed for the connect deadline; when the request reaches a
// socket, the read deadline replaces it only if it comes sooner. A timer that
// fires while its phase's deadline is still ahead is re-armed for the rest.
// A call that answers in time (nearly all) thus pays one setTimeout and one
// clearTimeout, and both deadlines stay exact to the millisecond.
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ServiceConfig } from '../services/types.js';
import { httpCallError, toHttpCallError, type HttpCallError, type HttpErrorContext } from './errors.js';
import { proxyConnectTimeout, proxyRefused } from './proxy-errors.js';
import type { ProxyEndpoint } from './proxy-routing.js';
import type { HttpRequest, HttpResponse } from './service-client.js';

type RawHeaders = Record<string, string | string[] | undefined>;

export class InFlightRequest implements Dispatcher.DispatchHandler {
  readonly promise: Promise<HttpResponse>;
  private resolve!: (response: HttpResponse) => void;
  private reject!: (err: Error) => void;
  private settled = false;
  private failure?: HttpCallError;
  private controller?: Dispatcher.DispatchController;
  private reading = false;
  private timer?: NodeJS.Timeout;
  /** performance.now() at which the armed timer fires, and the read deadline once reading */
  private timerAt = 0;
  private readBy = 0;
  private status = 0;
  private statusText = '';
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private response?: HttpResponse;
  private readonly started = performance.now();

  constructor(
    private readonly service: ServiceConfig,
    private readonly request: HttpRequest,
    private readonly method: string,
    private readonly connectMs: number,
    private readonly readMs: number,
    /** set when the call goes through a proxy */
    private readonly proxy: ProxyEndpoint | undefined,
    /** true for an http:// target sent to the proxy as a forward request (a 407 is then the proxy's) */
    private readonly forwarded: boolean,
    /** called once when the request settles, either way */
    private readonly onSettled: (call: InFlightRequest) => void,
  ) {
    this.promise = new Promise<HttpResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timerAt = this.started + connectMs;
    this.timer = setTimeout(onTimer, connectMs, this);
    request.signal.addEventListener('abort', this, { once: true });
  }

  /** What error messages may say about the call; built only when one is. */
  errorContext(): HttpErrorContext {
    return errorContext(this.service, this.request, this.connectMs, this.readMs);
  }

  private proxyTarget(): HttpErrorContext & { host: string; port: string } {
    const { url } = this.request;
    return { ...this.errorContext(), host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (url.protocol === 'https:' ? '443' : '80') };
  }

  /**
   * The caller's signal aborted: the script's time budget ran out (or the
   * invocation ended). This object is the listener itself: no closure per call.
   */
  handleEvent(): void {
    this.fail(httpCallError('DEADLINE', this.errorContext(), { cause: this.request.signal.reason }));
  }

  timeUp(): void {
    this.timer = undefined;
    if (this.settled) return;
    if (!this.reading) {
      this.fail(this.proxy ? proxyConnectTimeout(this.proxyTarget(), this.proxy) : httpCallError('CONNECT_TIMEOUT', this.errorContext()));
      return;
    }
    const left = this.readBy - performance.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.fail(httpCallError('READ_TIMEOUT', this.errorContext()));
  }

  private arm(ms: number): void {
    this.timerAt = performance.now() + ms;
    this.timer = setTimeout(onTimer, Math.ceil(ms), this);
  }

  private cleanup(): void {
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.request.signal.removeEventListener('abort', this);
    this.onSettled(this);
  }

  /**
   * Settles the promise first, then aborts the request in undici (which
   * destroys the socket). undici may call back later; `settled` ignores it.
   */
  fail(err: HttpCallError): void {
    if (this.settled) return;
    this.cleanup();
    this.failure = err;
    this.reject(err);
    // Not yet on a socket: onRequestStart will abort with `failure`.
    this.controller?.abort(err);
  }

  /** dispatch() itself threw */
  failWith(err: unknown): void {
    this.fail(toHttpCallError(err, this.errorContext()));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) {
      controller.abort(this.failure ?? new Error('aborted'));
      return;
    }
    // A request can start again on another socket (undici retrying the head
    // of a pipeline); the read phase starts once.
    if (!this.reading) {
      this.reading = true;
      const now = performance.now();
      this.readBy = now + this.readMs;
      if (this.readBy < this.timerAt) {
        if (this.timer) clearTimeout(this.timer);
        this.arm(this.readMs);
      }
    }
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, rawHeaders: RawHeaders, statusMessage?: string): void {
    if (this.settled || statusCode < 200) return; // 1xx: the final response follows
    if (this.forwarded && statusCode === 407) {
      this.fail(proxyRefused(this.proxyTarget(), this.proxy!, statusCode, statusMessage || STATUS_CODES[statusCode] || '', firstHeader(rawHeaders, 'proxy-authenticate')));
      return;
    }
    this.status = statusCode;
    this.statusText = statusMessage || STATUS_CODES[statusCode] || '';
    this.headers = normalizeHeaders(rawHeaders);
    const maxBytes = this.service.maxResponseBytes;
    const length = Number(this.headers['content-length']);
    if (this.method !== 'HEAD' && statusCode !== 204 && statusCode !== 304 && Number.isFinite(length) && length > maxBytes) {
      this.fail(httpCallError('RESPONSE_TOO_LARGE', this.errorContext(), { detail: `content-length ${length}` }));
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.received += chunk.length;
    const maxBytes = this.service.maxResponseBytes;
    if (this.received > maxBytes) {
      this.fail(httpCallError('RESPONSE_TOO_LARGE', this.errorContext(), { detail: `more than ${maxBytes} bytes received` }));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.cleanup();
    this.response = {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      body: Buffer.concat(this.chunks, this.received),
      timings: { totalMs: performance.now() - this.started },
    };
    // undici hands the connection back to its pool only after this callback
    // returns: it queues a setImmediate, whose callback emits 'drain'. A
    // caller's next request dispatched before that would open a second
    // connection. An immediate queued from a tick after this callback runs
    // after undici's, so sequential calls reuse the keep-alive connection.
    process.nextTick(deliverAfterUndici, this);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    // undici refuses bad arguments (e.g. a header value with CR/LF) this way: a caller bug, not a network failure.
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
      this.cleanup();
      this.reject(new TypeError(`service "${this.service.id}": invalid request: ${err.message}`));
      return;
    }
    this.failWith(err);
  }

  deliver(): void {
    this.resolve(this.response!);
  }
}

/** What error messages may say about a call. */
export function errorContext(service: ServiceConfig, req: HttpRequest, connectMs: number, readMs: number): HttpErrorContext {
  return { serviceId: service.id, url: req.url, shownUrl: req.shownUrl, connectTimeout: connectMs, readTimeout: readMs, maxResponseBytes: service.maxResponseBytes };
}

function onTimer(call: InFlightRequest): void {
  call.timeUp();
}

function deliverAfterUndici(call: InFlightRequest): void {
  setImmediate(deliver, call);
}

function deliver(call: InFlightRequest): void {
  call.deliver();
}

function firstHeader(raw: RawHeaders, name: string): string | undefined {
  const value = Object.entries(raw).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Lower-case names (undici gives them so); arrays from repeated headers joined. */
function normalizeHeaders(raw: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(key === 'set-cookie' ? '\n' : ', ') : value;
    // a header named __proto__ stays a plain own property, as undici gives it
    if (key === '__proto__') Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
    else out[key] = text;
  }
  return out;
}
