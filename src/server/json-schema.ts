// The HTTP API's JSON Schemas, generated from its zod schemas (schemas.ts,
// console/schemas.ts, kinds/input-schemas.ts) with z.toJSONSchema. The
// generated objects drive Fastify's validation (ajv, draft-07: Fastify 5's
// default Ajv class), its serialisation (fast-json-stringify) and GET
// /openapi.json.
//
// A schema given a name with `named` becomes a component of the OpenAPI
// document: it is converted once, and wherever it nests in another schema
// that very object stands in its place, so openapi.ts finds it by identity
// (`schemaName`) and writes a $ref.
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** How a named zod schema is marked in z.toJSONSchema's output, until it is replaced by its converted object. */
const MARK = 'x-scriptcode-component';

const zodByName = new Map<string, z.ZodType>();
const nameOfZod = new WeakMap<z.ZodType, string>();
const nameOfJson = new WeakMap<object, string>();
const converted = new WeakMap<z.ZodType, JsonSchema>();

/** Gives a zod schema a component name in the OpenAPI document. */
export function named<T extends z.ZodType>(name: string, schema: T): T {
  const taken = zodByName.get(name);
  if (taken && taken !== schema) throw new Error(`two API schemas are named ${name}`);
  zodByName.set(name, schema);
  nameOfZod.set(schema, name);
  return schema;
}

/** The component name of a generated JSON Schema (by object identity), if it has one. */
export function schemaName(schema: object): string | undefined {
  return nameOfJson.get(schema);
}

/** The JSON Schema of a zod schema: converted once, the same object every time after. */
export function jsonSchema(schema: z.ZodType): JsonSchema {
  const cached = converted.get(schema);
  if (cached) return cached;
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'throw',
    override: (ctx) => {
      const name = nameOfZod.get(ctx.zodSchema as unknown as z.ZodType);
      if (name) (ctx.jsonSchema as JsonSchema)[MARK] = name;
    },
  }) as JsonSchema;
  const { $schema: _draft, ...body } = generated;
  const json = tidy(body, true) as JsonSchema;
  const name = nameOfZod.get(schema);
  if (name) nameOfJson.set(json, name);
  converted.set(schema, json);
  return json;
}

/**
 * Walks the generated schema: a named sub-schema becomes its own converted
 * object; zod's notations that say nothing here are dropped or written as
 * before (±MAX_SAFE_INTEGER bounds, `propertyNames: {type: string}` — every
 * JSON key is a string —, `additionalProperties: {}` is `true`, `anyOf [X,
 * null]` is X with "null" among its types).
 */
function tidy(node: unknown, root = false): unknown {
  if (Array.isArray(node)) return node.map((item) => tidy(item));
  if (node === null || typeof node !== 'object') return node;
  const source = node as JsonSchema;
  if (!root && typeof source[MARK] === 'string') return jsonSchema(zodByName.get(source[MARK])!);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === MARK) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as JsonSchema).map(([name, schema]) => [name, tidy(schema)]));
    } else {
      out[key] = tidy(value);
    }
  }
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (isStringType(out.propertyNames)) delete out.propertyNames;
  if (isEmpty(out.additionalProperties)) out.additionalProperties = true;
  return nullableAsType(out);
}

function isStringType(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && (value as JsonSchema).type === 'string';
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** { anyOf: [{ type: X, … }, { type: 'null' }], … } → { type: [X, 'null'], …, … } (a named X stays a reference). */
function nullableAsType(node: JsonSchema): JsonSchema {
  const options = node.anyOf;
  if (!Array.isArray(options) || options.length !== 2) return node;
  const [some, none] = options as JsonSchema[];
  if (Object.keys(none).length !== 1 || none.type !== 'null' || schemaName(some)) return node;
  if (typeof some.type !== 'string' && !Array.isArray(some.type)) return node;
  if ('enum' in some || 'const' in some || 'anyOf' in some) return node;
  const { anyOf: _options, ...rest } = node;
  return { ...some, ...rest, type: [...[some.type].flat(), 'null'] };
}
