// Per-kind limits (SPEC §5), overridable per application and per script.
import type { LimitOverrides, ScriptKind } from '../app/types.js';

/** The limits every invocation has, whatever bindings the runtime has. */
export interface CoreLimits {
  /** CPU time the isolate may spend on the invocation */
  cpuMs: number;
  /** wall-clock time, including time blocked in host calls (REST) */
  wallMs: number;
  /** heap size of the isolate; exceeding it kills the isolate */
  memoryMb: number;
  /** size of the JSON result */
  maxOutputBytes: number;
}

/**
 * A limit on how many calls of a binding one invocation (with the scripts it
 * calls) may make, declared by the binding: its key in `limits.<kind>` of
 * scriptcode.yaml and in script metadata, its defaults, and how it is reported.
 * Bindings may share one (the same object).
 */
export interface CallBudget {
  /** the configuration key: 'restCalls' */
  readonly name: string;
  /** calls per invocation when nothing overrides it; 0 refuses every call */
  readonly defaults: Readonly<Record<ScriptKind, number>>;
  /** the LimitExceededError code once it is spent: 'REST_CALL_LIMIT' */
  readonly code: string;
  /** the message for a spent budget of `limit` calls: 'REST call limit of 5 calls per invocation exceeded' */
  describe(limit: number, kind: ScriptKind): string;
}

/** The resolved limits of one invocation: the core ones, and one count per call budget (by name). */
export type Limits = CoreLimits & {
  /** calls allowed per budget name ('restCalls' → 50) */
  readonly calls: Readonly<Record<string, number>>;
  /** the budgets of the runtime's bindings */
  readonly budgets: readonly CallBudget[];
};

export const DEFAULT_LIMITS: Readonly<Record<ScriptKind, Readonly<CoreLimits>>> = {
  scriptService: { cpuMs: 1_000, wallMs: 30_000, memoryMb: 64, maxOutputBytes: 10 * 1024 * 1024 },
  validationScript: { cpuMs: 1_000, wallMs: 10_000, memoryMb: 64, maxOutputBytes: 1024 * 1024 },
  scriptTask: { cpuMs: 5_000, wallMs: 300_000, memoryMb: 128, maxOutputBytes: 10 * 1024 * 1024 },
  formatter: { cpuMs: 50, wallMs: 200, memoryMb: 16, maxOutputBytes: 64 * 1024 },
};

const CORE_KEYS = Object.keys(DEFAULT_LIMITS.scriptService) as (keyof CoreLimits)[];

/** Kind defaults, then the application's `limits.<kind>`, then the script's own metadata. */
export function resolveLimits(kind: ScriptKind, budgets: readonly CallBudget[], ...overrides: (LimitOverrides | undefined)[]): Limits {
  const core: CoreLimits = { ...DEFAULT_LIMITS[kind] };
  const calls: Record<string, number> = {};
  for (const budget of budgets) calls[budget.name] = budget.defaults[kind];
  for (const o of overrides) {
    if (!o) continue;
    for (const key of CORE_KEYS) {
      const v = o[key];
      if (typeof v === 'number') core[key] = v;
    }
    for (const budget of budgets) {
      const v = o[budget.name];
      if (typeof v === 'number') calls[budget.name] = v;
    }
  }
  return { ...core, calls, budgets };
}

/**
 * How deeply arrays and objects may nest in what callers send (form state,
 * process variables) and in what a script returns (rows, form changes,
 * variables): `{}` and `[]` are one level, `{"a":[1]}` two. It is fixed, not
 * configurable: JSON parsers, serialisers and the callers' own code recurse
 * per level, and a caller should get a clear refusal (HTTP 400, or a 422
 * OUTPUT_TOO_DEEP for a result) rather than a stack overflow anywhere on the
 * way. Business data is rarely nested more than a dozen levels.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * How deeply scripts may call one another (context.callService,
 * context.validate): the invoked script is level 0, a script it calls level
 * 1, … A call that would go deeper — usually recursion, A calls B calls A … —
 * fails with a ScriptCallError, code CALL_DEPTH_EXCEEDED. Fixed, not
 * configurable: each level can hold an isolate (see isolate-pool.ts).
 */
export const MAX_CALL_DEPTH = 4;

/**
 * The first value in `value` nested deeper than `max` levels, as an
 * iterative walk (a recursive one would overflow on the inputs it guards
 * against): its path from `value` and what is wrong there, or undefined.
 * A cycle (possible in values an embedder passes) nests without end: it is
 * reported as too deep. A BigInt, which JSON cannot carry, is reported too.
 */
export function findTooDeep(value: unknown, max = MAX_NESTING_DEPTH): { path: string; problem: 'depth' | 'bigint' } | undefined {
  if (typeof value === 'bigint') return { path: '', problem: 'bigint' };
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: { v: object; depth: number; path: string }[] = [{ v: value, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (depth > max) return { path, problem: 'depth' };
    const array = Array.isArray(v);
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const child = (v as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        stack.push({ v: child, depth: depth + 1, path: array ? `${path}[${key}]` : `${path}.${key}` });
      } else if (typeof child === 'bigint') {
        return { path: array ? `${path}[${key}]` : `${path}.${key}`, problem: 'bigint' };
      }
    }
  }
  return undefined;
}

/**
 * Whether valid JSON `text` nests arrays and objects more than `max` levels
 * deep: a scan of the text (strings skipped), a few times cheaper than
 * walking what JSON.parse made of it, and without recursion.
 */
export function jsonTextTooDeep(text: string, max = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // to the closing quote: one not preceded by an odd number of backslashes
      let q = text.indexOf('"', i + 1);
      while (text.charCodeAt(q - 1) === 0x5c) {
        let slashes = 0;
        while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        q = text.indexOf('"', q + 1);
      }
      i = q + 1;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
    i++;
  }
  return false;
}

/** The configuration key an operator raises when a core limit is legitimately too low. */
const CORE_LIMIT_KEYS = {
  CPU_LIMIT: 'cpuMs',
  WALL_CLOCK_LIMIT: 'wallMs',
  MEMORY_LIMIT: 'memoryMb',
  OUTPUT_LIMIT: 'maxOutputBytes',
} as const satisfies Record<string, keyof CoreLimits>;
/** Limits that are the same for every script (no configuration key). */
export type FixedLimitCode = 'OUTPUT_TOO_DEEP';
/** A core limit's code, OUTPUT_TOO_DEEP, or a call budget's (CallBudget.code: 'REST_CALL_LIMIT'). */
export type LimitCode = keyof typeof CORE_LIMIT_KEYS | FixedLimitCode | (string & {});

/** The configuration key of the limit `code`, or undefined for a fixed one. */
export function limitKey(code: LimitCode, limits: Limits): string | undefined {
  if (Object.hasOwn(CORE_LIMIT_KEYS, code)) return CORE_LIMIT_KEYS[code as keyof typeof CORE_LIMIT_KEYS];
  return limits.budgets.find((budget) => budget.code === code)?.name;
}

export function describeLimit(code: LimitCode, limits: Limits, kind: ScriptKind): string {
  switch (code) {
    case 'CPU_LIMIT': return `CPU time limit of ${limits.cpuMs} ms exceeded`;
    case 'WALL_CLOCK_LIMIT': return `wall-clock time limit of ${limits.wallMs} ms exceeded`;
    case 'MEMORY_LIMIT': return `memory limit of ${limits.memoryMb} MB exceeded`;
    case 'OUTPUT_LIMIT': return `output size limit of ${limits.maxOutputBytes} bytes exceeded`;
    case 'OUTPUT_TOO_DEEP': return `output nesting limit of ${MAX_NESTING_DEPTH} levels exceeded: the result has arrays or objects nested more than ${MAX_NESTING_DEPTH} levels deep`;
  }
  const budget = limits.budgets.find((b) => b.code === code);
  return budget ? budget.describe(limits.calls[budget.name] ?? 0, kind) : `limit ${code} exceeded`;
}
