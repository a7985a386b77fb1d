// Calls to the server's /api/*: the bearer token (when the server wants one)
// is kept in sessionStorage — gone with the tab — and sent as a header. No
// cookies: another site cannot make the browser send it (no CSRF).
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

// ---- the shapes the server answers (src/server/schemas.ts, src/server/console/schemas.ts)

export type Kind = 'scriptService' | 'validationScript' | 'scriptTask' | 'formatter';

export interface ScriptEntry {
  kind: Kind;
  name: string;
  path: string;
  endpoint: string;
  description?: string;
}

export interface SourceFile {
  kind: Kind;
  name: string;
  path: string;
  language: 'js' | 'ts';
  source: string;
  version: string;
}

export interface Finding {
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

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

export interface LogLine {
  time: string;
  level: string;
  message: string;
  script?: string;
}

export interface ServiceView {
  id: string;
  url: string;
  auth: string;
  circuit: { state: string } | null;
  token: { cached: boolean; expiresInMs: number | null; fetching?: boolean; lastError?: string } | null;
}

export interface ServiceCheck {
  service: string;
  ok: boolean;
  durationMs: number;
  steps: { step: string; status: string; durationMs: number; detail?: string; error?: { code: string; message: string } }[];
}

export interface TestCaseResult {
  file: string;
  name: string;
  target?: string;
  script?: string;
  line?: number;
  status: 'passed' | 'failed' | 'invalid-file';
  durationMs: number;
  failures: string[];
}

export interface TestRun {
  passed: number;
  failed: number;
  total: number;
  durationMs: number;
  notes: string[];
  message?: string;
  cases: TestCaseResult[];
}

/** The endpoint that runs a script of each kind. */
export const RUN_PATHS: Record<Kind, (name: string) => string> = {
  scriptService: (name) => `/api/scripts/${encodeURIComponent(name)}/run`,
  validationScript: (name) => `/api/validators/${encodeURIComponent(name)}/validate`,
  scriptTask: (name) => `/api/tasks/${encodeURIComponent(name)}/execute`,
  formatter: (name) => `/api/formatters/${encodeURIComponent(name)}/format`,
};
