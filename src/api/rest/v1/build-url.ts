// The final URL of a call (SPEC §4.1). It can never leave the service's base
// URL: path and placeholder values are checked segment by segment, and the
// result is checked again against the base before anything is sent.
import type { ServiceConfig } from '../../../services/types.js';
import { requestError } from './errors.js';
import type { SendOptions } from './request-options.js';

const PLACEHOLDER = /\{([^{}]*)\}/g;
// RFC 3986 pchar plus '/'
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

function fullyDecoded(segment: string): string {
  let current = segment;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function isTraversal(text: string): boolean {
  return fullyDecoded(text).split(/[/\\]/).some((part) => part === '..' || part === '.');
}

function encodeLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    out += PATH_SAFE.test(ch) ? ch : encodeURIComponent(ch);
  }
  return out;
}

/** Encodes what the script wrote, keeping its own valid %XX escapes and encoding a bare '%'. */
function encodePathText(text: string): string {
  return text.split(/(%[0-9A-Fa-f]{2})/).map((part) => (/^%[0-9A-Fa-f]{2}$/.test(part) ? part : encodeLiteral(part))).join('');
}

function fillPlaceholders(text: string, pathParams: SendOptions['pathParams'], serviceId: string, where: string, used: Set<string>): string {
  return text.replace(PLACEHOLDER, (_whole, name: string) => {
    if (!Object.hasOwn(pathParams, name) || pathParams[name] === null || pathParams[name] === undefined) {
      throw requestError(serviceId, `api.rest.v1: ${where} has the placeholder {${name}} but pathParams.${name} is missing; pass pathParams: { ${name}: … }`);
    }
    const value = String(pathParams[name]);
    if (value === '' || value === '.' || value === '..') {
      throw requestError(serviceId, `api.rest.v1: pathParams.${name} is ${JSON.stringify(value)}; a path parameter must be a non-empty value other than '.' or '..'`);
    }
    used.add(name);
    return encodeURIComponent(value);
  });
}

function checkPath(path: string, serviceId: string): string {
  const refuse = (why: string) => requestError(serviceId, `api.rest.v1: path ${JSON.stringify(path)} is refused: ${why}`, 'INVALID_PATH');
  if (/[\u0000-\u001f\u007f]/.test(path)) throw refuse('it contains control characters');
  if (path.includes('\\')) throw refuse('it contains a backslash');
  if (path.includes('?') || path.includes('#')) throw refuse("'?' and '#' are not allowed in a path; pass query parameters as queryParams: { name: value }");
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) throw refuse('it is an absolute URL; a path is relative to the service URL configured for the service id');
  if (path.includes('//')) throw refuse("'//' is not allowed");
  const relative = path.startsWith('/') ? path.slice(1) : path;
  if (isTraversal(relative)) throw refuse("'.' and '..' segments (also percent-encoded) would leave the service URL");
  return relative;
}

type QueryValue = SendOptions['queryParams'][string];

function appendQuery(search: URLSearchParams, name: string, value: QueryValue): void {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) if (v !== null && v !== undefined) search.append(name, String(v));
}

/**
 * `reservedQuery` are names the host adds itself (an API key in the query):
 * scripts may not set them.
 */
export function buildUrl(service: ServiceConfig, options: SendOptions, reservedQuery: readonly string[] = []): URL {
  const serviceId = service.id;
  const used = new Set<string>();
  const base = new URL(fillPlaceholders(service.url, options.pathParams, serviceId, `the URL of service '${serviceId}'`, used));
  let pathname = base.pathname;
  if (options.path) {
    const relative = checkPath(options.path, serviceId);
    const filled = encodePathText(fillPlaceholders(relative, options.pathParams, serviceId, 'path', used));
    if (filled) pathname = `${pathname.endsWith('/') ? pathname : `${pathname}/`}${filled}`;
  }
  for (const name of Object.keys(options.pathParams)) {
    if (!used.has(name)) throw requestError(serviceId, `api.rest.v1: pathParams.${name} has no {${name}} placeholder in the service URL or the path`);
  }

  const url = new URL(base.href);
  url.pathname = pathname;
  const search = new URLSearchParams(base.search);
  for (const [name, value] of Object.entries(service.queryParams)) search.set(name, value);
  for (const [name, value] of Object.entries(options.queryParams)) {
    if (name === '') throw requestError(serviceId, 'api.rest.v1: queryParams has an empty name');
    if (reservedQuery.includes(name)) {
      throw requestError(serviceId, `api.rest.v1: queryParams.${name} is set by the service's configured authorization and cannot be set by a script`, 'FORBIDDEN_PARAMETER');
    }
    search.delete(name);
    appendQuery(search, name, value);
  }
  const query = search.toString();
  url.search = query ? `?${query}` : '';

  // Last line of defence: whatever happened above, the call stays under the base.
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  if (url.origin !== base.origin || !(url.pathname === base.pathname || url.pathname.startsWith(basePath))) {
    throw requestError(serviceId, `api.rest.v1: the call would leave the URL of service '${serviceId}'`, 'INVALID_PATH');
  }
  return url;
}

/**
 * The URL as logs and error messages show it: the service URL and the path
 * as the script wrote them, placeholders unfilled, no query.
 */
export function urlTemplate(service: ServiceConfig, path: string | undefined): string {
  const base = service.url.split('?')[0];
  if (!path) return base;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${path.startsWith('/') ? path.slice(1) : path}`;
}
