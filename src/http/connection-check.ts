// "Test a connection" (SPEC §6 POST /api/services/{id}/check, `scriptcode
// services check`): walks the way a call to a service goes, one step at a
// time, and says where it stops:
//
//   dns     the service host resolved (an IP literal needs nothing)
//   policy  every address against the service's network policy (network-policy.ts)
//   tcp     a TCP connection to the checked address
//   tls     the TLS handshake (https only): certificate subject, issuer,
//           validity, whether it was verified
//   token   an OAuth2 token fetched (auth: oauth2 only; the token is never shown)
//   health  GET healthPath with the service's credentials (when set)
//
// tcp and tls go through the very connector every call uses (connector.ts,
// or proxy.ts when a proxy applies): same DNS, policy check on the address
// dialled, pinned IP, TLS settings, verification always on. When
// verification fails, the certificate is read in a second handshake with
// verification off, to the same already-checked address and with no request
// sent, so the answer can say who the server claims to be.
//
// Each step is `ok`, `failed` or `skipped` (with the reason), with its time.
// Nothing here ever puts a secret in the result: errors are HttpCallError /
// OAuth2Error messages (origin + path, codes, never credentials), the token
// and the health answer's body are not shown.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import type { ServiceConfig } from '../services/types.js';
import { OAuth2Error, OAuth2Tokens } from './auth/oauth2.js';
import { staticCredentials } from './auth/static-auth.js';
import { createConnector, createSecureContext, type Connector, type LookupAll } from './connector.js';
import { HttpCallError, httpCallError, safeUrl, toHttpCallError } from './errors.js';
import { isAddressAllowed } from './network-policy.js';
import { createProxyConnector, createProxyRouter, proxyFor, type ProxyEndpoint } from './proxy.js';
import { ServiceClient } from './service-client.js';

export type CheckStepName = 'dns' | 'policy' | 'tcp' | 'tls' | 'token' | 'health';
export type CheckStatus = 'ok' | 'failed' | 'skipped';

export interface CertificateInfo {
  /** e.g. `CN=crm.example.com` */
  subject: string;
  issuer: string;
  /** ISO dates */
  validFrom: string;
  validTo: string;
  subjectAltName?: string;
  fingerprint256?: string;
  /** the chain and the host name were verified (against the system roots plus tls.ca) */
  verified: boolean;
  /** why verification failed: SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, … */
  verifyError?: string;
  /** TLSv1.3, … (when the handshake succeeded) */
  protocol?: string;
}

export interface CheckStep {
  step: CheckStepName;
  status: CheckStatus;
  durationMs: number;
  /** what was found, or why the step was skipped */
  detail?: string;
  error?: { code: string; message: string };
  /** dns: the addresses the host resolved to */
  addresses?: string[];
  /** tls */
  certificate?: CertificateInfo;
  /** health (and token, when the endpoint answered) */
  httpStatus?: number;
}

export interface ServiceCheckResult {
  service: string;
  /** the service URL, origin and path */
  url: string;
  /** no step failed */
  ok: boolean;
  /** the proxy the connection goes through, without credentials */
  proxy?: string;
  durationMs: number;
  steps: CheckStep[];
}

export interface ConnectionCheckOptions {
  /** replaces dns.lookup (tests) */
  lookup?: LookupAll;
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

const round = (ms: number) => Math.round(ms * 10) / 10;
const since = (start: number) => round(performance.now() - start);

function errorOf(err: unknown, fallback: { serviceId: string; host?: string; port?: string | number }): { code: string; message: string } {
  if (err instanceof HttpCallError || err instanceof OAuth2Error) return { code: err.code, message: err.message };
  const e = toHttpCallError(err, fallback);
  return { code: e.code, message: e.message };
}

/** `CN=localhost, O=Example` from Node's certificate fields. */
function distinguishedName(fields: Record<string, string | string[]> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : value}`)
    .join(', ');
}

function isoDate(text: string | undefined): string {
  const time = text ? Date.parse(text) : NaN;
  return Number.isNaN(time) ? (text ?? '') : new Date(time).toISOString();
}

function certificateInfo(cert: PeerCertificate | undefined, verified: boolean, verifyError?: string, protocol?: string | null): CertificateInfo | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  return {
    subject: distinguishedName(cert.subject as unknown as Record<string, string>),
    issuer: distinguishedName(cert.issuer as unknown as Record<string, string>),
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    ...(cert.subjectaltname && { subjectAltName: cert.subjectaltname }),
    ...(cert.fingerprint256 && { fingerprint256: cert.fingerprint256 }),
    verified,
    ...(verifyError && { verifyError }),
    ...(protocol && { protocol }),
  };
}

/**
 * The certificate a server presents, read with verification off from an
 * address the network policy already allowed; no request is sent. Undefined
 * when the handshake does not get that far.
 */
function peekCertificate(service: ServiceConfig, address: string, port: number, servername: string | undefined): Promise<CertificateInfo | undefined> {
  return new Promise((resolve) => {
    let socket: TLSSocket;
    try {
      socket = tls.connect({
        host: address,
        port,
        servername,
        secureContext: createSecureContext(service.id, service.tls),
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
    } catch {
      resolve(undefined);
      return;
    }
    const done = (info: CertificateInfo | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => done(undefined), service.timeouts.connectTimeout);
    socket.once('secureConnect', () => {
      // a code such as SELF_SIGNED_CERT_IN_CHAIN or ERR_TLS_CERT_ALTNAME_INVALID (typed Error, a string at run time)
      const reason = socket.authorizationError as unknown;
      done(certificateInfo(socket.getPeerCertificate(), socket.authorized, reason ? String((reason as { code?: string }).code ?? reason) : undefined, socket.getProtocol()));
    });
    socket.once('error', () => done(undefined));
  });
}

/** The health URL: from the host's root for '/…', else below the service url. */
function healthUrl(service: ServiceConfig, path: string): URL | string {
  if (path.startsWith('/')) return new URL(path, new URL(service.url).origin);
  if (/\{[A-Za-z_][A-Za-z0-9_]*\}/.test(service.url)) {
    return `the service url has {placeholders}: give healthPath from the host's root (starting with /)`;
  }
  return new URL(`${service.url.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}

interface Connected {
  socket?: Socket;
  /** when the TCP connection stood (undefined: not observed, e.g. through a proxy tunnel) */
  tcpAt?: number;
  error?: unknown;
}

function connectOnce(connect: Connector, url: URL, onDial: { at?: number }): Promise<Connected> {
  return new Promise((resolve) => {
    const result: Connected = {};
    connect(
      { hostname: url.hostname, host: url.host, protocol: url.protocol, port: url.port, servername: undefined } as Parameters<Connector>[0],
      (err, socket) => {
        result.tcpAt = onDial.at;
        if (err) result.error = err;
        else result.socket = socket as Socket;
        resolve(result);
      },
    );
  });
}

/** Checks one service step by step; never throws for what the network does. */
export async function checkServiceConnection(service: ServiceConfig, options: ConnectionCheckOptions = {}): Promise<ServiceCheckResult> {
  const started = performance.now();
  const steps: CheckStep[] = [];
  const add = (step: CheckStep) => steps.push(step);
  const skip = (step: CheckStepName, detail: string) => add({ step, status: 'skipped', durationMs: 0, detail });
  const lookup = options.lookup ?? defaultLookup;

  const url = new URL(service.url);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const ctx = { serviceId: service.id, host, port };
  let proxy: ProxyEndpoint | undefined;
  let router: ReturnType<typeof createProxyRouter> | undefined;
  try {
    router = service.proxy ? createProxyRouter(service.id, service.proxy) : undefined;
    proxy = proxyFor(router, url);
  } catch {
    router = undefined; // a bad proxy setting fails the connect step below with its own message
  }

  // dns
  let addresses: string[] | undefined;
  if (isIP(host) !== 0) {
    addresses = [host];
    add({ step: 'dns', status: 'skipped', durationMs: 0, detail: `the url names the address ${host}: nothing to resolve`, addresses });
  } else {
    const t = performance.now();
    try {
      const found = await withTimeout(lookup(host), service.timeouts.connectTimeout, () => httpCallError('CONNECT_TIMEOUT', { ...ctx, connectTimeout: service.timeouts.connectTimeout }));
      addresses = [...new Set(found.map((a) => a.address))];
      if (addresses.length === 0) throw Object.assign(new Error(`no addresses for ${host}`), { code: 'ENOTFOUND' });
      add({ step: 'dns', status: 'ok', durationMs: since(t), detail: `${host} resolves to ${addresses.join(', ')}`, addresses });
    } catch (err) {
      addresses = undefined;
      const code = (err as { code?: unknown }).code;
      const error = err instanceof HttpCallError ? err : httpCallError('DNS_FAILURE', ctx, { detail: typeof code === 'string' ? code : undefined });
      add({
        step: 'dns', status: 'failed', durationMs: since(t),
        error: { code: error.code, message: error.message },
        ...(proxy && { detail: `${proxy.label} may still resolve it: the connection goes through that proxy` }),
      });
    }
  }

  // policy
  let policyOk = false;
  if (!addresses) {
    skip('policy', proxy ? 'the host did not resolve here: the proxy decides where it goes' : 'no address to check');
    policyOk = proxy !== undefined;
  } else {
    const t = performance.now();
    const verdicts = addresses.map((address) => ({ address, ...isAddressAllowed(address, service.network) }));
    const refused = verdicts.find((v) => !v.allowed);
    const described = verdicts.map((v) => `${v.address} (${v.range ?? 'unknown'})`).join(', ');
    if (refused) {
      const error = httpCallError('BLOCKED_ADDRESS', { ...ctx, address: refused.address, range: refused.range });
      add({ step: 'policy', status: 'failed', durationMs: since(t), detail: `${described}: refused`, error: { code: error.code, message: error.message } });
    } else {
      policyOk = true;
      const why = verdicts.every((v) => v.range === 'unicast') ? 'public' : service.network.allowPrivate ? 'allowed by network.allowPrivate' : 'allowed by network.allowCidrs';
      add({ step: 'policy', status: 'ok', durationMs: since(t), detail: `${described}: ${why}` });
    }
  }

  // tcp + tls, through the connector every call uses
  let reachable = false;
  const https = url.protocol === 'https:';
  if (!policyOk) {
    const why = addresses ? 'refused by the network policy: no connection was made' : 'the host did not resolve: nothing to connect to';
    skip('tcp', why);
    skip('tls', https ? why : 'plain http://');
  } else {
    const dial: { at?: number; address?: string } = {};
    let connect: Connector | undefined;
    let setupError: unknown;
    try {
      const connectorOptions = {
        serviceId: service.id,
        tls: service.tls,
        network: service.network,
        connectTimeout: service.timeouts.connectTimeout,
        lookup: options.lookup,
        onDial: (socket: Socket, address: string) => {
          dial.address = address;
          socket.once('connect', () => {
            dial.at = performance.now();
          });
        },
      };
      connect = router ? createProxyConnector({ ...connectorOptions, router }) : createConnector(connectorOptions);
    } catch (err) {
      setupError = err;
    }
    if (!connect) {
      const error = errorOf(setupError, ctx);
      skip('tcp', 'the service settings cannot make a connection (see tls)');
      add({ step: 'tls', status: 'failed', durationMs: 0, error });
    } else {
      const t = performance.now();
      const outcome = await connectOnce(connect, url, dial);
      const end = performance.now();
      const where = `${dial.address ?? host}:${port}${proxy ? ` through ${proxy.label}` : ''}`;
      if (outcome.socket) {
        reachable = true;
        add({ step: 'tcp', status: 'ok', durationMs: round((outcome.tcpAt ?? end) - t), detail: `connected to ${where}${outcome.tcpAt === undefined && https ? ' (time includes the TLS handshake)' : ''}` });
        if (https) {
          const socket = outcome.socket as TLSSocket;
          const certificate = certificateInfo(socket.getPeerCertificate?.(), socket.authorized !== false, undefined, socket.getProtocol?.());
          add({ step: 'tls', status: 'ok', durationMs: outcome.tcpAt === undefined ? 0 : round(end - outcome.tcpAt), detail: 'certificate verified', ...(certificate && { certificate }) });
        } else {
          skip('tls', 'plain http:// (allowInsecureHttp)');
        }
        outcome.socket.destroy();
      } else {
        const error = errorOf(outcome.error, ctx);
        const tlsFailed = error.code === 'TLS_FAILURE' || (outcome.tcpAt !== undefined && https && error.code !== 'CONNECT_TIMEOUT');
        const timedOutInTls = error.code === 'CONNECT_TIMEOUT' && outcome.tcpAt !== undefined && https;
        if (tlsFailed || timedOutInTls) {
          add({ step: 'tcp', status: 'ok', durationMs: round((outcome.tcpAt ?? end) - t), detail: `connected to ${where}` });
          const certificate = !proxy && dial.address ? await peekCertificate(service, dial.address, port, isIP(host) === 0 ? host : undefined) : undefined;
          add({ step: 'tls', status: 'failed', durationMs: outcome.tcpAt === undefined ? 0 : round(end - outcome.tcpAt), error, ...(certificate && { certificate }) });
        } else {
          add({ step: 'tcp', status: 'failed', durationMs: round(end - t), error });
          skip('tls', https ? 'no TCP connection' : 'plain http://');
        }
      }
    }
  }

  // token
  let token: string | undefined;
  let tokenFailed = false;
  if (service.auth.type !== 'oauth2') {
    skip('token', `auth is ${service.auth.type}: no token to fetch`);
  } else {
    const t = performance.now();
    const tokens = new OAuth2Tokens();
    try {
      token = await tokens.token(service, { signal: new AbortController().signal, timeoutMs: service.timeouts.connectTimeout + service.timeouts.readTimeout });
      const expires = tokens.state(service).expiresInMs;
      add({ step: 'token', status: 'ok', durationMs: since(t), detail: `a token was issued${expires === undefined ? '' : ` (valid for ${Math.round(expires / 1000)} s)`}; it is not shown` });
    } catch (err) {
      tokenFailed = true;
      add({
        step: 'token', status: 'failed', durationMs: since(t), error: errorOf(err, { serviceId: service.id }),
        ...(err instanceof OAuth2Error && err.status !== undefined && { httpStatus: err.status }),
      });
    } finally {
      await tokens.close();
    }
  }

  // health
  if (service.healthPath === undefined) {
    skip('health', 'no healthPath set for the service (e.g. healthPath: /health)');
  } else if (!reachable) {
    skip('health', 'the service could not be reached');
  } else if (tokenFailed) {
    skip('health', 'no token to authenticate with');
  } else {
    const target = healthUrl(service, service.healthPath);
    if (typeof target === 'string') {
      add({ step: 'health', status: 'failed', durationMs: 0, error: { code: 'INVALID_HEALTH_PATH', message: `service "${service.id}": ${target}` } });
    } else {
      add(await health(service, target, token, options));
    }
  }

  return {
    service: service.id,
    url: safeUrl(service.url),
    ok: steps.every((s) => s.status !== 'failed'),
    ...(proxy && { proxy: proxy.label }),
    durationMs: since(started),
    steps,
  };
}

async function health(service: ServiceConfig, url: URL, token: string | undefined, options: ConnectionCheckOptions): Promise<CheckStep> {
  const t = performance.now();
  const credentials = staticCredentials(service.auth);
  for (const [name, value] of Object.entries(service.queryParams)) if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  for (const [name, value] of Object.entries(credentials.query)) url.searchParams.set(name, value);
  const headers: Record<string, string> = { accept: '*/*' };
  for (const [name, value] of Object.entries(service.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, credentials.headers);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const shown = `GET ${url.pathname}`;
  const client = new ServiceClient(service, { lookup: options.lookup });
  try {
    const response = await client.request({ method: 'GET', url, headers, signal: new AbortController().signal, shownUrl: safeUrl(url) });
    const answer = `${shown} answered ${response.status} ${response.statusText}`.trim();
    if (response.status >= 200 && response.status < 300) return { step: 'health', status: 'ok', durationMs: since(t), httpStatus: response.status, detail: answer };
    return {
      step: 'health', status: 'failed', durationMs: since(t), httpStatus: response.status,
      error: { code: `HTTP_${response.status}`, message: `service "${service.id}": ${answer}${response.status >= 300 && response.status < 400 ? ' (a redirect: healthPath should name the final endpoint)' : ''}` },
    };
  } catch (err) {
    return { step: 'health', status: 'failed', durationMs: since(t), error: errorOf(err, { serviceId: service.id, host: url.hostname }) };
  } finally {
    await client.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
