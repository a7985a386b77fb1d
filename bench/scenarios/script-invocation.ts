// Issue 2: a trivial scriptService invocation through the library API, with a
// floor measured in the same run: one bare isolated-vm call into an isolate
// (the least any sandboxed invocation can cost on this machine).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ivm from '../../src/sandbox/isolated-vm.js';
import { createRuntime } from '../../src/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';
import type { BenchResult } from '../report.js';
import { measureConcurrent, measureSequential } from '../stats.js';

const N = Number(process.env.BENCH_INVOCATIONS ?? 20_000);

async function bareIsolateCall(): Promise<number> {
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const fn = (await context.eval('(function (input) { return JSON.stringify([{ ok: JSON.parse(input).a }]); })', { reference: true })) as ivm.Reference<(s: string) => string>;
  const call = () => fn.apply(undefined, ['{"a":["1"]}'], { result: { copy: true } });
  for (let i = 0; i < 2000; i++) await call();
  const r = await measureSequential(N, call);
  fn.release();
  isolate.dispose();
  return r.p50us;
}

export async function scriptInvocation(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'scriptcode-bench-'));
  mkdirSync(join(dir, 'scripts'));
  writeFileSync(join(dir, 'scripts', 'trivial.js'), 'function callService(context) { return [{ ok: context.getFirstParameter("a") }]; }');
  const runtime = await createRuntime({ app: dir, watch: false, logger: createRuntimeLogger({ level: 'warn', destination: 2 }) });
  try {
    const call = () => runtime.runScript('trivial', { input: { a: '1' } });
    for (let i = 0; i < 2000; i++) await call();
    const seq = await measureSequential(N, call);
    const c8 = await measureConcurrent(N, 8, call);
    const floor = await bareIsolateCall();
    return [
      { scenario: 'scriptService trivial (library API)', metric: 'p50 latency', value: seq.p50us, unit: 'µs', baseline: { name: 'bare isolated-vm call p50 µs', value: floor }, ratio: seq.p50us / floor, target: 'p50 ≤ 200 µs', pass: seq.p50us <= 200 },
      { scenario: 'scriptService trivial (library API)', metric: 'p99 latency', value: seq.p99us, unit: 'µs' },
      { scenario: 'scriptService trivial (library API)', metric: 'throughput c=1', value: seq.opsPerSec, unit: 'inv/s' },
      { scenario: 'scriptService trivial (library API)', metric: 'throughput c=8', value: c8, unit: 'inv/s' },
    ];
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
