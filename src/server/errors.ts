// How failures become HTTP answers (SPEC §6): 422 is exactly the
// ScriptFailure body, everything else is `{ error: { name, message, code? } }`.
// Nothing here logs a request body; only unexpected (500) errors are logged.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ScriptCodeError } from '../errors.js';
import { ScriptFailure } from '../kinds/errors.js';
import { ACCEPTED_TYPE, ownCode, ownMessage } from './http-conventions.js';

export interface ErrorBody {
  error: { name: string; message: string; code?: string };
}

/** Seconds a client is asked to wait after a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** The server cannot take the request now (starting, stopping): 503 with Retry-After. */
export class ServiceUnavailableError extends ScriptCodeError {
  override readonly name = 'ServiceUnavailable';
  constructor(message: string, code: 'STARTING' | 'STOPPING' | 'METRICS_UNAVAILABLE') {
    super(code, message);
  }
}

export function errorBody(name: string, message: string, code?: string): ErrorBody {
  return { error: code ? { name, message, code } : { name, message } };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'RequestTimeout',
  413: 'PayloadTooLarge',
  414: 'URITooLong',
  415: 'UnsupportedMediaType',
  431: 'RequestHeaderFieldsTooLarge',
};

export function sendUnavailable(reply: FastifyReply, body: ErrorBody): FastifyReply {
  return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(body);
}

/** The status and body for an error a route threw (or Fastify raised for it). */
export function classify(err: unknown, request?: FastifyRequest): { status: number; body: unknown } {
  // the runtime's own errors answer as the registry says (src/errors.ts); a 500 of theirs says no more than any 500
  if (err instanceof ScriptFailure) return { status: err.status, body: err.body };
  if (err instanceof ScriptCodeError && (err.status < 500 || err.status === 503)) {
    return { status: err.status, body: errorBody(err.status === 404 ? 'NotFound' : err.name, err.message, err.code) };
  }
  const e = err as Partial<FastifyError>;
  if (e.validation) return { status: 400, body: errorBody('BadRequest', `invalid request: ${e.message}`, 'INVALID_REQUEST') };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const bodyLimit = request?.server.initialConfig.bodyLimit ?? 0;
    return { status, body: errorBody(STATUS_NAMES[status] ?? 'BadRequest', ownMessage(e.code, e.message ?? 'bad request', request, bodyLimit), ownCode(e.code, status)) };
  }
  return { status: 500, body: errorBody('InternalError', 'internal error; the server log has the details', 'INTERNAL') };
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = classify(err, request);
  if (status >= 500 && status !== 503) {
    // the error, never the request: its body may hold personal data
    request.log.error({ err, method: request.method, route: request.routeOptions.url }, 'request failed');
  }
  if (status === 503) return sendUnavailable(reply, body as ErrorBody);
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="scriptcode"');
  if (status === 415) reply.header('accept-post', ACCEPTED_TYPE);
  return reply.code(status).send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0]!.slice(0, 200);
  return reply.code(404).send(errorBody('NotFound', `no endpoint ${request.method} ${path}; GET /openapi.json lists them`, 'NO_ROUTE'));
}

/**
 * A request Node's HTTP parser refused before it reached Fastify (a broken
 * request line, bad framing, headers over the size limit): answered with the
 * same `{ error: { name, message, code } }` body as every other error, then
 * the connection is closed (its framing cannot be trusted).
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const parserCode = typeof err.code === 'string' ? err.code : 'UNKNOWN';
  const [status, body] = parserCode === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, errorBody('RequestTimeout', 'the request did not arrive in time', 'REQUEST_TIMEOUT')]
    : parserCode === 'HPE_HEADER_OVERFLOW'
      ? [431, errorBody('RequestHeaderFieldsTooLarge', 'the request line and headers are larger than the server accepts', 'HEADERS_TOO_LARGE')]
      : [400, errorBody('BadRequest', `malformed HTTP request (${parserCode}): check the request line, the headers and the body framing (Content-Length, Transfer-Encoding)`, 'MALFORMED_REQUEST')];
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy();
}
