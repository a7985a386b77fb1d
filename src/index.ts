// Public entry point for embedders (SPEC §10).
//
// Importing the package loads only the error classes below: the runtime
// (isolated-vm, undici, zod, YAML, …) is loaded by the first createRuntime,
// the HTTP server (Fastify) by the first createServer. `import('scriptcode')`
// therefore costs a few milliseconds, not the second the whole runtime takes.
import type { Runtime, RuntimeOptions } from './runtime/runtime.js';
import type { ScriptCodeServer, ServerOptions } from './server/index.js';
import type { BindingDefinition } from './bindings/binding.js';

export type { Runtime, RuntimeOptions, ConfigReloadResult } from './runtime/runtime.js';
export type { ServiceCheckResult, CheckStep, CertificateInfo } from './http/connection-check.js';
export { ScriptFailure, ScriptNotFoundError, InputError } from './kinds/errors.js';
export type {
  ScriptRequest, ScriptAnswer, ValidateRequest, ValidateAnswer, ValidationError,
  TaskRequest, TaskAnswer, FormatRequest, FormatAnswer,
} from './kinds/index.js';
export { ScriptCodeError, ERRORS, type ErrorCode, type ErrorEntry } from './errors.js';
export { ConfigError, ScriptMetadataError, ApplicationNotFoundError, type ConfigIssue } from './app/errors.js';
export { LimitExceededError, QueueFullError, RuntimeClosedError, type ScriptErrorInfo } from './sandbox/errors.js';
export { IsolatedVmUnavailableError, type IsolatedVmProblem } from './sandbox/node-support.js';
export { BindingCallError, type BindingDefinition, type BindingConfig, type CallBudget, type Gateway, type BindingEnvironment } from './bindings/binding.js';
export type { Invocation } from './sandbox/invocation.js';
export type { AppConfig, ScriptKind } from './app/types.js';
export type { RuntimeObserver, InvocationEvent, RestCallEvent, TokenEvent, CircuitEvent, ConfigReloadEvent } from './runtime/observer.js';
export type { TracedScriptCall } from './runtime/script-calls.js';
export type { Transport } from './http/transport.js';
export type { HttpRequest, HttpResponse } from './http/service-client.js';
export { HttpCallError, httpCallError } from './http/errors.js';
export type { ServiceConfig } from './services/types.js';
export type { ScriptCodeServer, ServerOptions, CloseResult } from './server/index.js';

/** A runtime over one application folder (see RuntimeOptions; docs/http-api.md, "Library API"). */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const runtime = await import('./runtime/runtime.js');
  return runtime.createRuntime(options);
}

/**
 * The typings of every global a script sees with the built-in bindings and
 * `bindings` (each adds its BindingDefinition.typings), for editors.
 */
export async function scriptTypings(bindings: readonly BindingDefinition[] = []): Promise<string> {
  const typings = await import('./tools/typings.js');
  return typings.scriptTypings([...(await import('./bindings/registry.js')).builtinBindings, ...bindings]);
}

/** The HTTP API over one application folder, not yet listening (docs/http-api.md, "Library API"). */
export async function createServer(options: ServerOptions): Promise<ScriptCodeServer> {
  const server = await import('./server/index.js');
  return server.createServer(options);
}
