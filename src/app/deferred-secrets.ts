// Secrets resolved when they are needed (the CLI's `run` and `record`): a
// script author runs one script on a laptop that has the CRM token but not
// the credentials of the five other services the application declares. With
// `deferSecrets`, loadConfig does not fail on a `${env:…}` / `${file:…}` of a
// service (or of serviceDefaults, or of the server: section) that cannot be
// resolved here: the key gets a placeholder that is never sent, and the first
// api.rest.v1 call to a service that needs it fails with the error start-up
// would have given (key, reference, line; never a value). The server checks
// every reference at start, as before.
import { ConfigError, type ConfigIssue } from './errors.js';
import { SECRET_REF_HINT, type UnresolvedReference } from './secret-refs.js';
import type { AppConfig } from './types.js';
import type { KeyPath } from './yaml-source.js';

/** The sections whose references may wait: what they configure is used by a call (services) or not at all (`run` serves nothing). */
export const DEFERRABLE_SECTIONS: ReadonlySet<string> = new Set(['services', 'serviceDefaults', 'scriptservice', 'server']);

/** Stands in for a deferred value; never sent: the call to the service fails first. */
export const DEFERRED_SECRET = 'scriptcode-deferred-secret';
export const DEFERRED_URL = 'https://deferred-secret.invalid';

interface Deferred {
  file: string;
  references: readonly UnresolvedReference[];
}

const deferredByConfig = new WeakMap<object, Deferred>();

export function isDeferrable(reference: UnresolvedReference): boolean {
  return reference.path.length > 1 && DEFERRABLE_SECTIONS.has(String(reference.path[0]));
}

/** The placeholder for the key at `path`: a URL for url-like keys, else text. */
export function placeholderFor(path: KeyPath): string {
  return /url$/i.test(String(path[path.length - 1])) ? DEFERRED_URL : DEFERRED_SECRET;
}

export function rememberDeferred(config: object, file: string, references: readonly UnresolvedReference[]): void {
  if (references.length > 0) deferredByConfig.set(config, { file, references });
}

/** Every deferred reference of a configuration made by loadConfig (none for any other). */
export function deferredReferences(config: object): readonly UnresolvedReference[] {
  return deferredByConfig.get(config)?.references ?? [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The id of `scriptservice.api[i]`. */
function listEntryId(config: AppConfig, index: unknown): string | undefined {
  const api = isRecord(config.scriptservice) ? config.scriptservice.api : undefined;
  const entry = Array.isArray(api) && typeof index === 'number' ? api[index] : undefined;
  return isRecord(entry) && typeof entry.serviceId === 'string' ? entry.serviceId : undefined;
}

/** `crmLegacy: { url: crm/legacy }` chains to `crm`: its url is crm's. */
function chainedTo(config: AppConfig, id: string): string | undefined {
  const own = isRecord(config.services) ? config.services[id] : undefined;
  const url = isRecord(own) ? own.url : undefined;
  if (typeof url !== 'string' || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return undefined;
  return url.split('/', 1)[0];
}

/** Does service `id` define its own auth (then serviceDefaults.auth is not its)? */
function hasOwnAuth(config: AppConfig, id: string): boolean {
  const own = isRecord(config.services) ? config.services[id] : undefined;
  if (isRecord(own)) return own.auth !== undefined;
  const api = isRecord(config.scriptservice) ? config.scriptservice.api : undefined;
  const entries = Array.isArray(api) ? api.filter((e) => isRecord(e) && e.serviceId === id) : [];
  const last = entries[entries.length - 1];
  return isRecord(last) && last.authorization !== undefined;
}

function belongsTo(config: AppConfig, reference: UnresolvedReference, id: string): boolean {
  const [section, key, index] = reference.path;
  if (section === 'serviceDefaults') return key !== 'auth' || !hasOwnAuth(config, id);
  if (section === 'services') return key === id;
  if (section === 'scriptservice') return key === 'api' && listEntryId(config, index) === id;
  return false;
}

/**
 * What a call to service `id` must fail with: the ConfigError start-up would
 * have thrown for the references that service needs, or undefined when it
 * needs none that are missing.
 */
export function deferredSecretError(config: AppConfig, id: string): ConfigError | undefined {
  const deferred = deferredByConfig.get(config);
  if (!deferred) return undefined;
  const issues: ConfigIssue[] = deferred.references.filter((r) => belongsTo(config, r, id)).map((r) => r.issue);
  const target = chainedTo(config, id);
  if (target !== undefined && target !== id) {
    for (const r of deferred.references) {
      if (belongsTo(config, r, target) && String(r.path[r.path.length - 1]) === 'url' && !issues.includes(r.issue)) issues.push(r.issue);
    }
  }
  return issues.length === 0 ? undefined : new ConfigError(deferred.file, issues, SECRET_REF_HINT);
}
