// Everything reachable from the global object, from the intrinsics that only
// syntax or a call reaches, and from what the prelude hands every invocation
// becomes immutable, so no invocation can leave a mark for the next one.
// test/security/reachable-objects.test.ts walks everything a script can reach
// (calling every function, method, getter and iterator it finds) and fails on
// a prototype missing here: a new hidden intrinsic in a future V8 shows there.
// (ses's lockdown() was measured as the alternative: ~17 ms per context, and
// it does not know Intl's hidden prototypes either.)
import {
  defineProperty, ErrorCtor, freeze, g, getOwnPropertyDescriptor, getPrototypeOf, isFrozen, ownKeys, push, StringFn,
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
// property on the instance, so ES5-style classes keep working. The accessor
// functions reach nothing but Function.prototype: they are frozen here, not
// walked.
const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'name', 'message', 'toJSON', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
function enableOverride(obj: object, walk: Walk): void {
  for (const key of overridable) {
    const d = getOwnPropertyDescriptor(obj, key);
    if (!d || !('value' in d) || !d.configurable) continue;
    const value: unknown = d.value;
    walk.enqueue(value);
    // Method syntax: accessors without a `prototype` object of their own.
    const accessors = {
      get(): unknown { return value; },
      set(this: object, v: unknown): void {
        if (this === obj) throw new TypeErrorCtor('Cannot assign to read only property \'' + StringFn(key) + '\' of a built-in object');
        defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
      },
    };
    walk.done(freeze(accessors.get));
    walk.done(freeze(accessors.set));
    defineProperty(obj, key, { get: accessors.get, set: accessors.set, enumerable: d.enumerable, configurable: false });
  }
}

/**
 * One walk over what a set of roots reaches, freezing each object after
 * queueing what it leads to. `seen` lives as long as the walk: once the
 * built-ins are frozen, a later walk (a script's wrapper) stops at anything
 * frozen, since everything a frozen built-in reaches is frozen too — and the
 * context does not keep a table of every built-in for it (262 KB of heap a
 * context instead of 302, 5.9 ms of isolate CPU to make one instead of 7.0:
 * 500 contexts in one isolate, Node 20).
 */
class Walk {
  private readonly seen = new WeakSetCtor<object>();
  private readonly queue: object[] = [];

  constructor(private readonly stopAtFrozen: boolean) {}

  enqueue(v: unknown): void {
    if ((typeof v === 'object' && v !== null) || typeof v === 'function') push(this.queue, v);
  }

  done(obj: object): void {
    weakSetAdd(this.seen, obj);
  }

  run(): void {
    const queue = this.queue;
    while (queue.length) {
      const obj = queue.pop()!;
      if (weakSetHas(this.seen, obj) || (this.stopAtFrozen && (obj === g || isFrozen(obj)))) continue;
      weakSetAdd(this.seen, obj);
      this.enqueue(getPrototypeOf(obj));
      let prototypeLike = false;
      for (const key of ownKeys(obj)) {
        const d = getOwnPropertyDescriptor(obj, key);
        if (!d) continue;
        if ('value' in d) {
          this.enqueue(d.value);
          if (key === 'constructor' && typeof d.value === 'function' && d.value.prototype === obj) prototypeLike = true;
        } else {
          this.enqueue(d.get);
          this.enqueue(d.set);
        }
      }
      if (obj === g) freezeGlobalBindings();
      else {
        // after the walk of its keys: the accessors it gets reach nothing new
        if (prototypeLike) enableOverride(obj, this);
        freeze(obj);
      }
    }
  }
}

/** The global object stays extensible (scripts' globals are removed after each invocation, globals.ts); its own properties become fixed. */
function freezeGlobalBindings(): void {
  for (const key of ownKeys(g)) {
    const d = getOwnPropertyDescriptor(g, key)!;
    if (d.configurable) {
      if ('value' in d) defineProperty(g, key, { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
      else defineProperty(g, key, { get: d.get, set: d.set, enumerable: d.enumerable, configurable: false });
    }
  }
}

/**
 * Freezes the global object and everything reachable from it, the hidden
 * intrinsics, and `shared`: what the prelude hands every invocation. The
 * prototypes in `overriding` (the Java-style ones, with their own toString)
 * get the override accessors first: assigning a toString on a list or map
 * keeps working as it does on an array or object.
 */
export function freezeAll(overriding: readonly object[], shared: readonly object[]): void {
  const walk = new Walk(false);
  walk.enqueue(g);
  for (const x of overriding) enableOverride(x, walk);
  for (const x of hiddenIntrinsics()) walk.enqueue(x);
  for (const x of shared) walk.enqueue(x);
  walk.run();
}

/** Freezes what `value` reaches that is not frozen yet (a script's wrapper: driver.ts define). */
export function freezeReachable(value: unknown): void {
  const walk = new Walk(true);
  walk.enqueue(value);
  walk.run();
}
