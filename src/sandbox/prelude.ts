// The prelude's text: the code that runs INSIDE the V8 isolate, once per
// context, before any script (src/sandbox/isolate/index.ts says what it does
// and how it is organised and built).
import { isolateSource } from './isolate-source.js';

export { PRELUDE_FILENAME } from './isolate/prelude-filename.js';

/** `(function prelude() { … })`, called with the bindings ({ path, factory }[]): returns the driver */
export function preludeSource(): string {
  return isolateSource(new URL('./isolate/index.ts', import.meta.url));
}
