// scriptService (SPEC §3.1): rows out, plus the form changes made with setValue.
import type { AnswerBase, KindHandler, TraceRequest } from './kind.js';
import { failure } from './kind.js';
import { normalizeForm, normalizeInput } from './input.js';

export interface ScriptRequest extends TraceRequest {
  input?: unknown;
  form?: unknown;
}

export interface ScriptAnswer extends AnswerBase {
  output: unknown[];
  formChanges: Record<string, unknown>;
}

export const scriptService: KindHandler<ScriptRequest, ScriptAnswer> = {
  kind: 'scriptService',
  preparePayload: (request) => ({ input: normalizeInput(request.input), form: normalizeForm(request.form) }),
  toAnswer(outcome, ctx) {
    if (outcome.type !== 'value') throw failure(outcome, ctx);
    const { output, formChanges } = outcome.value as { output: unknown[]; formChanges: Record<string, unknown> };
    return { output, formChanges, ...ctx.base };
  },
};
