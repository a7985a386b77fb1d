// Every route is declared once, here: its zod schemas, as JSON Schemas
// (json-schema.ts), go to Fastify (validation and serialisation) and,
// unchanged, into GET /openapi.json.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AllowedMethods } from './http-conventions.js';
import { jsonSchema, type JsonSchema } from './json-schema.js';
import type { ApiSchema } from './schemas.js';

export interface ResponseSpec {
  description: string;
  schema?: ApiSchema;
  /** when not JSON (e.g. the Prometheus text format) */
  contentType?: string;
  /** response headers worth documenting, name → description */
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** Fastify syntax: /api/scripts/:name/run */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  /** under /api/*: bearer token when configured, 503 while starting or stopping */
  api: boolean;
  params?: ApiSchema;
  body?: ApiSchema;
  responses: Record<number, ResponseSpec>;
  handler: (request: FastifyRequest<any>, reply: FastifyReply) => Promise<unknown>;
}

export interface RouteHooks {
  /** runs first on every /api/* route (authentication, start-up and shutdown refusals) */
  api: onRequestHookHandler[];
}

export class RouteTable {
  readonly routes: RouteSpec[] = [];
  /** which methods each path answers (405 + Allow) */
  readonly allowed = new AllowedMethods();

  constructor(private readonly hooks: RouteHooks) {}

  add(app: FastifyInstance, spec: RouteSpec): void {
    this.routes.push(spec);
    this.allowed.add(spec);
    const response: Record<number, JsonSchema> = {};
    for (const [status, r] of Object.entries(spec.responses)) if (r.schema) response[Number(status)] = jsonSchema(r.schema);
    app.route({
      method: spec.method,
      url: spec.url,
      schema: {
        ...(spec.params && { params: jsonSchema(spec.params) }),
        ...(spec.body && { body: jsonSchema(spec.body) }),
        response,
      },
      config: { api: spec.api },
      onRequest: spec.api ? this.hooks.api : [],
      handler: spec.handler,
    });
  }
}
