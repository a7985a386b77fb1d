// What a script passes to api.rest.v1, checked before anything is built. Each
// refusal is a RestRequestError that says what was wrong and how to write it.
import { z } from 'zod';
import { requestError } from './errors.js';

export const METHODS = ['GET', 'DELETE', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const timeoutMs = z.number().int().positive().max(24 * 3600 * 1000);

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
