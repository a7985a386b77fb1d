// Outbound HTTP(S) proxies: ServiceConfig.proxy (SPEC §4.4).
//
// WHICH PROXY (proxy-routing.ts)
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
//    undici's EnvHttpProxyAgent is not used for this: its NO_PROXY knows no
//    IP ranges (CIDRs), an https:// target falls back to HTTP_PROXY, a value
//    without a scheme is refused, and NO_PROXY is re-read on every request.
//
// HOW (ProxyDispatcher below: one per service client, routing each request)
//  * https:// target: undici's ProxyAgent (proxy-tunnel.ts): `CONNECT
//    host:port`, then TLS to the target through the tunnel: end to end,
//    certificates verified, the service's tls settings (ca, client
//    certificate, minVersion) apply to the TARGET exactly as without a proxy.
//    The proxy sees host:port and encrypted bytes only.
//  * http:// target: a forward-proxy request (`GET http://host:port/path`), not
//    CONNECT: that is what HTTP_PROXY means, and what proxies allow by default
//    (many refuse CONNECT to anything but 443). Proxy-Authorization is added to
//    each request; a 407 answer is PROXY_REFUSED, any other status is the
//    response (a proxy's 502 cannot be told from the service's). This is our
//    own (an Agent whose connections go to the proxy, absolute-form paths), not
//    ProxyAgent's `proxyTunnel: false`, which forwards through http:// proxies
//    only (an https:// one gets CONNECT), turns a 407 into an argument error
//    without its reason, and dials the proxy without knowing the target, so
//    the target could not be checked before each connection.
//  * An https:// proxy is reached over TLS, verified against Node's roots plus
//    the service's tls.ca; the service's client certificate is NOT shown to it.
//  * Keep-alive: a tunnel (or forward connection) is pooled per target origin,
//    with the same Agent options as a direct connection; the response-size cap
//    and the read timeout are enforced above (service-client.ts), unchanged.
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
// ERRORS (HttpCallError, proxy-errors.ts; messages name the proxy by
// scheme://host:port, never its credentials, and never print the configured
// URL or header values)
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
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { Agent, buildConnector, Dispatcher, errors } from 'undici';
import { startConnectAttempt } from './connect-attempt.js';
import { createConnector, createSecureContext, type Connector, type ConnectorOptions, type LookupAll } from './connector.js';
import { httpCallError } from './errors.js';
import { isAddressAllowed, type NetworkPolicy } from './network-policy.js';
import { proxyConnectTimeout, proxyUnreachable } from './proxy-errors.js';
import { authority, defaultPort, proxyFor, unbracket, type ProxyEndpoint, type ProxyRouter } from './proxy-routing.js';
import { createTunnelAgent } from './proxy-tunnel.js';

// What decides which proxy a call uses lives in proxy-routing.ts; re-exported for callers of this module.
export { createProxyRouter, matchesNoProxy, parseNoProxy, parseProxyUrl, proxyFor, type NoProxyRule, type ProxyEndpoint, type ProxyRouter } from './proxy-routing.js';

export interface ProxyConnectorOptions extends ConnectorOptions {
  router: ProxyRouter;
}

export interface ProxyDispatcherOptions extends ProxyConnectorOptions {
  /** keep-alive and timeouts of every pool, direct or through the proxy */
  agent: Agent.Options;
}

/**
 * The dispatcher of a service with a proxy: each request goes direct (the
 * normal connector), forwarded to the proxy (http://) or through a
 * ProxyAgent tunnel (https://), as the router says.
 */
export class ProxyDispatcher extends Dispatcher {
  readonly #options: ProxyDispatcherOptions;
  readonly #connections: ProxyConnections;
  readonly #direct: Agent;
  readonly #forward = new Map<ProxyEndpoint, Agent>();
  readonly #tunnel = new Map<ProxyEndpoint, Dispatcher>();
  #closed = false;

  constructor(options: ProxyDispatcherOptions) {
    super();
    this.#options = options;
    // Builds the TLS context and checks allowCidrs: bad settings fail here, not per call.
    this.#direct = new Agent({ ...options.agent, connect: createConnector(options) });
    this.#connections = new ProxyConnections(options);
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#closed) throw new errors.ClientClosedError();
    const url = new URL(String(opts.origin));
    const proxy = proxyFor(this.#options.router, url);
    if (!proxy) return this.#direct.dispatch(opts, handler);
    if (url.protocol === 'https:') {
      let agent = this.#tunnel.get(proxy);
      if (!agent) this.#tunnel.set(proxy, (agent = this.#connections.tunnelAgent(proxy, this.#options.agent)));
      // A copy: ProxyAgent adds `host` to the headers object it is given.
      return agent.dispatch({ ...opts, headers: proxyHeaders(opts.headers) }, handler);
    }
    let agent = this.#forward.get(proxy);
    if (!agent) this.#forward.set(proxy, (agent = new Agent({ ...this.#options.agent, connect: this.#connections.forwardConnector(proxy) })));
    return agent.dispatch({ ...opts, path: `${url.origin}${opts.path}`, headers: proxyHeaders(opts.headers, proxy.authorization) }, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.#closed = true;
    const done = Promise.all(this.#all().map((d) => d.close())).then(() => {});
    if (!callback) return done;
    void done.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.#closed = true;
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const done = Promise.all(this.#all().map((d) => d.destroy(err))).then(() => {});
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
    if (!cb) return done;
    void done.then(cb);
  }

  #all(): Dispatcher[] {
    return [this.#direct, ...this.#forward.values(), ...this.#tunnel.values()];
  }
}

/**
 * A connect function for one connection to a service, through the proxy
 * when the router says so: for `scriptcode services check`, which wants the
 * connection itself (tcp, tls), not a request.
 */
export function createProxyConnector(options: ProxyConnectorOptions): Connector {
  const direct = createConnector(options);
  const connections = new ProxyConnections(options);
  return function connect(opts, callback) {
    const protocol = opts.protocol === 'https:' ? 'https:' : 'http:';
    const proxy = options.router.route(protocol, opts.hostname, Number(opts.port) || defaultPort(protocol));
    if (!proxy) direct(opts, callback);
    else if (protocol === 'http:') connections.forwardConnector(proxy)(opts, callback);
    else connections.probeTunnel(proxy, opts, callback);
  };
}

/** The headers of a request through a proxy: a copy, without any Proxy-Authorization but ours. */
function proxyHeaders(headers: Dispatcher.DispatchOptions['headers'], authorization?: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: string | string[] | undefined) => {
    if (value !== undefined && name.toLowerCase() !== 'proxy-authorization') out[name] = value;
  };
  if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  else if (headers && Symbol.iterator in headers) for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>) add(name, value);
  else if (headers) for (const [name, value] of Object.entries(headers)) add(name, value);
  if (authorization) out['proxy-authorization'] = authorization;
  return out;
}

/** How connections through a service's proxies are made: the target check, the dial, the tunnel. */
class ProxyConnections {
  readonly #options: ProxyConnectorOptions;
  readonly #lookup: LookupAll;
  readonly #timeoutOf: () => number;
  readonly #targetTls: tls.SecureContext;
  /** connects to http:// and https:// proxies, made when first needed */
  #tcp?: Connector;
  #tls?: Connector;

  constructor(options: ProxyConnectorOptions) {
    this.#options = options;
    this.#lookup = options.lookup ?? ((hostname) => dnsLookup(hostname, { all: true }));
    const { connectTimeout } = options;
    this.#timeoutOf = typeof connectTimeout === 'function' ? connectTimeout : () => connectTimeout;
    this.#targetTls = createSecureContext(options.serviceId, options.tls);
  }

  /** `guard` replaces the target check and timeout around each tunnel (the connection check adds to it). */
  tunnelAgent(proxy: ProxyEndpoint, agent: Agent.Options, guard = (tunnel: Connector) => this.#guard(proxy, tunnel)): Dispatcher {
    return createTunnelAgent({ serviceId: this.#options.serviceId, proxy, targetTls: this.#targetTls, dial: this.#dial(proxy), guard, agent });
  }

  /** Connections for forward-proxy requests: the target checked, then a connection to the proxy. */
  forwardConnector(proxy: ProxyEndpoint): Connector {
    const dial = this.#dial(proxy);
    const { serviceId } = this.#options;
    return this.#guard(proxy, (opts, callback) =>
      dial(opts, (err, socket) => {
        if (err) callback(proxyUnreachable(serviceId, proxy, authority(unbracket(opts.hostname), opts.port || defaultPort(opts.protocol)), err), null);
        else callback(null, socket);
      }),
    );
  }

  /**
   * One tunnel for the connection check, through the same ProxyAgent code as
   * calls. ProxyAgent opens tunnels only for requests: one is dispatched, and
   * its pool's connection is taken as it is made, before undici writes a
   * byte; undici is told the connect failed, so the request fails unsent.
   */
  probeTunnel(proxy: ProxyEndpoint, opts: buildConnector.Options, callback: buildConnector.Callback): void {
    let deliver: buildConnector.Callback | undefined = callback;
    const taken = new Error('the connection was taken by the connection check');
    const agent = this.tunnelAgent(proxy, {}, (tunnel) => {
      const connect = this.#guard(proxy, tunnel);
      return (connectOpts, cb) =>
        connect(connectOpts, (err, socket) => {
          const to = deliver;
          deliver = undefined;
          if (!to) socket?.destroy();
          else if (err) to(err, null);
          else to(null, socket);
          cb(err ?? taken, null);
        });
    });
    const close = () => void agent.close().catch(() => {});
    const origin = `https://${authority(unbracket(opts.hostname), opts.port || 443)}`;
    agent.dispatch({ origin, path: '/', method: 'GET' }, { onResponseEnd: close, onResponseError: close, onRequestStart() {} });
  }

  /**
   * Wraps how a connection through `proxy` is made: the target is checked
   * first (see the top of this file), and the whole connect is bounded by the
   * connect timeout — our timer, as in connector.ts. Giving up aborts the
   * `signal` handed to `inner` (ProxyAgent passes it to its CONNECT).
   */
  #guard(proxy: ProxyEndpoint, inner: Connector): Connector {
    const { serviceId, network } = this.#options;
    return (opts, callback) => {
      const host = unbracket(opts.hostname);
      const port = Number(opts.port) || defaultPort(opts.protocol);
      const ms = this.#timeoutOf();
      const abort = new AbortController();
      const attempt = startConnectAttempt(callback, {
        timeoutMs: ms,
        timeoutError: () => proxyConnectTimeout({ serviceId, host, port, connectTimeout: ms }, proxy),
        onFailure: (err) => abort.abort(err),
      });
      const { finish } = attempt;
      checkTarget(host, network, this.#lookup).then(
        (refusal) => {
          if (attempt.settled) return;
          if (refusal) finish(httpCallError('BLOCKED_ADDRESS', { serviceId, host, port, address: refusal.address, range: refusal.range }));
          else inner({ ...opts, signal: abort.signal } as buildConnector.Options, (err, sock) => finish(err, sock as Socket | null));
        },
        (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      );
    };
  }

  /** Opens a connection to the proxy (over TLS for an https:// proxy), bounded by the connect timeout. */
  #dial(proxy: ProxyEndpoint): Connector {
    const { tls: config } = this.#options;
    const connect =
      proxy.protocol === 'http:'
        ? (this.#tcp ??= buildConnector({ timeout: 0 }))
        : (this.#tls ??= buildConnector({
            // Node's roots plus the service's CA; never its client certificate.
            secureContext: tls.createSecureContext({
              ca: config.ca ? [...tls.rootCertificates, config.ca] : undefined,
              minVersion: config.minVersion ?? 'TLSv1.2',
            }),
            rejectUnauthorized: true,
            timeout: 0,
          }));
    const target = {
      hostname: proxy.host,
      host: authority(proxy.host, proxy.port),
      protocol: proxy.protocol,
      port: String(proxy.port),
      servername: isIP(proxy.host) === 0 ? proxy.host : undefined,
    };
    return (_opts, callback) => {
      let timer: NodeJS.Timeout | undefined;
      const socket = connect(target, (err, sock) => {
        clearTimeout(timer);
        if (err) callback(err, null);
        else callback(null, sock);
      }) as unknown as Socket; // undici's connector returns the socket; its type says void
      // A proxy that does not answer the TCP (or TLS) handshake: the guard has given up by then, this frees the socket.
      timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), this.#timeoutOf());
    };
  }
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
