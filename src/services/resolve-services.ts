// `services:`, `serviceDefaults:` and the reference platform's
// `scriptservice.api` list (SPEC §4.4) → one validated ServiceConfig per id.
//
// 1. definitions are collected (reference-format.ts: list first, then
//    `services:`, the last definition of an id winning, with a warning);
// 2. `serviceDefaults` and every definition are validated on their own, so an
//    error names the key where the bad value was written;
// 3. chained urls (`crm/legacy`) are resolved against the other services;
// 4. defaults are laid under each service, key by key (see mergeSettings);
// 5. what depends on the merged result is checked: the url (scheme,
//    userinfo, plain http), the OAuth token url, TLS pairs, header conflicts.
// Every problem of every service is collected into one ConfigError.
//
// Nothing here ever puts a configuration value into a message: any value may
// be a resolved secret. Messages name keys, service ids and expectations.
import { ConfigError, type ConfigIssue } from '../app/errors.js';
import type { AppConfig } from '../app/types.js';
import { formatPath, zodIssues, type KeyPath, type Position } from '../app/yaml-source.js';
import { collectServiceDefinitions, definitionPath, LIST_ENTRY_KEYS, type ServiceDefinition } from './reference-format.js';
import {
  AUTH_TYPES,
  isEncodedUserPassword,
  allowedServiceKeys,
  SERVICE_KEYS,
  serviceDefaultsSchema,
  serviceSchema,
  type ParsedServiceSettings,
} from './service-schema.js';
import { SERVICE_DEFAULTS, type AuthConfig, type CircuitBreakerConfig, type ServiceConfig, type TlsConfig } from './types.js';
import { describeType, isPlainObject } from '../app/schema-helpers.js';

/** Used for the keys a service's `circuitBreaker:` leaves out (SPEC §4.4 gives no numbers). */
export const CIRCUIT_BREAKER_DEFAULTS: CircuitBreakerConfig = { failureThreshold: 5, resetAfterMs: 30_000 };

export interface ResolveServicesOptions {
  /** an id defined more than once (the last definition wins) */
  onWarning?: (message: string) => void;
  /** the file named in the ConfigError (default: scriptcode.yaml) */
  file?: string;
  /** YAML position of a key, so errors can name the line */
  locate?: (path: KeyPath) => Position | undefined;
}

export const SERVICES_HINT =
  'Hint: correct the service settings listed above in scriptcode.yaml and start again (every service key is described ' +
  'in docs/configuration.md, "Services"); values are never shown because any of them may be a secret.';
const HINT = SERVICES_HINT;

type Settings = ParsedServiceSettings & { url?: string };
type ZodIssue = Parameters<typeof zodIssues>[0][number];

/** A lenient twin of serviceSchema: `url` is checked by hand so the rest can be validated without it. */
const partialServiceSchema = serviceSchema.partial({ url: true });

class Issues {
  readonly list: ConfigIssue[] = [];
  constructor(private readonly locate?: (path: KeyPath) => Position | undefined) {}

  add(path: KeyPath, message: string): void {
    this.list.push({ path: formatPath(path), message, ...this.locate?.(path) });
  }

  addAll(issues: readonly ConfigIssue[]): void {
    this.list.push(...issues);
  }
}

/** zod's message for an unknown auth type names the expected values only; ours says what to write. */
function rewriteAuthType(issue: ZodIssue): ZodIssue {
  if (issue.code !== 'invalid_union' || issue.path[issue.path.length - 1] !== 'type') return issue;
  const given = (issue.input as { type?: unknown } | undefined)?.type;
  const message = given === undefined ? `is required (one of: ${AUTH_TYPES.join(', ')})` : `must be one of: ${AUTH_TYPES.join(', ')}`;
  return { code: 'custom', path: issue.path, message, input: undefined } as ZodIssue;
}

/**
 * Validates `raw` with `schema`. When some keys are wrong the rest is parsed
 * again without them, so the checks of the merged service still see every
 * valid key (and do not report e.g. "http refused" for a valid allowInsecureHttp).
 * The top-level keys that were wrong are added to `bad`.
 */
function parseSettings<T extends Settings>(
  bad: Set<string>,
  schema: typeof partialServiceSchema | typeof serviceDefaultsSchema,
  raw: Record<string, unknown>,
  toFilePath: (path: KeyPath) => KeyPath,
  allowedKeys: (relative: KeyPath) => readonly string[] | undefined,
  issues: Issues,
  locate?: (path: KeyPath) => Position | undefined,
): T {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data as T;
  const zod = result.error.issues.map(rewriteAuthType);
  issues.addAll(
    zodIssues(
      zod.map((issue) => ({ ...issue, path: [...toFilePath(issue.path as KeyPath)] }) as ZodIssue),
      { locate, allowedKeys: (path) => allowedKeys(fromFilePath(path, toFilePath)) },
    ),
  );
  for (const issue of zod) {
    if (issue.path.length > 0) bad.add(String(issue.path[0]));
    else if (issue.code === 'unrecognized_keys') issue.keys.forEach((key) => bad.add(key));
  }
  const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !bad.has(key)));
  const again = schema.safeParse(rest);
  return (again.success ? again.data : {}) as T;
}

/** Inverse of toFilePath for the allowed-keys lookup (`authorization` of a list entry is `auth`). */
function fromFilePath(path: KeyPath, toFilePath: (path: KeyPath) => KeyPath): KeyPath {
  const prefix = toFilePath([]);
  const relative = path.slice(prefix.length);
  return relative[0] === 'authorization' ? ['auth', ...relative.slice(1)] : relative;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mergeObjects<T extends object>(base: T | undefined, own: T | undefined): T | undefined {
  if (base === undefined && own === undefined) return undefined;
  return { ...definedOnly(base), ...definedOnly(own) } as T;
}

/** Header names are case-insensitive: a service's `x-tenant` replaces a default `X-Tenant`. */
function mergeHeaders(base: Record<string, string> | undefined, own: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...base };
  for (const [name, value] of Object.entries(own ?? {})) {
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === name.toLowerCase()) delete out[existing];
    out[name] = value;
  }
  return out;
}

/**
 * `serviceDefaults` under a service's own settings, key by key: objects
 * (timeouts, retry, tls, network, circuitBreaker) are merged per key,
 * `headers` and `queryParams` per name, lists (allowCidrs, retry.methods)
 * replace. `auth` is never merged: a service's own auth replaces the default
 * auth entirely (a default password must not end up beside a service's token).
 */
export function mergeSettings(defaults: Settings, own: Settings): Settings {
  return {
    ...definedOnly(defaults),
    ...definedOnly(own),
    auth: own.auth ?? defaults.auth,
    timeouts: mergeObjects(defaults.timeouts, own.timeouts),
    retry: mergeObjects(defaults.retry, own.retry),
    tls: mergeObjects(defaults.tls, own.tls),
    network: mergeObjects(defaults.network, own.network),
    circuitBreaker: mergeObjects(defaults.circuitBreaker, own.circuitBreaker),
    headers: mergeHeaders(defaults.headers, own.headers),
    queryParams: { ...defaults.queryParams, ...own.queryParams },
  };
}

const ABSOLUTE = /^https?:\/\//i;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const PLACEHOLDER = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;

export interface UrlRules {
  /** whose url this is, for messages */
  service: string;
  allowInsecureHttp: boolean;
  /** `{name}` placeholders allowed in the path, query and fragment refused (service urls) */
  serviceUrl: boolean;
  /** e.g. " (it comes from service 'crm', which it chains to)" */
  origin?: string;
}

/** Problems of an absolute url; none quotes the url, which may hold a secret. */
export function urlProblems(url: string, rules: UrlRules): string[] {
  const origin = rules.origin ?? '';
  if (/[\s\0-\x1f\x7f]/.test(url)) return [`must not contain spaces or control characters${origin}`];
  const scheme = SCHEME.exec(url)?.[0].toLowerCase();
  if (scheme !== 'http:' && scheme !== 'https:') return [`only http:// and https:// URLs are allowed${origin}`];
  if (!ABSOLUTE.test(url)) return [`must be an absolute URL starting with ${scheme}//${origin}`];
  const problems: string[] = [];
  const afterScheme = url.slice(scheme.length + 2);
  const authority = afterScheme.split(/[/?#]/, 1)[0]!;
  if (authority.includes('@')) {
    problems.push(`must not contain a user name or password (user:password@host${origin}); put credentials under auth`);
  }
  if (/[{}]/.test(authority)) problems.push(`{placeholders} are allowed in the path only, not in the host${origin}`);
  let parseable = url;
  if (rules.serviceUrl) {
    parseable = url.replace(PLACEHOLDER, 'placeholder');
    if (/[{}]/.test(parseable.slice(scheme.length + 2 + authority.length))) {
      problems.push(`has a malformed {placeholder}${origin}: write {name} with letters, digits and _ only`);
    }
    if (url.includes('?')) problems.push(`must not contain a query (?…)${origin}; put default query parameters under queryParams`);
  }
  if (url.includes('#')) problems.push(`must not contain a fragment (#…)${origin}`);
  if (problems.length > 0) return problems;
  let parsed: URL;
  try {
    parsed = new URL(parseable);
  } catch {
    return [`is not a valid URL${origin}`];
  }
  if (parsed.hostname === '') return [`has no host${origin}`];
  if (parsed.protocol === 'http:' && !rules.allowInsecureHttp) {
    problems.push(
      `plain http:// is refused for service '${rules.service}'${origin}: use https://, or set allowInsecureHttp: true on service '${rules.service}' ` +
        'to allow unencrypted traffic',
    );
  }
  return problems;
}

/** `base` + '/' + `rest`, without doubling or adding slashes. */
function joinUrl(base: string, rest: string): string {
  const tail = rest.replace(/^\/+/, '');
  if (tail === '') return base;
  return `${base.replace(/\/+$/, '')}/${tail}`;
}

type UrlBase = { kind: 'absolute'; url: string } | { kind: 'chained'; target: string; rest: string } | { kind: 'invalid' };

function classifyUrl(url: string | undefined): UrlBase {
  if (url === undefined) return { kind: 'invalid' };
  if (ABSOLUTE.test(url) || SCHEME.test(url)) return { kind: 'absolute', url };
  const slash = url.indexOf('/');
  return slash === -1 ? { kind: 'chained', target: url, rest: '' } : { kind: 'chained', target: url.slice(0, slash), rest: url.slice(slash + 1) };
}

function buildAuth(auth: NonNullable<Settings['auth']> | undefined): AuthConfig {
  if (auth === undefined) return { type: 'none' };
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return auth.encodedCredentials !== undefined
        ? { type: 'basic', encodedCredentials: auth.encodedCredentials }
        : { type: 'basic', username: auth.username!, password: auth.password! };
    case 'bearer':
      return { type: 'bearer', token: auth.token };
    case 'apiKey':
      return { type: 'apiKey', in: auth.in, name: auth.name, value: auth.value };
    case 'oauth2':
      return {
        type: 'oauth2',
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        ...(auth.scope !== undefined && { scope: auth.scope }),
        ...(auth.audience !== undefined && { audience: auth.audience }),
        clientAuth: auth.clientAuth ?? 'basic',
      };
  }
}

function build(id: string, url: string, s: Settings): ServiceConfig {
  const tls: TlsConfig = { ...definedOnly(s.tls), minVersion: s.tls?.minVersion ?? SERVICE_DEFAULTS.tls.minVersion };
  const service: ServiceConfig = {
    id,
    url,
    auth: buildAuth(s.auth),
    timeouts: { ...SERVICE_DEFAULTS.timeouts, ...definedOnly(s.timeouts) },
    retry: {
      attempts: s.retry?.attempts ?? SERVICE_DEFAULTS.retry.attempts,
      ...(s.retry?.methods !== undefined && { methods: [...new Set(s.retry.methods)] }),
    },
    tls,
    allowInsecureHttp: s.allowInsecureHttp ?? SERVICE_DEFAULTS.allowInsecureHttp,
    network: {
      allowPrivate: s.network?.allowPrivate ?? SERVICE_DEFAULTS.network.allowPrivate,
      allowCidrs: [...(s.network?.allowCidrs ?? SERVICE_DEFAULTS.network.allowCidrs)],
    },
    followRedirects: s.followRedirects ?? SERVICE_DEFAULTS.followRedirects,
    maxResponseBytes: s.maxResponseBytes ?? SERVICE_DEFAULTS.maxResponseBytes,
    headers: { ...s.headers },
    queryParams: { ...s.queryParams },
  };
  if (s.circuitBreaker !== undefined) service.circuitBreaker = { ...CIRCUIT_BREAKER_DEFAULTS, ...definedOnly(s.circuitBreaker) };
  if (s.maxConcurrent !== undefined) service.maxConcurrent = s.maxConcurrent;
  if (s.rateLimit !== undefined) service.rateLimit = { ...s.rateLimit };
  if (s.cache !== undefined) service.cache = { maxEntries: s.cache.maxEntries ?? 1000, maxEntryBytes: s.cache.maxEntryBytes ?? 256 * 1024, ttlSeconds: s.cache.ttlSeconds };
  if (s.proxy !== undefined) service.proxy = s.proxy;
  if (s.healthPath !== undefined) service.healthPath = s.healthPath;
  return service;
}

function tlsProblems(tls: Settings['tls']): string[] {
  if (!tls) return [];
  const problems: string[] = [];
  if (tls.pfx !== undefined && (tls.cert !== undefined || tls.key !== undefined)) {
    problems.push('give either pfx or cert + key for the client certificate, not both');
  } else if ((tls.cert === undefined) !== (tls.key === undefined)) {
    problems.push(tls.cert === undefined ? 'key is given without cert: the client certificate needs both' : 'cert is given without key: the client certificate needs both');
  }
  return problems;
}

interface Parsed {
  definition: ServiceDefinition;
  own: Settings;
  /** keys written wrongly: checks that depend on them are skipped (the key itself is reported) */
  bad: Set<string>;
  path: (relative?: KeyPath) => KeyPath;
}

/**
 * Every service of the configuration, validated and with defaults applied,
 * by id. Throws one ConfigError listing every problem of every service.
 */
export function resolveServices(config: AppConfig, options: ResolveServicesOptions = {}): Map<string, ServiceConfig> {
  const issues = new Issues(options.locate);

  // serviceDefaults, validated on its own
  let defaults: Settings = {};
  let defaultsTlsReported = false;
  const rawDefaults: unknown = config.serviceDefaults;
  if (rawDefaults !== undefined && rawDefaults !== null) {
    if (!isPlainObject(rawDefaults)) {
      issues.add(['serviceDefaults'], `must be a mapping of service settings, got ${describeType(rawDefaults)}`);
    } else {
      const { url, ...rest } = rawDefaults;
      if (url !== undefined) issues.add(['serviceDefaults', 'url'], 'cannot have a default: every service sets its own url');
      const keys = SERVICE_KEYS.filter((key) => key !== 'url');
      defaults = parseSettings(new Set(), serviceDefaultsSchema, rest, (path) => ['serviceDefaults', ...path], (path) => allowedServiceKeys(path, rest, keys), issues, options.locate);
      for (const problem of tlsProblems(defaults.tls)) {
        issues.add(['serviceDefaults', 'tls'], problem);
        defaultsTlsReported = true;
      }
    }
  }

  // every definition, validated on its own
  const collected = collectServiceDefinitions(config, { onWarning: options.onWarning, locate: options.locate });
  issues.addAll(collected.issues);
  const parsed = new Map<string, Parsed>();
  for (const [id, definition] of collected.definitions) {
    const path = (relative: KeyPath = []) => definitionPath(definition, relative);
    if (!isPlainObject(definition.raw)) {
      issues.add(path(), `must be a mapping of service settings (url, auth, …), got ${describeType(definition.raw)}`);
      continue;
    }
    const raw = definition.raw;
    const topLevel = definition.format === 'scriptservice' ? [...LIST_ENTRY_KEYS, ...SERVICE_KEYS.filter((k) => k !== 'url' && k !== 'auth')] : SERVICE_KEYS;
    const bad = new Set<string>();
    const own = parseSettings<Settings>(bad, partialServiceSchema, raw, path, (relative) => allowedServiceKeys(relative, raw, topLevel), issues, options.locate);
    if (raw.url === undefined) issues.add(path(['url']), `is required: the service's base URL (https://…), or another service's id followed by a path`);
    parsed.set(id, { definition, own, bad, path });
  }

  // urls, merged settings and the checks that need them
  const services = new Map<string, ServiceConfig>();
  for (const [id, { own, bad, path }] of parsed) {
    const settings = mergeSettings(defaults, own);
    // a wrongly written allowInsecureHttp is reported itself; the http rule then waits for it to be fixed
    const allowInsecureHttp = bad.has('allowInsecureHttp') || (settings.allowInsecureHttp ?? SERVICE_DEFAULTS.allowInsecureHttp);
    let ok = true;
    const fail = (relative: KeyPath, message: string) => {
      issues.add(path(relative), message);
      ok = false;
    };

    let url: string | undefined;
    let origin: string | undefined;
    const base = classifyUrl(own.url);
    if (base.kind === 'absolute') url = base.url;
    else if (base.kind === 'chained') {
      const target = parsed.get(base.target);
      const targetBase = target ? classifyUrl(target.own.url) : undefined;
      if (base.target === '' || !collected.definitions.has(base.target)) {
        fail(
          ['url'],
          `must be an absolute URL (https://…) or start with the id of another service` +
            (base.target === '' ? '' : ` (there is no service '${base.target}')`),
        );
      } else if (base.target === id) {
        fail(['url'], `starts with the service's own id '${id}': write the url in full (https://…)`);
      } else if (targetBase?.kind === 'chained') {
        fail(
          ['url'],
          `starts with service id '${base.target}', whose url itself starts with a service id ('${targetBase.target}'); ` +
            `only one level of chaining is allowed: write the url of '${base.target}' in full, or chain to a service with a full url`,
        );
      } else if (targetBase?.kind === 'absolute') {
        url = joinUrl(targetBase.url, base.rest);
        origin = ` (its base comes from service '${base.target}')`;
      } else ok = false; // the target has no usable url: reported on its own
    } else ok = false;

    if (url !== undefined) {
      for (const problem of urlProblems(url, { service: id, allowInsecureHttp, serviceUrl: true, origin })) fail(['url'], problem);
    }

    // a broken own auth must not be replaced by the default auth in the checks below
    const auth = bad.has('auth') ? undefined : settings.auth;
    const fromDefaults = own.auth ? '' : ' (auth from serviceDefaults)';
    if (auth?.type === 'oauth2') {
      for (const problem of urlProblems(auth.tokenUrl, { service: id, allowInsecureHttp, serviceUrl: false })) {
        if (own.auth) fail(['auth', 'tokenUrl'], problem);
        else fail([], `the tokenUrl of the default auth (serviceDefaults.auth.tokenUrl) ${problem}`);
      }
    }

    if ((own.tls !== undefined || !defaultsTlsReported) && !bad.has('tls')) {
      const suffix = own.tls !== undefined && defaults.tls !== undefined ? ' (serviceDefaults.tls included)' : '';
      for (const problem of tlsProblems(settings.tls)) fail(['tls'], `${problem}${suffix}`);
    }

    const headerNames = Object.keys(settings.headers ?? {});
    const headerOrigin = (name: string) => (Object.hasOwn(own.headers ?? {}, name) ? '' : ' (the header comes from serviceDefaults.headers)');
    if (auth && auth.type !== 'none') {
      const clash = headerNames.find((name) => name.toLowerCase() === 'authorization');
      if (clash && auth.type !== 'apiKey') {
        fail(['headers', clash], `conflicts with auth (type ${auth.type}${fromDefaults}), which sets the Authorization header: remove one of them${headerOrigin(clash)}`);
      }
      if (auth.type === 'apiKey' && auth.in === 'header') {
        const same = headerNames.find((name) => name.toLowerCase() === auth.name.toLowerCase());
        if (same) fail(['headers', same], `conflicts with the API key header of auth${fromDefaults}: remove one of them${headerOrigin(same)}`);
      }
      if (auth.type === 'apiKey' && auth.in === 'query' && Object.hasOwn(settings.queryParams ?? {}, auth.name)) {
        const origin = Object.hasOwn(own.queryParams ?? {}, auth.name) ? '' : ' (the parameter comes from serviceDefaults.queryParams)';
        fail(['queryParams', auth.name], `conflicts with the API key query parameter of auth${fromDefaults}: remove one of them${origin}`);
      }
    }

    if (auth?.type === 'basic' && auth.encodedCredentials !== undefined && !isEncodedUserPassword(auth.encodedCredentials)) {
      options.onWarning?.(`service '${id}': auth.encodedCredentials${fromDefaults} is not the base64 of 'username:password'; ` +
        'it is sent as given (Authorization: Basic <value>), as the reference platform does. If the partner refuses it, encode username:password.');
    }

    if (ok && url !== undefined) services.set(id, build(id, url, settings));
  }

  if (issues.list.length > 0) throw new ConfigError(options.file ?? 'scriptcode.yaml', issues.list, HINT);
  return services;
}
