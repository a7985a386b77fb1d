// The errors of a call through a proxy (see proxy.ts). Messages name the
// proxy by its label (scheme://host:port) and where it was configured, never
// its credentials, the configured URL or a header value.
import { HttpCallError, safeUrl, toHttpCallError, type HttpErrorCode, type HttpErrorContext } from './errors.js';
import { authority, type ProxyEndpoint } from './proxy-routing.js';

type TargetContext = HttpErrorContext & { host: string; port: string | number };

function proxyError(
  code: HttpErrorCode,
  serviceId: string,
  text: string,
  info: { host: string; url?: URL | string; shownUrl?: string; detail?: string; cause?: unknown },
): HttpCallError {
  return new HttpCallError(code, `service "${serviceId}": ${text}`, {
    serviceId,
    host: info.host,
    url: info.shownUrl ?? (info.url === undefined ? undefined : safeUrl(info.url)),
    detail: info.detail,
    cause: info.cause,
  });
}

/** The connect timeout of a call through a proxy. */
export function proxyConnectTimeout(ctx: TargetContext, proxy: ProxyEndpoint): HttpCallError {
  return proxyError(
    'CONNECT_TIMEOUT',
    ctx.serviceId,
    `could not connect to ${authority(ctx.host, ctx.port)} through the proxy ${proxy.label} within ${ctx.connectTimeout ?? '?'} ms (connect timeout: reaching the proxy, its answer and the TLS handshake with the service). Check that the proxy is reachable and can reach the service, or raise timeouts.connectTimeout.`,
    { host: ctx.host, url: ctx.url, shownUrl: ctx.shownUrl },
  );
}

function refusalAdvice(status: number, proxy: ProxyEndpoint, authenticate: string | undefined): string {
  if (status === 407) {
    if (authenticate && !/\bbasic\b/i.test(authenticate)) {
      return `The proxy asks for ${authenticate.split(/[\s,]/)[0]} authentication; only Basic (user:password in the proxy URL) is supported.`;
    }
    return proxy.authorization
      ? `The proxy did not accept the user name and password in ${proxy.source}; check them.`
      : `The proxy requires authentication: put user:password in ${proxy.source} (http://user:password@host:port).`;
  }
  if (status === 403) return 'The proxy does not allow this destination; ask its administrator to allow the host and port.';
  if (status === 502 || status === 503 || status === 504 || status === 500) {
    return 'The proxy could not reach the service; check the service URL, and that the proxy can reach it.';
  }
  return `Check ${proxy.source}.`;
}

/** The proxy refused to tunnel (or forward) to the target. `reason` is the proxy's text, shortened and cleaned. */
export function proxyRefused(ctx: TargetContext, proxy: ProxyEndpoint, status: number, reason: string, authenticate?: string): HttpCallError {
  const clean = reason.replace(/[^\x20-\x7e]/g, '').slice(0, 80).trim();
  const detail = clean ? `${status} ${clean}` : String(status);
  return proxyError(
    'PROXY_REFUSED',
    ctx.serviceId,
    `the proxy ${proxy.label} refused the connection to ${authority(ctx.host, ctx.port)}: it answered ${detail}. ${refusalAdvice(status, proxy, authenticate)}`,
    { host: ctx.host, url: ctx.url, shownUrl: ctx.shownUrl, detail },
  );
}

/** The proxy's answer to CONNECT is not HTTP (or not one a tunnel can start after). */
export function malformedConnectAnswer(serviceId: string, proxy: ProxyEndpoint, target: string, what: string, cause?: unknown): HttpCallError {
  return proxyError('PROTOCOL_ERROR', serviceId, `the proxy ${proxy.label} sent a malformed answer to CONNECT ${target} (${what}).`, {
    host: proxy.host,
    detail: what,
    cause,
  });
}

/**
 * A failure to reach or talk to the proxy itself (`target`: host:port of the
 * call, for the message). An error already mapped passes through unchanged.
 */
export function proxyUnreachable(serviceId: string, proxy: ProxyEndpoint, target: string, err: unknown): HttpCallError {
  if (err instanceof HttpCallError) return err;
  const { code, detail } = toHttpCallError(err, { serviceId, host: proxy.host, port: proxy.port });
  const why = detail ? ` (${detail})` : '';
  let text: string;
  switch (code) {
    case 'CONNECTION_REFUSED':
      text = `the proxy ${proxy.label} refused the connection (for a call to ${target}). The proxy is down, or ${proxy.source} names the wrong host or port.`;
      break;
    case 'DNS_FAILURE':
      text = `the proxy host name ${proxy.host} could not be resolved${why}. Check ${proxy.source} and this server's DNS.`;
      break;
    case 'TLS_FAILURE':
      text = `the TLS connection to the proxy ${proxy.label} failed${why}. Its certificate must be valid for ${proxy.host} and issued by a CA Node trusts or by the service's tls.ca.`;
      break;
    case 'CONNECTION_RESET':
      text = `the proxy ${proxy.label} closed the connection${why} before the tunnel to ${target} was open. Check the proxy and ${proxy.source}.`;
      break;
    case 'PROTOCOL_ERROR':
      return malformedConnectAnswer(serviceId, proxy, target, detail ?? 'not HTTP', err);
    default:
      text = `a network error occurred talking to the proxy ${proxy.label}${why} (for a call to ${target}). Check the proxy and ${proxy.source}.`;
  }
  return proxyError(code, serviceId, text, { host: proxy.host, detail, cause: err });
}
