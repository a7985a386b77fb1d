// Part of the prelude (see ../prelude.ts): define / forget / invoke: what the host drives, and the global reset
// between invocations.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------------ driver
const factories = new MapCtor();

function define(hash, filename, factory) {
  freeze(factory);
  reflectApply(mapSet, factories, [hash, { filename, factory }]);
}
function forget(hash) {
  if (hash === undefined) reflectApply(mapClear, factories, []);
  else reflectApply(mapDelete, factories, [hash]);
}

function finish(kind, value, changes, outcome, maxOutputChars) {
  let result;
  if (kind === 'scriptService') result = { output: toRows(value), formChanges: changes };
  else if (kind === 'validationScript') result = { errors: toValidationErrors(value) };
  else if (kind === 'formatter') result = toFormatterResult(value);
  else {
    if (!outcome.kind) {
      result = { outcome: 'failure', cause: 'The task finished without an outcome: call context.complete(), context.handleFailure() or context.handleBpmnError().' };
    } else {
      result = { outcome: outcome.kind };
      for (const k of objectKeys(outcome)) if (k !== 'kind' && outcome[k] !== undefined) result[k] = outcome[k];
    }
  }
  let text;
  try {
    text = jsonStringify({ ok: true, value: result });
  } catch (e) {
    fail('The script result cannot be serialized to JSON: ' + StringFn(e && e.message));
  }
  if (text.length > maxOutputChars) {
    const err = new ErrorCtor('output limit exceeded: the result is ' + text.length + ' characters, the limit is ' + maxOutputChars);
    err.code = 'OUTPUT_LIMIT';
    throw err;
  }
  return text;
}

// Runs one invocation. `payloadJson` carries the input of the kind; the
// answer is JSON text: { ok: true, value } or { ok: false, error }.
async function invoke(hash, kind, payloadJson, maxOutputChars) {
  if (!resetGlobals()) return jsonStringify({ ok: false, tainted: true });
  const entry = reflectApply(mapGet, factories, [hash]);
  if (!entry) return jsonStringify({ ok: false, missing: true });
  const filename = entry.filename;
  const changes = {};
  const outcome = { kind: undefined };
  try {
    const payload = jsonParse(payloadJson);
    const exported = reflectApply(entry.factory, g, []);
    const entryName = kind === 'formatter' ? 'formatText' : 'callService';
    const fn = exported[entryName];
    if (typeof fn !== 'function') {
      const signature = kind === 'formatter' ? 'function formatText(input)' :
        kind === 'scriptTask' ? 'function callService(context, task)' : 'function callService(context)';
      const e = new ErrorCtor(filename + ' does not define its entry point: add ' + signature + ' { … }');
      e.name = 'EntryPointError';
      throw e;
    }
    let value;
    if (kind === 'scriptService' || kind === 'validationScript') {
      value = fn(makeScriptContext(payload, kind === 'validationScript', changes));
    } else if (kind === 'scriptTask') {
      const t = makeTaskContext(payload, outcome);
      value = fn(t.context, t.task);
    } else {
      value = fn(freeze({ textToFormat: StringFn(payload.textToFormat), locale: payload.locale === undefined ? null : payload.locale,
        cursorPosition: payload.cursorPosition === undefined ? null : payload.cursorPosition }));
    }
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') value = await value;
    return finish(kind, value, changes, outcome, maxOutputChars);
  } catch (err) {
    const info = describeError(err, filename);
    return jsonStringify({ ok: false, error: info });
  } finally {
    resetGlobals();
  }
}

return freeze({ define, forget, invoke });
