// nonsensitive(), Logger and console: log lines go to the host as JSON, each
// argument marked sensitive unless the script wrapped it in nonsensitive().
import { hostLog } from './host.js';
import { ErrorCtor, freeze, jsonStringify, push, StringFn, stringIndexOf, WeakSetCtor, weakSetAdd, weakSetHas } from './intrinsics.js';

// ------------------------------------------------------------ sensitivity
const nonsensitiveMarks = new WeakSetCtor<object>();
export function nonsensitive(value: unknown): { readonly value: unknown } {
  const box = freeze({ value });
  weakSetAdd(nonsensitiveMarks, box);
  return box;
}

// ------------------------------------------------------------------ logging
/** A value as a log line (and an error message) shows it. */
export function renderArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return '[function]';
  if (typeof value === 'bigint' || typeof value === 'symbol') return StringFn(value);
  if (value instanceof ErrorCtor) return StringFn(value.name) + ': ' + StringFn(value.message);
  try {
    const text = jsonStringify(value);
    return text === undefined ? StringFn(value) : text;
  } catch (e) {
    return '[unserializable]';
  }
}

interface LogArg {
  /** sensitive */
  s: boolean;
  v: string;
}

function logArgs(args: IArguments, from: number): LogArg[] {
  const out: LogArg[] = [];
  for (let i = from; i < args.length; i++) {
    const a: unknown = args[i];
    if (a !== null && typeof a === 'object' && weakSetHas(nonsensitiveMarks, a)) {
      push(out, { s: false, v: renderArg((a as { value: unknown }).value) });
    } else {
      push(out, { s: true, v: renderArg(a) });
    }
  }
  return out;
}
function emit(level: string, message: string, args: LogArg[]): void {
  hostLog.applySync(undefined, [level, jsonStringify({ m: message, a: args })]);
}
function makeLoggerMethod(level: string): (message: unknown, ...args: unknown[]) => void {
  return function (message: unknown) {
    const template = typeof message === 'string' ? message : renderArg(message);
    emit(level, template, logArgs(arguments, 1));
  };
}
export const Logger = freeze({
  trace: makeLoggerMethod('trace'),
  debug: makeLoggerMethod('debug'),
  info: makeLoggerMethod('info'),
  warn: makeLoggerMethod('warn'),
  error: makeLoggerMethod('error'),
});
// console.* cannot tell a literal from personal data (`console.log(pesel)`),
// so every argument is sensitive, the first one too, unless it is a
// template with `{}` placeholders as with Logger.
function makeConsoleMethod(level: string): (...args: unknown[]) => void {
  return function () {
    let template = '';
    let from = 0;
    const first: unknown = arguments[0];
    if (typeof first === 'string' && stringIndexOf(first, '{}') !== -1) {
      template = first;
      from = 1;
    }
    const args = logArgs(arguments, from);
    if (from === 0) {
      for (let i = 0; i < args.length; i++) template += (i === 0 ? '{}' : ' {}');
    }
    emit(level, template, args);
  };
}
export const consoleObject = freeze({
  log: makeConsoleMethod('info'), info: makeConsoleMethod('info'), debug: makeConsoleMethod('debug'),
  trace: makeConsoleMethod('trace'), warn: makeConsoleMethod('warn'), error: makeConsoleMethod('error'),
});
