// A service as GET /api/services shows it: no credential, no TLS material,
// no static header or query value (any of them may be a key).
import type { AuthConfig, CircuitBreakerConfig, ServiceConfig, TlsConfig } from './types.js';

export interface ServiceSummary {
  id: string;
  url: string;
  auth: AuthConfig['type'];
  timeouts: ServiceConfig['timeouts'];
  retry: ServiceConfig['retry'];
  followRedirects: boolean;
  allowInsecureHttp: boolean;
  network: ServiceConfig['network'];
  circuitBreaker?: CircuitBreakerConfig;
  maxConcurrent?: number;
  maxResponseBytes: number;
  /** 'env', or the proxy URL without its user name and password */
  proxy?: string;
  /** which TLS material is configured (never the material itself) */
  hasTls: { ca: boolean; cert: boolean; key: boolean; passphrase: boolean; pfx: boolean };
  tlsMinVersion: TlsConfig['minVersion'];
  /** what a connection check GETs, when set */
  healthPath?: string;
}

function withoutUserinfo(proxy: string): string {
  try {
    const url = new URL(proxy);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return '(invalid proxy URL)';
  }
}

/**
 * A summary of a service without any secret, for `GET /api/services`: the
 * auth type but no credential, which TLS material is present but none of it,
 * the proxy without credentials. Static headers and query parameters are left
 * out entirely (their values may be keys).
 */
export function describeService(s: ServiceConfig): ServiceSummary {
  return {
    id: s.id,
    url: s.url,
    auth: s.auth.type,
    timeouts: { ...s.timeouts },
    retry: { attempts: s.retry.attempts, ...(s.retry.methods && { methods: [...s.retry.methods] }) },
    followRedirects: s.followRedirects,
    allowInsecureHttp: s.allowInsecureHttp,
    network: { allowPrivate: s.network.allowPrivate, allowCidrs: [...s.network.allowCidrs] },
    ...(s.circuitBreaker && { circuitBreaker: { ...s.circuitBreaker } }),
    ...(s.maxConcurrent !== undefined && { maxConcurrent: s.maxConcurrent }),
    maxResponseBytes: s.maxResponseBytes,
    proxy: s.proxy ? (s.proxy === 'env' ? 'env' : withoutUserinfo(s.proxy)) : undefined,
    hasTls: {
      ca: s.tls.ca !== undefined,
      cert: s.tls.cert !== undefined,
      key: s.tls.key !== undefined,
      passphrase: s.tls.passphrase !== undefined,
      pfx: s.tls.pfx !== undefined,
    },
    tlsMinVersion: s.tls.minVersion,
    ...(s.healthPath !== undefined && { healthPath: s.healthPath }),
  };
}
