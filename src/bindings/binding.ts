// A binding is one `api.<name>.vN` object that scripts get (miniflare's model):
// the part that runs inside the isolate is source text kept apart from the
// host-side gateway that does the work. Adding `api.foo.v1` is one new folder
// exporting a BindingDefinition, listed in src/bindings/registry.ts.
import type { AppConfig } from '../app/types.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { SensitiveRenderer } from '../logging/sensitive.js';
import type { RuntimeObserver } from '../runtime/observer.js';
import type { Transport } from '../http/transport.js';
import type { Invocation } from '../sandbox/invocation.js';

/** An error a gateway wants the script to see; `info` becomes the script-side error's fields. */
export class BindingCallError extends Error {
  constructor(readonly info: { name: string; message: string; code?: string; [key: string]: unknown }) {
    super(info.message);
    this.name = info.name;
  }
}

export type GatewayMethod = (args: unknown[], invocation: Invocation) => unknown;

/** The host side of a binding: the methods scripts reach, and what to do at shutdown. */
export interface Gateway {
  readonly methods: Readonly<Record<string, GatewayMethod>>;
  /**
   * Its methods settle as soon as `invocation.signal` aborts, so the bridge
   * need not race each call against the invocation's end (a few promises per
   * call, on the hot path).
   */
  readonly settlesOnAbort?: boolean;
  /** a secret-free description of its state, for the server's status endpoints */
  describe?(): unknown;
  close?(): Promise<void>;
}

export interface BindingEnvironment {
  config: AppConfig;
  logger: RuntimeLogger;
  /** renders sensitive values (bodies, query values) the way logging.sensitive says */
  sensitive: SensitiveRenderer;
  /** the application folder */
  appDir: string;
  /** reports invocations, REST calls, tokens, circuits (metrics) */
  observer?: RuntimeObserver;
  /** how REST calls reach services; the network unless replaced (offline tests) */
  transport?: Transport;
  /**
   * The binding's gateway of the configuration generation being replaced
   * (scriptcode.yaml reloaded while serving). It keeps serving the invocations
   * that started under it and is closed once they are done; the new gateway may
   * take over state worth keeping (OAuth2 tokens, circuit state of unchanged
   * services), but must not close anything it did not create or acquire.
   */
  previous?: Gateway;
}

export interface BindingDefinition {
  /** where scripts see it: 'rest.v1' → api.rest.v1 */
  path: string;
  /**
   * Source of a JS expression evaluated inside the isolate before hardening:
   * `function ({ call, freeze }) { return { api, makeError? } }`. `call(method,
   * argsArray)` reaches the gateway synchronously; `makeError(info)` may turn an
   * error description into an instance of the binding's own error classes.
   * The built-in bindings write it in TypeScript (`isolate.ts`, types in
   * src/sandbox/isolate/binding-types.ts) and get the text from
   * isolateSource() (src/sandbox/isolate-source.ts); a plain JS string works.
   */
  isolateSource: string;
  /** the limit each call counts against */
  budget?: 'restCalls';
  createGateway(env: BindingEnvironment): Gateway | Promise<Gateway>;
}

export interface LoadedBinding {
  definition: BindingDefinition;
  gateway: Gateway;
}
