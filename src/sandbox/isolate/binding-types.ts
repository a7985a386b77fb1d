// The contract between the prelude and a binding's isolate side
// (src/bindings/*/isolate.ts): types only, nothing of this reaches the bundle.

/** An error as the host describes it (src/bindings/binding.ts BindingCallError's info). */
export interface ErrorInfo {
  name?: string;
  message?: string;
  code?: string;
  [field: string]: unknown;
}

/** Turns an error description into an instance of a binding's own error classes, or undefined. */
export type MakeError = (info: ErrorInfo) => Error | undefined;

/** What the prelude hands a binding's factory. */
export interface BindingHost {
  /**
   * Calls the binding's gateway method with the arguments (JSON-serialized):
   * its value in sync mode, a promise of it in async mode; failures throw
   * (or reject) with the error the binding's makeError makes, else a plain Error.
   */
  call(method: string, args: unknown[]): unknown;
  /** Object.freeze as captured before any script ran */
  freeze: <T>(value: T) => Readonly<T>;
}

/** What a binding's factory returns. */
export interface BindingInstance {
  /** the object scripts see at api.<path> */
  api: object;
  makeError?: MakeError;
}

export type BindingFactory = (host: BindingHost) => BindingInstance;

/** One binding as the host lists it for the prelude (src/sandbox/sandbox.ts bootstrapSource). */
export interface BindingEntry {
  /** 'rest.v1' → api.rest.v1 */
  path: string;
  factory: BindingFactory;
}
