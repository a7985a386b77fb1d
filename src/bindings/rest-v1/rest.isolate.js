// Runs INSIDE the isolate: the `api.rest.v1` object scripts see (SPEC §4.1–4.3).
// Every method is one synchronous-looking `call('send', …)` to the host
// gateway; failures come back as data and become instances of the error
// classes below, so `e instanceof Error`, `e.name`, `e.status.code` work as on
// the reference platform. Loaded as text: an expression taking { call, freeze }.
(function restV1(host) {
  'use strict';
  const { call, freeze } = host;

  class RestError extends Error {
    constructor(info) {
      super(String(info.message));
      this.serviceId = info.serviceId === undefined ? null : info.serviceId;
      if (info.code !== undefined && info.code !== null) this.code = String(info.code);
    }
  }
  class RestResponseError extends RestError {
    constructor(info) {
      super(info);
      this.status = freeze({ code: info.status.code, message: info.status.message });
      this.body = info.body === undefined ? null : info.body;
      this.headers = info.headers || {};
    }
  }
  class RestTimeoutError extends RestError {}
  class RestConnectionError extends RestError {}
  class RestRequestError extends RestError {}
  class RestPolicyError extends RestError {}
  class RestProtocolError extends RestError {}

  const classes = { RestError, RestResponseError, RestTimeoutError, RestConnectionError, RestRequestError, RestPolicyError, RestProtocolError };
  for (const name of Object.keys(classes)) {
    Object.defineProperty(classes[name].prototype, 'name', { value: name, writable: true, configurable: true });
  }

  function makeError(info) {
    const ErrorClass = Object.prototype.hasOwnProperty.call(classes, info.name) ? classes[info.name] : undefined;
    return ErrorClass ? new ErrorClass(info) : undefined;
  }

  function requestError(serviceId, message) {
    return new RestRequestError({ serviceId: typeof serviceId === 'string' ? serviceId : null, message, code: 'INVALID_REQUEST' });
  }

  // The body is checked here so that a cyclic or BigInt body is the
  // script's RestRequestError, not a bridge failure.
  function checkBody(serviceId, body) {
    if (body === undefined || body === null || typeof body === 'string') return;
    try {
      JSON.stringify(body);
    } catch (e) {
      throw requestError(serviceId, 'api.rest.v1: the body cannot be serialized (' + String(e && e.message) + '); send plain objects, arrays, strings, numbers and booleans');
    }
  }

  function send(method, serviceId, params, body, headers) {
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

  const v1 = {
    get(serviceId, params, headers) { return send('GET', serviceId, params, undefined, headers); },
    delete(serviceId, params, headers) { return send('DELETE', serviceId, params, undefined, headers); },
    post(serviceId, params, body, headers) { return send('POST', serviceId, params, body, headers); },
    put(serviceId, params, body, headers) { return send('PUT', serviceId, params, body, headers); },
    patch(serviceId, params, body, headers) { return send('PATCH', serviceId, params, body, headers); },
    request(options) {
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
})
