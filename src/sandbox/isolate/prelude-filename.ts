// Shared by the host and the isolate (no Node or DOM dependency): the file
// name the prelude and the bindings are compiled under. Stack frames carrying
// it are sandbox internals a script never sees (stacks.ts); the host compiles
// the prelude under it (src/sandbox/isolate-host.ts).

/** the prelude's (and the bindings') file name in stack traces: frames a script never sees */
export const PRELUDE_FILENAME = 'scriptcode:prelude';
