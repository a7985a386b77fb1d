// One measured load phase of the slow-partner scenarios, each in a fresh
// child process: the product's peak RSS is then its own (not what earlier
// phases left in the heap and the allocator), and no phase inherits another's
// JIT state or sockets. Raw undici phases run the same way, for symmetry.
// The child prints its figures as one JSON line and exits.
import { fileURLToPath } from 'node:url';
import { CUSTOMER_PATH, startRuntime } from './app.js';
import { announce, startChild } from './child.js';
import { runLoad, type LoadResult } from './load.js';
import { partnerAt } from './partner.js';
import { rawClient } from './raw.js';

export interface PhaseSpec {
  /** the partner's base URL (see partner.ts) */
  partner: string;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** raw undici: GET the partner at `delayMs`, `calls` of them in parallel per invocation */
  raw?: { delayMs: number; calls: number };
  /**
   * The isolation floor (bench/floor.ts), one GET of the partner at `delayMs` per invocation:
   * sync — one isolate per caller, each blocked while it waits; async — one isolate for all.
   */
  floor?: { delayMs: number; mode: 'sync' | 'async' };
  /** the product: run this script of support/app.ts through the library API */
  script?: string;
}

export interface Phase extends LoadResult {
  /** most requests the partner held at once during the measured window */
  partnerMax: number;
  /** RSS once the client or runtime is ready, before the load */
  rssBeforeMb: number;
}

const self = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

export async function runPhase(spec: PhaseSpec): Promise<Phase> {
  const child = await startChild<Phase | { error: string }>(self, ['--phase', JSON.stringify(spec)], ['--expose-gc']);
  await child.stop();
  const info = child.info;
  if ('error' in info) throw new Error(`bench phase ${JSON.stringify(spec)}: ${info.error}`);
  // percentiles of a window in which no call ended are NaN, which JSON carried as null
  return { ...info, p50Ms: info.p50Ms ?? NaN, p99Ms: info.p99Ms ?? NaN, meanMs: info.meanMs ?? NaN };
}

async function measure(spec: PhaseSpec): Promise<Phase> {
  const partner = partnerAt(spec.partner);
  const measureLoad = async (fn: () => Promise<unknown>): Promise<Phase> => {
    global.gc?.();
    const rssBeforeMb = process.memoryUsage.rss() / MB;
    const result = await runLoad(fn, { concurrency: spec.concurrency, warmupSeconds: spec.warmupSeconds, seconds: spec.seconds, onMeasureStart: () => partner.reset() });
    return { ...result, partnerMax: (await partner.stats()).maxInFlight, rssBeforeMb };
  };
  if (spec.raw) {
    const { delayMs, calls } = spec.raw;
    const client = rawClient(partner.url(delayMs), spec.concurrency * calls);
    try {
      const once = () => client.get(CUSTOMER_PATH);
      return await measureLoad(calls === 1 ? once : () => Promise.all(Array.from({ length: calls }, once)));
    } finally {
      await client.close();
    }
  }
  if (spec.floor) {
    const { createAsyncFloor, createFloor } = await import('../floor.js');
    const base = partner.url(spec.floor.delayMs);
    const floor = spec.floor.mode === 'async'
      ? await createAsyncFloor(base, { connections: spec.concurrency })
      : await createFloor(base, { connections: spec.concurrency, isolates: spec.concurrency });
    try {
      return await measureLoad(() => floor.call(CUSTOMER_PATH));
    } finally {
      await floor.close();
    }
  }
  const script = spec.script!;
  const rt = await startRuntime(partner.url);
  try {
    await rt.check(script);
    return await measureLoad(() => rt.invoke(script));
  } finally {
    await rt.close();
  }
}

if (process.argv[1] === self && process.argv[2] === '--phase') {
  const spec = JSON.parse(process.argv[3]) as PhaseSpec;
  const figures = await measure(spec).catch((err: Error) => ({ error: err.stack ?? String(err) }));
  announce(figures);
  // nothing is left open; leave at once rather than wait for SIGTERM
  process.exit(0);
}
