// `<kind>/<name>.yaml`: optional description, declared inputs/outputs, validator
// messages and per-script limits. Strict, because a misspelt `limits` key that
// is silently ignored would leave a script with limits nobody intended.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BindingDefinition } from '../bindings/binding.js';
import { builtinBindings } from '../bindings/registry.js';
import { configSchemas } from './config-schema.js';
import { ScriptMetadataError } from './errors.js';
import type { ScriptKind, ScriptMetadata } from './types.js';
import { parseYaml, zodIssues, type KeyPath } from './yaml-source.js';

// `name:` with nothing after it parses as null; it means "declared, nothing more to say".
const emptyAsObject = (value: unknown) => (value === null ? {} : value);

const inputSchema = z.preprocess(emptyAsObject, z.strictObject({ description: z.string().optional(), required: z.boolean().optional() }));
const outputSchema = z.preprocess(emptyAsObject, z.strictObject({ description: z.string().optional() }));

const metadataShape = {
  description: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).optional(),
  outputs: z.record(z.string(), outputSchema).optional(),
  messages: z.record(z.string(), z.string()).optional(),
};

const schemaOf = new WeakMap<readonly BindingDefinition[], z.ZodObject>();

/** The metadata file's schema with the limits of `bindings` (their call budgets). */
export function scriptMetadataSchema(bindings: readonly BindingDefinition[] = builtinBindings): z.ZodObject {
  let schema = schemaOf.get(bindings);
  if (!schema) schemaOf.set(bindings, (schema = z.strictObject({ ...metadataShape, limits: configSchemas(bindings).limitOverrides.optional() })));
  return schema;
}

const TOP_KEYS = [...Object.keys(metadataShape), 'limits'];

function allowedKeysFor(bindings: readonly BindingDefinition[]) {
  return (path: KeyPath): readonly string[] | undefined => {
    if (path.length === 0) return TOP_KEYS;
    if (path.length === 1 && path[0] === 'limits') return configSchemas(bindings).limitKeys;
    if (path.length === 2 && path[0] === 'inputs') return ['description', 'required'];
    if (path.length === 2 && path[0] === 'outputs') return ['description'];
    return undefined;
  };
}

export interface MetadataFile {
  /** absolute path of the .yaml file */
  file: string;
  /** e.g. 'validators/iban.yaml' */
  relativePath: string;
  kind: ScriptKind;
  name: string;
  /** the bindings whose call budgets `limits` may name (default: the built-in ones) */
  bindings?: readonly BindingDefinition[];
}

/** Parses metadata text; throws ScriptMetadataError naming the file, key and line. */
export function parseScriptMetadata(text: string, where: MetadataFile): ScriptMetadata {
  const fail = (issues: ConstructorParameters<typeof ScriptMetadataError>[4]) =>
    new ScriptMetadataError(where.file, where.relativePath, where.kind, where.name, issues);
  const parsed = parseYaml(text);
  if (!parsed.ok) throw fail(parsed.issues);
  const data = parsed.data ?? {};
  const bindings = where.bindings ?? builtinBindings;
  const result = scriptMetadataSchema(bindings).safeParse(data, { reportInput: true });
  if (!result.success) throw fail(zodIssues(result.error.issues, { locate: parsed.locate, allowedKeys: allowedKeysFor(bindings) }));
  return result.data as ScriptMetadata;
}

/** Reads and parses a metadata file; a missing file is no metadata (`{}`). */
export async function loadScriptMetadata(where: MetadataFile): Promise<ScriptMetadata> {
  let text: string;
  try {
    text = await readFile(where.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new ScriptMetadataError(where.file, where.relativePath, where.kind, where.name, [
      { path: '', message: `cannot read the file (${code ?? 'unknown error'})` },
    ]);
  }
  return parseScriptMetadata(text, where);
}
