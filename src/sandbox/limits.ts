// Per-kind limits (SPEC §5), overridable per application and per script.
import type { LimitOverrides, ScriptKind } from '../app/types.js';

export interface Limits {
  /** CPU time the isolate may spend on the invocation */
  cpuMs: number;
  /** wall-clock time, including time blocked in host calls (REST) */
  wallMs: number;
  /** heap size of the isolate; exceeding it kills the isolate */
  memoryMb: number;
  /** host calls that count as REST calls */
  restCalls: number;
  /** size of the JSON result */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Record<ScriptKind, Readonly<Limits>>> = {
  scriptService: { cpuMs: 1_000, wallMs: 30_000, memoryMb: 64, restCalls: 50, maxOutputBytes: 10 * 1024 * 1024 },
  validationScript: { cpuMs: 1_000, wallMs: 10_000, memoryMb: 64, restCalls: 20, maxOutputBytes: 1024 * 1024 },
  scriptTask: { cpuMs: 5_000, wallMs: 300_000, memoryMb: 128, restCalls: 200, maxOutputBytes: 10 * 1024 * 1024 },
  formatter: { cpuMs: 50, wallMs: 200, memoryMb: 16, restCalls: 0, maxOutputBytes: 64 * 1024 },
};

/** Kind defaults, then the application's `limits.<kind>`, then the script's own metadata. */
export function resolveLimits(kind: ScriptKind, ...overrides: (LimitOverrides | undefined)[]): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS[kind] };
  for (const o of overrides) {
    if (!o) continue;
    for (const key of Object.keys(limits) as (keyof Limits)[]) {
      const v = o[key];
      if (typeof v === 'number') limits[key] = v;
    }
  }
  return limits;
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

/** The configuration key an operator raises when a limit is legitimately too low. */
export const LIMIT_KEYS = {
  CPU_LIMIT: 'cpuMs',
  WALL_CLOCK_LIMIT: 'wallMs',
  MEMORY_LIMIT: 'memoryMb',
  REST_CALL_LIMIT: 'restCalls',
  OUTPUT_LIMIT: 'maxOutputBytes',
} as const;
/** Limits that are the same for every script (no configuration key). */
export type FixedLimitCode = 'OUTPUT_TOO_DEEP';
export type LimitCode = keyof typeof LIMIT_KEYS | FixedLimitCode;

export function isConfigurableLimit(code: LimitCode): code is keyof typeof LIMIT_KEYS {
  return Object.hasOwn(LIMIT_KEYS, code);
}

export function describeLimit(code: LimitCode, limits: Limits, kind?: ScriptKind): string {
  if (code === 'REST_CALL_LIMIT' && kind === 'formatter' && limits.restCalls === 0) {
    return 'formatters cannot call REST services (REST call limit of 0)';
  }
  switch (code) {
    case 'CPU_LIMIT': return `CPU time limit of ${limits.cpuMs} ms exceeded`;
    case 'WALL_CLOCK_LIMIT': return `wall-clock time limit of ${limits.wallMs} ms exceeded`;
    case 'MEMORY_LIMIT': return `memory limit of ${limits.memoryMb} MB exceeded`;
    case 'REST_CALL_LIMIT': return `REST call limit of ${limits.restCalls} calls per invocation exceeded`;
    case 'OUTPUT_LIMIT': return `output size limit of ${limits.maxOutputBytes} bytes exceeded`;
    case 'OUTPUT_TOO_DEEP': return `output nesting limit of ${MAX_NESTING_DEPTH} levels exceeded: the result has arrays or objects nested more than ${MAX_NESTING_DEPTH} levels deep`;
  }
}
