// Lists and maps that also answer the Java-style calls of Rhino-era scripts.
// Lists and maps handed to scripts (SPEC §3.1) are plain arrays/objects that
// also answer the calls scripts written for Rhino make on java.util.List/Map:
// the methods live, non-enumerable, on prototypes (JavaList inherits
// Array.prototype, JavaMap Object.prototype), so `length`, indexing, for…of,
// for…in, Object.keys, JSON.stringify, Array.isArray and .map/.filter are
// those of ordinary JavaScript values. As text they render like Java
// (`"" + list` is "[a, b]", a map "{k1=v1, k2=v2}"): platform scripts parse it.
// Iterators (JavaIterator) and map entries (JavaEntry) get prototypes of their
// own. All four are frozen with the built-ins (freeze.ts); the methods use
// captured built-ins only, nothing a script could change.
import {
  ArrayIsArray, ArrayPrototype, create, defineProperty, ErrorCtor, getPrototypeOf, hasOwn, mathTrunc, ObjectPrototype,
  objectKeys, push, setPrototypeOf, StringFn, TypeErrorCtor, WeakMapCtor, weakMapGet, weakMapSet,
} from './intrinsics.js';

/** a plain object as scripts get it: string keys only */
type Dict = Record<string, unknown>;

function defineJavaMethod(target: object, name: string, fn: Function): void {
  defineProperty(target, name, { value: fn, writable: false, enumerable: false, configurable: true });
}

// ------------------------------------------------------------- prototypes
// Created first: the methods below compare with them. The methods are named
// function expressions defined inside functions (define*Methods, run once at
// the end of this module): at a module's top level esbuild would rename
// duplicates (a second `toString` becomes `toString2`), and scripts see names.
export const JavaIterator: object = create(ObjectPrototype);
export const JavaList: object = create(ArrayPrototype);
export const JavaEntry: object = create(ObjectPrototype);
export const JavaMap: object = create(ObjectPrototype);

interface Entry {
  key: unknown;
  value: unknown;
}

// Java's equals() for what lists and maps hold: strings, numbers and booleans
// by value (NaN equals NaN, as Double.equals has it), lists element by
// element, maps entry by entry, entries by key and value; anything else by
// identity.
function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a !== a && b !== b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aList = ArrayIsArray(a);
  if (aList !== ArrayIsArray(b)) return false;
  if (aList) {
    const la = a as unknown[];
    const lb = b as unknown[];
    if (la.length !== lb.length) return false;
    for (let i = 0; i < la.length; i++) if (!javaEquals(la[i], lb[i])) return false;
    return true;
  }
  const pa = getPrototypeOf(a);
  const pb = getPrototypeOf(b);
  if (pa === JavaEntry && pb === JavaEntry) return javaEquals((a as Entry).key, (b as Entry).key) && javaEquals((a as Entry).value, (b as Entry).value);
  if ((pa !== JavaMap && pa !== ObjectPrototype) || (pb !== JavaMap && pb !== ObjectPrototype)) return false;
  const ma = a as Dict;
  const mb = b as Dict;
  const ka = objectKeys(ma);
  if (ka.length !== objectKeys(mb).length) return false;
  for (const k of ka) if (!hasOwn(mb, k) || !javaEquals(ma[k], mb[k])) return false;
  return true;
}
function javaIndexOf(list: ArrayLike<unknown>, value: unknown, from: unknown): number {
  let i = from === undefined ? 0 : mathTrunc(+(from as number)) || 0;
  if (i < 0) i = list.length + i < 0 ? 0 : list.length + i;
  for (; i < list.length; i++) if (javaEquals(list[i], value)) return i;
  return -1;
}

// String.valueOf(x) as Java renders what a collection holds; `inside` is the
// chain of collections being rendered (Java writes "(this Collection)" for a
// collection that holds itself; deeper cycles are cut the same way here).
function javaText(value: unknown, inside: object[]): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') {
    for (let i = 0; i < inside.length; i++) if (inside[i] === value) return ArrayIsArray(value) ? '(this Collection)' : '(this Map)';
    const proto = getPrototypeOf(value);
    if (proto === JavaList) return listText(value as unknown[], inside);
    if (proto === JavaMap) return mapText(value as Dict, inside);
    if (proto === JavaEntry) return entryText(value as Entry, inside);
  }
  return StringFn(value);
}
function listText(list: ArrayLike<unknown> & object, inside: object[]): string {
  push(inside, list);
  let text = '[';
  for (let i = 0; i < list.length; i++) text += (i === 0 ? '' : ', ') + javaText(list[i], inside);
  inside.length--;
  return text + ']';
}
function mapText(map: Dict, inside: object[]): string {
  push(inside, map);
  let text = '{';
  const keys = objectKeys(map);
  for (let i = 0; i < keys.length; i++) text += (i === 0 ? '' : ', ') + keys[i] + '=' + javaText(map[keys[i]], inside);
  inside.length--;
  return text + '}';
}
function entryText(entry: Entry, inside: object[]): string {
  return javaText(entry.key, inside) + '=' + javaText(entry.value, inside);
}

// ---------------------------------------------------------------- Iterator
// java.util.Iterator over a list: hasNext()/next(). Its position is kept
// where a script cannot reach it; next() past the end throws
// NoSuchElementException, as Java does.
interface IteratorState {
  items: ArrayLike<unknown>;
  index: number;
}
const iteratorState = new WeakMapCtor<object, IteratorState>();
function stateOf(it: unknown, name: string): IteratorState {
  const state = it !== null && typeof it === 'object' ? weakMapGet(iteratorState, it) : undefined;
  if (!state) throw new TypeErrorCtor('Iterator.' + name + '() called on something that is not an iterator');
  return state;
}
function noSuchElement(): Error {
  const e = new ErrorCtor('iterator.next(): there are no more elements (check hasNext() first)');
  defineProperty(e, 'name', { value: 'NoSuchElementException', writable: true, enumerable: false, configurable: true });
  return e;
}
function defineIteratorMethods(): void {
  defineJavaMethod(JavaIterator, 'hasNext', function hasNext(this: unknown) {
    const state = stateOf(this, 'hasNext');
    return state.index < state.items.length;
  });
  defineJavaMethod(JavaIterator, 'next', function next(this: unknown) {
    const state = stateOf(this, 'next');
    if (state.index >= state.items.length) throw noSuchElement();
    const value = state.items[state.index++];
    return value === undefined ? null : value;
  });
}
function iteratorOver(items: ArrayLike<unknown>): object {
  const it = create(JavaIterator);
  weakMapSet(iteratorState, it, { items, index: 0 });
  return it;
}

// ------------------------------------------------------------------- List
// `this` is whatever the script calls the method on: a list, or anything else
type Receiver = Dict & { length: number };
function defineListMethods(): void {
  defineJavaMethod(JavaList, 'get', function get(this: Receiver, i: number) { return this[i] === undefined ? null : this[i]; });
  defineJavaMethod(JavaList, 'size', function size(this: Receiver) { return this.length; });
  defineJavaMethod(JavaList, 'isEmpty', function isEmpty(this: Receiver) { return this.length === 0; });
  defineJavaMethod(JavaList, 'contains', function contains(this: Receiver, v: unknown) { return javaIndexOf(this, v, 0) !== -1; });
  // Java's indexOf(Object), with JavaScript's optional fromIndex kept.
  defineJavaMethod(JavaList, 'indexOf', function indexOf(this: Receiver, v: unknown, fromIndex: unknown) { return javaIndexOf(this, v, fromIndex); });
  // A plain JavaScript array (Object[] in Java): a copy, whose elements are the
  // same values (lists and maps in it keep their Java methods).
  defineJavaMethod(JavaList, 'toArray', function toArray(this: Receiver) {
    const out: unknown[] = [];
    for (let i = 0; i < this.length; i++) out[i] = this[i] === undefined ? null : this[i];
    return out;
  });
  defineJavaMethod(JavaList, 'iterator', function iterator(this: unknown) { return iteratorOver(ArrayIsArray(this) ? this : []); });
  // String(list), "" + list and `${list}` all come here: Java's "[a, b]", never Array's "a,b".
  defineJavaMethod(JavaList, 'toString', function toString(this: unknown) { return ArrayIsArray(this) ? listText(this, []) : '[]'; });
}

// -------------------------------------------------------------- Map.Entry
function defineEntryMethods(): void {
  defineJavaMethod(JavaEntry, 'getKey', function getKey(this: Entry) { return this.key; });
  defineJavaMethod(JavaEntry, 'getValue', function getValue(this: Entry) { return this.value === undefined ? null : this.value; });
  defineJavaMethod(JavaEntry, 'toString', function toString(this: Entry) { return entryText(this, []); });
}
function entryOf(key: string, value: unknown): Entry {
  const e: Entry = create(JavaEntry);
  e.key = key;
  e.value = value;
  return e;
}

// -------------------------------------------------------------------- Map
function defineMapMethods(): void {
  defineJavaMethod(JavaMap, 'get', function get(this: Dict, k: string) { return hasOwn(this, k) ? this[k] : null; });
  defineJavaMethod(JavaMap, 'containsKey', function containsKey(this: Dict, k: string) { return hasOwn(this, k); });
  defineJavaMethod(JavaMap, 'containsValue', function containsValue(this: Dict, v: unknown) {
    const keys = objectKeys(this);
    for (let i = 0; i < keys.length; i++) if (javaEquals(this[keys[i]], v)) return true;
    return false;
  });
  // keySet() and entrySet() are Java Sets (no duplicates; "[k1, k2]" as text)
  // and values() a Collection; all three are snapshots, as lists: they answer
  // iterator(), toArray(), contains(), size(), isEmpty(), and index like arrays.
  defineJavaMethod(JavaMap, 'keySet', function keySet(this: Dict) { return javaList(objectKeys(this)); });
  defineJavaMethod(JavaMap, 'values', function values(this: Dict) {
    const keys = objectKeys(this);
    const out: unknown[] = [];
    for (let i = 0; i < keys.length; i++) out[i] = this[keys[i]];
    return javaList(out);
  });
  defineJavaMethod(JavaMap, 'entrySet', function entrySet(this: Dict) {
    const keys = objectKeys(this);
    const out: Entry[] = [];
    for (let i = 0; i < keys.length; i++) out[i] = entryOf(keys[i], this[keys[i]]);
    return javaList(out);
  });
  defineJavaMethod(JavaMap, 'size', function size(this: Dict) { return objectKeys(this).length; });
  defineJavaMethod(JavaMap, 'isEmpty', function isEmpty(this: Dict) { return objectKeys(this).length === 0; });
  // "{k1=v1, k2=v2}"; a key named toString shadows this, as it shadows get().
  defineJavaMethod(JavaMap, 'toString', function toString(this: unknown) { return this !== null && typeof this === 'object' ? mapText(this as Dict, []) : '{}'; });
}

/** the array, now a list: its prototype is JavaList */
export function javaList<T>(arr: T[]): T[] { setPrototypeOf(arr, JavaList); return arr; }
function javaMap<T extends object>(obj: T): T { setPrototypeOf(obj, JavaMap); return obj; }
// Deeply converts parsed JSON: every array gets list methods, every object map methods.
export function javaify<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayIsArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = javaify(value[i]);
    return javaList(value) as T;
  }
  const obj = value as Dict;
  for (const k of objectKeys(obj)) obj[k] = javaify(obj[k]);
  return javaMap(obj) as T;
}

defineIteratorMethods();
defineListMethods();
defineEntryMethods();
defineMapMethods();
