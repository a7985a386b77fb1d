// The prelude runs INSIDE the V8 isolate, once per context, before any
// script: it hardens the context (no code from strings, frozen built-ins),
// installs the script-facing globals (api, Logger, nonsensitive, console,
// atob, btoa) and returns what the host drives: define, forget, invoke.
//
// Its source is the fragments in prelude/, joined in file-name order into the
// body of one strict function that takes the bindings ({ path, factory }).
// The host passes nothing but strings across the boundary; the two host
// functions arrive as isolated-vm References on temporary globals that the
// first fragment removes before any script code runs.
import { readdirSync, readFileSync } from 'node:fs';

const folder = new URL('./prelude/', import.meta.url);

/** the prelude's (and the bindings') file name in stack traces: frames a script never sees */
export const PRELUDE_FILENAME = 'scriptcode:prelude';

export const PRELUDE_SOURCE = [
  '(function prelude(bindings) {',
  "'use strict';",
  `const PRELUDE_FILENAME = ${JSON.stringify(PRELUDE_FILENAME)};`,
  ...readdirSync(folder)
    .filter((name) => name.endsWith('.isolate.js'))
    .sort()
    .map((name) => readFileSync(new URL(name, folder), 'utf8')),
  '})',
].join('\n');
