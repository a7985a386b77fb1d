// What is loaded, and the cache: GET /api/scripts, GET /api/services,
// POST /api/cache/invalidate.
import type { FastifyInstance } from 'fastify';
import { runtimeOf, type ServerContext } from '../context.js';
import * as S from '../schemas.js';
import { serviceViews } from '../services-view.js';
import { endpointOf, ERROR_RESPONSES } from './invoke.js';

const { 401: unauthorized, 500: internal, 503: unavailable } = ERROR_RESPONSES;
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
