// A binding is one `api.<name>.vN` object that scripts get (miniflare's model):
// one folder owns the part that runs inside the isolate, the host-side gateway
// that does the work, its sections of scriptcode.yaml with their zod schemas,
// its call budget and its typings. The sandbox and the runtime know a binding
// only through this interface. Built-in ones are listed in registry.ts;
// embedders add theirs with createRuntime({ bindings }).
import type { z } from 'zod';
import type { ConfigIssue } from '../app/errors.js';
import type { AppConfig } from '../app/types.js';
import type { KeyPath, Position } from '../app/yaml-source.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { SensitiveRenderer } from '../logging/sensitive.js';
import type { RuntimeObserver } from '../runtime/observer.js';
import type { Invocation } from '../sandbox/invocation.js';
import type { CallBudget } from '../sandbox/limits.js';

export type { CallBudget } from '../sandbox/limits.js';

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
  /** what the embedder gave for this binding: createRuntime({ bindingOptions: { [path]: … } }) */
  options?: unknown;
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
  /** the limit each call counts against (bindings may share one) */
  budget?: CallBudget;
  /** its sections of scriptcode.yaml */
  config?: BindingConfig;
  /**
   * Its part of the script authors' typings (types/scriptcode.d.ts): declarations
   * that add the binding to `ScriptCode.Api` (and any types it names).
   */
  typings?: string;
  createGateway(env: BindingEnvironment): Gateway | Promise<Gateway>;
}

export interface BindingConfig {
  /**
   * Top-level sections of scriptcode.yaml the binding owns, each with its zod
   * schema; checked with the rest of the file (positions, "unknown key" hints),
   * parsed values in AppConfig under the same key.
   */
  readonly sections: Readonly<Record<string, z.ZodType>>;
  /** said after the issues when every issue of the file is the binding's: where to read about its sections */
  readonly hint?: string;
  /** further checks of the validated configuration, reported with the schema's issues */
  check?(config: AppConfig, where: { file: string; locate: (path: KeyPath) => Position | undefined }): ConfigIssue[];
}

export interface LoadedBinding {
  definition: BindingDefinition;
  gateway: Gateway;
}
