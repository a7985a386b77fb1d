// A request as a test case describes it: service id, method, the path relative
// to the service URL, the query without credentials, and the body decoded by
// its content type. Shared by the offline transport (matching) and the
// recorder (writing cases), so what is recorded is exactly what is matched.
import type { HttpRequest } from '../http/service-client.js';
import { authQueryNames } from '../http/auth/static-auth.js';
import type { ServiceConfig } from '../services/types.js';

export interface RequestView {
  serviceId: string;
  method: string;
  /** relative to the service URL, segments decoded: 'customers/42' ('' for the service URL itself) */
  path: string;
  /** the whole URL path, segments decoded: '/api/v2/customers/42' */
  fullPath: string;
  /** name → values in order; the service's credential parameters are left out */
  query: Record<string, string[]>;
  /** lower-case names */
  headers: Record<string, string>;
  /** undefined when no body was sent; JSON → value, form-urlencoded → object, else text */
  body?: unknown;
}

/** Percent-decodes each segment, so `A%2F1` and a case's `A%2F1` compare equal to what a script passed. */
export function decodeSegments(path: string): string {
  return path.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }).join('/');
}

/** The service URL's path as a pattern: `{placeholder}` segments match any one segment. */
function basePattern(serviceUrl: string): RegExp {
  const rawPath = serviceUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '').replace(/\/+$/, '');
  const parts = rawPath.split(/(\{[^{}]*\})/).map((part) => (/^\{[^{}]*\}$/.test(part) ? '[^/]*' : escapeRegExp(encodeURI(part))));
  return new RegExp(`^${parts.join('')}(?=/|$)`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function relativePath(service: ServiceConfig, url: URL): string {
  const match = basePattern(service.url).exec(url.pathname);
  if (!match) return url.pathname;
  return decodeSegments(url.pathname.slice(match[0].length).replace(/^\//, ''));
}

/** Query parameters the configuration adds (credentials, defaults): not the script's, so not part of a case. */
export function configuredQueryNames(service: ServiceConfig): Set<string> {
  return new Set([...authQueryNames(service.auth), ...Object.keys(service.queryParams ?? {})]);
}

export function queryOf(url: URL, leaveOut: ReadonlySet<string>): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    if (!leaveOut.has(name)) (query[name] ??= []).push(value);
  }
  return query;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonMedia(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || type.endsWith('+json');
}

export function isTextMedia(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml') || type === 'application/x-www-form-urlencoded';
}

/** Decodes a request body the way a test case writes it. */
export function decodeRequestBody(body: string | Buffer | undefined, contentType: string | undefined): unknown {
  if (body === undefined) return undefined;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (isJsonMedia(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (mediaType(contentType) === 'application/x-www-form-urlencoded') {
    const form: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(text)) {
      const had = form[name];
      form[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    return form;
  }
  return text;
}

export function viewRequest(service: ServiceConfig, request: HttpRequest): RequestView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    serviceId: service.id,
    method: request.method.toUpperCase(),
    path: relativePath(service, request.url),
    fullPath: decodeSegments(request.url.pathname),
    query: queryOf(request.url, configuredQueryNames(service)),
    headers,
    body: decodeRequestBody(request.body, headers['content-type']),
  };
}

/** `GET crm customers?pesel=1` — for messages. */
export function describeView(view: Pick<RequestView, 'serviceId' | 'method' | 'path' | 'query'>): string {
  const search = new URLSearchParams();
  for (const [name, values] of Object.entries(view.query)) for (const value of values) search.append(name, value);
  const query = search.toString();
  return `${view.method} ${view.serviceId} ${view.path === '' ? '(service URL)' : view.path}${query ? `?${query}` : ''}`;
}

/**
 * Is this request the OAuth2 token request of the service? Such requests are
 * configuration, not the script's: answered offline, never recorded.
 */
export function isTokenRequest(service: ServiceConfig, url: URL): boolean {
  if (service.auth.type !== 'oauth2') return false;
  try {
    const token = new URL(service.auth.tokenUrl);
    return token.origin === url.origin && token.pathname === url.pathname;
  } catch {
    return false;
  }
}
