// GET /openapi.json: the OpenAPI 3.1 document generated from the route table,
// i.e. from the very JSON Schemas Fastify validates and serialises with (each
// generated once from its zod schema: json-schema.ts). Named schemas become
// components and are referenced wherever they occur.
import { readFileSync } from 'node:fs';
import type { RouteSpec } from './route-table.js';
import { jsonSchema, schemaName, type JsonSchema } from './json-schema.js';
import type { ApiSchema } from './schemas.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Replaces every named sub-schema by a $ref and collects it into `components`. */
function referencing(schema: unknown, components: Record<string, unknown>, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => referencing(item, components, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = schemaName(schema);
  if (name && !top) {
    if (!(name in components)) {
      components[name] = null; // placeholder against cycles
      components[name] = referencing(schema, components, true);
    }
    return { $ref: `#/components/schemas/${name}` };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = referencing(value, components, false);
  return out;
}

const ref = (schema: ApiSchema, components: Record<string, unknown>) => referencing({ wrapper: jsonSchema(schema) }, components, true) as { wrapper: unknown };

export function openApiDocument(routes: readonly RouteSpec[], options: { auth: boolean }): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters = Object.entries(((route.params && jsonSchema(route.params).properties) ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      description: schema.description,
      schema: { ...schema, description: undefined },
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.responses)) {
      if (!options.auth && status === '401') continue;
      responses[status] = {
        description: r.description,
        ...(r.headers && { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }),
        content: { [r.contentType ?? 'application/json']: { schema: r.schema ? ref(r.schema, components).wrapper : { type: 'string' } } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length > 0 && { parameters: JSON.parse(JSON.stringify(parameters)) }),
      ...(route.body && { requestBody: { required: true, content: { 'application/json': { schema: ref(route.body, components).wrapper } } } }),
      responses,
      ...(route.api && options.auth ? { security: [{ bearer: [] }] } : { security: [] }),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ScriptCode runtime',
      version: packageVersion(),
      description: 'Runs the scripts of a low-code application (scriptService, validationScript, scriptTask, formatter) in a secure sandbox.',
    },
    tags: [
      { name: 'invoke', description: 'run scripts' },
      { name: 'application', description: 'what is loaded' },
      { name: 'operations', description: 'health, metrics, this document' },
      { name: 'console', description: 'what the web console (GET /console) uses: script sources, check, tests' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'one of server.auth.tokens' } },
    },
  };
}
