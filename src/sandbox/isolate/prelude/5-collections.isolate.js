// Part of the prelude (see ../prelude.ts): lists and maps that also answer the Java-style calls of Rhino-era scripts.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
// ------------------------------------------------- Java-style collections
// Lists and maps handed to scripts (SPEC §3.1) are plain arrays/objects that
// also answer the calls scripts written for Rhino make on java.util.List/Map:
// the methods live, non-enumerable, on prototypes (JavaList inherits
// Array.prototype, JavaMap Object.prototype), so `length`, indexing, for…of,
// for…in, Object.keys, JSON.stringify, Array.isArray and .map/.filter are
// those of ordinary JavaScript values. As text they render like Java
// (`"" + list` is "[a, b]", a map "{k1=v1, k2=v2}"): platform scripts parse it.
// Iterators (JavaIterator) and map entries (JavaEntry) get prototypes of their
// own. All four are frozen with the built-ins (sharedWithScripts in 8-freeze);
// the methods use captured built-ins only, nothing a script could change.
const hasOwn = ObjectPrototype.hasOwnProperty;
const WeakMapCtor = WeakMap;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;
const mathTrunc = Math.trunc;
function defineJavaMethod(target, name, fn) {
  defineProperty(target, name, { value: fn, writable: false, enumerable: false, configurable: true });
}

// Java's equals() for what lists and maps hold: strings, numbers and booleans
// by value (NaN equals NaN, as Double.equals has it), lists element by
// element, maps entry by entry, entries by key and value; anything else by
// identity.
function javaEquals(a, b) {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a !== a && b !== b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aList = ArrayIsArray(a);
  if (aList !== ArrayIsArray(b)) return false;
  if (aList) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!javaEquals(a[i], b[i])) return false;
    return true;
  }
  const pa = getPrototypeOf(a);
  const pb = getPrototypeOf(b);
  if (pa === JavaEntry && pb === JavaEntry) return javaEquals(a.key, b.key) && javaEquals(a.value, b.value);
  if ((pa !== JavaMap && pa !== ObjectPrototype) || (pb !== JavaMap && pb !== ObjectPrototype)) return false;
  const ka = objectKeys(a);
  if (ka.length !== objectKeys(b).length) return false;
  for (const k of ka) if (!reflectApply(hasOwn, b, [k]) || !javaEquals(a[k], b[k])) return false;
  return true;
}
function javaIndexOf(list, value, from) {
  let i = from === undefined ? 0 : mathTrunc(+from) || 0;
  if (i < 0) i = list.length + i < 0 ? 0 : list.length + i;
  for (; i < list.length; i++) if (javaEquals(list[i], value)) return i;
  return -1;
}

// String.valueOf(x) as Java renders what a collection holds; `inside` is the
// chain of collections being rendered (Java writes "(this Collection)" for a
// collection that holds itself; deeper cycles are cut the same way here).
function javaText(value, inside) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') {
    for (let i = 0; i < inside.length; i++) if (inside[i] === value) return ArrayIsArray(value) ? '(this Collection)' : '(this Map)';
    const proto = getPrototypeOf(value);
    if (proto === JavaList) return listText(value, inside);
    if (proto === JavaMap) return mapText(value, inside);
    if (proto === JavaEntry) return entryText(value, inside);
  }
  return StringFn(value);
}
function listText(list, inside) {
  push(inside, list);
  let text = '[';
  for (let i = 0; i < list.length; i++) text += (i === 0 ? '' : ', ') + javaText(list[i], inside);
  inside.length--;
  return text + ']';
}
function mapText(map, inside) {
  push(inside, map);
  let text = '{';
  const keys = objectKeys(map);
  for (let i = 0; i < keys.length; i++) text += (i === 0 ? '' : ', ') + keys[i] + '=' + javaText(map[keys[i]], inside);
  inside.length--;
  return text + '}';
}
function entryText(entry, inside) {
  return javaText(entry.key, inside) + '=' + javaText(entry.value, inside);
}

// ---------------------------------------------------------------- Iterator
// java.util.Iterator over a list: hasNext()/next(). Its position is kept
// where a script cannot reach it; next() past the end throws
// NoSuchElementException, as Java does.
const iteratorState = new WeakMapCtor();
const JavaIterator = create(ObjectPrototype);
function stateOf(it, name) {
  const state = it !== null && typeof it === 'object' ? reflectApply(weakMapGet, iteratorState, [it]) : undefined;
  if (!state) throw new TypeErrorCtor('Iterator.' + name + '() called on something that is not an iterator');
  return state;
}
function noSuchElement() {
  const e = new ErrorCtor('iterator.next(): there are no more elements (check hasNext() first)');
  defineProperty(e, 'name', { value: 'NoSuchElementException', writable: true, enumerable: false, configurable: true });
  return e;
}
defineJavaMethod(JavaIterator, 'hasNext', function hasNext() {
  const state = stateOf(this, 'hasNext');
  return state.index < state.items.length;
});
defineJavaMethod(JavaIterator, 'next', function next() {
  const state = stateOf(this, 'next');
  if (state.index >= state.items.length) throw noSuchElement();
  const value = state.items[state.index++];
  return value === undefined ? null : value;
});
function iteratorOver(items) {
  const it = create(JavaIterator);
  reflectApply(weakMapSet, iteratorState, [it, { items, index: 0 }]);
  return it;
}

// ------------------------------------------------------------------- List
const JavaList = create(Array.prototype);
defineJavaMethod(JavaList, 'get', function get(i) { return this[i] === undefined ? null : this[i]; });
defineJavaMethod(JavaList, 'size', function size() { return this.length; });
defineJavaMethod(JavaList, 'isEmpty', function isEmpty() { return this.length === 0; });
defineJavaMethod(JavaList, 'contains', function contains(v) { return javaIndexOf(this, v, 0) !== -1; });
// Java's indexOf(Object), with JavaScript's optional fromIndex kept.
defineJavaMethod(JavaList, 'indexOf', function indexOf(v, fromIndex) { return javaIndexOf(this, v, fromIndex); });
// A plain JavaScript array (Object[] in Java): a copy, whose elements are the
// same values (lists and maps in it keep their Java methods).
defineJavaMethod(JavaList, 'toArray', function toArray() {
  const out = [];
  for (let i = 0; i < this.length; i++) out[i] = this[i] === undefined ? null : this[i];
  return out;
});
defineJavaMethod(JavaList, 'iterator', function iterator() { return iteratorOver(ArrayIsArray(this) ? this : []); });
// String(list), "" + list and `${list}` all come here: Java's "[a, b]", never Array's "a,b".
defineJavaMethod(JavaList, 'toString', function toString() { return ArrayIsArray(this) ? listText(this, []) : '[]'; });

// -------------------------------------------------------------- Map.Entry
const JavaEntry = create(ObjectPrototype);
defineJavaMethod(JavaEntry, 'getKey', function getKey() { return this.key; });
defineJavaMethod(JavaEntry, 'getValue', function getValue() { return this.value === undefined ? null : this.value; });
defineJavaMethod(JavaEntry, 'toString', function toString() { return entryText(this, []); });
function entryOf(key, value) {
  const e = create(JavaEntry);
  e.key = key;
  e.value = value;
  return e;
}

// -------------------------------------------------------------------- Map
const JavaMap = create(ObjectPrototype);
defineJavaMethod(JavaMap, 'get', function get(k) { return reflectApply(hasOwn, this, [k]) ? this[k] : null; });
defineJavaMethod(JavaMap, 'containsKey', function containsKey(k) { return reflectApply(hasOwn, this, [k]); });
defineJavaMethod(JavaMap, 'containsValue', function containsValue(v) {
  const keys = objectKeys(this);
  for (let i = 0; i < keys.length; i++) if (javaEquals(this[keys[i]], v)) return true;
  return false;
});
// keySet() and entrySet() are Java Sets (no duplicates; "[k1, k2]" as text)
// and values() a Collection; all three are snapshots, as lists: they answer
// iterator(), toArray(), contains(), size(), isEmpty(), and index like arrays.
defineJavaMethod(JavaMap, 'keySet', function keySet() { return javaList(objectKeys(this)); });
defineJavaMethod(JavaMap, 'values', function values() {
  const keys = objectKeys(this);
  const out = [];
  for (let i = 0; i < keys.length; i++) out[i] = this[keys[i]];
  return javaList(out);
});
defineJavaMethod(JavaMap, 'entrySet', function entrySet() {
  const keys = objectKeys(this);
  const out = [];
  for (let i = 0; i < keys.length; i++) out[i] = entryOf(keys[i], this[keys[i]]);
  return javaList(out);
});
defineJavaMethod(JavaMap, 'size', function size() { return objectKeys(this).length; });
defineJavaMethod(JavaMap, 'isEmpty', function isEmpty() { return objectKeys(this).length === 0; });
// "{k1=v1, k2=v2}"; a key named toString shadows this, as it shadows get().
defineJavaMethod(JavaMap, 'toString', function toString() { return this !== null && typeof this === 'object' ? mapText(this, []) : '{}'; });

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
