// Shared by the host and the isolate (no Node or DOM dependency): the function
// each script kind must define. The host wraps a script so that it returns
// these functions by name (src/sandbox/compiled-script.ts) and decides the
// mode from the declaration of one (src/sandbox/entry-mode.ts); the driver
// calls the one of the invocation's kind (driver.ts).
import type { ScriptKind } from '../../app/types.js';

export interface EntryPoint {
  /** the global function the script declares */
  readonly name: EntryName;
  /** how the error of a script without it tells the author to declare it */
  readonly signature: string;
}

/** every entry function name, in the order the wrapped script returns them */
export const ENTRY_NAMES = ['callService', 'formatText'] as const;
export type EntryName = (typeof ENTRY_NAMES)[number];

export const ENTRY_POINTS: Readonly<Record<ScriptKind, EntryPoint>> = {
  scriptService: { name: 'callService', signature: 'function callService(context)' },
  validationScript: { name: 'callService', signature: 'function callService(context)' },
  scriptTask: { name: 'callService', signature: 'function callService(context, task)' },
  formatter: { name: 'formatText', signature: 'function formatText(input)' },
};

/** what the wrapped script returns: each entry function it declares, or undefined */
export type EntryExports = { readonly [N in EntryName]?: unknown };
