// https:// targets through a proxy: undici's ProxyAgent (a CONNECT tunnel per
// connection, then TLS end to end with the service's tls settings). What it
// is given, and why:
//  * `requestTls`: the service's secure context, verification on, undici's
//    own 10 s timer off (the connect timeout is ours: see proxy.ts).
//  * `token`: the Proxy-Authorization built from the proxy URL's user info;
//    `uri` is the proxy's label, so no credentials are in anything undici
//    keeps or prints.
//  * `factory`: each target origin's pool (keep-alive per target origin, as
//    a direct connection), its tunnel connect function wrapped by `guard`
//    (the target's network-policy check before the proxy is dialled, and the
//    connect timeout: proxy.ts).
//  * `clientFactory`: the pool that sends CONNECT. It dials the proxy with
//    our dialer (proxy.ts) and turns every failure into the HttpCallError we
//    promise, because ProxyAgent reports them poorly: a refusal becomes
//    `Proxy response (407) !== 200 when HTTP Tunneling` without the reason
//    phrase or Proxy-Authenticate, a 2xx other than 200 is refused, and
//    bytes sent after the answer would be fed to the TLS handshake.
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { Pool, ProxyAgent, type Agent, type Dispatcher } from 'undici';
import type { Connector } from './connector.js';
import { malformedConnectAnswer, proxyRefused, proxyUnreachable } from './proxy-errors.js';
import { unbracket, type ProxyEndpoint } from './proxy-routing.js';

export interface TunnelOptions {
  serviceId: string;
  proxy: ProxyEndpoint;
  /** the service's TLS settings, for the target (never shown to the proxy) */
  targetTls: tls.SecureContext;
  /** opens a connection to the proxy */
  dial: Connector;
  /** wraps the tunnel connect function of each target pool */
  guard: (tunnel: Connector) => Connector;
  /** keep-alive and timeouts of the target pools */
  agent: Agent.Options;
}

export function createTunnelAgent(options: TunnelOptions): ProxyAgent {
  return new ProxyAgent({
    ...options.agent,
    uri: options.proxy.label,
    token: options.proxy.authorization,
    proxyTunnel: true,
    requestTls: { secureContext: options.targetTls, rejectUnauthorized: true, timeout: 0 },
    clientFactory: (origin) => connectClient(origin, options),
    factory: (origin, opts) => new Pool(origin, { ...opts, connect: options.guard((opts as { connect: Connector }).connect) }),
  });
}

/** The pool ProxyAgent sends CONNECT through: ProxyAgent calls only its connect(), close() and destroy(). */
function connectClient(origin: URL, options: TunnelOptions): Dispatcher {
  const { serviceId, proxy } = options;
  const pool = new Pool(origin, { connect: keepStatusLine(options.dial) });
  const send = pool.connect.bind(pool) as (params: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
  const connect = async (params: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> => {
    const target = String(params.path); // host:port
    let answer: Dispatcher.ConnectData;
    try {
      answer = await send(params);
    } catch (err) {
      throw proxyUnreachable(serviceId, proxy, target, err);
    }
    const { statusCode, headers, socket } = answer;
    const fail = (err: Error) => {
      socket.on('error', () => {}).destroy();
      return err;
    };
    if (statusCode < 200 || statusCode > 299) {
      const [, host = target, port = ''] = /^(.*):(\d+)$/.exec(target) ?? [];
      const authenticate = headers['proxy-authenticate'];
      throw fail(proxyRefused({ serviceId, host: unbracket(host), port }, proxy, statusCode, reasonPhrase(socket), Array.isArray(authenticate) ? authenticate[0] : authenticate));
    }
    if (socket.readableLength > 0) throw fail(malformedConnectAnswer(serviceId, proxy, target, 'data after the CONNECT answer, before the TLS handshake'));
    // The guard gives up (connect timeout) by aborting: a TLS handshake still running in the tunnel must end too.
    const signal = params.signal;
    if (signal instanceof AbortSignal) {
      if (signal.aborted) socket.destroy();
      else signal.addEventListener('abort', () => socket.destroy(), { once: true });
    }
    return { ...answer, statusCode: 200 }; // any 2xx opens the tunnel
  };
  pool.connect = connect as typeof pool.connect;
  return pool;
}

/** The status line each proxy connection answered first. */
const statusLines = new WeakMap<Duplex, string>();

/**
 * undici's CONNECT gives the status code and headers, not the reason phrase
 * PROXY_REFUSED reports (`403 Blocked by policy`); it is read here from the
 * bytes undici reads. A 'data' listener on a paused socket sees each chunk
 * undici's read() returns, without changing how undici reads.
 */
function keepStatusLine(dial: Connector): Connector {
  return (opts, callback) =>
    dial(opts, (err, socket) => {
      if (socket) {
        let head = '';
        const onData = (chunk: Buffer) => {
          head += chunk.toString('latin1', 0, 256);
          const end = head.indexOf('\r\n');
          if (end === -1 && head.length < 256) return;
          socket.off('data', onData);
          statusLines.set(socket, end === -1 ? head : head.slice(0, end));
        };
        socket.pause();
        socket.on('data', onData);
      }
      if (err) callback(err, null);
      else callback(null, socket!);
    });
}

function reasonPhrase(socket: Duplex): string {
  return /^HTTP\/\d(?:\.\d)? \d{3} ?(.*)$/.exec(statusLines.get(socket) ?? '')?.[1] ?? '';
}
