// Part of the prelude (see ../prelude.ts): host calls that look synchronous to the script, and the `api` object built
// from the bindings.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------------ host bridge
// Host calls: synchronous-looking (sync mode) or promise-returning (async
// mode). Only JSON text crosses; errors come back as data and are rebuilt here.
function makeHostError(info, makeError) {
  const err = makeError ? makeError(info) : undefined;
  if (err) return err;
  const e = new ErrorCtor(StringFn(info.message));
  defineProperty(e, 'name', { value: StringFn(info.name || 'Error'), writable: true, configurable: true });
  for (const k of objectKeys(info)) if (k !== 'name' && k !== 'message') e[k] = info[k];
  return e;
}
// The invocation running in this context: in async mode binding calls return
// promises that the host settles later (settle() in the driver), by call id.
// `seq` names the invocation in every message, so that a message still on its
// way when the context is given to the next invocation is not taken for its.
const invocationState = { async: false, seq: 0, nextCallId: 0, pending: new MapCtor() };

// `prefix` names the calls in messages: 'api.rest.v1' unless told ('context').
function bindingCaller(path, makeError, prefix) {
  const label = prefix === undefined ? 'api.' + path : prefix;
  return function call(method, args) {
    let payload;
    try {
      payload = jsonStringify(args);
    } catch (e) {
      throw makeHostError({ name: 'TypeError', message: label + '.' + method +
        ': the arguments cannot be serialized to JSON (' + StringFn(e && e.message) + ')' }, undefined);
    }
    if (payload === undefined) payload = '[]';
    if (!invocationState.async) {
      const answer = jsonParse(hostCall.applySyncPromise(undefined, [path, method, payload]));
      if (answer.ok) return answer.value;
      throw makeHostError(answer.error, makeError);
    }
    const id = ++invocationState.nextCallId;
    const origin = callOrigin(call);
    // Fire and forget: the answer, or the refusal, arrives through settle().
    hostStart.applyIgnored(undefined, [invocationState.seq, id, path, method, payload]);
    return new PromiseCtor(function (resolve, reject) {
      reflectApply(mapSet, invocationState.pending, [id, { resolve, reject, makeError, origin }]);
    });
  };
}

// Called by the host, in a turn of its own, when an async call has its answer.
function settleCall(seq, id, answerJson) {
  if (seq !== invocationState.seq) return;
  const waiting = reflectApply(mapGet, invocationState.pending, [id]);
  if (!waiting) return;
  reflectApply(mapDelete, invocationState.pending, [id]);
  const answer = jsonParse(answerJson);
  if (answer.ok) waiting.resolve(answer.value);
  else waiting.reject(withOrigin(makeHostError(answer.error, waiting.makeError), waiting.origin));
}

const api = create(null);
for (const binding of bindings) {
  const parts = reflectApply(stringSplit, binding.path, ['.']);
  let node = api;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!node[parts[i]]) node[parts[i]] = create(null);
    node = node[parts[i]];
  }
  const made = binding.factory({ call: bindingCaller(binding.path, (info) => made && made.makeError && made.makeError(info)), freeze });
  node[parts[parts.length - 1]] = made.api;
}
