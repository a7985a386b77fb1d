// No code from strings, no WebAssembly or shared memory, no RegExp statics:
// harden() changes the context's built-ins before any binding or script runs.
import { defineProperty, FunctionPrototype, g, getPrototypeOf } from './intrinsics.js';

function disabled(what: string): () => never {
  return function () {
    throw new EvalError(what + ' is disabled in ScriptCode: scripts cannot create code from strings.');
  };
}

export function harden(): void {
  // Replace every code-from-string constructor; `instanceof` keeps working
  // because the replacements share the original prototypes.
  const prototypes = [
    FunctionPrototype,
    getPrototypeOf(async function () {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
  ];
  const names = ['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction'];
  for (let i = 0; i < prototypes.length; i++) {
    const proto = prototypes[i];
    const replacement = disabled(names[i]);
    defineProperty(replacement, 'name', { value: names[i] });
    defineProperty(replacement, 'prototype', { value: proto, writable: false });
    defineProperty(proto, 'constructor', { value: replacement, writable: false, configurable: false, enumerable: false });
    if (i === 0) defineProperty(g, 'Function', { value: replacement, writable: true, configurable: true });
  }
  const globals: Record<string, unknown> = g;
  for (const name of ['eval', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef']) {
    delete globals[name];
  }
  // RegExp's legacy static properties keep the last match of the whole
  // context: one invocation could read another's data through RegExp.$1.
  const statics = RegExp as unknown as Record<string, unknown>;
  for (const name of ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_',
    'lastMatch', '$&', 'lastParen', '$+', 'leftContext', '$`', 'rightContext', "$'"]) {
    delete statics[name];
  }
}
