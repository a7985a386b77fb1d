// The host-side state of one running invocation: its limits and deadline, the
// signal that aborts host calls, its log and the calls it made (for trace).
// A script another one calls (context.callService / context.validate) runs as
// a nested invocation with a `parent`: it spends the budgets of the invocation
// at the root of the chain — its CPU time, its REST calls and its deadline —
// so a chain of calls can never do more than the first script was allowed to.
import type { LimitOverrides, ScriptKind } from '../app/types.js';
import type { InvocationLog } from '../logging/invocation-log.js';
import type { Gateway } from '../bindings/binding.js';
import type { LimitCode, Limits } from './limits.js';

/**
 * The configuration an invocation runs under (scriptcode.yaml is reloaded
 * while serving): the gateways of its bindings and the per-kind limits of
 * that generation. Set on the invocation the caller asked for; its nested
 * calls use the root's, so a whole chain runs on one configuration.
 */
export interface ConfigScope {
  readonly generation: number;
  /** binding path ('rest.v1') → the gateway of this generation */
  readonly gateways: ReadonlyMap<string, Gateway>;
  readonly limits: Readonly<Partial<Record<ScriptKind, LimitOverrides>>>;
}

/** How an invocation's calls are traced for its answer: not at all, as the logging policy renders data, or with the data as it was. */
export type TraceMode = false | 'policy' | 'data';

export class Invocation {
  readonly startedAt = performance.now();
  readonly deadline: number;
  /** the invocation the caller asked for: the one whose budgets every nested call spends */
  readonly root: Invocation;
  /** 0 for the invocation the caller asked for, 1 for a script it calls, … */
  readonly depth: number;
  // Made on first use: most invocations never need to abort anything.
  private controller?: AbortController;
  private ended = false;
  private endedWaiters?: (() => void)[];
  /** calls recorded by gateways for the trace answer */
  readonly calls: unknown[] = [];
  /** calls made per budget name ('restCalls'), a nested call's in its parents' too; every budget starts at 0 (logs show it) */
  readonly callCounts: Record<string, number> = {};
  /** CPU time charged to this invocation, its nested calls' included */
  cpuNs = 0n;
  /** the part of cpuNs that nested calls spent */
  nestedCpuNs = 0n;
  /** host calls running now (the bridge counts them) */
  callsInFlight = 0;
  /** set when a limit ended (or must end) the invocation, whatever the script does afterwards */
  limitExceeded?: LimitCode;
  /** told when the invocation ends early (a limit): the run answers its caller at once */
  onEnd?: () => void;
  /** the configuration generation it runs under (set on the root by the runtime; read through `root.scope`) */
  scope?: ConfigScope;

  constructor(
    readonly id: string,
    readonly kind: ScriptKind,
    readonly scriptName: string,
    readonly limits: Limits,
    readonly log: InvocationLog,
    /** false, or how the calls are traced for the answer ('data': values as they were) */
    readonly trace: TraceMode,
    /** the invocation whose script called this one's (context.callService / context.validate) */
    readonly parent?: Invocation,
  ) {
    this.root = parent ? parent.root : this;
    this.depth = parent ? parent.depth + 1 : 0;
    this.deadline = parent ? parent.deadline : Date.now() + limits.wallMs;
    for (const budget of limits.budgets) this.callCounts[budget.name] = 0;
  }

  /** Aborted when the invocation ends or runs out of time: host calls stop waiting then. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.ended && !this.controller.signal.aborted) this.controller.abort(this.limitExceeded ?? 'ended');
    return this.controller.signal;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /** Resolves when the invocation ends; for host calls that do not take a signal. */
  whenEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => (this.endedWaiters ??= []).push(resolve));
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** CPU time left to the whole chain of calls (negative once a nested call has overspent it). */
  cpuLeftMs(): number {
    return this.root.limits.cpuMs - Number(this.root.cpuNs) / 1e6;
  }

  /** Charges CPU time to this invocation and to every invocation up the chain. */
  addCpu(ns: bigint): void {
    this.cpuNs += ns;
    for (let up = this.parent; up; up = up.parent) {
      up.cpuNs += ns;
      up.nestedCpuNs += ns;
    }
  }

  /** Counts one call against `budget` here and up the chain; answers the count of the whole chain. */
  countCall(budget: string): number {
    for (let at: Invocation | undefined = this; at; at = at.parent) at.callCounts[budget] = (at.callCounts[budget] ?? 0) + 1;
    return this.root.callCounts[budget]!;
  }

  end(reason?: LimitCode): void {
    if (reason && !this.limitExceeded) this.limitExceeded = reason;
    if (this.ended) return;
    this.ended = true;
    // aborting costs ~10 µs: only worth it when a call could still be listening
    if (reason || this.callsInFlight > 0) this.controller?.abort(reason ?? 'ended');
    const waiters = this.endedWaiters;
    this.endedWaiters = undefined;
    if (waiters) for (const w of waiters) w();
    this.onEnd?.();
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}
