// Calls to the server's /api/*: the bearer token (when the server wants one)
// is kept in sessionStorage — gone with the tab — and sent as a header. No
// cookies: another site cannot make the browser send it (no CSRF).
import type { z } from 'zod';
import type { SCRIPT_KINDS } from '../../src/app/types';
import type { LogLine as LogLineSchema, ScriptList, ServiceCheck as ServiceCheckSchema, ServiceList } from '../../src/server/schemas';
import type { CheckAnswer, ScriptSourceAnswer, TestRunAnswer } from '../../src/server/console/schemas';

const TOKEN_KEY = 'scriptcode.token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface ApiError {
  name: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
  [key: string]: unknown;
}

/** An answer that is not 2xx: the status and the API's error body. */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: { error?: ApiError; [key: string]: unknown }) {
    super(body.error?.message ?? `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.body.error?.code;
  }
}

/** Told when the server answers 401: the console asks for a token. */
let onUnauthorized: (failure: ApiFailure) => void = () => {};
export function whenUnauthorized(handler: (failure: ApiFailure) => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { error: { name: 'BadAnswer', message: `HTTP ${response.status}: ${text.slice(0, 200)}` } };
  }
  if (!response.ok) {
    const failure = new ApiFailure(response.status, parsed as ApiFailure['body']);
    if (response.status === 401) onUnauthorized(failure);
    throw failure;
  }
  return parsed as T;
}

// ---- the shapes the server answers: inferred from the zod schemas that
// validate and serialise them (src/server/schemas.ts, src/server/console/schemas.ts),
// so the console and the server cannot disagree. Type-only: nothing of zod or
// the server reaches the console's bundle.

export type Kind = (typeof SCRIPT_KINDS)[number];
export type ScriptEntry = z.infer<typeof ScriptList>['scripts'][number];
export type SourceFile = z.infer<typeof ScriptSourceAnswer>;
export type Finding = z.infer<typeof CheckAnswer>['findings'][number];
export type LogLine = z.infer<typeof LogLineSchema>;
export type ServiceView = z.infer<typeof ServiceList>['services'][number];
export type ServiceCheck = z.infer<typeof ServiceCheckSchema>;
export type TestRun = z.infer<typeof TestRunAnswer>;
export type TestCaseResult = TestRun['cases'][number];

/** A trace entry: the API describes `trace.calls` as open objects (docs/http-api.md); what the console reads of them. */
export interface TracedCall {
  serviceId: string;
  method: string;
  url: string;
  status?: number;
  statusText?: string;
  durationMs: number;
  startMs?: number;
  attempts: number;
  cached?: boolean;
  pathParams?: Record<string, string>;
  query?: Record<string, string[]>;
  requestHeaders?: Record<string, string>;
  requestBody?: string;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  error?: { name: string; code?: string; message: string };
  script?: string;
  /** context.callService / context.validate entries */
  call?: string;
  target?: string;
  outcome?: string;
}

/** The endpoint that runs a script of each kind. */
export const RUN_PATHS: Record<Kind, (name: string) => string> = {
  scriptService: (name) => `/api/scripts/${encodeURIComponent(name)}/run`,
  validationScript: (name) => `/api/validators/${encodeURIComponent(name)}/validate`,
  scriptTask: (name) => `/api/tasks/${encodeURIComponent(name)}/execute`,
  formatter: (name) => `/api/formatters/${encodeURIComponent(name)}/format`,
};
