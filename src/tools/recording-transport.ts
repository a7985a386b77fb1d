// The Transport of `scriptcode record`: the real network, plus a note of every
// request and its answer in the terms of a test case. Credentials never get
// into a note: request headers are not recorded at all, the service's
// credential and configured query parameters are left out of the query,
// sensitive response headers are dropped, and every secret value the runtime
// knows (configured credentials, what it sent as credentials, OAuth tokens)
// is replaced wherever it still appears (a service that echoes the request),
// exactly as api.rest.v1 redacts what the script sees (`*****`, same spellings):
// the recorded answers then give offline the output the live run gave.
import { CredentialRedactor } from '../bindings/rest-v1/redact-credentials.js';
import { decodeContent } from '../http/decode-content.js';
import { HttpCallError, type HttpErrorCode } from '../http/errors.js';
import type { HttpRequest, HttpResponse } from '../http/service-client.js';
import { NetworkTransport, type Transport } from '../http/transport.js';
import { MASK } from '../logging/sensitive.js';
import type { ServiceConfig } from '../services/types.js';
import { isJsonMedia, isTextMedia, isTokenRequest, viewRequest, type RequestView } from './request-view.js';

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  bodyBase64?: string;
}

export interface RecordedCall {
  view: Omit<RequestView, 'headers'>;
  response?: RecordedResponse;
  error?: HttpErrorCode;
}

/** Response headers that may carry credentials or session state. */
export const SENSITIVE_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'x-auth-token', 'x-access-token'];
/** Response headers that describe the connection, not the answer. */
const NOISE_HEADERS = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'server', 'x-powered-by', 'via', 'age'];

export const REDACTED = MASK;
/** shorter values would replace ordinary text */
const MIN_SECRET_LENGTH = 4;

export class RecordingTransport implements Transport {
  readonly calls: RecordedCall[] = [];
  private readonly secrets = new Set<string>();
  private readonly dropHeaders: Set<string>;
  private readonly inner: Transport;

  constructor(options: { redactHeaders?: readonly string[]; inner?: Transport } = {}) {
    this.inner = options.inner ?? new NetworkTransport();
    this.dropHeaders = new Set([...SENSITIVE_HEADERS, ...NOISE_HEADERS, ...(options.redactHeaders ?? []).map((h) => h.toLowerCase())]);
  }

  async request(service: ServiceConfig, request: HttpRequest): Promise<HttpResponse> {
    this.learnSecrets(service, request);
    if (isTokenRequest(service, request.url)) {
      const response = await this.inner.request(service, request);
      this.learnToken(response);
      return response;
    }
    // request headers are not part of a recorded case: they are where credentials go
    const { headers: _headers, ...view } = viewRequest(service, request);
    let response: HttpResponse;
    try {
      response = await this.inner.request(service, request);
    } catch (error) {
      if (error instanceof HttpCallError) this.calls.push({ view, error: error.code });
      throw error;
    }
    this.calls.push({ view, response: this.describe(service, request, response) });
    return response;
  }

  private describe(service: ServiceConfig, request: HttpRequest, raw: HttpResponse): RecordedResponse {
    let response = raw;
    try {
      response = decodeContent(raw, service.id, request.url, service.maxResponseBytes);
    } catch {
      /* recorded as sent; the gateway reports the failure to the script */
    }
    const drop = new Set([...this.dropHeaders, ...Object.keys(service.headers ?? {}).map((h) => h.toLowerCase()), ...authHeaderNames(service)]);
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !drop.has(name)));
    const recorded: RecordedResponse = { status: response.status, headers };
    if (response.body.length === 0) return recorded;
    const type = response.headers['content-type'];
    const text = response.body.toString('utf8');
    if (isJsonMedia(type)) {
      try {
        recorded.body = JSON.parse(text) as unknown;
        return recorded;
      } catch {
        /* kept as text below */
      }
    }
    if (isJsonMedia(type) || isTextMedia(type)) recorded.body = text;
    else recorded.bodyBase64 = response.body.toString('base64');
    return recorded;
  }

  private learnSecrets(service: ServiceConfig, request: HttpRequest): void {
    const add = (value: unknown) => {
      if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
    };
    const auth = service.auth as Record<string, unknown>;
    for (const key of ['password', 'token', 'value', 'clientSecret', 'encodedCredentials']) add(auth[key]);
    if (typeof auth.username === 'string' && typeof auth.password === 'string') add(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    for (const value of Object.values(service.headers ?? {})) add(value);
    for (const value of Object.values(service.queryParams ?? {})) add(value);
    for (const value of [service.tls?.key, service.tls?.passphrase, service.tls?.pfx]) add(value);
    // what was actually sent as credentials (an OAuth token, say), without its scheme as the live
    // redaction does (`Bearer *****`)
    for (const name of ['authorization', 'proxy-authorization', ...authHeaderNames(service)]) {
      const sent = request.headers[name] ?? request.headers[name.toLowerCase()];
      if (sent) add(sent.replace(/^\S+\s+/, ''));
    }
  }

  private learnToken(response: HttpResponse): void {
    try {
      const token = (JSON.parse(response.body.toString('utf8')) as { access_token?: unknown }).access_token;
      if (typeof token === 'string' && token.length >= MIN_SECRET_LENGTH) this.secrets.add(token);
    } catch {
      /* not a token answer */
    }
  }

  /** `value` with every known secret replaced (deeply, in every string and key). */
  redact<T>(value: T): T {
    return CredentialRedactor.of(this.secrets).value(value);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

function authHeaderNames(service: ServiceConfig): string[] {
  return service.auth.type === 'apiKey' && service.auth.in === 'header' ? [service.auth.name.toLowerCase()] : [];
}
