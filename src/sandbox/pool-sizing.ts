// Pool sizes derived from the machine, so that a server serves as many
// blocked sync-mode calls as its memory allows without hand tuning.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** One sync-mode isolate per this much memory of the machine (or of its cgroup, if lower). */
export const MEMORY_PER_ISOLATE_MB = 32;
export const MIN_AUTO_ISOLATES = 16;
export const MAX_AUTO_ISOLATES = 1024;

/** The memory this process may use: the machine's, or its container's limit when lower. */
export function availableMemoryBytes(): number {
  let limit = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const value = Number(text);
      if (Number.isFinite(value) && value > 0) limit = Math.min(limit, value);
    } catch {
      // no such cgroup file on this machine
    }
  }
  return limit;
}

/** `pool.maxIsolates: auto`: memory / 32 MB, between 16 and 1024. */
export function autoMaxIsolates(memoryBytes = availableMemoryBytes()): number {
  const byMemory = Math.floor(memoryBytes / (MEMORY_PER_ISOLATE_MB * 1024 * 1024));
  return Math.max(MIN_AUTO_ISOLATES, Math.min(MAX_AUTO_ISOLATES, byMemory));
}

/**
 * The heap limit of an async-mode isolate: the invocations sharing it share
 * the kind's memory limit, plus half a megabyte per slot for the built-ins
 * of each context (measured: ~0.26 MB per hardened context, Node 20).
 */
export function asyncIsolateMemoryMb(memoryMb: number, capacity: number): number {
  return memoryMb + Math.ceil(capacity / 2);
}
