// The author's tools over HTTP, for the web console (docs/console.md):
// POST /api/check is `scriptcode check` (of the whole application, or of one
// script, optionally of its unsaved text) and POST /api/tests/run is
// `scriptcode test` — the same code as the commands, loaded when first used
// (the checker brings the TypeScript compiler).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ScriptKind } from '../../app/types.js';
import * as C from '../console/schemas.js';
import { runtimeOf, type ServerContext } from '../context.js';
import { errorBody } from '../errors.js';
import * as S from '../schemas.js';
import { ERROR_RESPONSES } from './invoke.js';

type CheckRequest = FastifyRequest<{ Body: { kind?: ScriptKind; name?: string; source?: string; types?: boolean } | undefined }>;
type TestRequest = FastifyRequest<{ Body: { filter?: string } | undefined }>;

const { 400: badRequest, 401: unauthorized, 413: tooLarge, 415: unsupported, 500: internal, 503: unavailable } = ERROR_RESPONSES;
const errors = { 400: badRequest!, 401: unauthorized!, 413: tooLarge!, 415: unsupported!, 500: internal!, 503: unavailable! };

export function registerConsoleToolRoutes(app: FastifyInstance, ctx: ServerContext): void {
  ctx.routes.add(app, {
    method: 'POST',
    url: '/api/check',
    operationId: 'check',
    summary: 'scriptcode check: configuration, compile errors, entry points, unknown service ids, type errors — of the application, or of one script (kind, name; source: check this text instead of the file)',
    tag: 'console',
    api: true,
    body: C.CheckRequest,
    responses: { 200: { description: 'the findings (file, line, column, severity, message)', schema: C.CheckAnswer }, 404: { description: 'no script of that kind and name', schema: S.ErrorBody }, ...errors },
    handler: async (request: CheckRequest, reply: FastifyReply) => {
      const runtime = runtimeOf(ctx);
      const body = request.body ?? {};
      if ((body.kind === undefined) !== (body.name === undefined) || (body.source !== undefined && body.kind === undefined)) {
        return reply.code(400).send(errorBody('BadRequest', 'invalid request: give kind and name together (and source only with them), or nothing to check the whole application', 'INVALID_REQUEST'));
      }
      let only: string | undefined;
      if (body.kind !== undefined) {
        const entry = runtime.app.list(body.kind).find((e) => e.name === body.name);
        if (!entry) return reply.code(404).send(errorBody('NotFound', `there is no ${body.kind} named '${body.name}' (GET /api/scripts lists them)`, 'SCRIPT_NOT_FOUND'));
        only = entry.relativePath;
      }
      const { check } = await import('../../tools/checker.js');
      const report = await check({
        app: runtime.app.dir,
        types: body.types,
        only,
        sources: only !== undefined && body.source !== undefined ? { [only]: body.source } : undefined,
      });
      // one script: its own findings (the configuration's are the application's business)
      const findings = only === undefined ? report.findings : report.findings.filter((f) => f.file === only);
      const errorCount = findings.filter((f) => f.severity === 'error').length;
      return { findings, errors: errorCount, warnings: findings.length - errorCount };
    },
  });

  ctx.routes.add(app, {
    method: 'POST',
    url: '/api/tests/run',
    operationId: 'runTests',
    summary: 'scriptcode test: run the cases of tests/*.test.yaml offline (the network replaced by the calls each case lists), pass or fail with the differences',
    tag: 'console',
    api: true,
    body: C.TestRunRequest,
    responses: { 200: { description: 'the results, as `scriptcode test --reporter json`', schema: C.TestRunAnswer }, ...errors },
    handler: async (request: TestRequest) => {
      const runtime = runtimeOf(ctx);
      const { runTests, NoTestsError } = await import('../../tools/test-runner.js');
      const { jsonReport } = await import('../../tools/test-reports.js');
      try {
        const summary = await runTests({ app: runtime.app.dir, filter: request.body?.filter || undefined, write: () => {} });
        return jsonReport(summary);
      } catch (error) {
        if (!(error instanceof NoTestsError)) throw error;
        // the application folder by its name only: the browser has no business with the server's paths
        return { passed: 0, failed: 0, total: 0, durationMs: 0, notes: [], cases: [], message: error.message.split(runtime.app.dir).join('.') };
      }
    },
  });
}
