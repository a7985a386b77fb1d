// The schema of scriptcode.yaml (SPEC §2, §4.4, §5). Validation runs after
// `${env:…}`/`${file:…}` references are resolved, so a number or boolean may
// come from the environment as text; such text is converted here.
import { z } from 'zod';
import type { AppConfig, LimitOverrides, LogLevel, SensitivePolicy } from './types.js';
import { SCRIPT_KINDS } from './types.js';
import type { KeyPath } from './yaml-source.js';
import { bool, nonNegativeInt, positiveInt } from './schema-helpers.js';


/** Per-kind (scriptcode.yaml) and per-script (metadata) overrides of the limits in SPEC §5. */
export const limitOverridesSchema = z.strictObject({
  cpuMs: positiveInt().optional(),
  wallMs: positiveInt().optional(),
  memoryMb: positiveInt().optional(),
  // 0 is meaningful: a script that must not call any service (the formatter default)
  restCalls: nonNegativeInt().optional(),
  maxOutputBytes: positiveInt().optional(),
}) satisfies z.ZodType<LimitOverrides, unknown>;

export const LIMIT_KEYS = Object.keys(limitOverridesSchema.shape);

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];
const SENSITIVE_POLICIES = ['mask', 'hash', 'markers', 'plain'] as const satisfies readonly SensitivePolicy[];

const looseRecord = () => z.record(z.string(), z.unknown());

const limitsSchema = z.strictObject(
  Object.fromEntries(SCRIPT_KINDS.map((kind) => [kind, limitOverridesSchema.optional()])) as Record<
    (typeof SCRIPT_KINDS)[number],
    z.ZodOptional<typeof limitOverridesSchema>
  >,
);

const loggingSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  sensitive: z.enum(SENSITIVE_POLICIES).default('mask'),
  hashKey: z.string().min(1).optional(),
  maxLinesPerInvocation: positiveInt().default(500),
});

const cacheSchema = z.strictObject({
  // 0 = check the file on every use
  ttlMs: nonNegativeInt().default(2000),
  watch: bool().default(true),
});

const poolSchema = z.strictObject({
  // 'auto': sized from the machine's memory (src/sandbox/pool-sizing.ts)
  maxIsolates: z.union([z.literal('auto'), positiveInt()]).default('auto'),
  // 0 = refuse instead of queueing when every isolate is busy
  maxQueue: nonNegativeInt().default(1000),
  // the blast radius of a memory bomb in async mode
  asyncInvocationsPerIsolate: positiveInt().default(64),
  spareIsolates: nonNegativeInt().default(2),
  idleSeconds: positiveInt().default(60),
});

/**
 * `prefault({})` rather than `default(...)`: a partly given section (say only
 * `logging.level`) still gets the defaults of its other keys.
 */
export const appConfigSchema = z.strictObject({
  // each service's own schema arrives with api.rest.v1; until then a service is any mapping
  services: z.record(z.string(), looseRecord()).default({}),
  serviceDefaults: looseRecord().optional(),
  limits: limitsSchema.prefault({}),
  logging: loggingSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  pool: poolSchema.prefault({}),
  server: looseRecord().optional(),
  state: z.strictObject({
    redis: z.strictObject({
      // checked for redis:// or rediss:// where it is used (http/shared-state.ts): offline tools put a placeholder here
      url: z.string().min(1),
      keyPrefix: z.string().default('scriptcode:'),
      timeoutMs: positiveInt().default(250),
    }).optional(),
  }).optional(),
  // the reference platform's list format (`scriptservice.api: [{ serviceId, url, authorization }]`), converted by the services loader
  scriptservice: z.unknown().optional(),
});

// Keeps the schema and the shared interface from drifting apart: every parse result is an AppConfig,
// and every AppConfig key is known to the schema.
type ParsedConfig = z.output<typeof appConfigSchema>;
const outputIsAppConfig = (config: ParsedConfig): AppConfig => config;
const everyKeyCovered: Record<keyof AppConfig, true> = Object.fromEntries(
  Object.keys(appConfigSchema.shape).map((key) => [key, true]),
) as Record<keyof ParsedConfig, true>;
void outputIsAppConfig;
void everyKeyCovered;

export const TOP_LEVEL_KEYS = Object.keys(appConfigSchema.shape);

/** Allowed keys of the strict mapping at `path`, for "unknown key" messages. */
export function allowedConfigKeys(path: KeyPath): readonly string[] | undefined {
  if (path.length === 0) return TOP_LEVEL_KEYS;
  const [section, kind] = path;
  if (path.length === 1) {
    if (section === 'limits') return SCRIPT_KINDS;
    if (section === 'logging') return Object.keys(loggingSchema.shape);
    if (section === 'cache') return Object.keys(cacheSchema.shape);
    if (section === 'pool') return Object.keys(poolSchema.shape);
  }
  if (path.length === 2 && section === 'limits' && typeof kind === 'string') return LIMIT_KEYS;
  return undefined;
}
