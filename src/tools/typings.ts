// The typings of the globals scripts see. types/scriptcode.d.ts (shipped with
// the package) is made of src/runtime/script-typings.d.ts and each built-in
// binding's typings (scripts/gen-typings.ts writes it; a test fails when it is
// stale); bindings an embedder adds bring theirs (BindingDefinition.typings).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BindingDefinition } from '../bindings/binding.js';
import { builtinBindings } from '../bindings/registry.js';

/** Absolute path of types/scriptcode.d.ts (from src/tools/ or dist/tools/ alike). */
export const TYPINGS_FILE = fileURLToPath(new URL('../../types/scriptcode.d.ts', import.meta.url));

/** What types/scriptcode.d.ts must hold: the runtime's globals, then the built-in bindings' parts (from src/ only). */
export function generateTypings(): string {
  const base = readFileSync(new URL('../runtime/script-typings.d.ts', import.meta.url), 'utf8');
  return [base, ...builtinBindings.flatMap((b) => (b.typings ? [b.typings] : []))].map((part) => part.trimEnd()).join('\n\n') + '\n';
}

/** The typings of bindings beyond the built-in ones (their declarations add to ScriptCode.Api), or '' for none. */
export function extraTypings(bindings: readonly BindingDefinition[]): string {
  return bindings.filter((b) => !builtinBindings.includes(b) && b.typings).map((b) => b.typings!.trimEnd()).join('\n\n');
}

/** Every global a script sees with `bindings`: the shipped typings and the extra bindings' parts. */
export function scriptTypings(bindings: readonly BindingDefinition[] = builtinBindings): string {
  const extra = extraTypings(bindings);
  const shipped = readFileSync(TYPINGS_FILE, 'utf8');
  return extra ? `${shipped.trimEnd()}\n\n${extra}\n` : shipped;
}
