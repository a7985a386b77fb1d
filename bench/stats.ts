// Small helpers for timing loops: percentiles over per-call samples.
export function percentile(sortedMicros: number[], p: number): number {
  if (sortedMicros.length === 0) return NaN;
  const i = Math.min(sortedMicros.length - 1, Math.floor((p / 100) * sortedMicros.length));
  return sortedMicros[i];
}

export interface LatencySummary {
  count: number;
  p50us: number;
  p99us: number;
  meanUs: number;
  opsPerSec: number;
}

/** Runs `fn` `count` times one after another, timing each call. */
export async function measureSequential(count: number, fn: () => Promise<unknown>): Promise<LatencySummary> {
  const samples = new Array<number>(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await fn();
    samples[i] = (performance.now() - t0) * 1000;
  }
  const elapsed = performance.now() - started;
  samples.sort((a, b) => a - b);
  return {
    count,
    p50us: percentile(samples, 50),
    p99us: percentile(samples, 99),
    meanUs: samples.reduce((a, b) => a + b, 0) / count,
    opsPerSec: count / (elapsed / 1000),
  };
}

/** Keeps `concurrency` calls in flight until `count` have finished; returns calls per second. */
export async function measureConcurrent(count: number, concurrency: number, fn: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (started < count) {
      started++;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - t0) / 1000);
}
