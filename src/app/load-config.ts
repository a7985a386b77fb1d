// Reads <app>/scriptcode.yaml into an AppConfig: YAML → overrides merged →
// secret references resolved → validated. Every problem found in one pass is
// reported together, each with its key path and, where known, its line.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { allowedConfigKeys, appConfigSchema } from './config-schema.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { collectSecretRefs, rememberReferences, SECRET_REF_HINT } from './secret-refs.js';
import type { AppConfig } from './types.js';
import { parseYaml, zodIssues, type KeyPath, type Position } from './yaml-source.js';

export const CONFIG_FILE = 'scriptcode.yaml';

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** What an embedder may lay over the file; a superset of Partial<AppConfig>. */
export type ConfigOverrides = DeepPartial<AppConfig>;

export interface LoadConfigOptions {
  /**
   * Deep-merged over the file, key by key (lists and scalars replace). Goes
   * through the same secret resolution and validation as the file.
   */
  overrides?: ConfigOverrides;
  /** variables for `${env:…}` (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  onWarning?: (message: string) => void;
}

const SYNTAX_HINT = 'Hint: fix the YAML syntax at the position shown (indentation uses spaces; quote values that contain ": " or start with a special character).';

export async function loadConfig(dir: string, options: LoadConfigOptions = {}): Promise<AppConfig> {
  const appDir = resolve(dir);
  const file = join(appDir, CONFIG_FILE);

  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError(file, [{ path: '', message: `cannot read the file (${code ?? 'unknown error'})` }]);
    options.onWarning?.(`${file} not found: using the default configuration (no services declared)`);
  }

  let raw: unknown = {};
  let locate: (path: KeyPath) => Position | undefined = () => undefined;
  if (text !== undefined) {
    const parsed = parseYaml(text);
    if (!parsed.ok) throw new ConfigError(file, parsed.issues, SYNTAX_HINT);
    raw = parsed.data ?? {};
    locate = parsed.locate;
  }
  if (!isPlainObject(raw)) {
    throw new ConfigError(file, [
      { path: '', message: `the file must be a mapping of settings (services:, limits:, logging:, …), not ${Array.isArray(raw) ? 'a list' : 'a single value'}` },
    ]);
  }

  const merged = deepMerge(dropEmptySections(raw), options.overrides ?? {});
  // a key set by the overrides has no line in the file
  const locateInFile = (path: KeyPath) => (hasPath(options.overrides, path) ? undefined : locate(path));

  const secrets = collectSecretRefs(merged, [], { baseDir: appDir, env: options.env, file, locate: locateInFile });
  const result = appConfigSchema.safeParse(secrets.value, { reportInput: true });
  const failedRefs = new Set(secrets.issues.map((issue) => issue.path));
  const validation = result.success
    ? []
    : zodIssues(result.error.issues, { locate: locateInFile, allowedKeys: allowedConfigKeys }).filter((issue) => !failedRefs.has(issue.path));

  const issues: ConfigIssue[] = [...secrets.issues, ...validation];
  if (!result.success || issues.length > 0) {
    const hint = secrets.issues.length > 0 && validation.length === 0 ? SECRET_REF_HINT : undefined;
    // a failed parse whose every issue was a duplicate of a failed reference still has issues here
    throw new ConfigError(file, issues, hint);
  }
  rememberReferences(result.data, secrets.references);
  return result.data;
}

/** `services:` with every entry commented out parses as null; treat it as absent so the default applies. */
function dropEmptySections(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function hasPath(value: unknown, path: KeyPath): boolean {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
    if (current === undefined) return false;
  }
  return path.length > 0;
}
