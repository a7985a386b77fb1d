// Part of the prelude (see ../prelude.ts): no code from strings, no WebAssembly or shared memory, no RegExp statics.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ---------------------------------------------------------------- hardening
function disabled(what) {
  return function () {
    throw new EvalError(what + ' is disabled in ScriptCode: scripts cannot create code from strings.');
  };
}
// Replace every code-from-string constructor; `instanceof` keeps working
// because the replacements share the original prototypes.
const FunctionPrototype = Function.prototype;
const hiddenFunctionPrototypes = [
  FunctionPrototype,
  getPrototypeOf(async function () {}),
  getPrototypeOf(function* () {}),
  getPrototypeOf(async function* () {}),
];
const names = ['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction'];
for (let i = 0; i < hiddenFunctionPrototypes.length; i++) {
  const proto = hiddenFunctionPrototypes[i];
  const replacement = disabled(names[i]);
  defineProperty(replacement, 'name', { value: names[i] });
  defineProperty(replacement, 'prototype', { value: proto, writable: false });
  defineProperty(proto, 'constructor', { value: replacement, writable: false, configurable: false, enumerable: false });
  if (i === 0) defineProperty(g, 'Function', { value: replacement, writable: true, configurable: true });
}
for (const name of ['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef']) {
  delete g[name];
}
// RegExp's legacy static properties keep the last match of the whole
// context: one invocation could read another's data through RegExp.$1.
for (const name of ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_',
  'lastMatch', '$&', 'lastParen', '$+', 'leftContext', '$`', 'rightContext', "$'"]) {
  delete RegExp[name];
}

// ---------------------------------------------------------------- stacks
// A stack a script sees shows its own frames only: the prelude's and the
// bindings' (PRELUDE_FILENAME) are sandbox internals. V8 asks this hook for
// every error of the context when its `stack` is first read; the hook is
// frozen with Error, so no script can replace it.
const errorToString = Error.prototype.toString;
const callSiteOrigins = new WeakSetCtor();
function stackHeader(err) {
  try {
    return StringFn(reflectApply(errorToString, err, []));
  } catch (e) {
    return 'Error';
  }
}
function scriptFrames(sites) {
  let text = '';
  for (let i = 0; i < sites.length; i++) {
    if (sites[i].getFileName() !== PRELUDE_FILENAME) text += '\n    at ' + StringFn(sites[i]);
  }
  return text;
}
defineProperty(Error, 'prepareStackTrace', {
  value: function prepareStackTrace(err, sites) {
    const frames = scriptFrames(sites);
    return reflectApply(weakSetHas, callSiteOrigins, [err]) ? frames : stackHeader(err) + frames;
  },
  writable: false, enumerable: false, configurable: false,
});
// Where the script started an async call: its answer arrives in a turn of its
// own, whose stack holds no frame of the script.
function callOrigin(below) {
  const origin = {};
  reflectApply(weakSetAdd, callSiteOrigins, [origin]);
  Error.captureStackTrace(origin, below);
  return origin;
}
function withOrigin(err, origin) {
  if (err !== null && typeof err === 'object') {
    defineProperty(err, 'stack', { value: stackHeader(err) + origin.stack, writable: true, enumerable: false, configurable: true });
  }
  return err;
}
