// The prelude: the code that runs INSIDE the V8 isolate, once per context,
// before any script. It is the sandbox's security boundary: it hardens the
// context (no code from strings, frozen built-ins, script-only stacks),
// installs the script-facing globals (api, Logger, nonsensitive, console,
// atob, btoa) and returns what the host drives: define, forget, invoke,
// settle.
//
// How it is organised: one TypeScript module per job in this folder, with
// explicit imports and exports (no shared scope): intrinsics.ts (built-ins
// captured first), host.ts (the host functions taken off the global object),
// hardening.ts, stacks.ts, logging.ts, base64.ts, bridge.ts (host calls, the
// `api` object), collections.ts (Java-style lists and maps), kinds.ts (the
// context objects of each kind), script-calls.ts, results.ts, freeze.ts,
// globals.ts, outbox.ts (what a turn hands the host), driver.ts; binding-types.ts is the contract with a binding's
// isolate side (src/bindings/*/isolate.ts). A module's top level only
// captures built-ins and makes its own objects; everything that changes the
// context happens in prelude() below, in the order written there.
// entry-points.ts, prelude-filename.ts and turn-messages.ts are shared with
// the host (no Node or DOM dependency).
//
// How it is checked: tsconfig.isolate.json (lib es2023, what Node 20's V8
// has; no Node or DOM types; environment.d.ts declares V8's stack API and the
// host functions), run by `npm run typecheck`. The host's tsconfig leaves
// this folder out, but for the three shared modules.
//
// How it is built: esbuild bundles this entry (src/sandbox/isolate-source.ts,
// format esm, target es2023, no minification, no helpers) and the export is
// turned into a return, so the text is one function expression,
// `(function prelude() { 'use strict'; …modules…; return prelude(arguments[0]); })`,
// whose module-level names are locals of that function: nothing leaks into
// the context's global object. scripts/build.mjs writes it to
// dist/sandbox/isolate/index.bundle.js, which the published package reads;
// from src/ (tests, benches) it is bundled on first use (kept in
// node_modules/.cache/scriptcode-isolate/ under a hash of the isolate
// modules, so the next process reads it). The host appends the
// bindings (src/sandbox/sandbox.ts) and compiles the text once per isolate
// under PRELUDE_FILENAME, whose frames scripts never see; it runs once per
// context (src/sandbox/script-context.ts). Nothing but strings and numbers
// cross the boundary: JSON text, and the lists of them a turn returns
// (turn-messages.ts).
import { atob, btoa } from './base64.js';
import type { BindingEntry } from './binding-types.js';
import { buildApi } from './bridge.js';
import { JavaEntry, JavaIterator, JavaList, JavaMap } from './collections.js';
import { createDriver } from './driver.js';
import { freezeAll } from './freeze.js';
import { defineGlobals, recordBaseline } from './globals.js';
import { harden } from './hardening.js';
import { removedApi } from './kinds.js';
import { consoleObject, Logger, nonsensitive } from './logging.js';
import { installStackHook } from './stacks.js';

export default function prelude(bindings: readonly BindingEntry[]) {
  // no code from strings before any binding code runs
  harden();
  installStackHook();
  const api = buildApi(bindings);
  defineGlobals({ api, Logger, nonsensitive, console: consoleObject, atob, btoa });
  // what the prelude gives every invocation is shared by all of them: frozen
  // with the built-ins (the Java-style prototypes with their own toString)
  const javaPrototypes = [JavaList, JavaMap, JavaIterator, JavaEntry];
  freezeAll(javaPrototypes, [...javaPrototypes, removedApi]);
  recordBaseline();
  return createDriver();
}
