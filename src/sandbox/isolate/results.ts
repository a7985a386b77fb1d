// Errors described for the host, and what a script returns shaped as its
// kind's result.
import type { ErrorInfo } from './binding-types.js';
import { fail } from './errors.js';
import { arrayMap, ArrayIsArray, ErrorCtor, numberIsInteger, push, regexpExec, StringFn, stringReplace } from './intrinsics.js';
import { renderArg } from './logging.js';

// ------------------------------------------------------- error reporting
/** what the host learns of an error: src/sandbox/errors.ts ScriptErrorInfo */
export interface DescribedError {
  name: string;
  message: string;
  code?: string;
  status?: { code: number; message: string };
  serviceId?: string;
  line?: number;
  column?: number;
}

function escapeRegExp(s: string): string { return stringReplace(s, /[.*+?^${}()|[\]\\]/g, '\\$&'); }

/** The error a script threw (anything), with the position in `filename` its stack shows. */
export function describeError(thrown: unknown, filename: string): DescribedError {
  const info: DescribedError = { name: 'Error', message: '' };
  try {
    if (thrown instanceof ErrorCtor || (thrown !== null && typeof thrown === 'object' && 'message' in thrown)) {
      const err = thrown as ErrorInfo & { status?: { code?: unknown; message?: unknown }; stack?: unknown };
      info.name = StringFn(err.name || 'Error');
      info.message = StringFn(err.message);
      if (err.code !== undefined && err.code !== null) info.code = StringFn(err.code);
      if (err.status && typeof err.status.code === 'number') {
        info.status = { code: err.status.code, message: StringFn(err.status.message || '') };
      }
      if (err.serviceId !== undefined) info.serviceId = StringFn(err.serviceId);
      const stack = typeof err.stack === 'string' ? err.stack : '';
      const m = regexpExec(new RegExp('\\(?' + escapeRegExp(filename) + ':(\\d+):(\\d+)\\)?'), stack);
      if (m) { info.line = +m[1]; info.column = +m[2]; }
    } else {
      info.message = typeof thrown === 'string' ? thrown : renderArg(thrown);
    }
  } catch (e) {
    info.message = 'the script threw a value that cannot be described';
  }
  return info;
}

// ----------------------------------------------------- output shaping
/** scriptService: rows, whatever the script returned */
export function toRows(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (ArrayIsArray(value)) return value;
  return [value];
}

export interface ValidationError {
  key: string;
  parameters: string[];
}

/** validationScript: the errors it returned, checked */
export function toValidationErrors(value: unknown): ValidationError[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = ArrayIsArray(value) ? value : [value];
  const out: ValidationError[] = [];
  for (const entry of list) {
    if (entry === null || typeof entry !== 'object' || typeof (entry as { key?: unknown }).key !== 'string') {
      fail('A validator returns an array of errors like { key: "pesel.invalid", parameters: ["12"] }; got ' + renderArg(entry));
    }
    const item = entry as { key: string; parameters?: unknown };
    const parameters = item.parameters === undefined || item.parameters === null ? [] :
      arrayMap(ArrayIsArray(item.parameters) ? item.parameters as unknown[] : [item.parameters], (p) => (typeof p === 'string' ? p : renderArg(p)));
    push(out, { key: item.key, parameters });
  }
  return out;
}

export interface FormatterResult {
  formattedText: string;
  cursorPosition?: number;
}

/** formatter: its { formattedText, cursorPosition? }, checked */
export function toFormatterResult(value: unknown): FormatterResult {
  if (value === null || typeof value !== 'object' || typeof (value as { formattedText?: unknown }).formattedText !== 'string') {
    fail('formatText(input) must return { formattedText: string, cursorPosition?: number }; got ' + renderArg(value));
  }
  const result = value as { formattedText: string; cursorPosition?: unknown };
  const out: FormatterResult = { formattedText: result.formattedText };
  const c = result.cursorPosition;
  if (typeof c === 'number' && numberIsInteger(c) && c >= 0 && c <= result.formattedText.length) out.cursorPosition = c;
  return out;
}
