// One invocation running in one context, turn by turn. Sync mode is a single
// turn (the script's REST calls block inside it). Async mode starts calls
// without blocking and is resumed by a new turn when each answer arrives.
// Every turn runs under a timeout of what is left of the invocation's CPU
// (or wall-clock) budget, so a runaway is ended alone, wherever it loops.
import type { HostCalls } from './bridge.js';
import type { CompiledScript } from './compiled-script.js';
import type { ScriptErrorInfo } from './errors.js';
import type { Invocation } from './invocation.js';
import { jsonTextTooDeep, MAX_NESTING_DEPTH, type LimitCode } from './limits.js';
import type { RunOutcome, TurnResult } from './run-outcome.js';
import type { ContextUser, ScriptContext } from './script-context.js';
import type { TurnMessage } from './isolate/turn-messages.js';

/** Where a run gets its turns and gives its context back. */
export interface RunHost {
  turn(run: ScriptRun, call: (timeoutMs: number) => Promise<unknown>): Promise<TurnResult>;
  contextDone(run: ScriptRun, context: ScriptContext, reusable: boolean): void;
}

/** A run's outcome, or: start again in a fresh context (the old one could not be cleaned). */
export type RunEnd = RunOutcome | { type: 'retry' };

let lastSeq = 0;

/**
 * A result so deep that the isolate's own JSON.stringify ran out of stack
 * (tens of thousands of levels): the isolate reports it with code
 * OUTPUT_TOO_DEEP (isolate/driver.ts), as it reports
 * OUTPUT_LIMIT: the same limit as a result the host finds too deep.
 */
function isTooDeepToSerialize(error: ScriptErrorInfo): boolean {
  return error.name === 'Error' && error.code === 'OUTPUT_TOO_DEEP';
}

/**
 * An answer `{"ok":true,"value":{"f":…}}` whose fields nest more than
 * MAX_NESTING_DEPTH levels has at least this many characters (two brackets
 * a level): shorter answers need no walk.
 */
const MIN_CHARS_TOO_DEEP = 2 * (MAX_NESTING_DEPTH + 2);

export class ScriptRun implements ContextUser {
  readonly seq = ++lastSeq;
  private readonly pending = new Set<number>();
  private turnsInFlight = 0;
  private finished = false;
  private contextReleased = false;
  private contextDirty = false;
  private resolveEnd!: (end: RunEnd) => void;
  readonly end = new Promise<RunEnd>((resolve) => (this.resolveEnd = resolve));

  constructor(
    readonly invocation: Invocation,
    private readonly host: RunHost,
    private readonly context: ScriptContext,
    private readonly script: CompiledScript,
    private readonly calls: HostCalls,
  ) {}

  /** the run ended asking to start over in a fresh context */
  retrying = false;

  start(kind: string, payloadJson: string): void {
    this.context.user = this;
    this.invocation.onEnd = () => this.endedEarly();
    const maxChars = this.invocation.limits.maxOutputBytes;
    void this.runTurn((timeoutMs) => this.context.invoke(this.seq, this.script, kind, payloadJson, maxChars, timeoutMs));
  }

  /**
   * What the next turn may spend: the CPU left, or the wall-clock time left if
   * that is less. A nested invocation (context.callService) spends what is
   * left of the whole chain's CPU; its time is charged up the chain.
   */
  turnBudget(): { ms: number; code: LimitCode } {
    const cpuLeft = this.invocation.cpuLeftMs();
    const wallLeft = this.invocation.remainingMs();
    return cpuLeft <= wallLeft ? { ms: cpuLeft, code: 'CPU_LIMIT' } : { ms: wallLeft, code: 'WALL_CLOCK_LIMIT' };
  }

  addCpu(ns: bigint): void {
    this.invocation.addCpu(ns);
  }

  private startCall(id: number, path: string, method: string, argsJson: string): void {
    if (this.finished) return;
    this.pending.add(id);
    const refused = this.calls.refuse(this.invocation, path, method);
    const answer = refused !== undefined ? Promise.resolve(refused) : this.calls.perform(this.invocation, path, method, argsJson);
    void answer.then((text) => {
      this.pending.delete(id);
      if (this.finished) return;
      void this.runTurn((timeoutMs) => this.context.settle(this.seq, id, text, timeoutMs));
    });
  }

  /** The invocation reached a limit outside of a turn (wall clock, REST loop): its caller is answered now. */
  private endedEarly(): void {
    if (this.finished) return;
    // an async invocation stopped while it waits is suspended half-way in its context
    if (this.pending.size > 0 || this.turnsInFlight === 0) this.contextDirty = true;
    this.finish({ type: 'limit', code: this.invocation.limitExceeded ?? 'WALL_CLOCK_LIMIT' });
    this.releaseContextIfIdle();
  }

  /** The isolate died in another run's turn. */
  reset(): void {
    this.contextDirty = true;
    this.finish({ type: 'isolateReset' });
  }

  private async runTurn(call: (timeoutMs: number) => Promise<unknown>): Promise<void> {
    this.turnsInFlight++;
    const result = await this.host.turn(this, call);
    this.turnsInFlight--;
    this.afterTurn(result);
    this.releaseContextIfIdle();
  }

  private afterTurn(result: TurnResult): void {
    switch (result.type) {
      case 'answer':
        // A sync-mode turn that called other scripts ran under a timeout set
        // before their CPU time was charged to it: together they may have
        // spent more than the invocation has (async turns start with what is left).
        if (this.invocation.nestedCpuNs > 0n && this.invocation.cpuLeftMs() < 0) {
          this.contextDirty = true;
          this.finish({ type: 'limit', code: 'CPU_LIMIT' });
          return;
        }
        if (typeof result.answer === 'string') this.answered(result.answer);
        else this.read(result.answer);
        return;
      case 'limit':
        this.contextDirty = true;
        this.finish({ type: 'limit', code: result.code });
        return;
      case 'isolateReset':
        this.reset();
        return;
      case 'failed':
        this.contextDirty = true;
        // the host logged the cause; the script is told only that it was not its fault
        this.finish({ type: 'scriptError', error: { name: 'Error', code: 'INTERNAL', message: `the runtime failed to run ${this.script.filename} (see the runtime log, invocation ${this.invocation.id})` } });
        return;
    }
  }

  private answered(answer: string): void {
    if (this.finished) return;
    const parsed = JSON.parse(answer) as { ok: boolean; value?: Record<string, unknown>; error?: ScriptErrorInfo; tainted?: boolean; missing?: boolean };
    if (parsed.tainted || parsed.missing) {
      // A previous invocation left something on the global object that cannot
      // be removed (or the context lost the script): start over on a fresh context.
      this.contextDirty = true;
      this.retrying = true;
      this.finish({ type: 'retry' });
      return;
    }
    const limits = this.invocation.limits;
    if (parsed.ok) {
      // the isolate checked characters; bytes only matter when they could differ
      if (answer.length * 3 > limits.maxOutputBytes && Buffer.byteLength(answer) > limits.maxOutputBytes) {
        this.finish({ type: 'limit', code: 'OUTPUT_LIMIT' });
      } else if (answer.length > MIN_CHARS_TOO_DEEP && jsonTextTooDeep(answer, MAX_NESTING_DEPTH + 2)) {
        // each field of the result (output, formChanges, variables, …) may nest MAX_NESTING_DEPTH
        // levels: in `{"ok":true,"value":{"output":…}}` the answer and the value add two
        this.finish({ type: 'limit', code: 'OUTPUT_TOO_DEEP' });
      } else {
        this.finish({ type: 'value', value: parsed.value! });
      }
      return;
    }
    const error = parsed.error!;
    if (error.code === 'OUTPUT_LIMIT' && error.name === 'Error') return this.finish({ type: 'limit', code: 'OUTPUT_LIMIT' });
    if (isTooDeepToSerialize(error)) return this.finish({ type: 'limit', code: 'OUTPUT_TOO_DEEP' });
    // isolated-vm refuses ArrayBuffer memory beyond the isolate's limit with a
    // RangeError instead of killing the isolate: it is the same limit.
    if (error.name === 'RangeError' && error.message === 'Array buffer allocation failed') return this.finish({ type: 'limit', code: 'MEMORY_LIMIT' });
    this.finish({ type: 'scriptError', error });
  }

  /** A turn's messages (isolate/outbox.ts): the calls it started, the answer once there is one. */
  private read(messages: readonly TurnMessage[]): void {
    for (const message of messages) {
      // a context serves one invocation at a time, and a turn runs only its microtasks
      if (message[1] !== this.seq) continue;
      if (message[0] === 'start') this.startCall(message[2], message[3], message[4], message[5]);
      else this.answered(message[2]);
    }
    this.checkSettleable();
  }

  /**
   * After a turn that left the invocation waiting: if no call of it is pending
   * and no turn of it is queued, nothing the runtime does can resume it. The
   * calls a turn started come with the turn, so this is known at once.
   */
  private checkSettleable(): void {
    if (this.finished || this.pending.size > 0 || this.turnsInFlight > 0) return;
    this.unsettled();
  }

  /** Nothing the runtime does can resume the script: waiting longer would only hold its slot. */
  private unsettled(): void {
    this.contextDirty = true;
    this.finish({ type: 'scriptError', error: {
      name: 'Error',
      code: 'UNSETTLED_PROMISE',
      message: `${this.script.filename}: the entry point returned a promise that nothing can settle (no api call is pending); ` +
        'return a value, or await the promises of api calls only',
    } });
  }

  private finish(end: RunEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.invocation.onEnd = undefined;
    this.resolveEnd(end);
  }

  private releaseContextIfIdle(): void {
    if (!this.finished || this.turnsInFlight > 0 || this.contextReleased) return;
    this.contextReleased = true;
    this.host.contextDone(this, this.context, !this.contextDirty);
  }
}
