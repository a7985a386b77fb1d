// validationScript (SPEC §3.2): errors get their message from the validator's
// metadata (`messages:`), with {0}, {1}, … filled from the parameters.
import type { AnswerBase, KindHandler, TraceRequest } from './kind.js';
import { failure } from './kind.js';
import { normalizeForm, normalizeInput } from './input.js';

export interface ValidateRequest extends TraceRequest {
  input?: unknown;
  form?: unknown;
}

export interface ValidationError {
  key: string;
  message: string;
  parameters: string[];
}

export interface ValidateAnswer extends AnswerBase {
  valid: boolean;
  errors: ValidationError[];
}

export function fillMessage(template: string, parameters: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const i = Number(index);
    return i < parameters.length ? parameters[i] : whole;
  });
}

export const validationScript: KindHandler<ValidateRequest, ValidateAnswer> = {
  kind: 'validationScript',
  preparePayload: (request) => ({ input: normalizeInput(request.input), form: normalizeForm(request.form) }),
  toAnswer(outcome, ctx) {
    if (outcome.type !== 'value') throw failure(outcome, ctx);
    const messages = ctx.metadata.messages ?? {};
    const raw = (outcome.value as { errors: { key: string; parameters: string[] }[] }).errors;
    const errors = raw.map(({ key, parameters }) => ({
      key,
      message: Object.hasOwn(messages, key) ? fillMessage(messages[key], parameters) : key,
      parameters,
    }));
    return { valid: errors.length === 0, errors, ...ctx.base };
  },
};
