// Part of the prelude (see ../prelude.ts): define / forget / invoke: what the host drives, and the global reset
// between invocations.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------------ driver
const factories = new MapCtor();

function define(hash, filename, factory) {
  // a sloppy-mode script reaches its wrapper (arguments.callee): it is shared
  // by every invocation of the script in this context
  enqueue(factory);
  hardenAll();
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
    if (e instanceof RangeErrorCtor && reflectApply(stringIndexOf, StringFn(e.message), ['call stack']) !== -1) {
      const err = new ErrorCtor('the result is nested too deeply to be serialized');
      err.code = 'OUTPUT_TOO_DEEP';
      throw err;
    }
    fail('The script result cannot be serialized to JSON: ' + StringFn(e && e.message));
  }
  if (text.length > maxOutputChars) {
    const err = new ErrorCtor('output limit exceeded: the result is ' + text.length + ' characters, the limit is ' + maxOutputChars);
    err.code = 'OUTPUT_LIMIT';
    throw err;
  }
  return text;
}

function errorAnswer(err, filename) {
  return jsonStringify({ ok: false, error: describeError(err, filename) });
}

// Ends the invocation that did not finish within its first turn: the
// context is cleaned and the answer handed to the host, exactly once.
function finishLater(seq, filename, produce) {
  if (seq !== invocationState.seq) return;
  let answer;
  try {
    answer = produce();
  } catch (err) {
    answer = errorAnswer(err, filename);
  }
  invocationState.pending = new MapCtor();
  resetGlobals();
  hostDone.applyIgnored(undefined, [seq, answer]);
}

// Runs one invocation. `payloadJson` carries the input of the kind. The
// answer is JSON text, { ok: true, value } or { ok: false, error }, returned
// at once when the entry point finished synchronously, else '' now and the
// answer later through hostDone. In async mode binding calls return promises.
function invoke(seq, hash, kind, payloadJson, maxOutputChars, asyncMode) {
  invocationState.seq = seq;
  invocationState.nextCallId = 0;
  invocationState.async = asyncMode;
  invocationState.pending = new MapCtor();
  if (!resetGlobals()) return jsonStringify({ ok: false, tainted: true });
  const entry = reflectApply(mapGet, factories, [hash]);
  if (!entry) return jsonStringify({ ok: false, missing: true });
  const filename = entry.filename;
  const changes = {};
  const outcome = { kind: undefined };
  let value;
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
    if (kind === 'scriptService' || kind === 'validationScript') {
      value = fn(makeScriptContext(payload, kind === 'validationScript', changes));
    } else if (kind === 'scriptTask') {
      const t = makeTaskContext(payload, outcome);
      value = fn(t.context, t.task);
    } else {
      value = fn(freeze({ textToFormat: StringFn(payload.textToFormat), locale: payload.locale === undefined ? null : payload.locale,
        cursorPosition: payload.cursorPosition === undefined ? null : payload.cursorPosition }));
    }
    if (value === null || typeof value !== 'object' || typeof value.then !== 'function') {
      const answer = finish(kind, value, changes, outcome, maxOutputChars);
      resetGlobals();
      return answer;
    }
  } catch (err) {
    resetGlobals();
    return errorAnswer(err, filename);
  }
  // A promise (async entry point, or a returned thenable): its continuation
  // runs in later turns; the host learns the answer through hostDone.
  reflectApply(promiseThen, reflectApply(promiseResolve, PromiseCtor, [value]), [
    (settled) => finishLater(seq, filename, () => finish(kind, settled, changes, outcome, maxOutputChars)),
    (err) => finishLater(seq, filename, () => errorAnswer(err, filename)),
  ]);
  return '';
}

return freeze({ define, forget, invoke, settle: settleCall });
