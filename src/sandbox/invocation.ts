// The host-side state of one running invocation: its limits and deadline, the
// signal that aborts host calls, its log and the calls it made (for trace).
import type { ScriptKind } from '../app/types.js';
import type { InvocationLog } from '../logging/invocation-log.js';
import type { LimitCode, Limits } from './limits.js';

export class Invocation {
  readonly startedAt = performance.now();
  readonly deadline: number;
  private readonly controller = new AbortController();
  /** calls recorded by gateways for the trace answer */
  readonly calls: unknown[] = [];
  restCalls = 0;
  /** set when a limit ended (or must end) the invocation, whatever the script does afterwards */
  limitExceeded?: LimitCode;
  /** stops the running script at once (set by the isolate running it) */
  stop?: (code: LimitCode) => void;

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
    return this.controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  end(reason?: LimitCode): void {
    if (reason && !this.limitExceeded) this.limitExceeded = reason;
    if (!this.controller.signal.aborted) this.controller.abort(reason ?? 'ended');
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}
