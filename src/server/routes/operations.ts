// Operations endpoints, not authenticated: liveness, readiness, Prometheus
// metrics and the OpenAPI document.
import type { FastifyInstance } from 'fastify';
import { clusterMetrics, isClusterWorker } from '../cluster.js';
import type { ServerContext } from '../context.js';
import { openApiDocument } from '../openapi.js';
import * as S from '../schemas.js';
import { RETRY_AFTER_SECONDS, ServiceUnavailableError } from '../errors.js';

export function registerOperationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  ctx.routes.add(app, {
    method: 'GET',
    url: '/health/live',
    operationId: 'live',
    summary: 'Liveness: the process answers (also while it drains on shutdown)',
    tag: 'operations',
    api: false,
    responses: { 200: { description: 'alive', schema: S.Health } },
    handler: async () => ({ status: 'ok' }),
  });

  ctx.routes.add(app, {
    method: 'GET',
    url: '/health/ready',
    operationId: 'ready',
    summary: 'Readiness: the application is loaded and the isolate pool is warm (configGeneration: the scriptcode.yaml generation in force); 503 while starting or shutting down',
    tag: 'operations',
    api: false,
    responses: {
      200: { description: 'ready to serve', schema: S.Health },
      503: { description: 'starting, stopping or failed', schema: S.Health, headers: { 'Retry-After': 'seconds' } },
    },
    handler: async (_request, reply) => {
      if (ctx.phase === 'ready') return { status: 'ready', ...(ctx.runtime && { configGeneration: ctx.runtime.configGeneration }) };
      reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
      return { status: ctx.phase };
    },
  });

  ctx.routes.add(app, {
    method: 'GET',
    url: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics: invocations, REST calls, circuits, tokens, pool and queue',
    tag: 'operations',
    api: false,
    responses: {
      200: { description: 'the Prometheus text format', contentType: 'text/plain; version=0.0.4' },
      503: { description: 'serve --workers: the primary could not collect every worker\'s metrics (METRICS_UNAVAILABLE, e.g. a worker died meanwhile); ask again', schema: S.ErrorBody },
    },
    handler: async (_request, reply) => {
      // under `serve --workers`, every worker's, summed by the primary; a worker dying meanwhile makes that fail: 503, ask again
      const { contentType, text } = isClusterWorker()
        ? await clusterMetrics().catch((err: Error) => { throw new ServiceUnavailableError(`${err.message}; try again`, 'METRICS_UNAVAILABLE'); })
        : await ctx.metrics.render();
      reply.header('content-type', contentType);
      return text;
    },
  });

  let document: string | undefined;
  ctx.routes.add(app, {
    method: 'GET',
    url: '/openapi.json',
    operationId: 'openapi',
    summary: 'This API described in OpenAPI 3.1',
    tag: 'operations',
    api: false,
    responses: { 200: { description: 'the OpenAPI document', schema: S.anyObject } },
    handler: async (_request, reply) => {
      document ??= JSON.stringify(openApiDocument(ctx.routes.routes, { auth: ctx.config.auth.tokens.length > 0 }));
      // already JSON: skip the serialiser
      reply.type('application/json').serializer((payload: unknown) => payload as string);
      return document;
    },
  });
}
