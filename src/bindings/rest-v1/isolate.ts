// Runs INSIDE the isolate: the `api.rest.v1` object scripts see (SPEC §4.1–4.3).
// Every method is one `call('send', …)` to the host gateway (a value in sync
// mode, a promise in async mode); failures come back as data and become
// instances of the error classes below, so `e instanceof Error`, `e.name`,
// `e.status.code` work as on the reference platform. Bundled like the prelude
// (src/sandbox/isolate-source.ts): the default export is the factory the
// prelude calls with { call, freeze }, before the context is frozen.
import type { BindingHost, BindingInstance, ErrorInfo } from '../../sandbox/isolate/binding-types.js';

/** an error of the REST gateway as it describes it (src/bindings/rest-v1/errors.ts) */
interface RestErrorInfo extends ErrorInfo {
  serviceId?: string | null;
  status?: { code: number; message: string };
  body?: unknown;
  headers?: Record<string, string>;
}

export default function restV1(host: BindingHost): BindingInstance {
  const { call, freeze } = host;

  // `declare`: fields the constructors set, not class fields (an own `code`
  // on every error, undefined, would show in Object.keys and JSON)
  class RestError extends Error {
    declare serviceId: string | null;
    declare code?: string;
    constructor(info: RestErrorInfo) {
      super(String(info.message));
      this.serviceId = info.serviceId === undefined ? null : info.serviceId;
      if (info.code !== undefined && info.code !== null) this.code = String(info.code);
    }
  }
  class RestResponseError extends RestError {
    declare status: { readonly code: number; readonly message: string };
    declare body: unknown;
    declare headers: Record<string, string>;
    constructor(info: RestErrorInfo) {
      super(info);
      this.status = freeze({ code: info.status!.code, message: info.status!.message });
      this.body = info.body === undefined ? null : info.body;
      this.headers = info.headers || {};
    }
  }
  class RestTimeoutError extends RestError {}
  class RestConnectionError extends RestError {}
  class RestRequestError extends RestError {}
  class RestPolicyError extends RestError {}
  class RestProtocolError extends RestError {}

  const classes: Record<string, typeof RestError> = { RestError, RestResponseError, RestTimeoutError, RestConnectionError, RestRequestError, RestPolicyError, RestProtocolError };
  for (const name of Object.keys(classes)) {
    Object.defineProperty(classes[name].prototype, 'name', { value: name, writable: true, configurable: true });
  }

  function makeError(info: ErrorInfo): Error | undefined {
    const name = info.name as string;
    const ErrorClass = Object.prototype.hasOwnProperty.call(classes, name) ? classes[name] : undefined;
    return ErrorClass ? new ErrorClass(info) : undefined;
  }

  function requestError(serviceId: unknown, message: string): Error {
    return new RestRequestError({ serviceId: typeof serviceId === 'string' ? serviceId : null, message, code: 'INVALID_REQUEST' });
  }

  // The body is checked here so that a cyclic or BigInt body is the
  // script's RestRequestError, not a bridge failure.
  function checkBody(serviceId: unknown, body: unknown): void {
    if (body === undefined || body === null || typeof body === 'string') return;
    try {
      JSON.stringify(body);
    } catch (e) {
      throw requestError(serviceId, 'api.rest.v1: the body cannot be serialized (' + String(e && (e as Error).message) + '); send plain objects, arrays, strings, numbers and booleans');
    }
  }

  function send(method: unknown, serviceId: unknown, params: unknown, body: unknown, headers: unknown): unknown {
    checkBody(serviceId, body);
    return call('send', [{
      method,
      serviceId,
      params: params === undefined ? null : params,
      body: body === undefined ? null : body,
      hasBody: body !== undefined && body !== null,
      headers: headers === undefined ? null : headers,
    }]);
  }

  /** what a script passes to request(options) */
  interface RequestOptions {
    method?: unknown;
    serviceId?: unknown;
    path?: unknown;
    pathParams?: unknown;
    queryParams?: unknown;
    timeouts?: unknown;
    body?: unknown;
    headers?: unknown;
  }

  const v1: Record<string, unknown> = {
    get(serviceId: unknown, params: unknown, headers: unknown) { return send('GET', serviceId, params, undefined, headers); },
    delete(serviceId: unknown, params: unknown, headers: unknown) { return send('DELETE', serviceId, params, undefined, headers); },
    post(serviceId: unknown, params: unknown, body: unknown, headers: unknown) { return send('POST', serviceId, params, body, headers); },
    put(serviceId: unknown, params: unknown, body: unknown, headers: unknown) { return send('PUT', serviceId, params, body, headers); },
    patch(serviceId: unknown, params: unknown, body: unknown, headers: unknown) { return send('PATCH', serviceId, params, body, headers); },
    request(options: RequestOptions | null) {
      if (options === null || typeof options !== 'object') {
        throw requestError(null, "api.rest.v1.request(options): options must be an object like { method: 'GET', serviceId: 'crm', path: 'customers' }");
      }
      const method = typeof options.method === 'string' ? options.method.toUpperCase() : options.method;
      const params = {
        path: options.path,
        pathParams: options.pathParams,
        queryParams: options.queryParams,
        timeouts: options.timeouts,
      };
      return send(method, options.serviceId, params, options.body, options.headers);
    },
  };
  for (const name of Object.keys(classes)) v1[name] = classes[name];

  return { api: freeze(v1), makeError };
}
