// The schema of scriptcode.yaml (SPEC §2, §4.4, §5). Validation runs after
// `${env:…}`/`${file:…}` references are resolved, so a number or boolean may
// come from the environment as text; such text is converted here.
import { z } from 'zod';
import type { BindingDefinition } from '../bindings/binding.js';
import type { AppConfig, LimitOverrides, LogLevel, SensitivePolicy } from './types.js';
import { SCRIPT_KINDS } from './types.js';
import type { KeyPath } from './yaml-source.js';
import { bool, nonNegativeInt, positiveInt } from './schema-helpers.js';


/** The limits every kind has; the bindings' call budgets (restCalls, …) are added per binding set. */
const coreLimitsShape = {
  cpuMs: positiveInt().optional(),
  wallMs: positiveInt().optional(),
  memoryMb: positiveInt().optional(),
  maxOutputBytes: positiveInt().optional(),
};

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];
const SENSITIVE_POLICIES = ['mask', 'hash', 'markers', 'plain'] as const satisfies readonly SensitivePolicy[];

const looseRecord = () => z.record(z.string(), z.unknown());


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
 * The sections of the runtime itself; the bindings add theirs (configSchemas).
 * `prefault({})` rather than `default(...)`: a partly given section (say only
 * `logging.level`) still gets the defaults of its other keys.
 */
const coreShape = {
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
};

/** scriptcode.yaml and script metadata as the runtime with a given set of bindings reads them. */
export interface ConfigSchemas {
  /** the whole file: the runtime's sections, `limits` with every call budget, the bindings' sections */
  readonly app: z.ZodObject;
  /** `limits.<kind>` of the file and `limits` of a script's metadata */
  readonly limitOverrides: z.ZodObject;
  /** the keys of limitOverrides, for "unknown key" hints */
  readonly limitKeys: readonly string[];
  /** allowed keys of the strict mapping at `path`, for "unknown key" hints */
  allowedKeys(path: KeyPath): readonly string[] | undefined;
}

const schemasOf = new WeakMap<readonly BindingDefinition[], ConfigSchemas>();

/** The schemas for `bindings` (made once per list). Two bindings may not claim one section. */
export function configSchemas(bindings: readonly BindingDefinition[]): ConfigSchemas {
  let schemas = schemasOf.get(bindings);
  if (schemas) return schemas;
  const budgets: Record<string, ReturnType<typeof nonNegativeInt>> = {};
  const sections: Record<string, z.ZodType> = {};
  const owner = new Map<string, string>();
  for (const binding of bindings) {
    // 0 is meaningful: a script that must not make such calls (REST calls of a formatter, by default)
    if (binding.budget) budgets[binding.budget.name] = nonNegativeInt();
    for (const [section, schema] of Object.entries(binding.config?.sections ?? {})) {
      const taken = Object.hasOwn(coreShape, section) || section === 'limits' ? 'the runtime' : owner.get(section);
      if (taken) throw new Error(`binding api.${binding.path}: the scriptcode.yaml section '${section}' belongs to ${taken}`);
      owner.set(section, `api.${binding.path}`);
      sections[section] = schema;
    }
  }
  const limitOverrides = z.strictObject({ ...coreLimitsShape, ...Object.fromEntries(Object.keys(budgets).map((name) => [name, nonNegativeInt().optional()])) });
  const limits = z.strictObject(Object.fromEntries(SCRIPT_KINDS.map((kind) => [kind, limitOverrides.optional()])));
  const app = z.strictObject({ ...sections, limits: limits.prefault({}), ...coreShape });
  schemas = {
    app,
    limitOverrides,
    limitKeys: Object.keys(limitOverrides.shape),
    allowedKeys: (path) => objectKeysAt(app, path),
  };
  schemasOf.set(bindings, schemas);
  return schemas;
}

/** The keys of the object schema found by following `path` down `schema` (through optional, default, record values), if it is one. */
function objectKeysAt(schema: z.ZodType, path: KeyPath): readonly string[] | undefined {
  let node: z.ZodType | undefined = schema;
  for (let i = 0; ; i++) {
    // wrappers: optional, nullable, default, prefault, catch, readonly; pipes (preprocess) by their output
    for (;;) {
      const def: { type: string; innerType?: z.ZodType; out?: z.ZodType } = (node as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; out?: z.ZodType } } })._zod.def;
      if (def.innerType) node = def.innerType;
      else if (def.type === 'pipe' && def.out) node = def.out;
      else break;
    }
    if (i === path.length) return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
    if (node instanceof z.ZodObject) node = (node.shape as Record<PropertyKey, z.ZodType>)[path[i]!];
    else if (node instanceof z.ZodRecord) node = node._zod.def.valueType as z.ZodType;
    else return undefined;
    if (!node) return undefined;
  }
}

// Keeps the runtime's own sections and the shared interface from drifting apart.
const coreSchema = z.strictObject(coreShape);
const outputIsAppConfig = (config: z.output<typeof coreSchema>): Omit<AppConfig, 'services' | 'serviceDefaults' | 'scriptservice' | 'limits'> => config;
void outputIsAppConfig;
const limitsAreOverrides = (limits: z.output<z.ZodObject<typeof coreLimitsShape>>): LimitOverrides => limits;
void limitsAreOverrides;
