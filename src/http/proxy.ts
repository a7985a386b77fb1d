// Outbound HTTP(S) proxies: ServiceConfig.proxy (SPEC §4.4).
//
// WHICH PROXY
//  * `proxy: 'http://[user:pass@]host[:port]'` (or https://): every call of the
//    service goes through it. User info becomes `Proxy-Authorization: Basic …`.
//  * `proxy: 'env'`: https:// targets use `https_proxy`/`HTTPS_PROXY`, http://
//    targets `http_proxy`/`HTTP_PROXY` (the lower-case name wins when set, as in
//    curl and undici). There is no fallback from one to the other; unset or
//    empty means direct. A value without a scheme (`proxy:3128`) is http://.
//    `no_proxy`/`NO_PROXY`: comma- or space-separated entries, each a host name
//    (matching the name and its subdomains; a leading `.` or `*.` is ignored),
//    an IP literal or a CIDR, optionally with `:port`; `*` means never proxy.
//    The variables are read when the client is created.
//
// HOW
//  * https:// target: `CONNECT host:port` to the proxy, then TLS to the target
//    through the tunnel: end to end, certificates verified, the service's tls
//    settings (ca, client certificate, minVersion) apply to the TARGET exactly
//    as without a proxy. The proxy sees host:port and encrypted bytes only.
//  * http:// target: a forward-proxy request (`GET http://host:port/path`), not
//    CONNECT: that is what HTTP_PROXY means, and what proxies allow by default
//    (many refuse CONNECT to anything but 443). Proxy-Authorization is added to
//    each request; a 407 answer is PROXY_REFUSED, any other status is the
//    response (a proxy's 502 cannot be told from the service's).
//  * An https:// proxy is reached over TLS, verified against Node's roots plus
//    the service's tls.ca; the service's client certificate is NOT shown to it.
//  * Keep-alive: a tunnel (or forward connection) is pooled per target origin
//    by the same undici Agent as a direct connection; the response-size cap and
//    the read timeout are enforced above (service-client.ts), unchanged.
//
// NETWORK POLICY WITH A PROXY
//  * The proxy's own address is NOT checked: an administrator configured it
//    (scriptcode.yaml or the environment, never a script), it is the address
//    actually dialled, and a proxy on a private address is the normal case.
//  * The TARGET is checked first, before the proxy is even dialled, so a
//    refused target costs no connection and no CONNECT (BLOCKED_ADDRESS):
//      - an IP literal is checked against the service's policy;
//      - a host name is resolved locally; if it resolves, every address must
//        pass, as for a direct connection;
//      - if it does not resolve locally (any lookup error, or no address) it
//        is let through to the proxy: in a corporate network often only the
//        proxy resolves external names. A lookup that does not answer within
//        the connect timeout fails the call (CONNECT_TIMEOUT) instead: a slow
//        answer must not be a way around the check.
//      - `network.allowPrivate: true` leaves nothing to check: no lookup.
//    The proxy may resolve a name differently than we do; what the proxy may
//    reach is the proxy's own policy to enforce.
//  * NO_PROXY targets go direct through the normal connector (full check,
//    checked IP pinned).
//
// ERRORS (HttpCallError; messages name the proxy by scheme://host:port, never
// its credentials, and never print the configured URL or header values)
//  * proxy unreachable: CONNECTION_REFUSED / DNS_FAILURE / TLS_FAILURE /
//    CONNECTION_RESET / SOCKET_ERROR, `host` = the proxy host;
//  * the proxy answers CONNECT with anything but 2xx (407, 403, 502, …), or a
//    forward request with 407: PROXY_REFUSED (kind 'connection'), `host` = the
//    target, `detail` = the proxy's status and reason, e.g. `407 Proxy
//    Authentication Required`;
//  * a malformed answer to CONNECT: PROTOCOL_ERROR;
//  * connect timeout: CONNECT_TIMEOUT naming the target and the proxy (it
//    covers reaching the proxy, its answer to CONNECT and the TLS handshake);
//  * once the tunnel is open, the target's errors are those of a direct call.
import { lookup as dnsLookup } from 'node:dns/promises';
import net, { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { buildConnector } from 'undici';
import { createConnector, createSecureContext, type Connector, type ConnectorOptions, type LookupAll } from './connector.js';
import { HttpCallError, httpCallError, safeUrl, toHttpCallError, type HttpErrorCode, type HttpErrorContext } from './errors.js';
import { isAddressAllowed, type NetworkPolicy } from './network-policy.js';
import { authority, defaultPort, unbracket, type ProxyEndpoint, type ProxyRouter } from './proxy-routing.js';

// What decides which proxy a call uses lives in proxy-routing.ts; re-exported for callers of this module.
export { createProxyRouter, matchesNoProxy, parseNoProxy, parseProxyUrl, proxyFor, type NoProxyRule, type ProxyEndpoint, type ProxyRouter } from './proxy-routing.js';

// ---------------------------------------------------------------------------
// Errors

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
export function proxyConnectTimeout(ctx: HttpErrorContext & { host: string; port: string | number }, proxy: ProxyEndpoint): HttpCallError {
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
export function proxyRefused(
  ctx: HttpErrorContext & { host: string; port: string | number },
  proxy: ProxyEndpoint,
  status: number,
  reason: string,
  authenticate?: string,
): HttpCallError {
  const clean = reason.replace(/[^\x20-\x7e]/g, '').slice(0, 80).trim();
  const detail = clean ? `${status} ${clean}` : String(status);
  return proxyError(
    'PROXY_REFUSED',
    ctx.serviceId,
    `the proxy ${proxy.label} refused the connection to ${authority(ctx.host, ctx.port)}: it answered ${detail}. ${refusalAdvice(status, proxy, authenticate)}`,
    { host: ctx.host, url: ctx.url, shownUrl: ctx.shownUrl, detail },
  );
}

/** A failure to reach or talk to the proxy itself. */
function proxyUnreachable(serviceId: string, proxy: ProxyEndpoint, target: string, err: unknown): HttpCallError {
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
    default:
      text = `a network error occurred talking to the proxy ${proxy.label}${why} (for a call to ${target}). Check the proxy and ${proxy.source}.`;
  }
  return proxyError(code, serviceId, text, { host: proxy.host, detail, cause: err });
}

// ---------------------------------------------------------------------------
// Forward-proxy requests (http:// targets)

/** The path and headers of a request sent to a forward proxy: absolute URL, our Proxy-Authorization. */
export function forwardRequest(
  proxy: ProxyEndpoint,
  url: URL,
  headers: Record<string, string>,
): { path: string; headers: Record<string, string> } {
  const out = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'proxy-authorization'));
  if (proxy.authorization) out['proxy-authorization'] = proxy.authorization;
  return { path: `${url.origin}${url.pathname}${url.search}`, headers: out };
}

// ---------------------------------------------------------------------------
// The connector

export interface ProxyConnectorOptions extends ConnectorOptions {
  router: ProxyRouter;
}

const MAX_CONNECT_RESPONSE_HEAD = 16 * 1024;

/**
 * An undici `connect` function that sends each connection through the proxy
 * the router names (see the top of this file), and the others through the
 * normal policy-checking connector.
 */
export function createProxyConnector(options: ProxyConnectorOptions): Connector {
  const { serviceId, network, router } = options;
  // Builds the TLS context and checks allowCidrs: bad settings fail here, not per call.
  const direct = createConnector(options);
  const lookup: LookupAll = options.lookup ?? ((hostname) => dnsLookup(hostname, { all: true }));
  const timeoutOf = typeof options.connectTimeout === 'function' ? options.connectTimeout : () => options.connectTimeout as number;
  const targetTls = buildConnector({
    secureContext: createSecureContext(serviceId, options.tls),
    rejectUnauthorized: true,
    timeout: 0,
  });
  let proxyContext: tls.SecureContext | undefined;
  const proxyTlsContext = () =>
    (proxyContext ??= tls.createSecureContext({
      ca: options.tls.ca ? [...tls.rootCertificates, options.tls.ca] : undefined,
      minVersion: options.tls.minVersion ?? 'TLSv1.2',
    }));

  return function connect(opts, callback) {
    const host = unbracket(opts.hostname);
    const protocol = opts.protocol === 'https:' ? 'https:' : 'http:';
    const port = Number(opts.port) || defaultPort(protocol);
    const proxy = router.route(protocol, host, port);
    if (!proxy) {
      direct(opts, callback);
      return;
    }
    const target = authority(host, port);
    const ms = timeoutOf();
    const sockets: Socket[] = [];
    let done = false;

    const finish = (err: Error | null, sock?: Socket) => {
      if (done) {
        sock?.destroy();
        return;
      }
      done = true;
      clearTimeout(timer);
      if (err) {
        for (const s of sockets) s.destroy();
        callback(err, null);
      } else {
        // As in connector.ts: a fatal TLS alert after the handshake must end the socket at once.
        sock!.on('error', () => sock!.destroy());
        callback(null, sock!);
      }
    };
    const timer = setTimeout(() => finish(proxyConnectTimeout({ serviceId, host, port, connectTimeout: ms }, proxy)), ms);

    const onProxySocket = (socket: Socket) => {
      if (protocol === 'http:') {
        // Forward proxying: the request itself goes to the proxy (see service-client.ts).
        finish(null, socket);
        return;
      }
      sendConnect(socket, (err) => {
        if (done) return;
        if (err) {
          finish(err);
          return;
        }
        const servername = opts.servername || (isIP(host) === 0 ? host : undefined);
        const tlsSocket = targetTls({ ...opts, hostname: host, servername, httpSocket: socket }, (tlsErr, sock) => {
          if (tlsErr) finish(tlsErr);
          else finish(null, sock as Socket);
        }) as unknown as Socket | undefined; // undici's connector returns the socket; its type says void
        if (tlsSocket) {
          sockets.push(tlsSocket);
          // The tunnel's own socket failing must end the TLS connection on it.
          socket.on('error', (e) => tlsSocket.destroy(e));
        }
      });
    };

    checkTarget(host, network, lookup).then(
      (refusal) => {
        if (done) return;
        if (refusal) {
          finish(httpCallError('BLOCKED_ADDRESS', { serviceId, host, port, address: refusal.address, range: refusal.range }));
          return;
        }
        const socket =
          proxy.protocol === 'https:'
            ? tls.connect({
                host: proxy.host,
                port: proxy.port,
                servername: isIP(proxy.host) === 0 ? proxy.host : undefined,
                secureContext: proxyTlsContext(),
                rejectUnauthorized: true,
                ALPNProtocols: ['http/1.1'],
              })
            : net.connect({ host: proxy.host, port: proxy.port });
        sockets.push(socket);
        socket.setNoDelay(true);
        const onDialError = (err: Error) => finish(proxyUnreachable(serviceId, proxy, target, err));
        socket.once('error', onDialError);
        socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
          socket.off('error', onDialError);
          if (!done) onProxySocket(socket);
        });
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );

    /**
     * Sends `CONNECT host:port` and reads the answer's head. Calls back once:
     * null when the tunnel is open (the socket then carries the target's bytes).
     */
    const sendConnect = (socket: Socket, cb: (err: Error | null) => void): void => {
      let head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n`;
      if (proxy.authorization) head += `Proxy-Authorization: ${proxy.authorization}\r\n`;
      head += '\r\n';
      let received = Buffer.alloc(0);
      let answered = false;

      const settle = (err: Error | null) => {
        if (answered) return;
        answered = true;
        socket.off('readable', onReadable);
        socket.off('error', onError);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        if (err) {
          // Keep a listener: the socket may still emit while it is destroyed.
          socket.on('error', () => {});
          socket.destroy();
        }
        cb(err);
      };
      const onError = (err: Error) => settle(proxyUnreachable(serviceId, proxy, target, err));
      const onEnd = () =>
        settle(proxyUnreachable(serviceId, proxy, target, Object.assign(new Error('closed by the proxy'), { code: 'ECONNRESET' })));
      const onReadable = () => {
        let chunk: Buffer | null;
        while (!answered && (chunk = socket.read() as Buffer | null) !== null) {
          received = Buffer.concat([received, chunk]);
          const end = received.indexOf('\r\n\r\n');
          if (end === -1) {
            if (received.length > MAX_CONNECT_RESPONSE_HEAD) settle(malformed('an answer head larger than 16 KB'));
            continue;
          }
          const lines = received.subarray(0, end).toString('latin1').split('\r\n');
          const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
          if (!status) {
            settle(malformed('no HTTP status line'));
            return;
          }
          const code = Number(status[1]);
          if (code < 200 || code > 299) {
            const authenticate = lines.find((l) => /^proxy-authenticate:/i.test(l))?.slice('proxy-authenticate:'.length).trim();
            settle(proxyRefused({ serviceId, host, port }, proxy, code, status[2] ?? '', authenticate));
            return;
          }
          if (end + 4 < received.length) {
            settle(malformed('data after the CONNECT answer, before the TLS handshake'));
            return;
          }
          settle(null);
          return;
        }
      };
      const malformed = (what: string) =>
        proxyError('PROTOCOL_ERROR', serviceId, `the proxy ${proxy.label} sent a malformed answer to CONNECT ${target} (${what}).`, {
          host: proxy.host,
          detail: what,
        });

      socket.on('readable', onReadable);
      socket.on('error', onError);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
      socket.write(head);
    };
  };
}

/**
 * Checks a proxied target against the network policy (see the top of this
 * file). Resolves to the refused address, or undefined when the target may go
 * to the proxy.
 */
async function checkTarget(host: string, network: NetworkPolicy, lookup: LookupAll): Promise<{ address: string; range?: string } | undefined> {
  if (network.allowPrivate) return undefined;
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host)).map((a) => a.address);
    } catch {
      return undefined; // does not resolve here: the proxy resolves it
    }
  }
  for (const address of addresses) {
    const verdict = isAddressAllowed(address, network);
    if (!verdict.allowed) return { address, range: verdict.range };
  }
  return undefined;
}
