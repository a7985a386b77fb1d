// Headers a script may send (SPEC §4.1): no CR/LF/NUL, no hop-by-hop or
// framing headers, and never the credentials the service's auth adds.
import type { ServiceConfig } from '../../services/types.js';
import { requestError } from './errors.js';

export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  'proxy-authorization', 'proxy-connection', 'expect', 'http2-settings',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

/** Names the service's configured authorization owns. */
export function authHeaderNames(service: ServiceConfig): string[] {
  const auth = service.auth;
  if (auth.type === 'none') return [];
  if (auth.type === 'apiKey') return auth.in === 'header' ? [auth.name.toLowerCase(), 'authorization'] : ['authorization'];
  return ['authorization'];
}

/** The service's static headers with lower-case names. */
export function serviceHeaders(service: ServiceConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(service.headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Static service headers, then the script's (lower-case names); the auth layer
 * adds credentials after this. `fixed` and `reserved` may be computed once per
 * service (serviceHeaders, authHeaderNames); `fixed` is copied, never changed.
 */
export function buildHeaders(
  service: ServiceConfig,
  scriptHeaders: Record<string, string | number | boolean | null>,
  fixed: Readonly<Record<string, string>> = serviceHeaders(service),
  reserved: readonly string[] = authHeaderNames(service),
): Record<string, string> {
  const out: Record<string, string> = { ...fixed };
  for (const rawName of Object.keys(scriptHeaders)) {
    const value = scriptHeaders[rawName];
    if (value === null || value === undefined) continue;
    const name = rawName.toLowerCase();
    const text = String(value);
    if (!TOKEN.test(rawName)) {
      throw requestError(service.id, `api.rest.v1: header name ${JSON.stringify(rawName)} is not a valid HTTP header name`, 'INVALID_HEADER');
    }
    if (BAD_VALUE.test(text)) {
      throw requestError(service.id, `api.rest.v1: header ${rawName} contains CR, LF or NUL characters, which are not allowed`, 'INVALID_HEADER');
    }
    if (FORBIDDEN_HEADERS.has(name)) {
      throw requestError(service.id, `api.rest.v1: header ${rawName} is managed by the runtime and cannot be set by a script`, 'FORBIDDEN_HEADER');
    }
    if (reserved.includes(name)) {
      throw requestError(service.id, `api.rest.v1: header ${rawName} is set by the authorization configured for service '${service.id}' and cannot be set or overridden by a script`, 'FORBIDDEN_HEADER');
    }
    out[name] = text;
  }
  return out;
}
