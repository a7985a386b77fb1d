// The four invocation endpoints of SPEC §6: one per script kind. Each answers
// exactly what the library API answers; errors go through errors.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Runtime } from '../../runtime/runtime.js';
import { MAX_NESTING_DEPTH } from '../../sandbox/limits.js';
import { runtimeOf, type ServerContext } from '../context.js';
import type { ResponseSpec } from '../route-table.js';
import * as S from '../schemas.js';

type Named = FastifyRequest<{ Params: { name: string }; Body: Record<string, unknown> }>;

export const ERROR_RESPONSES: Record<number, ResponseSpec> = {
  400: { description: `malformed request (schema or input; INPUT_TOO_DEEP: form or variables nested more than ${MAX_NESTING_DEPTH} levels; MALFORMED_REQUEST: broken HTTP framing)`, schema: S.ErrorBody },
  401: { description: 'missing or wrong bearer token (when server.auth.tokens is set)', schema: S.ErrorBody, headers: { 'WWW-Authenticate': 'Bearer realm="scriptcode"' } },
  404: { description: 'no script of that kind and name', schema: S.ErrorBody },
  413: { description: 'request body larger than server.bodyLimitBytes', schema: S.ErrorBody },
  415: { description: 'the body is not application/json', schema: S.ErrorBody },
  422: { description: `the script failed: compile error, broken metadata file (SCRIPT_METADATA_INVALID), uncaught error or a limit (OUTPUT_TOO_DEEP: a result nested more than ${MAX_NESTING_DEPTH} levels)`, schema: S.ScriptFailedBody },
  500: { description: 'unexpected server error', schema: S.ErrorBody },
  503: { description: 'invocation queue full, or the server is starting or shutting down', schema: S.ErrorBody, headers: { 'Retry-After': 'seconds to wait before retrying' } },
};

interface KindRoute {
  kind: string;
  url: string;
  operationId: string;
  summary: string;
  body: S.ApiSchema;
  answer: S.ApiSchema;
  call(runtime: Runtime, name: string, body: Record<string, unknown>): Promise<unknown>;
}

const KIND_ROUTES: readonly KindRoute[] = [
  {
    kind: 'scriptService', url: '/api/scripts/:name/run', operationId: 'runScript',
    summary: 'Run a scriptService: input parameters (and form state) in, rows and form changes out',
    body: S.RunRequest, answer: S.ScriptAnswer,
    call: (rt, name, body) => rt.runScript(name, body),
  },
  {
    kind: 'validationScript', url: '/api/validators/:name/validate', operationId: 'validate',
    summary: 'Run a validationScript: the errors found, with their messages',
    body: S.ValidateRequest, answer: S.ValidateAnswer,
    call: (rt, name, body) => rt.validate(name, body),
  },
  {
    kind: 'scriptTask', url: '/api/tasks/:name/execute', operationId: 'executeTask',
    summary: 'Run a scriptTask: process variables in, exactly one outcome out',
    body: S.ExecuteRequest, answer: S.TaskAnswer,
    call: (rt, name, body) => rt.executeTask(name, body),
  },
  {
    kind: 'formatter', url: '/api/formatters/:name/format', operationId: 'format',
    summary: 'Run a formatter: the text formatted as typed, with the cursor moved along',
    body: S.FormatRequest, answer: S.FormatAnswer,
    call: (rt, name, body) => rt.format(name, body),
  },
];

/** `POST /api/formatters/{name}/format` for a kind, as GET /api/scripts shows it. */
export function endpointOf(kind: string, name: string): string {
  const route = KIND_ROUTES.find((r) => r.kind === kind)!;
  return `POST ${route.url.replace(':name', encodeURIComponent(name))}`;
}

export function registerInvokeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const route of KIND_ROUTES) {
    ctx.routes.add(app, {
      method: 'POST',
      url: route.url,
      operationId: route.operationId,
      summary: route.summary,
      tag: 'invoke',
      api: true,
      params: S.nameParams,
      body: route.body,
      responses: { 200: { description: 'the answer', schema: route.answer }, ...ERROR_RESPONSES },
      // unmasked traces are for the command line on a developer's machine, never for an HTTP caller
      handler: (request: Named) => route.call(runtimeOf(ctx), request.params.name, { ...request.body, showData: false }),
    });
  }
}
