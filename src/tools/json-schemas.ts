// JSON Schemas for editors (yaml-language-server, VS Code, IntelliJ): what
// scriptcode.yaml and tests/*.test.yaml may hold, generated from the very zod
// schemas the loaders validate with (z.toJSONSchema), so completion, hovers
// and red squiggles agree with what `scriptcode check` says.
//
// The committed copies are schemas/scriptcode.schema.json and
// schemas/test-case.schema.json (regenerate: npx tsx scripts/gen-schemas.ts;
// test/tools/json-schemas.test.ts fails when they are stale); `scriptcode
// init` writes the same text into the new application.
//
// What the loaders check beyond a JSON Schema (cross-field rules, URL
// details, secret resolution) stays with `scriptcode check`. Where a number,
// a boolean or a fixed word is expected, a `${env:NAME}` / `${file:PATH}`
// reference is accepted too: it is resolved before validation.
import { z } from 'zod';
import { configSchemas } from '../app/config-schema.js';
import { builtinBindings } from '../bindings/registry.js';
import { serverConfigSchema } from '../server/config.js';
import { authSchema, serviceDefaultsSchema, serviceSchema } from '../services/service-schema.js';
import { testFileSchema } from './test-file.js';

type Json = Record<string, unknown>;

const { app: appConfigSchema, limitOverrides: limitOverridesSchema } = configSchemas(builtinBindings);

/** The file names (in the package's schemas/ folder, and in an application made by `scriptcode init`). */
export const CONFIG_SCHEMA_FILE = 'scriptcode.schema.json';
export const TEST_CASE_SCHEMA_FILE = 'test-case.schema.json';

const REFERENCE = {
  type: 'string',
  pattern: '^.*\\$\\{(env|file):[^}]+\\}.*$',
  description: 'a ${env:NAME} or ${file:PATH} reference, resolved when the configuration is loaded',
};

/** One entry of the reference platform's `scriptservice.api` list. */
const referenceListEntry = serviceDefaultsSchema.omit({ auth: true }).extend({
  serviceId: z.string().min(1),
  url: z.string().min(1),
  authorization: authSchema.optional(),
});

/** scriptcode.yaml as written: services with their own schema, the server: section, the reference list. */
const configDocument = appConfigSchema.extend({
  services: z.record(z.string(), serviceSchema).optional(),
  serviceDefaults: serviceDefaultsSchema.optional(),
  server: serverConfigSchema.optional(),
  scriptservice: z.strictObject({ api: z.array(referenceListEntry).optional() }).optional(),
});

/** Parts used in several places, written once under `definitions` with these names. */
function namedParts(): z.core.$ZodRegistry<{ id: string }> {
  const registry = z.registry<{ id: string }>();
  const settings = serviceSchema.shape;
  registry.add(authSchema, { id: 'auth' });
  registry.add(settings.timeouts.unwrap(), { id: 'timeouts' });
  registry.add(settings.retry.unwrap(), { id: 'retry' });
  registry.add(settings.tls.unwrap(), { id: 'tls' });
  registry.add(settings.network.unwrap(), { id: 'network' });
  registry.add(settings.circuitBreaker.unwrap(), { id: 'circuitBreaker' });
  registry.add(settings.headers.unwrap(), { id: 'headers' });
  registry.add(settings.queryParams.unwrap(), { id: 'queryParams' });
  registry.add(limitOverridesSchema, { id: 'limits' });
  return registry;
}

const CONFIG_DESCRIPTIONS: Record<string, string> = {
  services: 'REST services by id: scripts call them with api.rest.v1.get(\'<id>\', …). Secrets as ${env:NAME} or ${file:PATH}.',
  serviceDefaults: 'settings every service gets unless it sets its own (key by key; auth is never merged)',
  limits: 'per-kind limits: cpuMs, wallMs, memoryMb, maxOutputBytes, and each binding\'s call budget (restCalls)',
  logging: 'log level and how personal data from scripts appears in the log',
  cache: 'script cache: ttlMs (re-check after), watch (reload changed files, scriptcode.yaml included, while serving)',
  pool: 'isolate pools (read at start: a change needs a restart)',
  server: '`scriptcode serve`: host, port, auth.tokens, … (read at start: a change needs a restart)',
  scriptservice: "the reference platform's service list: api: [{ serviceId, url, authorization }]",
  'services.*.url': "the base URL (https://…), or another service's id followed by a path",
  'services.*.auth': 'none | basic | bearer | apiKey | oauth2 (client credentials)',
  'services.*.healthPath': 'what `scriptcode services check` GETs: from the host\'s root when it starts with /, else below the url',
  'services.*.network': 'which non-public addresses the service may be reached at (loopback, private, … are refused by default)',
  'services.*.proxy': "an http(s):// proxy URL, or 'env' for HTTPS_PROXY / NO_PROXY",
};

const TEST_DESCRIPTIONS: Record<string, string> = {
  script: 'the scriptService every case of the file runs (or name it per case)',
  validator: 'the validationScript every case of the file runs',
  task: 'the scriptTask every case of the file runs',
  formatter: 'the formatter every case of the file runs',
  cases: 'the test cases: input, the REST calls expected with their answers, what is expected',
  'cases.*.calls': 'REST calls the script must make, in order, answered offline; an unexpected call fails the case',
  'cases.*.expect': 'output / formChanges (script), valid / errors (validator), outcome / variables / … (task), formattedText / cursorPosition (formatter), or error',
};

/** Drops zod's ±MAX_SAFE_INTEGER bounds on integers: noise in an editor's hover. */
function dropSafeIntegerBounds(node: Json): void {
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
}

/** A number, a boolean or a fixed word may also be a reference (resolved before validation). */
function allowReference(node: Json): Json {
  const type = node.type;
  const scalar = type === 'integer' || type === 'number' || type === 'boolean' || (type === 'string' && (Array.isArray(node.enum) || 'const' in node));
  if (!scalar) return node;
  const { default: dflt, description, ...rest } = node;
  return {
    ...(description !== undefined && { description }),
    anyOf: [rest, { $ref: '#/definitions/reference' }],
    ...(dflt !== undefined && { default: dflt }),
  };
}

/** Walks the schema, tidying every node; `references` wraps scalars (not discriminator consts) in anyOf. */
function tidy(node: unknown, references: boolean, discriminator = false): unknown {
  if (Array.isArray(node)) return node.map((item) => tidy(item, references));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, tidy(schema, references, name === 'type')]));
    } else {
      out[key] = tidy(value, references);
    }
  }
  dropSafeIntegerBounds(out);
  flattenAnyOf(out);
  // { allOf: [{ $ref }] } alone is just the $ref
  if (Object.keys(out).length === 1 && Array.isArray(out.allOf) && out.allOf.length === 1) return out.allOf[0];
  return references && !discriminator ? allowReference(out) : out;
}

/** anyOf [anyOf [a, ref], anyOf [b, ref]] → anyOf [a, b, ref]. */
function flattenAnyOf(node: Json): void {
  if (!Array.isArray(node.anyOf)) return;
  const flat: unknown[] = [];
  for (const option of node.anyOf as Json[]) {
    const nested = Object.keys(option).length === 1 && Array.isArray(option.anyOf) ? (option.anyOf as unknown[]) : [option];
    for (const item of nested) if (!flat.some((seen) => JSON.stringify(seen) === JSON.stringify(item))) flat.push(item);
  }
  // the reference alternative last, after what the setting really is
  const isReference = (item: unknown) => (item as Json).$ref === '#/definitions/reference';
  node.anyOf = [...flat.filter((item) => !isReference(item)), ...flat.filter(isReference)];
}

/** Adds descriptions at dotted paths (`services.*.url`: * is any key of a record). */
function describe(schema: Json, descriptions: Record<string, string>): void {
  for (const [path, text] of Object.entries(descriptions)) {
    let node: Json | undefined = schema;
    for (const part of path.split('.')) {
      if (!node) break;
      if (part === '*') node = (node.additionalProperties ?? node.items) as Json | undefined;
      else node = (node.properties as Record<string, Json> | undefined)?.[part];
    }
    if (node && node.description === undefined) node.description = text;
  }
}

function generate(schema: z.ZodType, meta: { title: string; description: string; references: boolean; descriptions: Record<string, string> }): Json {
  const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any', metadata: namedParts() }) as Json;
  const { $schema, ...body } = generated;
  const tidied = tidy(body, meta.references) as Json;
  describe(tidied, meta.descriptions);
  return {
    $schema,
    title: meta.title,
    description: meta.description,
    ...tidied,
    ...(meta.references && { definitions: { ...(tidied.definitions as Json | undefined), reference: REFERENCE } }),
  };
}

/** The JSON Schema of scriptcode.yaml. */
export function configJsonSchema(): Json {
  return generate(configDocument, {
    title: 'scriptcode.yaml',
    description: 'The configuration of a ScriptCode application: services, limits, logging, cache, pool, server. Generated from the runtime\'s own schemas; `scriptcode check` validates what a schema cannot (URLs, secrets, cross-field rules).',
    references: true,
    descriptions: CONFIG_DESCRIPTIONS,
  });
}

/** The JSON Schema of tests/*.test.yaml. */
export function testCaseJsonSchema(): Json {
  return generate(testFileSchema, {
    title: 'ScriptCode test file (tests/*.test.yaml)',
    description: 'Offline test cases for `scriptcode test`: what to run, with which input, the REST calls expected and their answers, and what to expect.',
    references: false,
    descriptions: TEST_DESCRIPTIONS,
  });
}

/** The text of each schema file, as committed in schemas/ and written by `scriptcode init`. */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    [CONFIG_SCHEMA_FILE]: `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
    [TEST_CASE_SCHEMA_FILE]: `${JSON.stringify(testCaseJsonSchema(), null, 2)}\n`,
  };
}
