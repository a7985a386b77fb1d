// The reference platform's service list (SPEC §4.4):
//
//   scriptservice:
//     api:
//       - serviceId: legacy
//         url: https://legacy.example.com
//         authorization: { type: basic, encodedCredentials: … }
//
// converted into the shape of a `services:` entry (id → raw service object:
// `authorization` becomes `auth`, `serviceId` is dropped). Any other service
// setting (timeouts, tls, …) may also be written in a list entry; it is
// validated exactly like a `services:` entry.
//
// Both formats together: the `scriptservice.api` entries are taken FIRST, in
// list order, then the `services:` entries. Where an id is defined more than
// once the LAST definition wins (with a warning), so `services:` — the
// runtime's own format — wins over the reference list, and a later list entry
// wins over an earlier one. A definition that lost is not validated: it is
// not used.
import type { ConfigIssue } from '../app/errors.js';
import type { AppConfig } from '../app/types.js';
import { formatPath, type KeyPath, type Position } from '../app/yaml-source.js';
import { describeType, isPlainObject } from '../app/schema-helpers.js';

/** One service definition as written, before validation. */
export interface ServiceDefinition {
  id: string;
  /** the raw service object in `services:` shape (`auth`, not `authorization`) */
  raw: unknown;
  /** where it was written: `['services', id]` or `['scriptservice', 'api', index]` */
  at: KeyPath;
  format: 'services' | 'scriptservice';
}

/** Keys of a list entry besides the service settings (`authorization` is the list's name for `auth`). */
export const LIST_ENTRY_KEYS = ['serviceId', 'url', 'authorization'] as const;

/**
 * The key path of a setting of `definition`, as written in the file:
 * `auth.password` of a list entry is `scriptservice.api[2].authorization.password`.
 */
export function definitionPath(definition: Pick<ServiceDefinition, 'at' | 'format'>, path: KeyPath = []): KeyPath {
  if (definition.format === 'scriptservice' && path[0] === 'auth') return [...definition.at, 'authorization', ...path.slice(1)];
  return [...definition.at, ...path];
}

/** A service id is used as `api.rest.v1.get('<id>')` and as the first segment of a chained url. */
export function serviceIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'a service id must not be empty';
  if (/[\s\0-\x1f\x7f]/.test(id)) return 'a service id must not contain spaces or control characters';
  if (id.includes('/')) return "a service id must not contain '/' (it would be read as a url path)";
  return undefined;
}

/**
 * The entries of `scriptservice.api`, in list order, each converted to the
 * `services:` shape. Structural problems (not a list, an entry without a
 * serviceId, …) are returned as issues; the entry is then skipped.
 */
export function convertReferenceList(
  scriptservice: unknown,
  locate?: (path: KeyPath) => Position | undefined,
): { definitions: ServiceDefinition[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const definitions: ServiceDefinition[] = [];
  const issue = (path: KeyPath, message: string) => issues.push({ path: formatPath(path), message, ...locate?.(path) });
  if (scriptservice === undefined || scriptservice === null) return { definitions, issues };
  if (!isPlainObject(scriptservice)) {
    issue(['scriptservice'], `must be a mapping with an 'api' list, got ${describeType(scriptservice)}`);
    return { definitions, issues };
  }
  for (const key of Object.keys(scriptservice)) {
    if (key !== 'api') issue(['scriptservice', key], "unknown key (allowed here: api)");
  }
  const list = scriptservice.api;
  if (list === undefined || list === null) return { definitions, issues };
  if (!Array.isArray(list)) {
    issue(['scriptservice', 'api'], `must be a list of services ({ serviceId, url, authorization }), got ${describeType(list)}`);
    return { definitions, issues };
  }
  list.forEach((entry: unknown, index) => {
    const at: KeyPath = ['scriptservice', 'api', index];
    if (!isPlainObject(entry)) {
      issue(at, `must be a mapping ({ serviceId, url, authorization }), got ${describeType(entry)}`);
      return;
    }
    const { serviceId, authorization, ...settings } = entry;
    if (typeof serviceId !== 'string') {
      issue([...at, 'serviceId'], serviceId === undefined ? 'is required (text)' : `must be text, got ${describeType(serviceId)}`);
      return;
    }
    const problem = serviceIdProblem(serviceId);
    if (problem) {
      issue([...at, 'serviceId'], problem);
      return;
    }
    if ('auth' in settings) {
      // the path of every auth problem is reported as `authorization`; two names for one thing would only confuse
      issue([...at, 'auth'], "unknown key — in scriptservice.api entries the credentials are written under 'authorization'");
      return;
    }
    const raw = authorization === undefined ? settings : { ...settings, auth: authorization };
    definitions.push({ id: serviceId, raw, at, format: 'scriptservice' });
  });
  return { definitions, issues };
}

export interface CollectOptions {
  /** called once per id defined more than once */
  onWarning?: (message: string) => void;
  /** YAML position of a key, so errors can name the line */
  locate?: (path: KeyPath) => Position | undefined;
}

/**
 * Every service definition of the configuration by id — `scriptservice.api`
 * first, then `services:` — with the last definition of an id winning.
 */
export function collectServiceDefinitions(
  config: Pick<AppConfig, 'services' | 'scriptservice'>,
  options: CollectOptions = {},
): { definitions: Map<string, ServiceDefinition>; issues: ConfigIssue[] } {
  const { definitions: listed, issues } = convertReferenceList(config.scriptservice, options.locate);
  const all = [...listed];
  const services: unknown = config.services;
  if (services !== undefined && services !== null) {
    if (!isPlainObject(services)) {
      issues.push({ path: 'services', message: `must be a mapping of services by id, got ${describeType(services)}`, ...options.locate?.(['services']) });
    } else {
      for (const [id, raw] of Object.entries(services)) {
        const problem = serviceIdProblem(id);
        if (problem) issues.push({ path: formatPath(['services', id]), message: problem, ...options.locate?.(['services', id]) });
        else all.push({ id, raw, at: ['services', id], format: 'services' });
      }
    }
  }

  const byId = new Map<string, ServiceDefinition>();
  const places = new Map<string, string[]>();
  for (const definition of all) {
    const where = formatPath(definition.at);
    places.set(definition.id, [...(places.get(definition.id) ?? []), where]);
    // re-inserted so the map's order is the order of the definitions that won
    byId.delete(definition.id);
    byId.set(definition.id, definition);
  }
  for (const [id, where] of places) {
    if (where.length < 2) continue;
    options.onWarning?.(
      `service '${id}' is defined ${where.length} times (${where.join(', ')}); the last definition (${where[where.length - 1]}) is used and the others are ignored`,
    );
  }
  return { definitions: byId, issues };
}

/**
 * `scriptservice.api` as a `services:` mapping (id → raw service object),
 * the last entry of an id winning. Entries with structural problems are left
 * out; use convertReferenceList to see them.
 */
export function referenceListToServices(scriptservice: unknown, options: CollectOptions = {}): Record<string, unknown> {
  const { definitions } = collectServiceDefinitions({ services: {}, scriptservice }, options);
  return Object.fromEntries([...definitions].map(([id, definition]) => [id, definition.raw]));
}
