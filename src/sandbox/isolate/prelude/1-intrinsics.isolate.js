// Part of the prelude (see ../prelude.ts): what every other part uses: the host functions (taken off the global object
// before any script runs) and the built-ins captured before anything can
// change them.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
const g = globalThis;
// hostCall: a call the script waits for with its thread blocked (sync mode);
// hostStart: starts a call whose answer comes back later through settle()
// (async mode); hostDone: an invocation that did not finish within its first
// turn reports its answer. hostStart and hostDone do not wait for the host
// (applyIgnored): a turn is pure isolate time. All are taken before any
// script code can see them.
const hostCall = g.__scHostCall;
const hostStart = g.__scHostStart;
const hostLog = g.__scHostLog;
const hostDone = g.__scHostDone;
delete g.__scHostCall;
delete g.__scHostStart;
delete g.__scHostLog;
delete g.__scHostDone;

const {
  freeze, getOwnPropertyDescriptor, defineProperty, getPrototypeOf,
  setPrototypeOf, create, keys: objectKeys, prototype: ObjectPrototype,
} = Object;
const { ownKeys, apply: reflectApply, deleteProperty: reflectDeleteProperty } = Reflect;
const jsonStringify = JSON.stringify;
const jsonParse = JSON.parse;
const ArrayIsArray = Array.isArray;
const StringFn = String;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const WeakSetCtor = WeakSet;
const weakSetHas = WeakSet.prototype.has;
const weakSetAdd = WeakSet.prototype.add;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;
const mapClear = Map.prototype.clear;
const PromiseCtor = Promise;
const promiseResolve = Promise.resolve;
const promiseThen = Promise.prototype.then;
const arrayPush = Array.prototype.push;
const arrayMap = Array.prototype.map;
const arraySlice = Array.prototype.slice;
const stringSplit = String.prototype.split;
const stringReplace = String.prototype.replace;
const regexpExec = RegExp.prototype.exec;
const numberIsInteger = Number.isInteger;
const fromCharCode = String.fromCharCode;
const charCodeAt = String.prototype.charCodeAt;
const stringIndexOf = String.prototype.indexOf;

const push = (arr, v) => reflectApply(arrayPush, arr, [v]);
