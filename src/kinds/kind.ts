// What each script kind contributes: how a request becomes the payload the
// isolate gets, and how a run's outcome becomes the caller's answer.
import type { ScriptKind, ScriptMetadata } from '../app/types.js';
import type { ScriptErrorInfo } from '../sandbox/errors.js';
import { LimitExceededError } from '../sandbox/errors.js';
import type { Invocation, TraceMode } from '../sandbox/invocation.js';
import type { RunOutcome } from '../sandbox/run-outcome.js';
import { ScriptFailure } from './errors.js';

/** What a request may ask for besides its input: the trace of the invocation. */
export interface TraceRequest {
  /** the answer carries the script's log lines and what each REST call did */
  trace?: boolean;
  /**
   * With `trace`: request and response bodies, query values, path parameters
   * and headers as they were, not as the logging policy renders them
   * (credentials stay masked). For a developer's own machine: the command
   * line's `run --show-data`; the HTTP API never sets it.
   */
  showData?: boolean;
}

export function traceModeOf(request: TraceRequest | undefined): TraceMode {
  if (!request?.trace && !request?.showData) return false;
  return request.showData ? 'data' : 'policy';
}

/** Fields every answer carries; `logs` and `trace` only when trace was asked for. */
export interface AnswerBase {
  invocationId: string;
  durationMs: number;
  logs?: { time: string; level: string; message: string }[];
  trace?: { calls: unknown[] };
}

export interface AnswerContext {
  invocation: Invocation;
  metadata: ScriptMetadata;
  base: AnswerBase;
}

export interface KindHandler<Request, Answer> {
  readonly kind: ScriptKind;
  preparePayload(request: Request): unknown;
  toAnswer(outcome: KindOutcome, ctx: AnswerContext): Answer;
}

/** What a kind turns into an answer: an isolate reset is answered by the runtime itself. */
export type KindOutcome = Exclude<RunOutcome, { type: 'isolateReset' }>;

export function outcomeError(outcome: Exclude<KindOutcome, { type: 'value' }>, invocation: Invocation): ScriptErrorInfo {
  if (outcome.type === 'limit') return new LimitExceededError(outcome.code, invocation.limits, invocation.kind).toInfo();
  return outcome.error;
}

/** The 422 answer: the error, plus logs and trace when they were asked for. */
export function failure(outcome: Exclude<KindOutcome, { type: 'value' }>, ctx: AnswerContext): ScriptFailure {
  const { invocationId, durationMs, logs, trace } = ctx.base;
  return new ScriptFailure({
    error: outcomeError(outcome, ctx.invocation),
    invocationId,
    durationMs,
    ...(logs ? { logs } : {}),
    ...(trace ? { trace } : {}),
  });
}
