// scriptTask (SPEC §3.3): exactly one outcome. An uncaught error or a limit is
// a `failure` outcome (the process engine decides about retries); only a
// script that cannot run at all (compile error, no entry point) is a 422.
import type { ScriptErrorInfo } from '../sandbox/errors.js';
import type { AnswerBase, KindHandler, TraceRequest } from './kind.js';
import { failure, outcomeError } from './kind.js';
import { normalizeProcessInstanceId, normalizeVariables } from './input.js';

export interface TaskRequest extends TraceRequest {
  variables?: unknown;
  processInstanceId?: unknown;
}

export interface TaskAnswer extends AnswerBase {
  outcome: 'complete' | 'failure' | 'bpmnError';
  variables?: Record<string, unknown>;
  modelChanges?: Record<string, unknown>;
  errorCode?: string;
  cause?: string;
  /** for a failure that came from an error: what was thrown */
  error?: ScriptErrorInfo;
}

function isUnrunnable(error: ScriptErrorInfo): boolean {
  return error.code === 'COMPILE_ERROR' || error.name === 'EntryPointError';
}

function causeOf(error: ScriptErrorInfo): string {
  return error.status ? `${error.name} (HTTP ${error.status.code}): ${error.message}` : `${error.name}: ${error.message}`;
}

export const scriptTask: KindHandler<TaskRequest, TaskAnswer> = {
  kind: 'scriptTask',
  preparePayload(request) {
    const processInstanceId = normalizeProcessInstanceId(request.processInstanceId);
    return { variables: normalizeVariables(request.variables), processInstanceId };
  },
  toAnswer(outcome, ctx) {
    if (outcome.type === 'scriptError' && isUnrunnable(outcome.error)) throw failure(outcome, ctx);
    if (outcome.type !== 'value') {
      const error = outcomeError(outcome, ctx.invocation);
      return { outcome: 'failure', cause: causeOf(error), error, ...ctx.base };
    }
    return { ...(outcome.value as Omit<TaskAnswer, keyof AnswerBase>), ...ctx.base };
  },
};
