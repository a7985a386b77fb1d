// formatter (SPEC §3.4): runs on keystrokes, no REST access, tight limits.
import type { AnswerBase, KindHandler, TraceRequest } from './kind.js';
import { failure } from './kind.js';
import { normalizeFormatterInput } from './input.js';

export interface FormatRequest extends TraceRequest {
  textToFormat?: unknown;
  locale?: unknown;
  cursorPosition?: unknown;
}

export interface FormatAnswer extends AnswerBase {
  formattedText: string;
  cursorPosition?: number;
}

export const formatter: KindHandler<FormatRequest, FormatAnswer> = {
  kind: 'formatter',
  preparePayload: (request) => normalizeFormatterInput(request),
  toAnswer(outcome, ctx) {
    if (outcome.type !== 'value') throw failure(outcome, ctx);
    return { ...(outcome.value as { formattedText: string; cursorPosition?: number }), ...ctx.base };
  },
};
