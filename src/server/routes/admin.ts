// What is loaded, and the cache: GET /api/scripts, GET /api/services,
// POST /api/services/{id}/check, POST /api/cache/invalidate.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runtimeOf, type ServerContext } from '../context.js';
import { errorBody } from '../errors.js';
import * as S from '../schemas.js';
import { serviceViews } from '../services-view.js';
import { endpointOf, ERROR_RESPONSES } from './invoke.js';

const { 400: badRequest, 401: unauthorized, 500: internal, 503: unavailable } = ERROR_RESPONSES;
const errors = { 401: unauthorized!, 500: internal!, 503: unavailable! };

export function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  ctx.routes.add(app, {
    method: 'GET',
    url: '/api/scripts',
    operationId: 'listScripts',
    summary: 'The scripts of the application, by kind, with the endpoint that runs each',
    tag: 'application',
    api: true,
    responses: { 200: { description: 'the scripts', schema: S.ScriptList }, ...errors },
    handler: async () => {
      const runtime = runtimeOf(ctx);
      const scripts = await Promise.all(
        runtime.app.list().map(async (entry) => {
          // a broken metadata file only costs the description here; running the script reports it
          const description = await runtime.app.get(entry.kind, entry.name).then((s) => s?.metadata.description, () => undefined);
          return { kind: entry.kind, name: entry.name, path: entry.relativePath, endpoint: endpointOf(entry.kind, entry.name), ...(description && { description }) };
        }),
      );
      return { scripts };
    },
  });

  ctx.routes.add(app, {
    method: 'GET',
    url: '/api/services',
    operationId: 'listServices',
    summary: 'The configured REST services: base URL, kind of authorization, circuit and token state (never a secret)',
    tag: 'application',
    api: true,
    responses: { 200: { description: 'the services', schema: S.ServiceList }, ...errors },
    handler: async () => ({ services: serviceViews(runtimeOf(ctx).services(), ctx.metrics.circuits) }),
  });

  ctx.routes.add(app, {
    method: 'POST',
    url: '/api/services/:id/check',
    operationId: 'checkService',
    summary: 'Test the connection to a service step by step: DNS, network policy, TCP, TLS (certificate), OAuth2 token, healthPath — each ok, failed or skipped, with its time; never a secret',
    tag: 'application',
    api: true,
    params: S.serviceIdParams,
    responses: {
      200: { description: 'the check ran (ok: false when a step failed)', schema: S.ServiceCheck },
      400: badRequest!,
      404: { description: 'no service with that id', schema: S.ErrorBody },
      ...errors,
    },
    handler: async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const runtime = runtimeOf(ctx);
      const { id } = request.params;
      const result = await runtime.checkService(id);
      if (!result) {
        const known = runtime.serviceIds();
        return reply.code(404).send(errorBody('NotFound', `there is no service '${id.slice(0, 100)}'; ${known.length > 0 ? `services: ${known.slice(0, 20).join(', ')}` : 'no services are declared in scriptcode.yaml'}`, 'SERVICE_NOT_FOUND'));
      }
      request.log.info({ service: id, ok: result.ok, failed: result.steps.filter((s) => s.status === 'failed').map((s) => s.step) }, 'service connection checked');
      return result;
    },
  });

  ctx.routes.add(app, {
    method: 'POST',
    url: '/api/cache/invalidate',
    operationId: 'invalidateCache',
    summary: 'Drop cached script sources and compiled scripts; the next invocation of each reads and compiles it again',
    tag: 'application',
    api: true,
    responses: { 200: { description: 'the cache was dropped', schema: S.InvalidateAnswer }, ...errors },
    handler: async (request) => {
      const runtime = runtimeOf(ctx);
      const compiledScripts = runtime.stats().compiledScripts;
      runtime.invalidateCache();
      request.log.info({ compiledScripts }, 'script cache invalidated');
      return { invalidated: true, compiledScripts };
    },
  });
}
