// Issue 10, slow partners: does waiting on the network hold capacity? Each
// row runs the product (library API, default pool) and a raw undici loop on
// the same partner at the same concurrency, in this run, for a fixed time,
// each phase in a fresh process (support/phase.ts). The partner delays are
// chosen so that raw undici is bound by latency, not by this machine's CPU.
// Peak RSS is the phase process's, sampled every 100 ms. The isolation floor
// (bench/floor.ts: isolated-vm and nothing of ours) runs the same load, sync
// (an isolate per caller) or async (one isolate for all) as the row's script:
// what no product on isolated-vm can beat on this machine.
import type { BenchResult } from '../report.js';
import { runPhase, type Phase } from '../support/phase.js';
import { startPartner, type Partner } from '../support/partner.js';

const SECONDS = Number(process.env.BENCH_CORE_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_CORE_WARMUP_SECONDS ?? 2);
const FANOUT_CONCURRENCY = 16;
/**
 * V8 optimizes a script's code per context, and each context of an async
 * load (or isolate of a sync one) gets only its share of the invocations: at
 * c=64 the hot functions of each are optimized thousands of invocations in,
 * long after the usual warm-up. When set, the 10 ms rows are measured again
 * after a warm-up this long (seconds). Off by default: 60 s changed neither
 * row beyond the run-to-run noise (bench/README.md).
 */
const JIT_WARMUP_SECONDS = Number(process.env.BENCH_CORE_JIT_WARMUP_SECONDS ?? 0);

function timing(seconds: number) {
  return { seconds, warmupSeconds: Math.max(WARMUP_SECONDS, seconds / 3) };
}

const raw = (partner: Partner, delayMs: number, concurrency: number, seconds: number, calls = 1) =>
  runPhase({ partner: partner.base, concurrency, ...timing(seconds), raw: { delayMs, calls } });

/** `warmupSeconds` replaces the usual warm-up (timing()) when given */
const product = (partner: Partner, script: string, concurrency: number, seconds: number, warmupSeconds?: number) =>
  runPhase({ partner: partner.base, concurrency, ...timing(seconds), ...(warmupSeconds ? { warmupSeconds } : {}), script });

const floor = (partner: Partner, delayMs: number, mode: 'sync' | 'async', concurrency: number, seconds: number) =>
  runPhase({ partner: partner.base, concurrency, ...timing(seconds), floor: { delayMs, mode } });

function describe(p: Phase): string {
  const errors = Object.entries(p.errors).map(([code, n]) => `${code}×${n}`).join(', ');
  return `partner max in flight ${p.partnerMax}; p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms; every caller answered once after ${(p.rampMs / 1000).toFixed(1)} s${errors ? `; failures (whole run) ${errors}` : ''}`;
}

function throughputRow(scenario: string, p: Phase, base: Phase, target: number, isolationFloor: Phase): BenchResult {
  const ratio = p.opsPerSec / base.opsPerSec;
  return {
    scenario, metric: 'throughput', value: p.opsPerSec, unit: 'inv/s',
    baseline: { name: 'raw undici.request calls/s', value: base.opsPerSec }, ratio,
    target: `≥ ${target}× raw`, pass: ratio >= target && p.failed === 0,
    note: `${describe(p)}; raw: ${describe(base)}; ${(p.opsPerSec / isolationFloor.opsPerSec).toFixed(2)}× the isolation floor`,
  };
}

/** The same load after a long warm-up: the steady state of a server that has run for a while. */
function jitWarmRow(scenario: string, p: Phase, base: Phase): BenchResult {
  return {
    scenario, metric: `throughput after a ${JIT_WARMUP_SECONDS} s warm-up`, value: p.opsPerSec, unit: 'inv/s',
    baseline: { name: 'raw undici.request calls/s', value: base.opsPerSec }, ratio: p.opsPerSec / base.opsPerSec,
    note: `V8 optimizes code per context, each getting a 64th of the load; ${describe(p)}`,
  };
}

/** The floor's own row: how close to raw undici isolated-vm alone gets under the same load. */
function floorRow(scenario: string, f: Phase, base: Phase): BenchResult {
  return {
    scenario, metric: 'throughput of the isolation floor', value: f.opsPerSec, unit: 'inv/s',
    baseline: { name: 'raw undici.request calls/s', value: base.opsPerSec }, ratio: f.opsPerSec / base.opsPerSec,
    note: `bench/floor.ts, isolated-vm and nothing else; ${describe(f)}`,
  };
}

function rssRow(scenario: string, p: Phase, limitMb: number, base: Phase): BenchResult {
  return {
    scenario, metric: 'peak RSS', value: p.peakRssMb, unit: 'MB',
    baseline: { name: 'RSS of the process before the load MB', value: p.rssBeforeMb },
    target: `≤ ${limitMb} MB`, pass: p.peakRssMb <= limitMb,
    note: `the raw undici process peaked at ${base.peakRssMb.toFixed(0)} MB`,
  };
}

export async function executionCoreSlow(): Promise<BenchResult[]> {
  const partner = await startPartner();
  const results: BenchResult[] = [];
  try {
    // 100 ms, c=256: sync mode with the default pool, and async mode
    const raw100 = await raw(partner, 100, 256, SECONDS);
    const sync100 = await product(partner, 'sync-p100', 256, SECONDS);
    const syncFloor100 = await floor(partner, 100, 'sync', 256, SECONDS);
    const async100 = await product(partner, 'async-p100', 256, SECONDS);
    const asyncFloor100 = await floor(partner, 100, 'async', 256, SECONDS);
    const s100 = 'partner 100 ms, sync script, c=256, default pool';
    const a100 = 'partner 100 ms, async script, c=256';
    results.push(throughputRow(s100, sync100, raw100, 0.85, syncFloor100), floorRow(s100, syncFloor100, raw100), rssRow(s100, sync100, 1200, raw100));
    results.push(throughputRow(a100, async100, raw100, 0.9, asyncFloor100), floorRow(a100, asyncFloor100, raw100), rssRow(a100, async100, 400, raw100));

    // 500 ms, 1 000 in flight: a longer window, so that it holds enough rounds
    const long = Math.max(SECONDS, 8);
    const raw500 = await raw(partner, 500, 1000, long);
    const async500 = await product(partner, 'async-p500', 1000, long);
    const asyncFloor500 = await floor(partner, 500, 'async', 1000, long);
    const a500 = 'partner 500 ms, async script, c=1000';
    results.push(throughputRow(a500, async500, raw500, 0.9, asyncFloor500), floorRow(a500, asyncFloor500, raw500), rssRow(a500, async500, 700, raw500), {
      // the throughput rows measure the steady state (support/load.ts); this is the way there
      scenario: a500, metric: 'ramp from a cold runtime: every caller answered once', value: async500.rampMs / 1000, unit: 's',
      baseline: { name: 'raw undici s', value: raw500.rampMs / 1000 },
      note: `1 000 contexts made on demand (~5 ms of isolate CPU each); the isolation floor, one shared context: ${(asyncFloor500.rampMs / 1000).toFixed(1)} s`,
    });

    // 10 ms, c=64: sync and async
    const raw10 = await raw(partner, 10, 64, SECONDS);
    const sync10 = await product(partner, 'sync-p10', 64, SECONDS);
    const syncFloor10 = await floor(partner, 10, 'sync', 64, SECONDS);
    const async10 = await product(partner, 'async-p10', 64, SECONDS);
    const asyncFloor10 = await floor(partner, 10, 'async', 64, SECONDS);
    const s10 = 'partner 10 ms, sync script, c=64';
    const a10 = 'partner 10 ms, async script, c=64';
    results.push(throughputRow(s10, sync10, raw10, 0.7, syncFloor10), floorRow(s10, syncFloor10, raw10));
    results.push(throughputRow(a10, async10, raw10, 0.9, asyncFloor10), floorRow(a10, asyncFloor10, raw10));
    if (JIT_WARMUP_SECONDS > 0) {
      results.push(jitWarmRow(s10, await product(partner, 'sync-p10', 64, SECONDS, JIT_WARMUP_SECONDS), raw10));
      results.push(jitWarmRow(a10, await product(partner, 'async-p10', 64, SECONDS, JIT_WARMUP_SECONDS), raw10));
    }

    // fan-out: three 100 ms GETs in parallel per invocation
    const rawFan = await raw(partner, 100, FANOUT_CONCURRENCY, SECONDS, 3);
    const fan = await product(partner, 'fanout-p100', FANOUT_CONCURRENCY, SECONDS);
    const f = `async script, Promise.all of 3 GETs, partner 100 ms, c=${FANOUT_CONCURRENCY}`;
    results.push(
      {
        scenario: f, metric: 'p50 latency', value: fan.p50Ms, unit: 'ms',
        baseline: { name: 'raw undici Promise.all of 3, p50 ms', value: rawFan.p50Ms }, ratio: fan.p50Ms / rawFan.p50Ms,
        target: 'p50 ≤ 130 ms', pass: fan.p50Ms <= 130 && fan.failed === 0, note: `${describe(fan)}; raw: ${describe(rawFan)}`,
      },
      { scenario: f, metric: 'p99 latency', value: fan.p99Ms, unit: 'ms', baseline: { name: 'raw p99 ms', value: rawFan.p99Ms } },
      { scenario: f, metric: 'throughput', value: fan.opsPerSec, unit: 'inv/s', baseline: { name: 'raw calls/s', value: rawFan.opsPerSec }, ratio: fan.opsPerSec / rawFan.opsPerSec },
    );
    return results;
  } finally {
    await partner.stop();
  }
}
