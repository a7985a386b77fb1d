// Part of the prelude (see ../prelude.ts): host calls that look synchronous to the script, and the `api` object built
// from the bindings.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------------------ host bridge
// Makes a host call that looks synchronous to the script. Only JSON text
// crosses; errors come back as data and are rebuilt here.
function makeHostError(info, makeError) {
  const err = makeError ? makeError(info) : undefined;
  if (err) return err;
  const e = new ErrorCtor(StringFn(info.message));
  defineProperty(e, 'name', { value: StringFn(info.name || 'Error'), writable: true, configurable: true });
  for (const k of objectKeys(info)) if (k !== 'name' && k !== 'message') e[k] = info[k];
  return e;
}
function bindingCaller(path, makeError) {
  return function call(method, args) {
    let payload;
    try {
      payload = jsonStringify(args);
    } catch (e) {
      throw makeHostError({ name: 'TypeError', message: 'api.' + path + '.' + method +
        ': the arguments cannot be serialized to JSON (' + StringFn(e && e.message) + ')' }, undefined);
    }
    const answer = jsonParse(hostCall.applySyncPromise(undefined, [path, method, payload === undefined ? '[]' : payload]));
    if (answer.ok) return answer.value;
    throw makeHostError(answer.error, makeError);
  };
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
