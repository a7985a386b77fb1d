// What callers pass to a script, per kind, as zod schemas: the one source for
// the library's checks (input.ts) and the HTTP API (server/schemas.ts turns
// them into JSON Schemas for Fastify and GET /openapi.json). Only JSON's
// shapes: what JSON cannot express (nesting depth, BigInt) input.ts checks
// after.
import { z } from 'zod';
import { MAX_NESTING_DEPTH } from '../sandbox/limits.js';

export const NESTING = `arrays and objects nested at most ${MAX_NESTING_DEPTH} levels deep ({} or [] is one level); deeper is a 400 INPUT_TOO_DEEP`;

/** One value of a parameter; numbers and booleans are taken as text. */
export const parameterValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const inputMapSchema = z
  .record(z.string(), z.union([parameterValueSchema, z.array(parameterValueSchema)]))
  .describe('parameter name → value or list of values; a plain value becomes a one-element list, numbers and booleans become text');

/** Any JSON object. */
export const anyObjectSchema = z.record(z.string(), z.unknown());

export const formComponentSchema = z.strictObject({
  value: z.unknown().optional(),
  visible: z.boolean().optional(),
  data: anyObjectSchema.optional(),
});

export const formStateSchema = z.record(z.string(), formComponentSchema).describe(`component id → its state; ${NESTING}`);

export const variablesSchema = anyObjectSchema.describe(`process variables; ${NESTING}`);

/** A task's process-instance id. */
export const processInstanceIdSchema = z.string().max(1000);

/** A formatter's input (the HTTP request adds `trace`). */
export const formatterInputSchema = z.object({
  textToFormat: z.string(),
  locale: z.string().max(100).nullable().optional(),
  cursorPosition: z.int().min(0).nullable().optional(),
});
