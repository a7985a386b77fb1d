// What the isolate has besides ECMAScript (lib es2023, no Node or DOM types):
// V8's stack-trace API, and the host functions src/sandbox/script-context.ts
// puts on temporary globals before the prelude runs (host.ts takes them off).
// Only the methods the isolate code calls are declared.

/** An isolated-vm Reference to a host function, as code inside the isolate sees it. */
interface HostReference<Args extends unknown[], Result> {
  /** the isolate waits for the host function to return */
  applySync(receiver: undefined, args: Args): Result;
  /** the isolate's thread waits for the promise the host function returns */
  applySyncPromise(receiver: undefined, args: Args): Awaited<Result>;
  /** queued for the host; the isolate does not wait */
  applyIgnored(receiver: undefined, args: Args): void;
}

// src/sandbox/script-context.ts (ScriptContext.create) sets these two
declare var __scHostCall: HostReference<[path: string, method: string, argsJson: string], Promise<string>> | undefined;
declare var __scHostLog: HostReference<[level: string, payload: string], void> | undefined;

/** V8's CallSite (https://v8.dev/docs/stack-trace-api): only what the prelude reads */
interface CallSite {
  getFileName(): string | undefined;
}

interface ErrorConstructor {
  /** V8: sets `target.stack` to the current stack, leaving out the frames from `below` up */
  captureStackTrace(target: object, below?: Function): void;
  /** V8 calls it with every error of the context when its `stack` is first read */
  prepareStackTrace?: (err: Error, sites: CallSite[]) => unknown;
}
