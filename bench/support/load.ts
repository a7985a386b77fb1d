// A closed-loop load for a fixed time: `concurrency` callers each start the
// next call when the previous one ends. Calls that end during the warm-up are
// not counted; after the measured window no new call starts and the ones in
// flight are awaited (and not counted), so a slow drain does not flatter.
// The warm-up lasts `warmupSeconds`, and at least until every caller has had
// its first answer plus one second: the window measures the steady state at
// full concurrency, not the ramp to it (1 000 async invocations need 1 000
// contexts, ~5 ms of isolate CPU each), which is reported as `rampMs`.
import { sampleRss } from './metrics.js';
import { percentile } from '../stats.js';

export interface LoadOptions {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** called once between the warm-up and the measured window */
  onMeasureStart?: () => Promise<void>;
}

export interface LoadResult {
  ok: number;
  failed: number;
  /** successful calls per second in the measured window */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** peak RSS over the whole run (warm-up, window and drain) */
  peakRssMb: number;
  /** failures by error code, warm-up and drain included */
  errors: Record<string, number>;
  /** ms from the start until every caller had its first answer */
  rampMs: number;
}

export function errorCode(err: unknown): string {
  const e = err as { body?: { error?: { code?: string; name?: string } }; code?: string; name?: string };
  return e?.body?.error?.code ?? e?.body?.error?.name ?? e?.code ?? e?.name ?? String(err);
}

export async function runLoad(fn: () => Promise<unknown>, options: LoadOptions): Promise<LoadResult> {
  const rss = sampleRss();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let measuring = false;
  let stopped = false;
  const loadStarted = performance.now();
  let answeredOnce = 0;
  let rampMs = NaN;
  let rampDone!: () => void;
  const ramped = new Promise<void>((resolve) => (rampDone = resolve));
  const worker = async () => {
    let first = true;
    while (!stopped) {
      const t0 = performance.now();
      let success = true;
      try {
        await fn();
      } catch (err) {
        success = false;
        const code = errorCode(err);
        errors[code] = (errors[code] ?? 0) + 1;
        // a call that fails at once (a full queue) would otherwise loop in microtasks and starve the timers
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (first) {
        first = false;
        if (++answeredOnce === options.concurrency) {
          rampMs = performance.now() - loadStarted;
          rampDone();
        }
      }
      if (!measuring) continue;
      if (success) {
        ok++;
        latencies.push(performance.now() - t0);
      } else failed++;
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  // (a caller that never answers would hold the warm-up for ever: a minute at most)
  await Promise.all([sleep(options.warmupSeconds * 1000), Promise.race([ramped.then(() => sleep(1000)), sleep(60_000)])]);
  await options.onMeasureStart?.();
  measuring = true;
  const started = performance.now();
  await sleep(options.seconds * 1000);
  measuring = false;
  stopped = true;
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  return {
    ok,
    failed,
    opsPerSec: ok / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    peakRssMb: rss.stop(),
    errors,
    rampMs,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
