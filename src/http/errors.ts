// One error type for everything that can go wrong on the wire, with a stable
// `code` the layers above match on (api.rest.v1 maps `kind` to RestTimeoutError,
// RestConnectionError, RestPolicyError, ...; retry logic matches on `code`).
//
// Messages say what happened and what to do, and name the service and host.
// They never contain credentials: no header values, and URLs are printed as
// origin + path only, because the query string may carry an API key.

export type HttpErrorKind = 'timeout' | 'connection' | 'policy' | 'protocol';

/** Every code and the kind it belongs to. The kind is derived from the code so the two never disagree. */
export const HTTP_ERROR_KINDS = {
  CONNECT_TIMEOUT: 'timeout',
  READ_TIMEOUT: 'timeout',
  /** the caller's AbortSignal fired: the script's time budget ran out */
  DEADLINE: 'timeout',
  DNS_FAILURE: 'connection',
  CONNECTION_REFUSED: 'connection',
  CONNECTION_RESET: 'connection',
  TLS_FAILURE: 'connection',
  SOCKET_ERROR: 'connection',
  /** the configured HTTP proxy refused to connect to the target (answered CONNECT with 407, 403, 502, ...) */
  PROXY_REFUSED: 'connection',
  BLOCKED_ADDRESS: 'policy',
  RESPONSE_TOO_LARGE: 'policy',
  INSECURE_HTTP: 'policy',
  /** the peer spoke broken HTTP (parser error, body shorter than content-length, ...) */
  PROTOCOL_ERROR: 'protocol',
} as const satisfies Record<string, HttpErrorKind>;

export type HttpErrorCode = keyof typeof HTTP_ERROR_KINDS;

/** What the layer that failed knows about the call; everything optional except the service. */
export interface HttpErrorContext {
  serviceId: string;
  /** the request URL; only its origin and path are ever printed */
  url?: URL | string;
  /** how the caller wants the URL printed instead (e.g. with path parameters unfilled: they may be personal data) */
  shownUrl?: string;
  /** host name, when there is no URL (the connector only knows the host) */
  host?: string;
  port?: string | number;
  connectTimeout?: number;
  readTimeout?: number;
  maxResponseBytes?: number;
  /** the IP address refused by the network policy, and its range name */
  address?: string;
  range?: string;
}

export class HttpCallError extends Error {
  override readonly name = 'HttpCallError';
  readonly kind: HttpErrorKind;
  readonly serviceId: string;
  /** host name (or IP literal) the call went to */
  readonly host: string | undefined;
  /** origin + path, never the query string */
  readonly url: string | undefined;
  /** a low-level reason kept for diagnosis, e.g. the OpenSSL reason `UNABLE_TO_VERIFY_LEAF_SIGNATURE` or `ECONNRESET` */
  readonly detail: string | undefined;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    info: { serviceId: string; host?: string; url?: string; detail?: string; cause?: unknown },
  ) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.kind = HTTP_ERROR_KINDS[code];
    this.serviceId = info.serviceId;
    this.host = info.host;
    this.url = info.url;
    this.detail = info.detail;
  }
}

/** `https://host:port/path` — drops user info, query string and fragment (they may hold secrets). */
export function safeUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function hostOf(ctx: HttpErrorContext): string {
  if (ctx.host) return ctx.host;
  if (ctx.url) {
    try {
      return (typeof ctx.url === 'string' ? new URL(ctx.url) : ctx.url).hostname;
    } catch {
      /* fall through */
    }
  }
  return '<unknown host>';
}

function portOf(ctx: HttpErrorContext): string {
  if (ctx.port) return String(ctx.port);
  if (!ctx.url) return '';
  try {
    const u = typeof ctx.url === 'string' ? new URL(ctx.url) : ctx.url;
    return u.port || (u.protocol === 'https:' ? '443' : '80');
  } catch {
    return '';
  }
}

function tlsAdvice(detail: string | undefined): string {
  const d = detail ?? '';
  if (/VERSION|PROTOCOL/i.test(d)) {
    return 'The server and this runtime share no TLS version; check tls.minVersion for the service.';
  }
  if (/ALERT|HANDSHAKE_FAILURE|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA/i.test(d)) {
    return 'The server rejected the handshake; if it requires a client certificate, configure tls.cert + tls.key or tls.pfx for the service.';
  }
  if (/ALTNAME|HOSTNAME/i.test(d)) {
    return "The server's certificate is not valid for this host name; use the host name the certificate was issued for.";
  }
  return "The server's certificate could not be verified; if it is issued by a private CA, add that CA as tls.ca for the service (certificates are always verified).";
}

/** Builds the error for a code with the standard message. */
export function httpCallError(
  code: HttpErrorCode,
  ctx: HttpErrorContext,
  extra: { detail?: string; cause?: unknown } = {},
): HttpCallError {
  const host = hostOf(ctx);
  const url = ctx.shownUrl ?? (ctx.url === undefined ? undefined : safeUrl(ctx.url));
  const target = url ?? host;
  const why = extra.detail ? ` (${extra.detail})` : '';
  let text: string;
  switch (code) {
    case 'CONNECT_TIMEOUT':
      text = `could not connect to ${host} within ${ctx.connectTimeout ?? '?'} ms (connect timeout). Check that the service is reachable from this server, or raise timeouts.connectTimeout.`;
      break;
    case 'READ_TIMEOUT':
      text = `${target} did not send a complete response within ${ctx.readTimeout ?? '?'} ms (read timeout). The service is slow or stuck; check it, or raise timeouts.readTimeout.`;
      break;
    case 'DEADLINE':
      text = `the call to ${target} was stopped because the script's time budget ran out. Give the script more time, or lower the service's timeouts so calls fail sooner.`;
      break;
    case 'DNS_FAILURE':
      text = `the host name ${host} could not be resolved${why}. Check the service URL in scriptcode.yaml and this server's DNS.`;
      break;
    case 'CONNECTION_REFUSED':
      text = `${host}:${portOf(ctx)} refused the connection. The service is down, or the port in the service URL is wrong.`;
      break;
    case 'CONNECTION_RESET':
      text = `the connection to ${host} was closed or reset before the response was complete${why}. The service may have failed, or something in between dropped the connection; try again later.`;
      break;
    case 'TLS_FAILURE':
      text = `the TLS connection to ${host} failed${why}. ${tlsAdvice(extra.detail)}`;
      break;
    case 'SOCKET_ERROR':
      text = `a network error occurred talking to ${host}${why}. Try again later, or check the network between this server and the service.`;
      break;
    case 'PROXY_REFUSED':
      text = `the proxy refused the connection to ${host}:${portOf(ctx)}${why}. Check the service's proxy setting, and that the proxy allows this destination.`;
      break;
    case 'BLOCKED_ADDRESS': {
      const resolved = ctx.address && ctx.address !== host ? `${host} resolves to ${ctx.address}` : `${host} is`;
      text = `${resolved}, a ${ctx.range ?? 'non-public'} address, which the network policy refuses; no connection was made. If the service really is internal, set network.allowPrivate: true or add its range to network.allowCidrs.`;
      break;
    }
    case 'RESPONSE_TOO_LARGE':
      text = `the response from ${target} is larger than maxResponseBytes (${ctx.maxResponseBytes ?? '?'} bytes); the call was stopped. Raise maxResponseBytes for the service if such responses are expected.`;
      break;
    case 'INSECURE_HTTP':
      text = `${target} uses plain http://, which is refused. Use https://, or set allowInsecureHttp: true for the service if it is really needed.`;
      break;
    case 'PROTOCOL_ERROR':
      text = `${host} sent a malformed HTTP response${why}.`;
      break;
  }
  return new HttpCallError(code, `service "${ctx.serviceId}": ${text}`, {
    serviceId: ctx.serviceId,
    host,
    url,
    detail: extra.detail,
    cause: extra.cause,
  });
}

// OpenSSL / Node certificate verification reasons (err.code on the TLS socket error).
const CERT_REASONS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD', 'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH', 'EPROTO',
]);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'EAI_ADDRFAMILY', 'ENODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CLOSED']);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (undici wraps socket errors in `cause`). */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && out.length < 5 && !out.includes(cur as ErrorLike)) {
    out.push(cur as ErrorLike);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

function classify(err: unknown): { code: HttpErrorCode; detail?: string } {
  const links = chain(err);
  // Look at the innermost, most specific cause first.
  for (const e of [...links].reverse()) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (DNS_CODES.has(code)) return { code: 'DNS_FAILURE', detail: code };
    if (code === 'ECONNREFUSED') return { code: 'CONNECTION_REFUSED', detail: code };
    if (CERT_REASONS.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) {
      // `reason` from OpenSSL is shorter than the code for alerts; the code is the stable thing to keep.
      return { code: 'TLS_FAILURE', detail: code === 'EPROTO' ? message.slice(0, 200) : code };
    }
    if (RESET_CODES.has(code)) return { code: 'CONNECTION_RESET', detail: code };
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return { code: 'CONNECT_TIMEOUT', detail: code };
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { code: 'READ_TIMEOUT', detail: code };
    if (e instanceof Error && e.name === 'HTTPParserError') return { code: 'PROTOCOL_ERROR', detail: code || message.slice(0, 120) };
    if (code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || code === 'UND_ERR_HEADERS_OVERFLOW') {
      return { code: 'PROTOCOL_ERROR', detail: code };
    }
    // undici's SocketError: the peer closed the socket while a request was in flight.
    if (code === 'UND_ERR_SOCKET' && /other side closed|closed/i.test(message)) {
      return { code: 'CONNECTION_RESET', detail: 'closed by peer' };
    }
  }
  const first = links[0];
  const code = first && typeof first.code === 'string' ? first.code : undefined;
  return { code: 'SOCKET_ERROR', detail: code };
}

/**
 * Maps an undici / Node error to an HttpCallError. An HttpCallError passes
 * through unchanged (the connector already built it with what it knew).
 */
export function toHttpCallError(err: unknown, ctx: HttpErrorContext): HttpCallError {
  if (err instanceof HttpCallError) return err;
  const { code, detail } = classify(err);
  return httpCallError(code, ctx, { detail, cause: err });
}
