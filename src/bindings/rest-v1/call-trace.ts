// What one REST call did, for the runtime log and the `trace` answer. Query
// values, bodies and header values are personal data: they appear only as the
// renderer shows sensitive values (the logging policy's; plain for
// `run --show-data`); credentials are added after this snapshot is taken and
// never appear at all, what the service echoes of them is redacted before it
// is rendered, and headers that carry credentials by their nature are masked
// whatever the renderer.
import type { HttpResponse } from '../../http/index.js';
import { MASK, type SensitiveRenderer } from '../../logging/sensitive.js';
import type { CredentialRedactor } from './redact-credentials.js';

const MAX_TRACED_BODY = 64 * 1024;

/** Credentials by their nature (a session cookie is as good as a password): masked under every renderer. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key']);
/** Protocol metadata, not personal data: shown as sent under every renderer. */
const PROTOCOL_HEADERS = new Set([
  'accept', 'accept-encoding', 'age', 'cache-control', 'connection', 'content-encoding', 'content-language',
  'content-length', 'content-type', 'date', 'etag', 'expires', 'keep-alive', 'last-modified', 'retry-after',
  'server', 'transfer-encoding', 'user-agent', 'vary',
]);

export interface TracedAttempt {
  status?: number;
  errorCode?: string;
  durationMs: number;
  /** the wait before the next attempt, when there was one */
  waitMs?: number;
}

export interface TracedCall {
  serviceId: string;
  method: string;
  /** the service URL + the path as the script wrote it, placeholders unfilled */
  url: string;
  /** the placeholder values, rendered by the sensitive-data policy */
  pathParams: Record<string, string>;
  query: Record<string, string[]>;
  /** what the script and the service's settings sent; the credentials the runtime adds are not among them */
  requestHeaders?: Record<string, string>;
  requestBody?: string;
  status?: number;
  statusText?: string;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  durationMs: number;
  /** when the call started, in ms since the invocation the caller asked for started (a waterfall of the calls) */
  startMs?: number;
  /** answered from the service's response cache: the partner was not called */
  cached?: true;
  attempts: number;
  /** each try: retries, a 401 token refresh, redirects */
  attemptLog: TracedAttempt[];
  error?: { name: string; code?: string; message: string };
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > MAX_TRACED_BODY ? `${text.slice(0, MAX_TRACED_BODY)}… (${text.length} characters)` : text;
}

/** Values are kept raw and rendered only when a trace is asked for. */
export class CallTrace {
  private readonly started = performance.now();
  /** placeholders unfilled: path parameters are personal data as often as not (a PESEL, an account) */
  readonly url: string;
  /** the URL sent (never changed afterwards); its query is read only when a trace is asked for */
  private readonly sentUrl: URL;
  private status?: number;
  private statusText?: string;
  private responseBody?: Buffer;
  private responseHeaders?: Record<string, string>;
  private cached = false;
  private readonly attempts: TracedAttempt[] = [];

  constructor(
    private readonly sensitive: SensitiveRenderer,
    readonly serviceId: string,
    readonly method: string,
    urlTemplate: string,
    url: URL,
    private readonly pathParams: Record<string, unknown>,
    private readonly body: unknown,
    /** a copy taken before credentials are added; only when the invocation is traced */
    private readonly requestHeaders?: Record<string, string>,
  ) {
    this.url = urlTemplate;
    this.sentUrl = url;
  }

  /** `record` is the caller's fresh object: kept as it is, its duration rounded. */
  attempt(record: TracedAttempt): void {
    record.durationMs = Math.round(record.durationMs * 1000) / 1000;
    this.attempts.push(record);
  }

  fromCache(): void {
    this.cached = true;
  }

  response(response: HttpResponse): void {
    this.status = response.status;
    this.statusText = response.statusText;
    this.responseHeaders = response.headers;
    if (response.body.length > 0) this.responseBody = response.body;
  }

  private renderedQuery(redactor?: CredentialRedactor): Record<string, string[]> {
    const query: Record<string, string[]> = {};
    for (const [name, value] of new URLSearchParams(this.sentUrl.search)) (query[name] ??= []).push(this.sensitive.render(redactor ? redactor.text(value) : value));
    return query;
  }

  private renderedHeaders(headers: Record<string, string> | undefined, redactor?: CredentialRedactor): Record<string, string> | undefined {
    if (!headers) return undefined;
    const rendered: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      const text = redactor ? redactor.text(String(value)) : String(value);
      rendered[lower] = CREDENTIAL_HEADERS.has(lower) ? MASK : PROTOCOL_HEADERS.has(lower) ? text : this.sensitive.render(text);
    }
    return rendered;
  }

  private renderedResponseBody(redactor?: CredentialRedactor): string | undefined {
    const body = this.responseBody;
    if (!body) return undefined;
    const raw = body.subarray(0, MAX_TRACED_BODY).toString('utf8');
    const text = redactor ? redactor.text(raw) : raw;
    return this.sensitive.render(body.length > MAX_TRACED_BODY ? `${text}… (${body.length} bytes)` : text);
  }

  private durationMs(): number {
    return Math.round((performance.now() - this.started) * 1000) / 1000;
  }

  /**
   * `redactor` keeps the call's credentials out of the rendered response body and query values;
   * `since` is the performance.now() the start is counted from (the root invocation's start).
   */
  traced(error?: Record<string, unknown>, redactor?: CredentialRedactor, since?: number): TracedCall {
    const requestBody = bodyText(this.body);
    const responseBody = this.renderedResponseBody(redactor);
    const requestHeaders = this.renderedHeaders(this.requestHeaders, redactor);
    const responseHeaders = this.renderedHeaders(this.responseHeaders, redactor);
    return {
      serviceId: this.serviceId,
      method: this.method,
      url: this.url,
      pathParams: Object.fromEntries(Object.entries(this.pathParams).map(([k, v]) => [k, this.sensitive.render(String(v))])),
      query: this.renderedQuery(redactor),
      ...(requestHeaders ? { requestHeaders } : {}),
      ...(requestBody !== undefined ? { requestBody: this.sensitive.render(redactor ? redactor.text(requestBody) : requestBody) } : {}),
      ...(this.status !== undefined ? { status: this.status, statusText: this.statusText } : {}),
      ...(responseHeaders ? { responseHeaders } : {}),
      ...(responseBody !== undefined ? { responseBody } : {}),
      durationMs: this.durationMs(),
      ...(since !== undefined ? { startMs: Math.round(Math.max(0, this.started - since) * 1000) / 1000 } : {}),
      ...(this.cached ? { cached: true as const } : {}),
      attempts: this.cached ? 0 : Math.max(1, this.attempts.length),
      attemptLog: this.attempts,
      ...(error ? { error: { name: String(error.name), code: error.code === undefined ? undefined : String(error.code), message: String(error.message) } } : {}),
    };
  }

  /** The log line: no bodies, no query values. */
  logFields(error?: Record<string, unknown>): Record<string, unknown> {
    return {
      serviceId: this.serviceId,
      method: this.method,
      url: this.url,
      status: this.status,
      durationMs: this.durationMs(),
      ...(this.cached ? { cached: true } : {}),
      attempt: this.cached ? 0 : Math.max(1, this.attempts.length),
      ...(error ? { error: String(error.name), code: error.code } : {}),
    };
  }
}
