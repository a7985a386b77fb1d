// The globals scripts get besides the built-ins, and the reset that removes
// what an invocation added to the global object.
import { defineProperty, g, getPrototypeOf, isExtensible, MapCtor, mapGet, mapSet, ownKeys, reflectDeleteProperty } from './intrinsics.js';

/** the documented globals (docs/script-api.md) */
export interface ScriptGlobals {
  api: object;
  Logger: object;
  nonsensitive: Function;
  console: object;
  atob: Function;
  btoa: Function;
}

export function defineGlobals(globals: ScriptGlobals): void {
  for (const name of ['api', 'Logger', 'nonsensitive', 'console', 'atob', 'btoa'] as const) {
    defineProperty(g, name, { value: globals[name], writable: false, enumerable: false, configurable: false });
  }
}

// What the global object holds once the context is hardened.
const baselineGlobals = new MapCtor<PropertyKey, boolean>();
let baselineCount = 0;
let baselineGlobalProto: object | null = null;

/** Takes the global object as it is now (hardened, before any script) as the one to return to. */
export function recordBaseline(): void {
  const keys = ownKeys(g);
  for (const key of keys) mapSet(baselineGlobals, key, true);
  baselineCount = keys.length;
  baselineGlobalProto = getPrototypeOf(g);
}

// Removes what a previous invocation added to the global object. Returns
// false when something cannot be undone (a non-configurable global, a new
// prototype for the global object, a non-extensible global object): the
// host then replaces the context.
export function resetGlobals(): boolean {
  let clean = getPrototypeOf(g) === baselineGlobalProto && isExtensible(g);
  const keys = ownKeys(g);
  // Every baseline global is non-configurable (freeze.ts), so none can be gone: as many keys as the
  // baseline means nothing was added — the common case, without a lookup per global.
  if (keys.length === baselineCount) return clean;
  for (const key of keys) {
    if (mapGet(baselineGlobals, key)) continue;
    if (!reflectDeleteProperty(g, key)) clean = false;
  }
  return clean;
}
