// Part of the prelude (see ../prelude.ts): the documented globals, then every reachable built-in frozen.
// A fragment of one function body, not a module: the parts share one scope
// and are joined in file-name order.
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
// Everything reachable from the global object, from the intrinsics that only
// syntax or a call reaches, and from what the prelude hands every invocation
// becomes immutable, so no invocation can leave a mark for the next one.
// test/security/reachable-objects.test.ts walks everything a script can reach
// (calling every function, method, getter and iterator it finds) and fails on
// a prototype missing here: a new hidden intrinsic in a future V8 shows there.
// (ses's lockdown() was measured as the alternative: ~17 ms per context, and
// it does not know Intl's hidden prototypes either.)
function reachedBy(make) {
  try {
    return make();
  } catch (e) {
    return undefined; // not in this V8
  }
}
const protoOf = (make) => reachedBy(() => getPrototypeOf(make()));
// V8 12+ (Node 22, 24): an error's `stack` is an own accessor, and its getter
// and setter are one pair of functions shared by every error
const stackAccessors = reachedBy(() => getOwnPropertyDescriptor(new ErrorCtor(), 'stack')) || {};
const hiddenIntrinsics = [
  stackAccessors.get,
  stackAccessors.set,
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
  getPrototypeOf(/x/[Symbol.matchAll]('')),
  getPrototypeOf(Uint8Array),
  getPrototypeOf(Uint8Array.prototype),
  (function () { 'use strict'; return getOwnPropertyDescriptor(arguments, 'callee').get; })(),
  // %SegmentsPrototype% and %SegmentIteratorPrototype%
  protoOf(() => new Intl.Segmenter().segment('')),
  protoOf(() => new Intl.Segmenter().segment('')[Symbol.iterator]()),
  // iterator helpers (V8 12+): %IteratorHelperPrototype%, %WrapForValidIteratorPrototype%
  protoOf(() => [].values().map((x) => x)),
  protoOf(() => Iterator.from({ next() { return { done: true }; } })),
  protoOf(() => AsyncIterator.from({ next() { return { done: true }; } })),
];
// what the prelude gives every invocation, shared by all of them
const javaPrototypes = [JavaList, JavaMap, JavaIterator, JavaEntry];
const sharedWithScripts = [JavaList, JavaMap, JavaIterator, JavaEntry, removedApi];
// Data properties of prototypes that ordinary code assigns on instances
// ("override mistake"): they become accessors whose setter defines an own
// property on the instance, so ES5-style classes keep working.
const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'name', 'message', 'toJSON', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
function enableOverride(obj) {
  for (const key of overridable) {
    const d = getOwnPropertyDescriptor(obj, key);
    if (!d || !('value' in d) || !d.configurable) continue;
    const value = d.value;
    enqueue(value);
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
// the Java-style prototypes have their own toString: assigning one on a list
// or map keeps working as it does on an array or object
for (const x of javaPrototypes) enableOverride(x);
for (const x of hiddenIntrinsics) enqueue(x);
for (const x of sharedWithScripts) enqueue(x);
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
