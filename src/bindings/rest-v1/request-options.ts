// What a script passes to api.rest.v1, checked before anything is built. Each
// refusal is a RestRequestError that says what was wrong and how to write it.
import { z } from 'zod';
import { requestError } from './errors.js';

export const METHODS = ['GET', 'DELETE', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const MAX_TIMEOUT_MS = 24 * 3600 * 1000;
const timeoutMs = z.number().int().positive().max(MAX_TIMEOUT_MS);

const paramsSchema = z.strictObject({
  path: z.string().optional().nullable(),
  pathParams: z.record(z.string(), scalar.nullable()).optional().nullable(),
  queryParams: z.record(z.string(), z.union([scalar, z.null(), z.array(scalar.nullable())])).optional().nullable(),
  timeouts: z.strictObject({ connectTimeout: timeoutMs.optional().nullable(), readTimeout: timeoutMs.optional().nullable() }).optional().nullable(),
});

const sendSchema = z.object({
  method: z.enum(METHODS),
  serviceId: z.string().min(1),
  params: paramsSchema.nullable(),
  body: z.unknown(),
  hasBody: z.boolean(),
  headers: z.record(z.string(), scalar.nullable()).nullable(),
});

export interface SendOptions {
  method: Method;
  serviceId: string;
  path?: string;
  pathParams: Record<string, string | number | boolean | null>;
  queryParams: Record<string, string | number | boolean | null | (string | number | boolean | null)[]>;
  timeouts: { connectTimeout?: number; readTimeout?: number };
  body: unknown;
  hasBody: boolean;
  headers: Record<string, string | number | boolean | null>;
}

const HINTS: Record<string, string> = {
  method: `method must be one of ${METHODS.join(', ')}`,
  serviceId: "serviceId must be the id of a service declared in scriptcode.yaml, e.g. api.rest.v1.get('crm', …)",
  params: "params must be an object like { path: 'customers/{id}', pathParams: { id: 42 }, queryParams: { q: 'x' }, timeouts: { readTimeout: 5000 } }",
  headers: "headers must be an object of name → text, e.g. { 'X-Request-Id': 'abc' }",
};

export function parseSendOptions(raw: unknown): SendOptions {
  return checkedByHand(raw) ?? parseWithSchema(raw);
}

/** The definition of what a call may pass (exported so that tests hold the hand check to it). */
export function parseWithSchema(raw: unknown): SendOptions {
  const serviceId = typeof (raw as { serviceId?: unknown })?.serviceId === 'string' ? (raw as { serviceId: string }).serviceId : null;
  const parsed = sendSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map(String).join('.');
    const top = String(issue.path[0] ?? '');
    const hint = HINTS[top] ?? '';
    throw requestError(serviceId, `api.rest.v1: ${where || 'the call'}: ${issue.message}${hint ? ` (${hint})` : ''}`);
  }
  const { method, params, body, hasBody, headers } = parsed.data;
  return {
    method,
    serviceId: parsed.data.serviceId,
    path: params?.path ?? undefined,
    pathParams: params?.pathParams ?? {},
    queryParams: params?.queryParams ?? {},
    timeouts: {
      connectTimeout: params?.timeouts?.connectTimeout ?? undefined,
      readTimeout: params?.timeouts?.readTimeout ?? undefined,
    },
    body,
    hasBody,
    headers: headers ?? {},
  };
}

// The schema above is the definition; the hand check below accepts a subset
// of what it accepts (plain objects as JSON gives them) with the same result,
// in about half the time and with fewer objects (records are not copied).
// Anything else, and every refusal, goes through the schema, so what a script
// is told does not change.
const METHOD_SET: ReadonlySet<string> = new Set(METHODS);
const PARAM_KEYS: ReadonlySet<string> = new Set(['path', 'pathParams', 'queryParams', 'timeouts']);
const TIMEOUT_KEYS: ReadonlySet<string> = new Set(['connectTimeout', 'readTimeout']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** A record as the schema gives it back unchanged: no symbol keys, no `__proto__` key (the schema drops it). */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !Object.hasOwn(value, '__proto__') && Object.getOwnPropertySymbols(value).length === 0;
}

function isScalarRecord(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v !== null && !isScalar(v)) return false;
  }
  return true;
}

function isQueryRecord(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === null || isScalar(v)) continue;
    if (!Array.isArray(v)) return false;
    for (const item of v) if (item !== null && !isScalar(item)) return false;
  }
  return true;
}

function isTimeout(value: unknown): boolean {
  return value === undefined || value === null || (Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= MAX_TIMEOUT_MS);
}

function checkedByHand(raw: unknown): SendOptions | undefined {
  if (!isPlainObject(raw)) return undefined;
  const { method, serviceId, params, hasBody, headers } = raw;
  if (typeof method !== 'string' || !METHOD_SET.has(method)) return undefined;
  if (typeof serviceId !== 'string' || serviceId.length === 0) return undefined;
  if (typeof hasBody !== 'boolean' || !Object.hasOwn(raw, 'body')) return undefined;
  if (headers !== null && !isScalarRecord(headers)) return undefined;
  let path: string | undefined;
  let pathParams: SendOptions['pathParams'] = {};
  let queryParams: SendOptions['queryParams'] = {};
  const timeouts: SendOptions['timeouts'] = { connectTimeout: undefined, readTimeout: undefined };
  if (params !== null) {
    if (!isPlainObject(params)) return undefined;
    for (const key of Object.keys(params)) if (!PARAM_KEYS.has(key)) return undefined;
    const p = params;
    if (p.path !== undefined && p.path !== null) {
      if (typeof p.path !== 'string') return undefined;
      path = p.path;
    }
    if (p.pathParams !== undefined && p.pathParams !== null) {
      if (!isScalarRecord(p.pathParams)) return undefined;
      pathParams = p.pathParams as SendOptions['pathParams'];
    }
    if (p.queryParams !== undefined && p.queryParams !== null) {
      if (!isQueryRecord(p.queryParams)) return undefined;
      queryParams = p.queryParams as SendOptions['queryParams'];
    }
    if (p.timeouts !== undefined && p.timeouts !== null) {
      const t = p.timeouts;
      if (!isPlainObject(t)) return undefined;
      for (const key of Object.keys(t)) if (!TIMEOUT_KEYS.has(key)) return undefined;
      if (!isTimeout(t.connectTimeout) || !isTimeout(t.readTimeout)) return undefined;
      timeouts.connectTimeout = (t.connectTimeout as number | null | undefined) ?? undefined;
      timeouts.readTimeout = (t.readTimeout as number | null | undefined) ?? undefined;
    }
  }
  return {
    method: method as Method,
    serviceId,
    path,
    pathParams,
    queryParams,
    timeouts,
    body: raw.body,
    hasBody,
    headers: (headers ?? {}) as SendOptions['headers'],
  };
}
