// `<kind>/<name>.yaml`: optional description, declared inputs/outputs, validator
// messages and per-script limits. Strict, because a misspelt `limits` key that
// is silently ignored would leave a script with limits nobody intended.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { limitOverridesSchema, LIMIT_KEYS } from './config-schema.js';
import { ScriptMetadataError } from './errors.js';
import type { ScriptKind, ScriptMetadata } from './types.js';
import { parseYaml, zodIssues, type KeyPath } from './yaml-source.js';

// `name:` with nothing after it parses as null; it means "declared, nothing more to say".
const emptyAsObject = (value: unknown) => (value === null ? {} : value);

const inputSchema = z.preprocess(emptyAsObject, z.strictObject({ description: z.string().optional(), required: z.boolean().optional() }));
const outputSchema = z.preprocess(emptyAsObject, z.strictObject({ description: z.string().optional() }));

export const scriptMetadataSchema = z.strictObject({
  description: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).optional(),
  outputs: z.record(z.string(), outputSchema).optional(),
  messages: z.record(z.string(), z.string()).optional(),
  limits: limitOverridesSchema.optional(),
});

const outputIsMetadata = (metadata: z.output<typeof scriptMetadataSchema>): ScriptMetadata => metadata;
void outputIsMetadata;

const TOP_KEYS = Object.keys(scriptMetadataSchema.shape);

function allowedKeys(path: KeyPath): readonly string[] | undefined {
  if (path.length === 0) return TOP_KEYS;
  if (path.length === 1 && path[0] === 'limits') return LIMIT_KEYS;
  if (path.length === 2 && path[0] === 'inputs') return ['description', 'required'];
  if (path.length === 2 && path[0] === 'outputs') return ['description'];
  return undefined;
}

export interface MetadataFile {
  /** absolute path of the .yaml file */
  file: string;
  /** e.g. 'validators/iban.yaml' */
  relativePath: string;
  kind: ScriptKind;
  name: string;
}

/** Parses metadata text; throws ScriptMetadataError naming the file, key and line. */
export function parseScriptMetadata(text: string, where: MetadataFile): ScriptMetadata {
  const fail = (issues: ConstructorParameters<typeof ScriptMetadataError>[4]) =>
    new ScriptMetadataError(where.file, where.relativePath, where.kind, where.name, issues);
  const parsed = parseYaml(text);
  if (!parsed.ok) throw fail(parsed.issues);
  const data = parsed.data ?? {};
  const result = scriptMetadataSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw fail(zodIssues(result.error.issues, { locate: parsed.locate, allowedKeys }));
  return result.data;
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
