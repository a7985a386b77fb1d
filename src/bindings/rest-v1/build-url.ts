// The final URL of a call (SPEC §4.1). It can never leave the service's base
// URL: path and placeholder values are checked segment by segment, and the
// result is checked again against the base before anything is sent.
import type { ServiceConfig } from '../../services/types.js';
import { dotSegment } from './dot-segments.js';
import { requestError } from './errors.js';
import type { SendOptions } from './request-options.js';

// A valid %XX escape (kept as the script wrote it), or a character that is not
// an RFC 3986 pchar or '/' (encoded). `u`: a character is a code point, so a
// character outside the BMP is encoded whole.
const TO_ENCODE = /%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/gu;
const keepEscapeOrEncode = (match: string) => (match.length === 3 && match[0] === '%' ? match : encodeURIComponent(match));

/** Encodes what the script wrote, keeping its own valid %XX escapes and encoding a bare '%'. */
function encodePathText(text: string): string {
  return text.replace(TO_ENCODE, keepEscapeOrEncode);
}

function placeholderValue(name: string, pathParams: SendOptions['pathParams'], serviceId: string, where: string, used: Set<string>): string {
  if (!Object.hasOwn(pathParams, name) || pathParams[name] === null || pathParams[name] === undefined) {
    throw requestError(serviceId, `api.rest.v1: ${where} has the placeholder {${name}} but pathParams.${name} is missing; pass pathParams: { ${name}: … }`);
  }
  const value = String(pathParams[name]);
  if (value === '' || value === '.' || value === '..') {
    throw requestError(serviceId, `api.rest.v1: pathParams.${name} is ${JSON.stringify(value)}; a path parameter must be a non-empty value other than '.' or '..'`, 'INVALID_PATH');
  }
  used.add(name);
  return encodeURIComponent(value);
}

/**
 * Replaces each `{name}` (no brace inside) with its encoded value, left to
 * right: what `text.replace(/\{([^{}]*)\}/g, …)` does, scanned by hand as it
 * runs on every call.
 */
function fillPlaceholders(text: string, pathParams: SendOptions['pathParams'], serviceId: string, where: string, used: Set<string>): string {
  let open = text.indexOf('{');
  if (open === -1) return text;
  let out = '';
  let copied = 0;
  while (open !== -1) {
    let end = open + 1;
    while (end < text.length && text[end] !== '{' && text[end] !== '}') end++;
    if (end === text.length) break; // no '}' after it: no more placeholders
    if (text[end] === '{') {
      open = end; // a '{' inside: the match can only start there
      continue;
    }
    out += text.slice(copied, open) + placeholderValue(text.slice(open + 1, end), pathParams, serviceId, where, used);
    copied = end + 1;
    open = text.indexOf('{', copied);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function refusePath(path: string, serviceId: string, why: string) {
  return requestError(serviceId, `api.rest.v1: path ${JSON.stringify(path)} is refused: ${why}`, 'INVALID_PATH');
}

const FIX = 'Send such a value as a query parameter (queryParams: { name: value }) or in the body: no encoding makes it safe in a path';

/**
 * Refuses the first segment of `encoded` (a path as it will be sent) that a
 * server could read as '.' or '..' (see dot-segments.ts for every form).
 * `what` names the path in the message.
 */
function refuseDotSegments(encoded: string, serviceId: string, what: string): void {
  for (const segment of encoded.split('/')) {
    const found = dotSegment(segment);
    if (!found) continue;
    const why = found.reasons.length === 0
      ? `would leave the service URL ('.' and '..' segments are not allowed)`
      : `would be read as '${found.dot}' and leave the service URL: ${found.reasons.join('; ')}`;
    throw requestError(serviceId, `api.rest.v1: ${what} is refused: its segment ${JSON.stringify(segment)} ${why}. ${FIX}.`, 'INVALID_PATH');
  }
}

function checkPath(path: string, serviceId: string): string {
  if (/[\u0000-\u001f\u007f]/.test(path)) throw refusePath(path, serviceId, 'it contains control characters');
  if (path.includes('\\')) throw refusePath(path, serviceId, 'it contains a backslash');
  if (path.includes('?') || path.includes('#')) throw refusePath(path, serviceId, "'?' and '#' are not allowed in a path; pass query parameters as queryParams: { name: value }");
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) throw refusePath(path, serviceId, 'it is an absolute URL; a path is relative to the service URL configured for the service id');
  if (path.includes('//')) throw refusePath(path, serviceId, "'//' is not allowed");
  return path.startsWith('/') ? path.slice(1) : path;
}

type QueryValue = SendOptions['queryParams'][string];

function appendQuery(search: URLSearchParams, name: string, value: QueryValue): void {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) if (v !== null && v !== undefined) search.append(name, String(v));
}

/** The service URL with its placeholders filled: origin, path, and the query every call starts from. */
export interface ServiceUrlBase {
  origin: string;
  pathname: string;
  /** the URL's own query with the service's queryParams set on it, serialized */
  query: string;
}

function urlBase(url: URL, service: ServiceConfig): ServiceUrlBase {
  const search = new URLSearchParams(url.search);
  for (const [name, value] of Object.entries(service.queryParams)) search.set(name, value);
  return { origin: url.origin, pathname: url.pathname, query: search.toString() };
}

/**
 * The base of a service URL without placeholders, parsed once for all its
 * calls; undefined when each call must fill placeholders (or the URL has parts
 * that a rebuilt URL would not carry over, which the configuration refuses).
 */
export function parseServiceUrl(service: ServiceConfig): ServiceUrlBase | undefined {
  if (service.url.includes('{')) return undefined;
  let url: URL;
  try {
    url = new URL(service.url);
  } catch {
    return undefined; // each call then fails as it always did
  }
  if (url.username || url.password || url.hash) return undefined;
  return urlBase(url, service);
}

/**
 * `reservedQuery` are names the host adds itself (an API key in the query):
 * scripts may not set them. `parsed` is parseServiceUrl(service), when it has one.
 */
export function buildUrl(service: ServiceConfig, options: SendOptions, reservedQuery: readonly string[] = [], parsed?: ServiceUrlBase): URL {
  const serviceId = service.id;
  const used = new Set<string>();
  let base = parsed;
  if (!base) {
    const where = `the URL of service '${serviceId}'`;
    const filledUrl = fillPlaceholders(service.url, options.pathParams, serviceId, where, used);
    const url = new URL(filledUrl);
    // placeholder values are the script's: the segments they make are checked like a path's
    if (used.size > 0) refuseDotSegments(url.pathname, serviceId, `${where} with pathParams filled in (${JSON.stringify(url.pathname)})`);
    base = urlBase(url, service);
  }
  let pathname = base.pathname;
  if (options.path) {
    const relative = checkPath(options.path, serviceId);
    const filled = encodePathText(fillPlaceholders(relative, options.pathParams, serviceId, 'path', used));
    refuseDotSegments(filled, serviceId, `path ${JSON.stringify(options.path)}`);
    if (filled) pathname = `${pathname.endsWith('/') ? pathname : `${pathname}/`}${filled}`;
  }
  for (const name of Object.keys(options.pathParams)) {
    if (!used.has(name)) throw requestError(serviceId, `api.rest.v1: pathParams.${name} has no {${name}} placeholder in the service URL or the path`);
  }

  let query = base.query;
  const names = Object.keys(options.queryParams);
  if (names.length > 0) {
    const search = new URLSearchParams(query);
    for (const name of names) {
      if (name === '') throw requestError(serviceId, 'api.rest.v1: queryParams has an empty name');
      if (reservedQuery.includes(name)) {
        throw requestError(serviceId, `api.rest.v1: queryParams.${name} is set by the service's configured authorization and cannot be set by a script`, 'FORBIDDEN_PARAMETER');
      }
      search.delete(name);
      appendQuery(search, name, options.queryParams[name]);
    }
    query = search.toString();
  }
  // One parse of the final text. `pathname` cannot hold a raw '?' or '#'
  // (refused in paths, encoded in values), so this is the URL that setting
  // pathname and search on a copy of the base would give.
  const url = new URL(`${base.origin}${pathname}${query ? `?${query}` : ''}`);

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
export function urlTemplate(service: ServiceConfig, path: string | undefined, base = templateBase(service)): string {
  if (!path) return base;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${path.startsWith('/') ? path.slice(1) : path}`;
}

/** The part of urlTemplate that depends on the service only. */
export function templateBase(service: ServiceConfig): string {
  return service.url.split('?')[0];
}
