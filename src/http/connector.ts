// The undici `connect` function every service connection goes through. It is
// the one place that decides *where* a socket may go:
//
//  1. resolve the host itself (an IP literal is used as is, no DNS);
//  2. check EVERY resolved address against the network policy before any
//     packet is sent — a name that mixes public and private addresses is
//     refused as a whole, since that is what a rebinding attack looks like;
//  3. dial the checked IP, not the name, so a second DNS answer cannot swap in
//     another address; TLS still uses the original name for SNI and for
//     certificate verification (`servername`).
//
// A `lookup` hook on net.connect would not do: it is skipped for IP literals.
//
// TLS: certificates are always verified (`rejectUnauthorized: true` is not
// configurable). The secure context is built once, so bad TLS material fails
// when the client is created, not on the first call.
//
// The connect timeout covers DNS + TCP + TLS handshake, with our own timer:
// undici's timer starts only at socket creation and would miss a hung lookup.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { buildConnector } from 'undici';
import type { TlsConfig } from '../services/types.js';
import { startConnectAttempt } from './connect-attempt.js';
import { HttpCallError, httpCallError } from './errors.js';
import { isAddressAllowed, parseAllowCidrs, type NetworkPolicy } from './network-policy.js';

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface ConnectorOptions {
  /** for error messages */
  serviceId: string;
  tls: TlsConfig;
  network: NetworkPolicy;
  /** ms for DNS + TCP + TLS; a function is read when each connection starts */
  connectTimeout: number | (() => number);
  /** replaces dns.lookup(host, { all: true }) — for tests and embedders with their own resolver */
  lookup?: LookupAll;
  /** told of each socket as it is dialled, with the checked address (connection checks time the TCP connect with it) */
  onDial?: (socket: Socket, address: string) => void;
}

export type Connector = buildConnector.connector;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

// Errors after which the next resolved address is worth a try (e.g. `localhost`
// resolving to ::1 first while the server listens on 127.0.0.1 only). TLS and
// timeout errors are not: the next address is the same server.
const TRY_NEXT_ADDRESS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/** Builds the TLS secure context of a service once; throws a TLS_FAILURE HttpCallError for unusable material. */
export function createSecureContext(serviceId: string, config: TlsConfig): tls.SecureContext {
  try {
    return tls.createSecureContext({
      // `ca` replaces Node's roots when given, so add the extra CA to them.
      ca: config.ca ? [...tls.rootCertificates, config.ca] : undefined,
      cert: config.cert,
      key: config.key,
      pfx: config.pfx ? Buffer.from(config.pfx, 'base64') : undefined,
      passphrase: config.passphrase,
      minVersion: config.minVersion ?? 'TLSv1.2',
    });
  } catch (err) {
    // OpenSSL's reason names the problem ("bad decrypt", "mac verify failure"), never the material.
    const reason = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 200) : String(err);
    throw new HttpCallError(
      'TLS_FAILURE',
      `service "${serviceId}": the tls settings are unusable (${reason}). Check tls.ca, tls.cert/tls.key/tls.passphrase or tls.pfx (base64 of a PKCS#12 file).`,
      { serviceId, detail: reason, cause: err },
    );
  }
}

export function createConnector(options: ConnectorOptions): Connector {
  const { serviceId, network } = options;
  parseAllowCidrs(network.allowCidrs); // fail at creation, not per connection
  const lookup = options.lookup ?? defaultLookup;
  const timeoutOf = typeof options.connectTimeout === 'function' ? options.connectTimeout : () => options.connectTimeout as number;

  const inner = buildConnector({
    secureContext: createSecureContext(serviceId, options.tls),
    rejectUnauthorized: true,
    // 0 disables undici's own timer: ours below covers the whole connect phase.
    timeout: 0,
  });

  return function connect(opts, callback) {
    const host = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
    const ctx = { serviceId, host, port };
    const ms = timeoutOf();
    let socket: Socket | undefined;
    const attempt = startConnectAttempt(callback, {
      timeoutMs: ms,
      timeoutError: () => httpCallError('CONNECT_TIMEOUT', { ...ctx, connectTimeout: ms }),
      onFailure: () => socket?.destroy(),
    });
    const { finish } = attempt;

    const dial = (addresses: string[], index: number) => {
      const ip = addresses[index];
      // Pin the checked IP; keep the name for SNI and certificate checks (none for IP literals).
      const servername = opts.servername || (isIP(host) === 0 ? host : undefined);
      const result = inner({ ...opts, hostname: ip, servername }, (err, sock) => {
        if (attempt.settled) {
          sock?.destroy();
          return;
        }
        const code = (err as { code?: string } | null)?.code;
        if (err && code && TRY_NEXT_ADDRESS.has(code) && index + 1 < addresses.length) {
          dial(addresses, index + 1);
          return;
        }
        if (err) finish(err);
        else finish(null, sock as Socket);
      }) as unknown as Socket | undefined; // undici's connector returns the socket; its type says void
      socket = result;
      if (result && options.onDial) options.onDial(result, ip);
    };

    const resolve = isIP(host) !== 0 ? Promise.resolve([host]) : lookup(host).then((r) => r.map((a) => a.address));
    resolve.then(
      (addresses) => {
        if (attempt.settled) return;
        if (addresses.length === 0) {
          finish(Object.assign(new Error(`no addresses for ${host}`), { code: 'ENOTFOUND' }));
          return;
        }
        for (const address of addresses) {
          const verdict = isAddressAllowed(address, network);
          if (!verdict.allowed) {
            finish(httpCallError('BLOCKED_ADDRESS', { ...ctx, address, range: verdict.range }));
            return;
          }
        }
        dial(addresses, 0);
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  };
}
