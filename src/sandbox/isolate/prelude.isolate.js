// Runs INSIDE the V8 isolate, once per context, before any script.
// It hardens the context (no code from strings, frozen built-ins), installs the
// script-facing globals (api, Logger, nonsensitive, console, atob, btoa) and
// returns the three functions the host drives: define, invoke, reset.
//
// The host passes nothing but strings across the boundary; the two host
// functions (`call`, `log`) arrive as isolated-vm References on temporary
// globals that are removed before any script code runs.
//
// This file is loaded as text: it is an expression whose value is a function
// taking the list of bindings ({ path, factory }) and returning the driver.
(function prelude(bindings) {
  'use strict';
  const g = globalThis;
  const hostCall = g.__scHostCall;
  const hostLog = g.__scHostLog;
  delete g.__scHostCall;
  delete g.__scHostLog;

  const {
    freeze, isFrozen, getOwnPropertyDescriptor, defineProperty, getPrototypeOf,
    setPrototypeOf, create, keys: objectKeys, prototype: ObjectPrototype,
  } = Object;
  const { ownKeys, apply: reflectApply, deleteProperty: reflectDeleteProperty } = Reflect;
  const jsonStringify = JSON.stringify;
  const jsonParse = JSON.parse;
  const ArrayIsArray = Array.isArray;
  const StringFn = String;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const WeakSetCtor = WeakSet;
  const weakSetHas = WeakSet.prototype.has;
  const weakSetAdd = WeakSet.prototype.add;
  const MapCtor = Map;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  const mapClear = Map.prototype.clear;
  const arrayPush = Array.prototype.push;
  const arrayJoin = Array.prototype.join;
  const arrayMap = Array.prototype.map;
  const arraySlice = Array.prototype.slice;
  const stringSplit = String.prototype.split;
  const stringReplace = String.prototype.replace;
  const regexpExec = RegExp.prototype.exec;
  const promiseThen = Promise.prototype.then;
  const numberIsInteger = Number.isInteger;
  const isSafeIntegerFn = Number.isSafeInteger;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  const stringIndexOf = String.prototype.indexOf;

  const push = (arr, v) => reflectApply(arrayPush, arr, [v]);

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

  // ------------------------------------------------- Java-style collections
  // Lists and maps handed to scripts are plain arrays/objects that also answer
  // the calls scripts written for Rhino use.
  const JavaList = create(Array.prototype);
  defineProperty(JavaList, 'get', { value: function get(i) { return this[i] === undefined ? null : this[i]; } });
  defineProperty(JavaList, 'size', { value: function size() { return this.length; } });
  defineProperty(JavaList, 'isEmpty', { value: function isEmpty() { return this.length === 0; } });
  defineProperty(JavaList, 'contains', { value: function contains(v) { return this.indexOf(v) !== -1; } });
  const JavaMap = create(ObjectPrototype);
  const hasOwn = Object.prototype.hasOwnProperty;
  defineProperty(JavaMap, 'get', { value: function get(k) { return reflectApply(hasOwn, this, [k]) ? this[k] : null; } });
  defineProperty(JavaMap, 'containsKey', { value: function containsKey(k) { return reflectApply(hasOwn, this, [k]); } });
  defineProperty(JavaMap, 'keySet', { value: function keySet() { return javaList(objectKeys(this)); } });
  defineProperty(JavaMap, 'values', { value: function values() { const self = this; return javaList(reflectApply(arrayMap, objectKeys(this), [(k) => self[k]])); } });
  defineProperty(JavaMap, 'size', { value: function size() { return objectKeys(this).length; } });
  defineProperty(JavaMap, 'isEmpty', { value: function isEmpty() { return objectKeys(this).length === 0; } });
  function javaList(arr) { setPrototypeOf(arr, JavaList); return arr; }
  function javaMap(obj) { setPrototypeOf(obj, JavaMap); return obj; }
  // Deeply converts parsed JSON: every array gets list methods, every object map methods.
  function javaify(value) {
    if (value === null || typeof value !== 'object') return value;
    if (ArrayIsArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = javaify(value[i]);
      return javaList(value);
    }
    for (const k of objectKeys(value)) value[k] = javaify(value[k]);
    return javaMap(value);
  }

  // ----------------------------------------------------------- script kinds
  function fail(message) { throw new ErrorCtor(message); }
  function removedApi() {
    fail("context.api() was removed. Call REST services with api.rest.v1, for example: " +
      "const r = api.rest.v1.get('crm', { path: 'customers/{id}', pathParams: { id: id } }); return [{ name: r.body.name }];");
  }

  function makeFormAccess(form, changes, readOnly) {
    const components = form || {};
    return {
      getValue(id) {
        if (reflectApply(hasOwn, changes, [id])) return changes[id];
        const c = components[id];
        return c && c.value !== undefined ? javaify(jsonParse(jsonStringify(c.value))) : null;
      },
      isVisible(id) {
        const c = components[id];
        return c ? c.visible !== false : false;
      },
      getData(id, attribute) {
        const c = components[id];
        const data = c && c.data;
        if (!data || !reflectApply(hasOwn, data, [attribute])) return null;
        return javaify(jsonParse(jsonStringify(data[attribute])));
      },
      setValue(id, value) {
        if (readOnly) fail('context.setValue() is not available in a validator: validators only check the form, they cannot change it.');
        if (typeof id !== 'string' || id === '') fail('context.setValue(id, value): id must be a non-empty string');
        let copy;
        try { copy = value === undefined ? null : jsonParse(jsonStringify(value)); } catch (e) {
          fail('context.setValue(' + jsonStringify(id) + ', value): the value cannot be serialized to JSON');
        }
        changes[id] = copy;
      },
    };
  }

  function makeScriptContext(payload, readOnly, changes) {
    const input = javaify(payload.input || {});
    const form = makeFormAccess(payload.form, changes, readOnly);
    return freeze({
      getParameters(name) {
        const v = reflectApply(hasOwn, input, [name]) ? input[name] : null;
        return javaList(v ? reflectApply(arraySlice, v, []) : []);
      },
      getFirstParameter(name, defaultValue) {
        const v = reflectApply(hasOwn, input, [name]) ? input[name] : null;
        if (v && v.length > 0 && v[0] !== null && v[0] !== undefined) return v[0];
        return defaultValue === undefined ? null : defaultValue;
      },
      getInputParameters() { return input; },
      getValue: form.getValue,
      isVisible: form.isVisible,
      getData: form.getData,
      setValue: form.setValue,
      api: removedApi,
      getModel() {
        fail('context.getModel() was removed. Read form values with context.getValue(id) and parameters with context.getParameters(name).');
      },
    });
  }

  function makeTask(payload) {
    const variables = javaify(payload.variables || {});
    const processInstanceId = payload.processInstanceId === undefined ? null : payload.processInstanceId;
    return {
      getVariable(name) { return reflectApply(hasOwn, variables, [name]) ? variables[name] : null; },
      getAllVariables() { return javaify(jsonParse(jsonStringify(variables))); },
      getProcessInstanceId() { return processInstanceId; },
      getProcessIntanceId() { return processInstanceId; },
    };
  }

  function makeTaskContext(payload, outcome) {
    const task = makeTask(payload);
    function record(kind, fields) {
      if (outcome.kind) {
        fail('The task already has an outcome (' + outcome.kind + '); call exactly one of complete(), handleFailure() or handleBpmnError() per run.');
      }
      outcome.kind = kind;
      for (const k of objectKeys(fields)) outcome[k] = fields[k];
    }
    function copyJson(what, value) {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'object' || ArrayIsArray(value)) fail(what + ' must be an object of name → value');
      try { return jsonParse(jsonStringify(value)); } catch (e) { fail(what + ' cannot be serialized to JSON: ' + StringFn(e && e.message)); }
    }
    function causeText(cause) {
      if (cause === undefined || cause === null) return undefined;
      if (typeof cause === 'string') return cause;
      if (cause instanceof ErrorCtor) return StringFn(cause.message);
      return renderArg(cause);
    }
    const context = {
      getVariable: task.getVariable,
      getAllVariables: task.getAllVariables,
      getProcessInstanceId: task.getProcessInstanceId,
      getProcessIntanceId: task.getProcessIntanceId,
      complete(variables, modelChanges) {
        const v = copyJson('complete(variables): variables', variables);
        const m = copyJson('complete(variables, modelChanges): modelChanges', modelChanges);
        record('complete', { variables: v || {}, modelChanges: m });
      },
      handleFailure(cause) {
        record('failure', { cause: causeText(cause) || 'failure' });
      },
      handleBpmnError(errorCode, cause) {
        if (typeof errorCode !== 'string' || errorCode === '') fail('handleBpmnError(errorCode, cause): errorCode must be a non-empty string');
        record('bpmnError', { errorCode, cause: causeText(cause) });
      },
      api: removedApi,
      getModel() {
        fail('context.getModel() was removed. Read process variables with context.getVariable(name) or context.getAllVariables(), and return changes with context.complete(variables, modelChanges).');
      },
    };
    return { context: freeze(context), task: freeze(task) };
  }

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

  // ------------------------------------------------------------- globals
  function defineGlobal(name, value) {
    defineProperty(g, name, { value, writable: false, enumerable: false, configurable: false });
  }
  defineGlobal('api', api);
  defineGlobal('Logger', Logger);
  defineGlobal('nonsensitive', nonsensitive);
  defineGlobal('console', consoleObject);
  defineGlobal('atob', atob);
  defineGlobal('btoa', btoa);

  // --------------------------------------------------------------- freeze
  // Everything reachable from the global object and from the intrinsics that
  // only syntax reaches becomes immutable, so no invocation can leave a mark
  // on a built-in for the next one.
  const anonymousIntrinsics = [
    getPrototypeOf(async function () {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
    getPrototypeOf((function* () {})()),
    getPrototypeOf(getPrototypeOf((function* () {})())),
    getPrototypeOf((async function* () {})()),
    getPrototypeOf(getPrototypeOf(getPrototypeOf((async function* () {})()))),
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(getPrototypeOf([][Symbol.iterator]())),
    getPrototypeOf(new Map()[Symbol.iterator]()),
    getPrototypeOf(new Set()[Symbol.iterator]()),
    getPrototypeOf(''[Symbol.iterator]()),
    getPrototypeOf(/x/[Symbol.matchAll](''))
      ,
    getPrototypeOf(Uint8Array),
    getPrototypeOf(Uint8Array.prototype),
    (function () { 'use strict'; return getOwnPropertyDescriptor(arguments, 'callee').get; })(),
    JavaList, JavaMap,
  ];
  // Data properties of prototypes that ordinary code assigns on instances
  // ("override mistake"): they become accessors whose setter defines an own
  // property on the instance, so ES5-style classes keep working.
  const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'name', 'message', 'toJSON', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
  function enableOverride(obj) {
    for (const key of overridable) {
      const d = getOwnPropertyDescriptor(obj, key);
      if (!d || !('value' in d) || !d.configurable) continue;
      const value = d.value;
      // Method syntax: accessors without a `prototype` object of their own.
      const accessors = {
        get() { return value; },
        set(v) {
          if (this === obj) throw new TypeErrorCtor('Cannot assign to read only property \'' + StringFn(key) + '\' of a built-in object');
          defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
        },
      };
      defineProperty(obj, key, { get: accessors.get, set: accessors.set, enumerable: d.enumerable, configurable: false });
    }
  }
  const seen = new WeakSetCtor();
  const queue = [];
  function enqueue(v) {
    if ((typeof v === 'object' && v !== null) || typeof v === 'function') push(queue, v);
  }
  function hardenAll() {
    while (queue.length) {
      const obj = queue.pop();
      if (reflectApply(weakSetHas, seen, [obj])) continue;
      reflectApply(weakSetAdd, seen, [obj]);
      if (obj !== g && isPrototypeLike(obj)) enableOverride(obj);
      enqueue(getPrototypeOf(obj));
      for (const key of ownKeys(obj)) {
        const d = getOwnPropertyDescriptor(obj, key);
        if (!d) continue;
        if ('value' in d) enqueue(d.value);
        else { enqueue(d.get); enqueue(d.set); }
      }
      if (obj === g) {
        for (const key of ownKeys(g)) {
          const d = getOwnPropertyDescriptor(g, key);
          if (d.configurable) {
            if ('value' in d) defineProperty(g, key, { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
            else defineProperty(g, key, { get: d.get, set: d.set, enumerable: d.enumerable, configurable: false });
          }
        }
      } else {
        freeze(obj);
      }
    }
  }
  function isPrototypeLike(obj) {
    const ctor = getOwnPropertyDescriptor(obj, 'constructor');
    return !!(ctor && 'value' in ctor && typeof ctor.value === 'function' && ctor.value.prototype === obj);
  }
  enqueue(g);
  for (const x of anonymousIntrinsics) enqueue(x);
  hardenAll();

  const baselineGlobals = new MapCtor();
  for (const key of ownKeys(g)) reflectApply(mapSet, baselineGlobals, [key, true]);

  const baselineGlobalProto = getPrototypeOf(g);
  const { isExtensible } = Object;

  // Removes what a previous invocation added to the global object. Returns
  // false when something cannot be undone (a non-configurable global, a new
  // prototype for the global object, a non-extensible global object): the
  // host then replaces the context.
  function resetGlobals() {
    let clean = getPrototypeOf(g) === baselineGlobalProto && isExtensible(g);
    for (const key of ownKeys(g)) {
      if (reflectApply(mapGet, baselineGlobals, [key])) continue;
      if (!reflectDeleteProperty(g, key)) clean = false;
    }
    return clean;
  }

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

  return freeze({ define, forget, invoke, resetGlobals });
})
