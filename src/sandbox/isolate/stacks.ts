// A stack a script sees shows its own frames only: the prelude's and the
// bindings' (PRELUDE_FILENAME) are sandbox internals. V8 asks the hook
// installed here for every error of the context when its `stack` is first
// read; the hook is frozen with Error, so no script can replace it.
import { defineProperty, errorToString, StringFn, WeakSetCtor, weakSetAdd, weakSetHas } from './intrinsics.js';
import { PRELUDE_FILENAME } from './prelude-filename.js';

/** what callOrigin() returns: its `stack` is the frames of the script where a call started */
export interface CallOrigin {
  readonly stack?: string;
}

const callSiteOrigins = new WeakSetCtor<object>();

function stackHeader(err: unknown): string {
  try {
    return StringFn(errorToString(err));
  } catch (e) {
    return 'Error';
  }
}
function scriptFrames(sites: CallSite[]): string {
  let text = '';
  for (let i = 0; i < sites.length; i++) {
    if (sites[i].getFileName() !== PRELUDE_FILENAME) text += '\n    at ' + StringFn(sites[i]);
  }
  return text;
}

export function installStackHook(): void {
  defineProperty(Error, 'prepareStackTrace', {
    value: function prepareStackTrace(err: Error, sites: CallSite[]): string {
      const frames = scriptFrames(sites);
      return weakSetHas(callSiteOrigins, err) ? frames : stackHeader(err) + frames;
    },
    writable: false, enumerable: false, configurable: false,
  });
}

// Where the script started an async call: its answer arrives in a turn of its
// own, whose stack holds no frame of the script. `below`: the frames from this
// function up are left out (the binding's caller).
export function callOrigin(below: Function): CallOrigin {
  const origin = {};
  weakSetAdd(callSiteOrigins, origin);
  Error.captureStackTrace(origin, below);
  return origin;
}
export function withOrigin<E>(err: E, origin: CallOrigin): E {
  if (err !== null && typeof err === 'object') {
    defineProperty(err, 'stack', { value: stackHeader(err) + origin.stack, writable: true, enumerable: false, configurable: true });
  }
  return err;
}

