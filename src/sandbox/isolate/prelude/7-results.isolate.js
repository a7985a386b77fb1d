// Part of the prelude (see ../prelude.ts): errors described for the host, results shaped per kind.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------- error reporting
function escapeRegExp(s) { return reflectApply(stringReplace, s, [/[.*+?^${}()|[\]\\]/g, '\\$&']); }
function describeError(err, filename) {
  const info = { name: 'Error', message: '' };
  try {
    if (err instanceof ErrorCtor || (err !== null && typeof err === 'object' && 'message' in err)) {
      info.name = StringFn(err.name || 'Error');
      info.message = StringFn(err.message);
      if (err.code !== undefined && err.code !== null) info.code = StringFn(err.code);
      if (err.status && typeof err.status.code === 'number') {
        info.status = { code: err.status.code, message: StringFn(err.status.message || '') };
      }
      if (err.serviceId !== undefined) info.serviceId = StringFn(err.serviceId);
      const stack = typeof err.stack === 'string' ? err.stack : '';
      const m = regexpExec.call(new RegExp('\\(?' + escapeRegExp(filename) + ':(\\d+):(\\d+)\\)?'), stack);
      if (m) { info.line = +m[1]; info.column = +m[2]; }
    } else {
      info.message = typeof err === 'string' ? err : renderArg(err);
    }
  } catch (e) {
    info.message = 'the script threw a value that cannot be described';
  }
  return info;
}

// ----------------------------------------------------- output shaping
function toRows(value) {
  if (value === undefined || value === null) return [];
  if (ArrayIsArray(value)) return value;
  return [value];
}
function toValidationErrors(value) {
  if (value === undefined || value === null) return [];
  const list = ArrayIsArray(value) ? value : [value];
  const out = [];
  for (const item of list) {
    if (item === null || typeof item !== 'object' || typeof item.key !== 'string') {
      fail('A validator returns an array of errors like { key: "pesel.invalid", parameters: ["12"] }; got ' + renderArg(item));
    }
    const parameters = item.parameters === undefined || item.parameters === null ? [] :
      reflectApply(arrayMap, ArrayIsArray(item.parameters) ? item.parameters : [item.parameters], [(p) => (typeof p === 'string' ? p : renderArg(p))]);
    push(out, { key: item.key, parameters });
  }
  return out;
}
function toFormatterResult(value) {
  if (value === null || typeof value !== 'object' || typeof value.formattedText !== 'string') {
    fail('formatText(input) must return { formattedText: string, cursorPosition?: number }; got ' + renderArg(value));
  }
  const out = { formattedText: value.formattedText };
  const c = value.cursorPosition;
  if (typeof c === 'number' && numberIsInteger(c) && c >= 0 && c <= value.formattedText.length) out.cursorPosition = c;
  return out;
}
