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

/** The configuration key an operator raises when a limit is legitimately too low. */
export const LIMIT_KEYS = {
  CPU_LIMIT: 'cpuMs',
  WALL_CLOCK_LIMIT: 'wallMs',
  MEMORY_LIMIT: 'memoryMb',
  REST_CALL_LIMIT: 'restCalls',
  OUTPUT_LIMIT: 'maxOutputBytes',
} as const;
export type LimitCode = keyof typeof LIMIT_KEYS;

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
  }
}
