// Everything reachable from the global object, from the intrinsics that only
// syntax or a call reaches, and from what the prelude hands every invocation
// becomes immutable, so no invocation can leave a mark for the next one.
// test/security/reachable-objects.test.ts walks everything a script can reach
// (calling every function, method, getter and iterator it finds) and fails on
// a prototype missing here: a new hidden intrinsic in a future V8 shows there.
// (ses's lockdown() was measured as the alternative: ~17 ms per context, and
// it does not know Intl's hidden prototypes either.)
import {
  defineProperty, ErrorCtor, freeze, g, getOwnPropertyDescriptor, getPrototypeOf, ownKeys, push, StringFn,
  TypeErrorCtor, WeakSetCtor, weakSetAdd, weakSetHas,
} from './intrinsics.js';

function reachedBy<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch (e) {
    return undefined; // not in this V8
  }
}
const protoOf = (make: () => unknown): unknown => reachedBy(() => getPrototypeOf(make()));

/** built-ins newer than the es2023 library the isolate code is checked with (V8 12+, or none yet) */
interface NewerGlobals {
  Iterator: { from(source: object): object };
  AsyncIterator: { from(source: object): object };
}
const newer = g as unknown as NewerGlobals;

/** The intrinsics no property of the global object leads to: syntax or a call's result reaches them. */
function hiddenIntrinsics(): unknown[] {
  // V8 12+ (Node 22, 24): an error's `stack` is an own accessor, and its getter
  // and setter are one pair of functions shared by every error
  const stackAccessors: PropertyDescriptor = reachedBy(() => getOwnPropertyDescriptor(new ErrorCtor(), 'stack')) || {};
  return [
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
    (function () { 'use strict'; return getOwnPropertyDescriptor(arguments, 'callee')!.get; })(),
    // %SegmentsPrototype% and %SegmentIteratorPrototype%
    protoOf(() => new Intl.Segmenter().segment('')),
    protoOf(() => new Intl.Segmenter().segment('')[Symbol.iterator]()),
    // iterator helpers (V8 12+): %IteratorHelperPrototype%, %WrapForValidIteratorPrototype%
    protoOf(() => ([].values() as unknown as { map(fn: (x: unknown) => unknown): object }).map((x) => x)),
    protoOf(() => newer.Iterator.from({ next() { return { done: true }; } })),
    protoOf(() => newer.AsyncIterator.from({ next() { return { done: true }; } })),
  ];
}

// Data properties of prototypes that ordinary code assigns on instances
// ("override mistake"): they become accessors whose setter defines an own
// property on the instance, so ES5-style classes keep working.
const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'name', 'message', 'toJSON', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
function enableOverride(obj: object): void {
  for (const key of overridable) {
    const d = getOwnPropertyDescriptor(obj, key);
    if (!d || !('value' in d) || !d.configurable) continue;
    const value: unknown = d.value;
    enqueue(value);
    // Method syntax: accessors without a `prototype` object of their own.
    const accessors = {
      get(): unknown { return value; },
      set(this: object, v: unknown): void {
        if (this === obj) throw new TypeErrorCtor('Cannot assign to read only property \'' + StringFn(key) + '\' of a built-in object');
        defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    };
    defineProperty(obj, key, { get: accessors.get, set: accessors.set, enumerable: d.enumerable, configurable: false });
  }
}

// `seen` outlives one call: what a script's wrapper reaches (freezeReachable)
// is mostly what was frozen with the built-ins, not walked again
const seen = new WeakSetCtor<object>();
const queue: object[] = [];
function enqueue(v: unknown): void {
  if ((typeof v === 'object' && v !== null) || typeof v === 'function') push(queue, v);
}
function hardenAll(): void {
  while (queue.length) {
    const obj = queue.pop()!;
    if (weakSetHas(seen, obj)) continue;
    weakSetAdd(seen, obj);
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
        const d = getOwnPropertyDescriptor(g, key)!;
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
function isPrototypeLike(obj: object): boolean {
  const ctor = getOwnPropertyDescriptor(obj, 'constructor');
  return !!(ctor && 'value' in ctor && typeof ctor.value === 'function' && ctor.value.prototype === obj);
}

/**
 * Freezes the global object and everything reachable from it, the hidden
 * intrinsics, and `shared`: what the prelude hands every invocation. The
 * prototypes in `overriding` (the Java-style ones, with their own toString)
 * get the override accessors first: assigning a toString on a list or map
 * keeps working as it does on an array or object.
 */
export function freezeAll(overriding: readonly object[], shared: readonly object[]): void {
  enqueue(g);
  for (const x of overriding) enableOverride(x);
  for (const x of hiddenIntrinsics()) enqueue(x);
  for (const x of shared) enqueue(x);
  hardenAll();
}

/** Freezes what `value` reaches that is not frozen yet (a script's wrapper: driver.ts define). */
export function freezeReachable(value: unknown): void {
  enqueue(value);
  hardenAll();
}
