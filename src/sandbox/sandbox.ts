// The sandbox of one application: its isolate pools (one per memory size and
// mode, as the memory limit is a property of the isolate and a sync-mode
// invocation blocks its isolate's thread), its compiled scripts and the
// bindings its scripts can call. Applications never share a Sandbox.
import type { ScriptKind } from '../app/types.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { Gateway, LoadedBinding } from '../bindings/binding.js';
import { createHostCalls, type HostCalls } from './bridge.js';
import { CompiledScriptCache } from './compiled-script.js';
import type { EntryMode } from './entry-mode.js';
import type { Invocation } from './invocation.js';
import { IsolateHost } from './isolate-host.js';
import { IsolatePool, type PoolStats } from './isolate-pool.js';
import { preludeSource } from './prelude.js';
import { MAX_CALL_DEPTH } from './limits.js';
import { asyncIsolateMemoryMb } from './pool-sizing.js';
import type { RunOutcome } from './run-outcome.js';
import type { ContextHooks } from './script-context.js';
import { Watchdog } from './watchdog.js';

export interface SandboxOptions {
  bindings: readonly LoadedBinding[];
  /** host paths the prelude calls itself ('context': context.callService / context.validate) */
  internal?: ReadonlyMap<string, Gateway>;
  logger: RuntimeLogger;
  maxIsolates: number;
  maxQueue: number;
  /** async-mode invocations sharing one isolate */
  asyncInvocationsPerIsolate: number;
  spareIsolates: number;
  idleMs: number;
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

// The prelude called with the bindings (src/sandbox/isolate/binding-types.ts BindingEntry).
function bootstrapSource(bindings: readonly LoadedBinding[]): string {
  const list = bindings.map((b) => `{ path: ${JSON.stringify(b.definition.path)}, factory: (${b.definition.isolateSource}) }`).join(',\n');
  return `(${preludeSource()})([${list}])`;
}

export class Sandbox {
  private readonly pools = new Map<string, IsolatePool>();
  private readonly compiled = new CompiledScriptCache();
  private readonly calls: HostCalls;
  private readonly hooks: ContextHooks;
  private readonly watchdog = new Watchdog();
  private readonly prelude: string;
  private generation = 0;

  constructor(private readonly options: SandboxOptions) {
    this.calls = createHostCalls(new Map(options.bindings.map((b) => [b.definition.path, b])), options.logger, options.internal);
    this.hooks = { calls: this.calls, onLog: (invocation, level, payload) => invocation?.log.addFromScript(level, payload) };
    this.prelude = bootstrapSource(options.bindings);
  }

  private pool(memoryMb: number, mode: EntryMode): IsolatePool {
    const key = `${memoryMb}MB${mode === 'async' ? ' async' : ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const capacity = mode === 'async' ? this.options.asyncInvocationsPerIsolate : 1;
      const memoryLimitMb = mode === 'async' ? asyncIsolateMemoryMb(memoryMb, capacity) : memoryMb;
      pool = new IsolatePool({
        maxIsolates: this.options.maxIsolates,
        maxQueue: this.options.maxQueue,
        capacity,
        spareIsolates: this.options.spareIsolates,
        idleMs: this.options.idleMs,
        // every level of nested calls may need an isolate of its own for each
        // isolate in use: with this many, sync-mode chains never run short
        nestedOverflow: this.options.maxIsolates * MAX_CALL_DEPTH,
        create: (owner) => IsolateHost.create({
          memoryLimitMb,
          capacity,
          prelude: this.prelude,
          hooks: this.hooks,
          calls: this.calls,
          logger: this.options.logger,
          watchdog: this.watchdog,
          onSlotFree: (host) => owner.slotFree(host),
          onDead: (host) => owner.dead(host),
        }),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Creates sync-mode isolates for the given memory sizes ahead of the first invocations. */
  async warm(memorySizes: readonly number[], perPool: number): Promise<void> {
    await Promise.all([...new Set(memorySizes)].map((mb) => this.pool(mb, 'sync').warm(perPool)));
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const script = this.compiled.get(request.filename, request.source, request.hash);
    // a nested run (context.callService) never waits for an isolate: see isolate-pool.ts
    const host = await this.pool(request.invocation.limits.memoryMb, script.mode).acquire(request.invocation.depth > 0);
    return host.execute(script, request.kind, JSON.stringify(request.payload), request.invocation, this.generation);
  }

  /** Drops every compiled script: the next run of each compiles it again. */
  invalidate(): void {
    this.generation++;
    this.compiled.clear();
  }

  stats(): { pools: Record<string, PoolStats>; compiledScripts: number } {
    const pools: Record<string, PoolStats> = {};
    for (const [key, pool] of this.pools) pools[key] = pool.stats;
    return { pools, compiledScripts: this.compiled.size };
  }

  /** Lets running invocations end, then disposes every isolate. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
    this.watchdog.close();
    this.compiled.clear();
  }
}
