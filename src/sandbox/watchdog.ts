// Enforces the CPU limit where isolated-vm's own `timeout` does not reach
// (code resumed after an await): one shared ticker samples the CPU time of the
// isolates that are running an invocation.
import type ivm from 'isolated-vm';

interface Watch {
  isolate: ivm.Isolate;
  cpuStart: bigint;
  cpuLimit: bigint;
  onExceeded: () => void;
}

const TICK_MS = 5;
const watches = new Set<Watch>();
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  for (const w of watches) {
    let used: bigint;
    try {
      used = w.isolate.cpuTime - w.cpuStart;
    } catch {
      watches.delete(w);
      continue;
    }
    if (used > w.cpuLimit) {
      watches.delete(w);
      w.onExceeded();
    }
  }
  if (watches.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Watches the isolate's CPU time from now on; returns the function that stops watching. */
export function watchCpu(isolate: ivm.Isolate, cpuLimitMs: number, onExceeded: () => void): () => void {
  const w: Watch = { isolate, cpuStart: isolate.cpuTime, cpuLimit: BigInt(Math.round(cpuLimitMs * 1e6)), onExceeded };
  watches.add(w);
  if (!timer) {
    timer = setInterval(tick, TICK_MS);
    timer.unref();
  }
  return () => {
    watches.delete(w);
  };
}
