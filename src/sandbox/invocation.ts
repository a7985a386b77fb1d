// The host-side state of one running invocation: its limits and deadline, the
// signal that aborts host calls, its log and the calls it made (for trace).
import type { ScriptKind } from '../app/types.js';
import type { InvocationLog } from '../logging/invocation-log.js';
import type { LimitCode, Limits } from './limits.js';

export class Invocation {
  readonly startedAt = performance.now();
  readonly deadline: number;
  // Made on first use: most invocations never need to abort anything.
  private controller?: AbortController;
  private ended = false;
  private endedWaiters?: (() => void)[];
  /** calls recorded by gateways for the trace answer */
  readonly calls: unknown[] = [];
  restCalls = 0;
  /** host calls running now (the bridge counts them) */
  callsInFlight = 0;
  /** set when a limit ended (or must end) the invocation, whatever the script does afterwards */
  limitExceeded?: LimitCode;
  /** told when the invocation ends early (a limit): the run answers its caller at once */
  onEnd?: () => void;

  constructor(
    readonly id: string,
    readonly kind: ScriptKind,
    readonly scriptName: string,
    readonly limits: Limits,
    readonly log: InvocationLog,
    readonly trace: boolean,
  ) {
    this.deadline = Date.now() + limits.wallMs;
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
