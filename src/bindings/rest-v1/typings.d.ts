// api.rest.v1 for script authors: its part of types/scriptcode.d.ts (scripts/gen-typings.ts).
declare namespace ScriptCode {
  interface Api {
    readonly rest: {
      readonly v1: RestV1;
    };
  }

  type HttpMethod = 'GET' | 'DELETE' | 'POST' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';
  type Scalar = string | number | boolean;

  interface RestTimeouts {
    /** ms to wait for a connection; capped by the script's remaining time */
    connectTimeout?: number;
    /** ms to wait for the complete response; capped by the script's remaining time */
    readTimeout?: number;
  }

  /** The optional `params` of every call. */
  interface RestParams {
    /** relative path appended to the service URL, e.g. 'customers/{id}/orders'; `..`, `//`, `?`, `#` are refused */
    path?: string | null;
    /** values for `{name}` placeholders in the service URL or `path`; each is encoded as one path segment */
    pathParams?: { [name: string]: Scalar | null } | null;
    /** query parameters; an array repeats the name, null/undefined are skipped */
    queryParams?: { [name: string]: Scalar | null | undefined | Array<Scalar | null> } | null;
    timeouts?: RestTimeouts | null;
  }

  /** Request headers; the configured authorization cannot be set or overridden. */
  type RestHeaders = { [name: string]: Scalar | null };

  /**
   * A request body: JSON by default; `multipart/form-data` and
   * `application/x-www-form-urlencoded` (by the Content-Type header) encode an
   * object; a string is sent as is.
   */
  type RestBody = unknown;

  /** A file part of a multipart body. */
  interface MultipartFile {
    filename: string;
    contentType?: string;
    base64: string;
  }

  /** Options of `api.rest.v1.request(…)`. */
  interface RestRequestOptions extends RestParams {
    method: HttpMethod | Lowercase<HttpMethod>;
    serviceId: string;
    headers?: RestHeaders | null;
    body?: RestBody;
  }

  interface RestStatus {
    readonly code: number;
    readonly message: string;
  }

  /** A 2xx answer. */
  interface RestResponse<T = any> {
    status: RestStatus;
    /** lower-case header names */
    headers: { [name: string]: string };
    /** parsed by content type: JSON → value, XML → object, text/* → string, empty → null, other → base64 text */
    body: T;
    /** 'base64' when the body is binary and was given as base64 text */
    bodyEncoding?: 'base64';
  }

  /** Every api.rest.v1 failure; catch it and look at `name` (or `instanceof`). */
  interface RestError extends Error {
    name: 'RestResponseError' | 'RestTimeoutError' | 'RestConnectionError' | 'RestRequestError' | 'RestPolicyError' | 'RestProtocolError';
    /** the service called, or null when the call named none */
    readonly serviceId: string | null;
    /** stable code: 'HTTP_404', 'READ_TIMEOUT', 'CONNECTION_REFUSED', 'UNKNOWN_SERVICE', 'CIRCUIT_OPEN', … */
    readonly code?: string;
  }
  /** The service answered with a status other than 2xx. The only REST error with `status`. */
  interface RestResponseError extends RestError {
    name: 'RestResponseError';
    readonly status: RestStatus;
    /** the raw response body as text, or null */
    readonly body: string | null;
    readonly headers: { [name: string]: string };
  }
  /** Connect or read timeout, or the script's time budget ran out (`code: 'DEADLINE'`). */
  interface RestTimeoutError extends RestError { name: 'RestTimeoutError' }
  /** DNS failure, connection refused or reset, TLS failure. */
  interface RestConnectionError extends RestError { name: 'RestConnectionError' }
  /** The call itself is wrong: unknown serviceId, bad path, forbidden header, unserializable body. */
  interface RestRequestError extends RestError { name: 'RestRequestError' }
  /** Refused by policy: blocked address, open circuit, call budget spent, response too large. */
  interface RestPolicyError extends RestError { name: 'RestPolicyError' }
  /** A 2xx whose body does not match its content type. */
  interface RestProtocolError extends RestError { name: 'RestProtocolError' }

  /** An error class reachable as `api.rest.v1.<Name>`, for `e instanceof api.rest.v1.RestResponseError`. */
  interface RestErrorClass<E extends RestError> {
    readonly prototype: E;
    new (info: never): E;
  }

  /**
   * `api.rest.v1`: calls the services declared in scriptcode.yaml, by id.
   * Each call returns the response directly (and also works with `await`);
   * a status other than 2xx throws RestResponseError. In async mode (the entry
   * point is `async function callService`) each call returns a Promise of the
   * response instead: `await` it, or `await Promise.all([...])` to call in parallel.
   */
  interface RestV1 {
    get<T = any>(serviceId: string, params?: RestParams | null, headers?: RestHeaders | null): RestResponse<T>;
    delete<T = any>(serviceId: string, params?: RestParams | null, headers?: RestHeaders | null): RestResponse<T>;
    post<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    put<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    patch<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    request<T = any>(options: RestRequestOptions): RestResponse<T>;
    readonly RestError: RestErrorClass<RestError>;
    readonly RestResponseError: RestErrorClass<RestResponseError>;
    readonly RestTimeoutError: RestErrorClass<RestTimeoutError>;
    readonly RestConnectionError: RestErrorClass<RestConnectionError>;
    readonly RestRequestError: RestErrorClass<RestRequestError>;
    readonly RestPolicyError: RestErrorClass<RestPolicyError>;
    readonly RestProtocolError: RestErrorClass<RestProtocolError>;
  }
}
