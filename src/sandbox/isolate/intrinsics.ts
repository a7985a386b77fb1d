// The built-ins the isolate code uses, captured when the prelude starts,
// before anything can change them (scripts cannot change them later either:
// they are frozen, freeze.ts; the captures keep the code independent of
// that). Prototype methods are called through Reflect.apply on the captured
// function, never as `x.method()` on a value a script may have handed over.

export const g: typeof globalThis = globalThis;

export const {
  freeze, getOwnPropertyDescriptor, defineProperty, getPrototypeOf,
  setPrototypeOf, create, isExtensible, isFrozen, keys: objectKeys, prototype: ObjectPrototype,
} = Object;
export const { ownKeys, apply: reflectApply, deleteProperty: reflectDeleteProperty } = Reflect;
export const jsonStringify = JSON.stringify;
export const jsonParse = JSON.parse;
export const ArrayIsArray = Array.isArray;
export const StringFn = String;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const RangeErrorCtor = RangeError;
export const WeakSetCtor = WeakSet;
export const WeakMapCtor = WeakMap;
export const MapCtor = Map;
export const PromiseCtor = Promise;
export const numberIsInteger = Number.isInteger;
export const fromCharCode = String.fromCharCode;
export const mathTrunc = Math.trunc;
export const FunctionPrototype = Function.prototype;
export const ArrayPrototype = Array.prototype;

const hasOwnFn = ObjectPrototype.hasOwnProperty;
const weakSetHasFn = WeakSet.prototype.has;
const weakSetAddFn = WeakSet.prototype.add;
const weakMapGetFn = WeakMap.prototype.get;
const weakMapSetFn = WeakMap.prototype.set;
const mapGetFn = Map.prototype.get;
const mapSetFn = Map.prototype.set;
const mapDeleteFn = Map.prototype.delete;
const mapClearFn = Map.prototype.clear;
const promiseResolveFn = Promise.resolve;
const promiseThenFn = Promise.prototype.then;
const arrayPushFn = Array.prototype.push;
const arrayMapFn = Array.prototype.map;
const arraySliceFn = Array.prototype.slice;
const stringSplitFn = String.prototype.split;
const stringReplaceFn = String.prototype.replace;
const stringIndexOfFn = String.prototype.indexOf;
const charCodeAtFn = String.prototype.charCodeAt;
const regexpExecFn = RegExp.prototype.exec;
const errorToStringFn = Error.prototype.toString;

// The captured methods, uncurried and typed: f(receiver, ...args).
export const hasOwn = (obj: object, key: PropertyKey): boolean => reflectApply(hasOwnFn, obj, [key]);
export const weakSetHas = (set: WeakSet<object>, value: object): boolean => reflectApply(weakSetHasFn, set, [value]);
export const weakSetAdd = (set: WeakSet<object>, value: object): void => { reflectApply(weakSetAddFn, set, [value]); };
export const weakMapGet = <K extends object, V>(map: WeakMap<K, V>, key: K): V | undefined => reflectApply(weakMapGetFn, map, [key]);
export const weakMapSet = <K extends object, V>(map: WeakMap<K, V>, key: K, value: V): void => { reflectApply(weakMapSetFn, map, [key, value]); };
export const mapGet = <K, V>(map: Map<K, V>, key: K): V | undefined => reflectApply(mapGetFn, map, [key]);
export const mapSet = <K, V>(map: Map<K, V>, key: K, value: V): void => { reflectApply(mapSetFn, map, [key, value]); };
export const mapDelete = <K, V>(map: Map<K, V>, key: K): void => { reflectApply(mapDeleteFn, map, [key]); };
export const mapClear = (map: Map<unknown, unknown>): void => { reflectApply(mapClearFn, map, []); };
/** Promise.resolve(value), the captured one */
export const promiseResolve = (value: unknown): Promise<unknown> => reflectApply(promiseResolveFn, PromiseCtor, [value]);
export const promiseThen = <T, R1, R2 = never>(promise: Promise<T>, onFulfilled: (value: T) => R1, onRejected?: (reason: unknown) => R2): Promise<R1 | R2> =>
  reflectApply(promiseThenFn, promise, [onFulfilled, onRejected]);
export const push = <T>(arr: T[], value: T): void => { reflectApply(arrayPushFn, arr, [value]); };
export const arrayMap = <T, R>(arr: readonly T[], fn: (value: T) => R): R[] => reflectApply(arrayMapFn, arr, [fn]);
export const arraySlice = <T>(arr: readonly T[]): T[] => reflectApply(arraySliceFn, arr, []);
export const stringSplit = (s: string, separator: string): string[] => reflectApply(stringSplitFn, s, [separator]);
export const stringReplace = (s: string, pattern: RegExp, replacement: string): string => reflectApply(stringReplaceFn, s, [pattern, replacement]);
export const stringIndexOf = (s: string, search: string): number => reflectApply(stringIndexOfFn, s, [search]);
export const charCodeAt = (s: string, index: number): number => reflectApply(charCodeAtFn, s, [index]);
export const regexpExec = (re: RegExp, s: string): RegExpExecArray | null => reflectApply(regexpExecFn, re, [s]);
/** Error.prototype.toString, which may throw (a getter of the error) */
export const errorToString = (err: unknown): string => reflectApply(errorToStringFn, err, []);
