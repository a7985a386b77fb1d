// The sandbox of one application: its isolate pools (one per memory size, as
// the memory limit is a property of the isolate), its compiled scripts and the
// bindings its scripts can call. Applications never share a Sandbox.
import type { ScriptKind } from '../app/types.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { LoadedBinding } from './binding.js';
import { createHostCallHandler, type HostCallHandler } from './bridge.js';
import { CompiledScriptCache } from './compiled-script.js';
import type { Invocation } from './invocation.js';
import { IsolatePool } from './isolate-pool.js';
import { SandboxIsolate, type RunOutcome } from './sandbox-isolate.js';

export interface SandboxOptions {
  bindings: readonly LoadedBinding[];
  logger: RuntimeLogger;
  maxIsolates: number;
  maxQueue: number;
}

export interface RunRequest {
  filename: string;
  source: string;
  /** content hash of `source`, when the caller has one */
  hash?: string;
  kind: ScriptKind;
  payload: unknown;
  invocation: Invocation;
}

export class Sandbox {
  private readonly pools = new Map<number, IsolatePool>();
  private readonly compiled = new CompiledScriptCache();
  private readonly onHostCall: HostCallHandler;
  private readonly generations = new WeakMap<SandboxIsolate, number>();
  private generation = 0;

  constructor(private readonly options: SandboxOptions) {
    this.onHostCall = createHostCallHandler(
      new Map(options.bindings.map((b) => [b.definition.path, b])),
      options.logger,
    );
  }

  private pool(memoryMb: number): IsolatePool {
    let pool = this.pools.get(memoryMb);
    if (!pool) {
      pool = new IsolatePool({
        maxIsolates: this.options.maxIsolates,
        maxQueue: this.options.maxQueue,
        create: () => SandboxIsolate.create({
          memoryMb,
          bindings: this.options.bindings.map((b) => b.definition),
          onHostCall: this.onHostCall,
          onLog: (invocation, level, payload) => invocation?.log.addFromScript(level, payload),
        }),
      });
      this.pools.set(memoryMb, pool);
    }
    return pool;
  }

  /** Creates isolates for the given memory sizes ahead of the first invocations. */
  async warm(memorySizes: readonly number[], perPool: number): Promise<void> {
    await Promise.all([...new Set(memorySizes)].map((mb) => this.pool(mb).warm(perPool)));
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const pool = this.pool(request.invocation.limits.memoryMb);
    const isolate = await pool.acquire();
    try {
      if ((this.generations.get(isolate) ?? 0) !== this.generation) {
        await isolate.forgetAll();
        this.generations.set(isolate, this.generation);
      }
      const script = this.compiled.get(request.filename, request.source, request.hash);
      return await isolate.run(script, request.kind, JSON.stringify(request.payload), request.invocation);
    } finally {
      pool.release(isolate);
    }
  }

  /** Drops every compiled script: the next run of each compiles it again. */
  invalidate(): void {
    this.generation++;
    this.compiled.clear();
  }

  stats(): { pools: Record<string, IsolatePool['stats']>; compiledScripts: number } {
    const pools: Record<string, IsolatePool['stats']> = {};
    for (const [mb, pool] of this.pools) pools[`${mb}MB`] = pool.stats;
    return { pools, compiledScripts: this.compiled.size };
  }

  close(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.compiled.clear();
  }
}
