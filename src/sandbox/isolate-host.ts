// One V8 isolate and its contexts. A sync-mode isolate serves one invocation
// at a time; an async-mode one serves up to `capacity`, each in its own
// context. Up to PIPELINE_DEPTH calls are queued to isolated-vm at once
// (turns of running invocations first: turn-pipeline.ts), so that the
// isolate's thread has the next one at hand when a turn ends instead of
// waiting for the main thread; the isolate runs them one after the other,
// and each turn's CPU time is charged to the invocation it belongs to (see
// cpu-ledger.ts).
// The isolate is disposed only when no invocation uses it: never while one of
// its threads waits for a host call.
import ivm from './isolated-vm.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { CompiledScript } from './compiled-script.js';
import type { ScriptErrorInfo } from './errors.js';
import type { Invocation } from './invocation.js';
import type { LimitCode } from './limits.js';
import type { RunOutcome, TurnResult } from './run-outcome.js';
import { CpuLedger } from './cpu-ledger.js';
import { compileFor, ScriptContext, type ContextHooks } from './script-context.js';
import type { TurnAnswer } from './isolate/turn-messages.js';
import { PRELUDE_FILENAME } from './prelude.js';
import { ScriptRun, type RunHost } from './script-run.js';
import { TurnPipeline } from './turn-pipeline.js';
import type { HostCalls } from './bridge.js';
import type { RunningTurn, Watchdog } from './watchdog.js';

export interface IsolateHostOptions {
  /** heap limit of the isolate */
  memoryLimitMb: number;
  /** invocations that may share it at once */
  capacity: number;
  prelude: string;
  hooks: ContextHooks;
  calls: HostCalls;
  logger: RuntimeLogger;
  /** follows runs (wall clock) and turns (heap samples) */
  watchdog: Watchdog;
  /** an invocation slot is free again */
  onSlotFree(host: IsolateHost): void;
  /** the isolate died (memory limit): the pool forgets it */
  onDead(host: IsolateHost): void;
}

/**
 * A turn stopped by its timeout while its heap had grown well beyond what its
 * contexts need was a memory bomb that the clock caught first: near its limit
 * V8 spends most of its time collecting garbage, slower still when its helper
 * threads get no core (a loaded machine: 29–37 MB of a 64 MB heap after 1 s),
 * so which limit fires first depends on the machine's load. Judged by the heap
 * at the end of the turn (see HeapWatchedTurn), it is the memory limit, every
 * time. A CPU loop's heap stays at its baseline (~2 MB, ~0.26 MB per context)
 * plus garbage not yet collected: in an async isolate, whose many contexts
 * come and go, that garbage can be large, so there the heap must be half full.
 */
const SYNC_GROWTH_SHARE = 0.15;
/**
 * Turns queued to the isolate at once. With two, its thread idled whenever the
 * main thread was late to queue the next, and each turn cost a thread wake-up:
 * eight cut the CPU of an async invocation by a fifth (10 ms partner, c=64:
 * 384–414 µs against 495–609 µs, all threads, three runs each). A turn whose
 * end the main thread sees late is charged the time of the turns that ran
 * meanwhile, at most seven and at most its own timeout; the one case that
 * could matter — a runaway after it — is taken back (cpu-ledger.ts).
 */
const PIPELINE_DEPTH = 8;
/** of those, places that making contexts may hold (turn-pipeline.ts) */
const MAX_SETUPS = 2;
const ASYNC_HEAP_SHARE = 0.5;
/** CPU time that shows a turn has begun to run (a turn's timeout is at least 1 ms) */
const RUNNING_CPU_NS = 1_000_000n;
const BASELINE_BYTES = 3 * 1024 * 1024;
const CONTEXT_BYTES = 300 * 1024;

/**
 * ICU's data is loaded by the first use of Intl in the process (~45 ms): done
 * once ahead, so that it is not charged to a formatter's 50 ms on a keystroke.
 */
let intlLoaded = false;
async function loadIntl(isolate: ivm.Isolate): Promise<void> {
  if (intlLoaded) return;
  intlLoaded = true;
  const context = await isolate.createContext();
  try {
    await context.eval("new Intl.NumberFormat('en-US').format(1.5); new Intl.DateTimeFormat('en-US').format(0); new Intl.Collator('en').compare('a', 'b'); new Intl.PluralRules('en').select(1);", { timeout: 5_000 });
  } finally {
    context.release();
  }
}

export class IsolateHost implements RunHost {
  /** slots taken (the pool reserves one per invocation) */
  active = 0;
  /** of `active`: slots nested runs hold (context.callService; see isolate-pool.ts) */
  nestedActive = 0;
  idleSince = Date.now();
  private dead = false;
  private readonly free: ScriptContext[] = [];
  private readonly runs = new Set<ScriptRun>();
  private readonly scripts = new Map<string, Promise<ivm.Script | ScriptErrorInfo>>();
  private generation = 0;
  private readonly ledger = new CpuLedger(PIPELINE_DEPTH);
  private readonly pipeline = new TurnPipeline(PIPELINE_DEPTH, MAX_SETUPS);

  private constructor(private readonly isolate: ivm.Isolate, private readonly prelude: ivm.Script, readonly options: IsolateHostOptions) {}

  static async create(options: IsolateHostOptions): Promise<IsolateHost> {
    const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
    try {
      await loadIntl(isolate);
      const prelude = await isolate.compileScript(options.prelude, { filename: PRELUDE_FILENAME });
      const host = new IsolateHost(isolate, prelude, options);
      host.pushFree(await ScriptContext.create(isolate, prelude, options.hooks));
      return host;
    } catch (err) {
      if (!isolate.isDisposed) isolate.dispose();
      throw err;
    }
  }

  /** contexts made and not released: in use by a run, or free */
  get contexts(): number {
    return this.dead ? 0 : this.free.length + this.runs.size;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  get isDead(): boolean {
    return this.dead;
  }

  /** Runs one invocation in a context of this isolate; the pool has reserved its slot. */
  async execute(script: CompiledScript, kind: string, payloadJson: string, invocation: Invocation, generation: number): Promise<RunOutcome> {
    for (let attempt = 0; ; attempt++) {
      let context: ScriptContext | ScriptErrorInfo;
      try {
        context = await this.contextFor(script, generation);
      } catch (err) {
        this.slotDone(invocation);
        if (this.dead) return { type: 'isolateReset' };
        throw err;
      }
      if (!(context instanceof ScriptContext)) {
        this.slotDone(invocation);
        return { type: 'scriptError', error: context };
      }
      const run = new ScriptRun(invocation, this, context, script, this.options.calls);
      this.runs.add(run);
      this.options.watchdog.addRun(run);
      run.start(kind, payloadJson);
      const end = await run.end;
      this.options.watchdog.deleteRun(run);
      if (end.type !== 'retry') return end;
      if (attempt > 0) {
        this.slotDone(invocation);
        return { type: 'scriptError', error: { name: 'Error', code: 'INTERNAL', message: 'the runtime could not prepare a clean context' } };
      }
    }
  }

  /** A free context with the script defined (one already holding it first), or the script's compile error. */
  private async contextFor(script: CompiledScript, generation: number): Promise<ScriptContext | ScriptErrorInfo> {
    if (this.dead) throw new Error('isolate disposed');
    // a free context that holds the script already: nothing to ask of the isolate
    if (this.generation === generation) {
      const ready = this.lastFree(script, generation);
      if (ready >= 0) return this.free.splice(ready, 1)[0]!;
    }
    await this.pipeline.enter('setup');
    if (this.dead) {
      this.pipeline.leave('setup');
      throw new Error('isolate disposed');
    }
    if (this.generation !== generation) {
      for (const compiled of this.scripts.values()) void compiled.then((c) => c instanceof ivm.Script && c.release());
      this.scripts.clear();
      this.generation = generation;
    }
    let index = this.lastFree(script, generation);
    if (index < 0) index = this.free.length - 1;
    let context: ScriptContext | undefined;
    try {
      context = index >= 0 ? this.free.splice(index, 1)[0]! : await ScriptContext.create(this.isolate, this.prelude, this.options.hooks);
      if (context.generation !== generation) {
        await context.forgetAll();
        context.generation = generation;
      }
      if (!context.isDefined(script)) {
        let compiled = this.scripts.get(script.key);
        if (!compiled) {
          compiled = compileFor(this.isolate, script);
          this.scripts.set(script.key, compiled);
        }
        const result = await compiled;
        if (!(result instanceof ivm.Script)) {
          this.pushFree(context);
          return result;
        }
        await context.define(script, result);
      }
      return context;
    } catch (err) {
      context?.release();
      this.checkDisposed();
      throw err;
    } finally {
      // making contexts and defining scripts is nobody's CPU time
      this.charge(undefined, 0);
      this.pipeline.leave('setup');
    }
  }

  /**
   * The free context that came free last among those holding the script: the
   * free list is a stack, so that light traffic keeps using the same few
   * contexts (whose code V8 has optimized: it does so per context) and the
   * others stay idle until releaseIdleContexts lets them go.
   */
  private lastFree(script: CompiledScript, generation: number): number {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const c = this.free[i]!;
      if (c.generation === generation && c.isDefined(script)) return i;
    }
    return -1;
  }

  private pushFree(context: ScriptContext): void {
    context.freeSince = Date.now();
    this.free.push(context);
  }

  /**
   * Releases the contexts free since before `cutoff` (Date.now() ms), so that
   * one context is left (free, or in use by a run): after a burst an async
   * isolate would otherwise keep a context (~0.3 MB of its heap) for each
   * invocation it ran at once.
   */
  releaseIdleContexts(cutoff: number): void {
    if (this.dead) return;
    const keep = this.runs.size > 0 ? 0 : 1;
    // the oldest are at the bottom of the stack
    let idle = 0;
    while (idle < this.free.length - keep && this.free[idle]!.freeSince < cutoff) idle++;
    for (const context of this.free.splice(0, idle)) context.release();
  }

  async turn(run: ScriptRun, call: (timeoutMs: number) => Promise<unknown>): Promise<TurnResult> {
    await this.pipeline.enter('turn');
    try {
      if (this.dead) return { type: 'isolateReset' };
      const budget = run.turnBudget();
      if (budget.ms <= 0) return { type: 'limit', code: budget.code };
      const timeoutMs = Math.max(1, Math.ceil(budget.ms));
      const turn = new HeapWatchedTurn(this.isolate, timeoutMs);
      this.options.watchdog.addTurn(turn);
      let timedOut = false;
      try {
        return { type: 'answer', answer: await call(timeoutMs) as TurnAnswer };
      } catch (err) {
        timedOut = isTimeout(err);
        return await this.classify(err, run, budget.code, turn);
      } finally {
        this.options.watchdog.deleteTurn(turn);
        const charged = this.charge(run, timeoutMs);
        if (timedOut) this.ledger.timedOut(run, msToNs(timeoutMs), charged);
      }
    } finally {
      this.pipeline.leave('turn');
    }
  }

  /** Charges the isolate's CPU time since the last charge to `run` (nobody, for `undefined`), at most `maxMs`. */
  private charge(run: ScriptRun | undefined, maxMs: number): bigint {
    if (this.isolate.isDisposed) return 0n;
    return this.ledger.charge(run, this.isolate.cpuTime, msToNs(maxMs));
  }

  private async classify(err: unknown, run: ScriptRun, timeoutCode: LimitCode, turn: HeapWatchedTurn): Promise<TurnResult> {
    const message = String((err as Error)?.message ?? err);
    // the turn that ran when the isolate went over its memory limit is told so
    // (it finishes first); the turns queued behind it find the isolate gone
    if (this.dead) return { type: 'isolateReset' };
    if (/memory limit/i.test(message)) {
      this.die(run);
      return { type: 'limit', code: 'MEMORY_LIMIT' };
    }
    if (this.isolate.isDisposed) {
      this.die(undefined);
      return { type: 'isolateReset' };
    }
    if (isTimeout(err)) {
      const heap = await turn.heapAtEnd();
      if (!heap) return { type: 'limit', code: timeoutCode };
      const used = heap.used_heap_size + heap.externally_allocated_size;
      const bomb = this.capacity === 1
        ? used - BASELINE_BYTES - CONTEXT_BYTES >= heap.heap_size_limit * SYNC_GROWTH_SHARE
        : used >= heap.heap_size_limit * ASYNC_HEAP_SHARE;
      return { type: 'limit', code: bomb ? 'MEMORY_LIMIT' : timeoutCode };
    }
    this.options.logger.error({ err, invocationId: run.invocation.id }, 'isolate call failed unexpectedly');
    return { type: 'failed', error: err };
  }

  /** isolated-vm disposes an isolate that went over its memory limit by itself. */
  private checkDisposed(): void {
    if (this.isolate.isDisposed && !this.dead) this.die(undefined);
  }

  private die(culprit: ScriptRun | undefined): void {
    if (this.dead) return;
    this.dead = true;
    for (const run of this.runs) if (run !== culprit) run.reset();
    this.runs.clear();
    this.free.length = 0;
    this.dispose();
    this.options.onDead(this);
  }

  contextDone(run: ScriptRun, context: ScriptContext, reusable: boolean): void {
    this.runs.delete(run);
    if (this.dead) return;
    context.user = undefined;
    if (reusable) this.pushFree(context);
    else context.release();
    // a run that starts over in a fresh context keeps its slot
    if (!run.retrying) this.slotDone(run.invocation);
  }

  private slotDone(invocation: Invocation): void {
    this.active--;
    if (invocation.depth > 0) this.nestedActive--;
    if (this.active === 0) this.idleSince = Date.now();
    if (!this.dead) this.options.onSlotFree(this);
  }

  /** Frees the isolate; the pool calls it only when no invocation uses it. */
  dispose(): void {
    for (const context of this.free.splice(0)) context.release();
    for (const compiled of this.scripts.values()) void compiled.then((c) => c instanceof ivm.Script && c.release());
    this.scripts.clear();
    if (!this.isolate.isDisposed) {
      try {
        this.isolate.dispose();
      } catch {
        // already disposed by isolated-vm itself (memory limit)
      }
    }
  }
}

const msToNs = (ms: number): bigint => BigInt(ms) * 1_000_000n;

/** isolated-vm ended the call at its timeout */
function isTimeout(err: unknown): boolean {
  return /timed out/i.test(String((err as Error)?.message ?? err));
}

/**
 * A turn that has run asks for heap statistics. isolated-vm answers once the
 * turn has ended, before V8 collects the garbage the turn left: so a turn
 * stopped by its timeout can tell a memory bomb (a heap near its limit) from
 * a CPU loop. Asked afterwards, the heap is already collected; asked before
 * the turn has begun to run — on a loaded machine its thread can wait for a
 * core longer than half its time — the answer is the heap before it.
 * So the sample is asked for once the isolate's CPU clock shows the turn
 * running, and not before half its time has passed (a short turn asks nothing).
 */
class HeapWatchedTurn implements RunningTurn {
  private readonly sampleAt: number;
  private readonly cpuAtStart: bigint;
  private sample?: Promise<ivm.HeapStatistics | undefined>;

  constructor(private readonly isolate: ivm.Isolate, timeoutMs: number) {
    this.sampleAt = Date.now() + timeoutMs / 2;
    this.cpuAtStart = isolate.cpuTime;
  }

  check(now: number): void {
    if (this.sample || now < this.sampleAt || this.isolate.isDisposed) return;
    if (this.isolate.cpuTime - this.cpuAtStart < RUNNING_CPU_NS) return;
    this.sample = this.isolate.getHeapStatistics().catch(() => undefined);
  }

  heapAtEnd(): Promise<ivm.HeapStatistics | undefined> {
    return this.sample ?? this.isolate.getHeapStatistics().catch(() => undefined);
  }
}
