// `${env:NAME}` / `${file:PATH}` references in configuration strings (SPEC §4.4).
// Secrets live in the environment or in mounted files, never in the repository;
// errors therefore name the key and the reference, and never any value.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './errors.js';
import { formatPath, type KeyPath, type Position } from './yaml-source.js';

export interface SecretRefOptions {
  /** folder that relative `${file:…}` paths resolve against: the application folder (default: the working directory) */
  baseDir?: string;
  /** variables for `${env:…}` (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  /** configuration file named in the ConfigError (default: scriptcode.yaml) */
  file?: string;
  /** YAML position of a key, so errors can name the line */
  locate?: (path: KeyPath) => Position | undefined;
}

// `$${` is the escape for a literal `${`; an unterminated reference has no closing brace (group 3).
const REFERENCE = /\$\$\{|\$\{(env|file):([^}]*)(\})?/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const HINT =
  "Hint: set the missing environment variables or make the files readable by the runtime's user; " +
  "to write a literal '${' in a value, escape it as '$${' (see docs/configuration.md, \"Secret references\").";

/**
 * Returns a copy of `value` with every reference in every string replaced.
 * Throws one ConfigError listing every reference that cannot be resolved.
 * `path` is the key path of `value` itself, used to name keys in errors.
 */
export function resolveSecretRefs<T>(value: T, path: string | KeyPath = [], options: SecretRefOptions = {}): T {
  const { value: resolved, issues } = collectSecretRefs(value, path, options);
  if (issues.length > 0) throw new ConfigError(options.file ?? 'scriptcode.yaml', issues, HINT);
  return resolved;
}

/** As resolveSecretRefs, but reports problems instead of throwing (unresolvable strings are left as written). */
export function collectSecretRefs<T>(
  value: T,
  path: string | KeyPath = [],
  options: SecretRefOptions = {},
): { value: T; issues: ConfigIssue[]; references: ResolvedReference[]; unresolved: UnresolvedReference[] } {
  const issues: ConfigIssue[] = [];
  const references: ResolvedReference[] = [];
  const unresolved: UnresolvedReference[] = [];
  const start = typeof path === 'string' ? (path ? path.split('.') : []) : path;
  const resolved = walk(value, start, options, { issues, references, unresolved }) as T;
  return { value: resolved, issues, references, unresolved };
}

/** A string whose references could not all be resolved (the variable is not set, the file is missing): its key and its issue. */
export interface UnresolvedReference {
  path: KeyPath;
  /** the same object as in `issues` */
  issue: ConfigIssue;
}

/** A configuration string that held references: where it is, what it became, what each reference gave. */
export interface ResolvedReference {
  path: KeyPath;
  /** the whole string after resolution */
  text: string;
  /** the value of each reference in it (empty ones left out) */
  values: string[];
}

// The references of each loaded configuration, so that values that came from
// the environment or a secret file can be told apart from literal ones later
// (api.rest.v1 redacts them from what a service sends back). Never logged.
const referencesByConfig = new WeakMap<object, readonly ResolvedReference[]>();

/** Remembers the references `config` was resolved from (collectSecretRefs().references). */
export function rememberReferences(config: object, references: readonly ResolvedReference[]): void {
  referencesByConfig.set(config, references);
}

/** The references `config` was resolved from; none for a configuration not made by loadConfig. */
export function configReferences(config: object): readonly ResolvedReference[] {
  return referencesByConfig.get(config) ?? [];
}

export const SECRET_REF_HINT = HINT;

interface Collected {
  issues: ConfigIssue[];
  references: ResolvedReference[];
  unresolved: UnresolvedReference[];
}

function walk(value: unknown, path: KeyPath, options: SecretRefOptions, found: Collected): unknown {
  if (typeof value === 'string') return resolveString(value, path, options, found);
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], options, found));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key], options, found);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function resolveString(text: string, path: KeyPath, options: SecretRefOptions, found: Collected): string {
  if (!text.includes('${')) return text;
  let failed = false;
  let malformed = false;
  const values: string[] = [];
  const problems: ConfigIssue[] = [];
  const report = (message: string) => {
    failed = true;
    const issue = { path: formatPath(path), message, ...options.locate?.(path) };
    problems.push(issue);
    found.issues.push(issue);
  };
  const result = text.replace(REFERENCE, (match, scheme: string | undefined, target: string | undefined, close: string | undefined) => {
    if (match === '$${') return '${';
    const reference = `${scheme}:${target}`;
    if (close === undefined) {
      malformed = true;
      report(`reference '\${${scheme}:…' has no closing '}'`);
      return match;
    }
    const resolved = scheme === 'env' ? readEnv(target!.trim(), options) : readSecretFile(target!.trim(), options);
    if (typeof resolved === 'string') {
      if (resolved) values.push(resolved);
      return resolved;
    }
    if (resolved.malformed) malformed = true;
    report(`cannot resolve \${${reference}}: ${resolved.problem}`);
    return match;
  });
  // a failed string stays as written so the caller never sees half a secret
  if (failed) {
    // a string written wrongly is never "just not available here"
    if (!malformed) for (const issue of problems) found.unresolved.push({ path, issue });
    return text;
  }
  if (values.length > 0) found.references.push({ path, text: result, values });
  return result;
}

type Unreadable = { problem: string; /** written wrongly, rather than not available here */ malformed?: boolean };

function readEnv(name: string, options: SecretRefOptions): string | Unreadable {
  if (!ENV_NAME.test(name)) return { problem: `'${name}' is not a valid environment variable name`, malformed: true };
  const value = (options.env ?? process.env)[name];
  if (value === undefined) return { problem: `environment variable ${name} is not set` };
  return value;
}

function readSecretFile(file: string, options: SecretRefOptions): string | Unreadable {
  if (!file) return { problem: 'no file path given', malformed: true };
  const absolute = resolve(options.baseDir ?? process.cwd(), file);
  const where = absolute === file ? '' : ` (resolved to ${absolute})`;
  try {
    // secret files (Kubernetes, Docker) usually end with a newline that is not part of the secret
    return readFileSync(absolute, 'utf8').replace(/[\r\n]+$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'file not found'
      : code === 'EACCES' || code === 'EPERM' ? 'file is not readable (permission denied)'
      : code === 'EISDIR' ? 'is a folder, not a file'
      : `file cannot be read (${code ?? 'unknown error'})`;
    return { problem: `${problem}${where}` };
  }
}
