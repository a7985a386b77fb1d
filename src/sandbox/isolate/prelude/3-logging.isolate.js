// Part of the prelude (see ../prelude.ts): nonsensitive(), Logger, console and atob/btoa.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------------ sensitivity
const nonsensitiveMarks = new WeakSetCtor();
function nonsensitive(value) {
  const box = freeze({ value });
  reflectApply(weakSetAdd, nonsensitiveMarks, [box]);
  return box;
}

// ------------------------------------------------------------------ logging
function renderArg(value) {
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
function logArgs(args, from) {
  const out = [];
  for (let i = from; i < args.length; i++) {
    const a = args[i];
    if (a !== null && typeof a === 'object' && reflectApply(weakSetHas, nonsensitiveMarks, [a])) {
      push(out, { s: false, v: renderArg(a.value) });
    } else {
      push(out, { s: true, v: renderArg(a) });
    }
  }
  return out;
}
function emit(level, message, args) {
  hostLog.applySync(undefined, [level, jsonStringify({ m: message, a: args })]);
}
function makeLoggerMethod(level) {
  return function (message) {
    const template = typeof message === 'string' ? message : renderArg(message);
    emit(level, template, logArgs(arguments, 1));
  };
}
const Logger = freeze({
  trace: makeLoggerMethod('trace'),
  debug: makeLoggerMethod('debug'),
  info: makeLoggerMethod('info'),
  warn: makeLoggerMethod('warn'),
  error: makeLoggerMethod('error'),
});
// console.* cannot tell a literal from personal data (`console.log(pesel)`),
// so every argument is sensitive, the first one too, unless it is a
// template with `{}` placeholders as with Logger.
function makeConsoleMethod(level) {
  return function () {
    let template = '';
    let from = 0;
    if (typeof arguments[0] === 'string' && reflectApply(stringIndexOf, arguments[0], ['{}']) !== -1) {
      template = arguments[0];
      from = 1;
    }
    const args = logArgs(arguments, from);
    if (from === 0) {
      for (let i = 0; i < args.length; i++) template += (i === 0 ? '{}' : ' {}');
    }
    emit(level, template, args);
  };
}
const consoleObject = freeze({
  log: makeConsoleMethod('info'), info: makeConsoleMethod('info'), debug: makeConsoleMethod('debug'),
  trace: makeConsoleMethod('trace'), warn: makeConsoleMethod('warn'), error: makeConsoleMethod('error'),
});

// ------------------------------------------------------------- atob / btoa
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function btoa(input) {
  const s = StringFn(input);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = reflectApply(charCodeAt, s, [i]);
    const b = i + 1 < s.length ? reflectApply(charCodeAt, s, [i + 1]) : NaN;
    const c = i + 2 < s.length ? reflectApply(charCodeAt, s, [i + 2]) : NaN;
    if (a > 255 || b > 255 || c > 255) {
      throw new ErrorCtor('btoa: the string contains characters outside Latin-1; encode it as UTF-8 first');
    }
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
      (b === b ? B64[(n >> 6) & 63] : '=') + (c === c ? B64[n & 63] : '=');
  }
  return out;
}
function atob(input) {
  let s = reflectApply(stringReplace, StringFn(input), [/[\t\n\f\r ]/g, '']);
  if (s.length % 4 === 0) s = reflectApply(stringReplace, s, [/==?$/, '']);
  if (s.length % 4 === 1 || regexpExec.call(/[^A-Za-z0-9+/]/, s) !== null) {
    throw new ErrorCtor('atob: the string is not valid base64');
  }
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    buffer = (buffer << 6) | reflectApply(stringIndexOf, B64, [s[i]]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += fromCharCode((buffer >> bits) & 255);
    }
  }
  return out;
}
