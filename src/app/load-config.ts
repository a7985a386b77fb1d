// Reads <app>/scriptcode.yaml into an AppConfig: YAML → overrides merged →
// secret references resolved → validated. Every problem found in one pass is
// reported together, each with its key path and, where known, its line.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BindingDefinition } from '../bindings/binding.js';
import { builtinBindings } from '../bindings/registry.js';
import { configSchemas } from './config-schema.js';
import { isDeferrable, placeholderFor, rememberDeferred } from './deferred-secrets.js';
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
  /**
   * A `${env:…}` / `${file:…}` of a service, serviceDefaults or server: that
   * cannot be resolved does not fail loading; the first call to a service that
   * needs it fails instead, with the same message (src/app/deferred-secrets.ts).
   * For the command line (`run`, `record`); the server resolves every one at start.
   */
  deferSecrets?: boolean;
  /** the bindings whose sections and call budgets the file may have (default: the built-in ones) */
  bindings?: readonly BindingDefinition[];
}

const SYNTAX_HINT = 'Hint: fix the YAML syntax at the position shown (indentation uses spaces; quote values that contain ": " ' +
  'or start with a special character, and every ${…} inside { … } or [ … ]); see docs/configuration.md, "Secret references".';

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
  // references that may wait for the call that needs them get a placeholder meanwhile
  let deferred = options.deferSecrets ? secrets.unresolved.filter(isDeferrable) : [];
  for (const reference of deferred) setIn(secrets.value, reference.path, placeholderFor(reference.path));

  const bindings = options.bindings ?? builtinBindings;
  const schemas = configSchemas(bindings);
  const result = schemas.app.safeParse(secrets.value, { reportInput: true });
  const failedRefs = new Set(secrets.issues.map((issue) => issue.path));
  const validation = result.success ? [] : zodIssues(result.error.issues, { locate: locateInFile, allowedKeys: schemas.allowedKeys });
  // the bindings' own checks (every service, say), in the same pass and with positions
  const checked = bindings.filter((b) => b.config).map((b) => ({
    hint: b.config!.hint,
    sections: Object.keys(b.config!.sections),
    issues: b.config!.check?.(secrets.value as AppConfig, { file, locate: locateInFile }) ?? [],
  }));
  const services = checked.flatMap((c) => c.issues);

  // a placeholder the settings refuse (a number from the environment, say) cannot wait: its reference is reported now
  const refused = new Set([...validation, ...services].map((issue) => issue.path));
  deferred = deferred.filter((reference) => !refused.has(reference.issue.path));
  const waiting = new Set(deferred.map((reference) => reference.issue));
  const secretIssues = secrets.issues.filter((issue) => !waiting.has(issue));

  const shown = new Set([...failedRefs, ...validation.map((issue) => issue.path)]);
  const issues: ConfigIssue[] = [
    ...secretIssues,
    ...validation.filter((issue) => !failedRefs.has(issue.path)),
    ...services.filter((issue) => !shown.has(issue.path)),
  ];
  if (!result.success || issues.length > 0) {
    const onlySecrets = secretIssues.length > 0 && issues.length === secretIssues.length;
    // every issue in one binding's sections: its hint
    const owner = issues.length > 0 ? checked.find((c) => issues.every((issue) => c.issues.includes(issue) || c.sections.some((s) => issue.path === s || issue.path.startsWith(`${s}.`) || issue.path.startsWith(`${s}[`)))) : undefined;
    // a failed parse whose every issue was a duplicate of a failed reference still has issues here
    throw new ConfigError(file, issues, onlySecrets ? SECRET_REF_HINT : owner?.hint);
  }
  const config = result.data as AppConfig;
  rememberReferences(config, secrets.references);
  rememberDeferred(config, file, deferred);
  return config;
}

function setIn(target: unknown, path: KeyPath, value: unknown): void {
  let node = target as Record<PropertyKey, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') return;
    node = next as Record<PropertyKey, unknown>;
  }
  node[path[path.length - 1]!] = value;
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
