// Issue 10, instant partner: what the product costs per invocation above the
// isolation floor (bench/floor.ts), with raw undici for context, all in this
// run against the same partner. At c=1, the latency it adds over raw; at
// c=16, the CPU time of the main thread per invocation (the product's
// bottleneck on this 2-core machine; isolate threads are not counted).
// The kinds take turns in ROUNDS rounds and each figure pools its rounds, so
// that other work on the (shared) machine weighs on every kind alike.
import type { BenchResult } from '../report.js';
import { createFloor } from '../floor.js';
import { CUSTOMER_PATH, startRuntime } from '../support/app.js';
import { mainThreadCpuMs } from '../support/metrics.js';
import { startPartner } from '../support/partner.js';
import { rawClient } from '../support/raw.js';
import { measureConcurrent, measureSequential } from '../stats.js';

const ROUNDS = 3;
const SEQUENTIAL = ROUNDS * Math.ceil(Number(process.env.BENCH_CORE_SEQ_CALLS ?? 6000) / ROUNDS);
const CONCURRENT = ROUNDS * Math.ceil(Number(process.env.BENCH_CORE_CPU_CALLS ?? 12_000) / ROUNDS);
const C = 16;

type Fn = () => Promise<unknown>;

/** mean latency in µs over ROUNDS turns of each kind, SEQUENTIAL calls in all */
async function meanLatencies<K extends string>(kinds: Record<K, Fn>): Promise<Record<K, number>> {
  const sums = {} as Record<K, number>;
  const names = Object.keys(kinds) as K[];
  for (const k of names) {
    await measureSequential(500, kinds[k]);
    sums[k] = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of names) sums[k] += (await measureSequential(SEQUENTIAL / ROUNDS, kinds[k])).meanUs / ROUNDS;
  }
  return sums;
}

interface CpuFigure {
  cpuUsPerCall: number;
  opsPerSec: number;
}

/** main-thread CPU per call over closed loops at c=16, CONCURRENT calls in all, in ROUNDS turns */
async function mainThreadCpu<K extends string>(kinds: Record<K, Fn>): Promise<Record<K, CpuFigure>> {
  const names = Object.keys(kinds) as K[];
  const cpuMs = {} as Record<K, number>;
  const seconds = {} as Record<K, number>;
  const perRound = CONCURRENT / ROUNDS;
  for (const k of names) {
    await measureConcurrent(1000, C, kinds[k]);
    cpuMs[k] = 0;
    seconds[k] = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of names) {
      global.gc?.();
      const before = mainThreadCpuMs();
      const opsPerSec = await measureConcurrent(perRound, C, kinds[k]);
      cpuMs[k] += mainThreadCpuMs() - before;
      seconds[k] += perRound / opsPerSec;
    }
  }
  return Object.fromEntries(names.map((k) => [k, { cpuUsPerCall: (cpuMs[k] * 1000) / CONCURRENT, opsPerSec: CONCURRENT / seconds[k] }])) as Record<K, CpuFigure>;
}

export async function executionCoreFloor(): Promise<BenchResult[]> {
  const partner = await startPartner();
  const base = partner.url(0);
  const raw = rawClient(base, C);
  const floor = await createFloor(base, { connections: C });
  const floorPerCaller = await createFloor(base, { connections: C, isolates: C });
  const rt = await startRuntime(partner.url);
  try {
    await rt.check('sync-p0');
    await rt.check('async-p0');
    const rawFn = () => raw.get(CUSTOMER_PATH);
    const floorFn = () => floor.call(CUSTOMER_PATH);
    const syncFn = () => rt.invoke('sync-p0');
    const asyncFn = () => rt.invoke('async-p0');

    const lat = await meanLatencies({ raw: rawFn, floor: floorFn, sync: syncFn, async: asyncFn });
    const floorAdded = lat.floor - lat.raw;
    const latencyRow = (mode: 'sync' | 'async'): BenchResult => {
      const added = lat[mode] - lat.raw;
      return {
        scenario: `instant partner, c=1, ${mode} script: latency added over raw undici`,
        metric: 'added mean latency', value: added, unit: 'µs',
        baseline: { name: 'floor (isolate + reused context) added µs', value: floorAdded }, ratio: added / floorAdded,
        target: '≤ 1.5× the floor', pass: added <= 1.5 * floorAdded,
        note: `means: raw ${lat.raw.toFixed(0)} µs, floor ${lat.floor.toFixed(0)} µs, product ${lat[mode].toFixed(0)} µs; ${SEQUENTIAL} sequential calls each in ${ROUNDS} turns`,
      };
    };

    const cpu = await mainThreadCpu({ raw: rawFn, floor: floorFn, floorPerCaller: () => floorPerCaller.call(CUSTOMER_PATH), sync: syncFn, async: asyncFn });
    const cpuRow = (mode: 'sync' | 'async'): BenchResult => {
      const ratio = cpu[mode].cpuUsPerCall / cpu.floor.cpuUsPerCall;
      return {
        scenario: `instant partner, c=${C}, ${mode} script: main-thread CPU per invocation`,
        metric: 'main-thread CPU', value: cpu[mode].cpuUsPerCall, unit: 'µs/inv',
        baseline: { name: 'floor (one isolate + reused context) µs/inv', value: cpu.floor.cpuUsPerCall }, ratio,
        target: '≤ 1.3× the floor', pass: ratio <= 1.3,
        note: `throughput ${cpu[mode].opsPerSec.toFixed(0)} inv/s; floor ${cpu.floor.opsPerSec.toFixed(0)} calls/s; floor with ${C} isolates ${cpu.floorPerCaller.cpuUsPerCall.toFixed(0)} µs/call at ${cpu.floorPerCaller.opsPerSec.toFixed(0)} calls/s; ${CONCURRENT} calls each in ${ROUNDS} turns`,
      };
    };
    return [
      latencyRow('sync'),
      latencyRow('async'),
      cpuRow('sync'),
      cpuRow('async'),
      {
        scenario: `instant partner, c=${C}, raw undici.request (context)`, metric: 'main-thread CPU', value: cpu.raw.cpuUsPerCall, unit: 'µs/call',
        note: `throughput ${cpu.raw.opsPerSec.toFixed(0)} calls/s`,
      },
    ];
  } finally {
    await rt.close();
    await floorPerCaller.close();
    await floor.close();
    await raw.close();
    await partner.stop();
  }
}
