// The Transport of `scriptcode test`: everything above it (URL building,
// auth, retries, parsing, errors) is the real api.rest.v1 code; only the
// network is replaced by the case's expected calls.
//
// Matching, for each request: the first expected call (in file order) that
// still has uses left (`times`, default 1) and whose service, method, path,
// query, headers and body all match. Calls may come in any order.
//  - path: relative to the service URL ('customers/42'), or the whole URL path
//    when it starts with '/'; compared with percent-encoding decoded.
//  - query: the listed parameters must have exactly these values (a list for a
//    repeated name, null for "absent"); others may be there too, unless
//    queryExact: true. The service's own credential / default parameters are
//    never part of it.
//  - headers: the listed ones must be there with these values (names ignore case).
//  - body: deep-equal to the sent body decoded by its content type (JSON,
//    form fields, or text); `body: null` means no body.
// A request nothing matches is answered with a RestRequestError
// (code UNEXPECTED_CALL) that the script sees, and fails the case.
import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from '../http/service-client.js';
import { httpCallError } from '../http/errors.js';
import type { Transport } from '../http/transport.js';
import { restError } from '../bindings/rest-v1/errors.js';
import type { ServiceConfig } from '../services/types.js';
import { deepEqual, show } from './diff.js';
import { decodeSegments, describeView, isTokenRequest, viewRequest, type RequestView } from './request-view.js';
import type { ExpectedCall } from './test-file.js';

interface Slot {
  call: ExpectedCall;
  used: number;
}

function expectedValues(value: unknown): string[] | null {
  if (value === null) return null;
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Why `view` does not match `call`; [] when it does. */
export function mismatches(call: ExpectedCall, view: RequestView): string[] {
  const why: string[] = [];
  if (call.service !== view.serviceId) why.push(`service '${view.serviceId}' instead of '${call.service}'`);
  if (call.method !== view.method) why.push(`method ${view.method} instead of ${call.method}`);
  const full = call.path.startsWith('/');
  const wanted = decodeSegments(full ? call.path : call.path.replace(/^\.?\//, ''));
  const got = full ? view.fullPath : view.path;
  if (wanted !== got) why.push(`path ${JSON.stringify(got)} instead of ${JSON.stringify(wanted)}`);
  const query = call.query ?? {};
  for (const [name, value] of Object.entries(query)) {
    const want = expectedValues(value);
    const have = view.query[name];
    if (want === null) {
      if (have) why.push(`query ${name}=${have.join(',')} was sent but should be absent`);
    } else if (!have) {
      why.push(`query ${name} is missing (expected ${want.join(',')})`);
    } else if (!deepEqual(want, have)) {
      why.push(`query ${name}=${have.join(',')} instead of ${want.join(',')}`);
    }
  }
  if (call.queryExact) {
    const extra = Object.keys(view.query).filter((name) => !Object.hasOwn(query, name));
    if (extra.length) why.push(`query has ${extra.join(', ')} that the case does not list (queryExact)`);
  }
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    const have = view.headers[name.toLowerCase()];
    if (have !== String(value)) why.push(have === undefined ? `header ${name} is missing` : `header ${name} is ${JSON.stringify(have)} instead of ${JSON.stringify(String(value))}`);
  }
  if (Object.hasOwn(call, 'body')) {
    const want = call.body ?? undefined;
    if (!deepEqual(want, view.body)) {
      why.push(view.body === undefined ? `no body was sent (expected ${show(want)})`
        : want === undefined ? `body ${show(view.body)} was sent, expected none`
          : `body ${show(view.body)} instead of ${show(want)}`);
    }
  }
  return why;
}

/** The HttpResponse a case's `response:` describes. */
export function buildResponse(answer: NonNullable<ExpectedCall['response']>): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = String(value);
  let body = Buffer.alloc(0);
  if (answer.bodyBase64 !== undefined) {
    body = Buffer.from(answer.bodyBase64, 'base64');
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof answer.body === 'string') {
    body = Buffer.from(answer.body, 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (answer.body !== undefined && answer.body !== null) {
    body = Buffer.from(JSON.stringify(answer.body), 'utf8');
    headers['content-type'] ??= 'application/json';
  }
  return {
    status: answer.status,
    statusText: answer.statusText ?? STATUS_CODES[answer.status] ?? '',
    headers,
    body,
    timings: { totalMs: 0 },
  };
}

const OFFLINE_TOKEN = { access_token: 'scriptcode-offline-token', token_type: 'Bearer', expires_in: 3600 };

export class OfflineTransport implements Transport {
  private readonly slots: Slot[];
  /** descriptions of the requests nothing matched, with the nearest expectation's differences */
  readonly unexpected: string[] = [];

  constructor(calls: readonly ExpectedCall[]) {
    this.slots = calls.map((call) => ({ call, used: 0 }));
  }

  async request(service: ServiceConfig, request: HttpRequest): Promise<HttpResponse> {
    // the runtime's own OAuth2 token request is configuration, not the script's call
    if (isTokenRequest(service, request.url)) {
      return buildResponse({ status: 200, headers: { 'content-type': 'application/json' }, body: OFFLINE_TOKEN });
    }
    const view = viewRequest(service, request);
    const slot = this.slots.find((s) => s.used < s.call.times && mismatches(s.call, view).length === 0);
    if (!slot) {
      const description = this.describeUnexpected(view);
      this.unexpected.push(description);
      throw restError('RestRequestError', service.id, 'UNEXPECTED_CALL',
        `scriptcode test: unexpected call ${describeView(view)}: the test case expects no such call (add it to calls:)`);
    }
    slot.used++;
    if (slot.call.error) {
      throw httpCallError(slot.call.error, {
        serviceId: service.id, url: request.url, connectTimeout: request.connectTimeout, readTimeout: request.readTimeout,
        maxResponseBytes: service.maxResponseBytes,
      });
    }
    return buildResponse(slot.call.response!);
  }

  private describeUnexpected(view: RequestView): string {
    // nearest: same service first, then unused, then fewest differences
    const score = (slot: Slot, why: string[]) => why.length + (slot.call.service === view.serviceId ? 0 : 100) + (slot.used < slot.call.times ? 0 : 10);
    let nearest: { slot: Slot; why: string[]; score: number } | undefined;
    for (const slot of this.slots) {
      const why = mismatches(slot.call, view);
      if (!nearest || score(slot, why) < nearest.score) nearest = { slot, why, score: score(slot, why) };
    }
    let text = `unexpected call ${describeView(view)}${view.body === undefined ? '' : ` with body ${show(view.body)}`}`;
    if (nearest && nearest.slot.call.service === view.serviceId) {
      const where = nearest.slot.call.line ? ` (line ${nearest.slot.call.line})` : '';
      text += nearest.why.length
        ? `; nearest expected call${where} differs: ${nearest.why.join('; ')}`
        : `; the matching expected call${where} was already used ${nearest.slot.call.times} time(s) (set times: to allow more)`;
    }
    return text;
  }

  /** Expected calls that were not made (as often as `times` says). */
  missing(): string[] {
    return this.slots
      .filter((slot) => slot.used < slot.call.times)
      .map(({ call, used }) => {
        const query = Object.entries(call.query ?? {}).map(([n, v]) => `${n}=${Array.isArray(v) ? v.join(',') : String(v)}`).join('&');
        const times = call.times > 1 ? ` (made ${used} of ${call.times} times)` : '';
        return `expected call not made: ${call.method} ${call.service} ${call.path || '(service URL)'}${query ? `?${query}` : ''}${call.line ? ` (line ${call.line})` : ''}${times}`;
      });
  }
}
