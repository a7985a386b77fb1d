// Part of the prelude (see ../prelude.ts): lists and maps that also answer the Java-style calls of Rhino-era scripts.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
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
