// What a client of any HTTP API expects, where Fastify's defaults differ:
// 405 + Allow for a known path with another method, 415 naming the accepted
// type, a JSON content type with an empty body taken as "no body" (a route
// that needs one still says so), and our own stable codes instead of
// Fastify's internal ones (FST_ERR_…).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteSpec } from './route-table.js';
import { errorBody } from './errors.js';

export const ACCEPTED_TYPE = 'application/json';

/** Fastify's error codes, as the codes our answers carry. */
const OWN_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_INVALID_CHARSET: 'UNSUPPORTED_CHARSET',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
  FST_ERR_BAD_STATUS_CODE: 'BAD_REQUEST',
};

/** Our code for an error Fastify raised (never a FST_ code), or the code our own errors carry. */
export function ownCode(code: string | undefined, status: number): string {
  if (code === undefined) return `HTTP_${status}`;
  if (Object.hasOwn(OWN_CODES, code)) return OWN_CODES[code]!;
  if (code.startsWith('FST_') || code.startsWith('ERR_')) return `HTTP_${status}`;
  return code;
}

/** The message a 4xx raised by Fastify gets: what was wrong and how to fix it. */
export function ownMessage(code: string | undefined, fallback: string, request: FastifyRequest | undefined, bodyLimitBytes: number): string {
  switch (code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE': {
      const type = String(request?.headers['content-type'] ?? '(none)').slice(0, 100);
      return `unsupported content type ${type}: send the body as ${ACCEPTED_TYPE}`;
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than server.bodyLimitBytes (${bodyLimitBytes} bytes): send less, or raise server.bodyLimitBytes in scriptcode.yaml`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `the body is not valid JSON: ${fallback}`;
    default:
      return fallback;
  }
}

/**
 * JSON bodies through Fastify's own parser (prototype-poisoning checks), but
 * an empty one is no body: `POST /api/cache/invalidate` with a JSON content
 * type and nothing else is fine; a route that needs a body says it is missing.
 * No other content type is parsed: text/plain is a 415, not a string body.
 */
export function acceptJsonOnly(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  const parseOrNothing: Parameters<FastifyInstance['addContentTypeParser']>[2] = (request, body, done) => {
    if (typeof body !== 'string' || body.trim() === '') return done(null, undefined);
    return parse(request, body, done);
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(ACCEPTED_TYPE, { parseAs: 'string' }, parseOrNothing);
  // `application/problem+json`, `application/vnd.x+json`: JSON too
  app.addContentTypeParser(/^application\/[\w.+-]*\+json$/, { parseAs: 'string' }, parseOrNothing);
}

/** The methods each route path answers, for 405 + Allow. */
export class AllowedMethods {
  private readonly patterns: { regex: RegExp; methods: Set<string> }[] = [];

  add(spec: Pick<RouteSpec, 'method' | 'url'>): void {
    const source = '^' + spec.url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '/?$';
    let entry = this.patterns.find((p) => p.regex.source === source);
    if (!entry) {
      entry = { regex: new RegExp(source), methods: new Set() };
      this.patterns.push(entry);
    }
    entry.methods.add(spec.method);
    if (spec.method === 'GET') entry.methods.add('HEAD');
  }

  /** the methods `path` answers; empty when no route has that path */
  of(path: string): string[] {
    const methods = new Set<string>();
    for (const p of this.patterns) if (p.regex.test(path)) for (const m of p.methods) methods.add(m);
    return [...methods].sort();
  }
}

export function methodNotAllowed(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): FastifyReply {
  const path = request.url.split('?', 1)[0]!.slice(0, 200);
  return reply
    .code(405)
    .header('allow', allowed.join(', '))
    .send(errorBody('MethodNotAllowed', `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}`, 'METHOD_NOT_ALLOWED'));
}
