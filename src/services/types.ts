// A service as the runtime uses it (SPEC §4.4): fully resolved — defaults
// applied, secret references replaced, URL chaining done. Produced by
// src/services/ from scriptcode.yaml, consumed by src/http/ and api.rest.v1.

export type AuthConfig =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'basic'; encodedCredentials: string }
  | { type: 'bearer'; token: string }
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: string }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      clientAuth: 'basic' | 'post';
    };

export type AuthType = AuthConfig['type'];

export interface TlsConfig {
  /** extra trusted CA certificates, PEM text */
  ca?: string;
  /** client certificate + key for mutual TLS, PEM text */
  cert?: string;
  key?: string;
  passphrase?: string;
  /** PKCS#12 bundle for mutual TLS, base64 text */
  pfx?: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface RetryConfig {
  /** total tries, 1 = no retry */
  attempts: number;
  /** methods retried besides the idempotent ones; default GET, HEAD, OPTIONS, PUT, DELETE */
  methods?: string[];
}

export interface CircuitBreakerConfig {
  failureThreshold: number;
  resetAfterMs: number;
}

export interface ServiceConfig {
  id: string;
  /** absolute http(s) URL; may contain {placeholders} filled from pathParams */
  url: string;
  auth: AuthConfig;
  timeouts: { connectTimeout: number; readTimeout: number };
  retry: RetryConfig;
  tls: TlsConfig;
  allowInsecureHttp: boolean;
  network: { allowPrivate: boolean; allowCidrs: string[] };
  followRedirects: boolean;
  circuitBreaker?: CircuitBreakerConfig;
  maxConcurrent?: number;
  /** at most `requests` requests (attempts) in any `perSeconds` window, per process */
  rateLimit?: { requests: number; perSeconds: number };
  /** GET answers kept and served again (http/response-cache.ts); off when absent */
  cache?: { ttlSeconds: number; maxEntries: number; maxEntryBytes: number };
  maxResponseBytes: number;
  /** static headers sent on every call */
  headers: Record<string, string>;
  /** default query parameters sent on every call */
  queryParams: Record<string, string>;
  /** an HTTP(S) proxy URL, or 'env' for HTTPS_PROXY/NO_PROXY */
  proxy?: string;
  /** path of an endpoint `services check` GETs: from the host's root when it starts with '/', else relative to the url */
  healthPath?: string;
}

export const SERVICE_DEFAULTS = {
  timeouts: { connectTimeout: 5_000, readTimeout: 30_000 },
  retry: { attempts: 1 },
  tls: { minVersion: 'TLSv1.2' as const },
  allowInsecureHttp: false,
  network: { allowPrivate: false, allowCidrs: [] as string[] },
  followRedirects: false,
  maxResponseBytes: 5 * 1024 * 1024,
};
