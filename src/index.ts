// Public entry point for embedders (SPEC §10).
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime/runtime.js';
export { ScriptFailure, ScriptNotFoundError, InputError } from './kinds/errors.js';
export type {
  ScriptRequest, ScriptAnswer, ValidateRequest, ValidateAnswer, ValidationError,
  TaskRequest, TaskAnswer, FormatRequest, FormatAnswer,
} from './kinds/index.js';
export { LimitExceededError, QueueFullError, RuntimeClosedError, type ScriptErrorInfo } from './sandbox/errors.js';
export { BindingCallError, type BindingDefinition, type Gateway, type BindingEnvironment } from './sandbox/binding.js';
export type { Invocation } from './sandbox/invocation.js';
export type { AppConfig, ScriptKind } from './app/types.js';
export type { RuntimeObserver, InvocationEvent, RestCallEvent, TokenEvent, CircuitEvent } from './runtime/observer.js';
export type { TracedScriptCall } from './runtime/script-calls.js';
export type { Transport } from './http/transport.js';
export type { HttpRequest, HttpResponse } from './http/service-client.js';
export { HttpCallError, httpCallError } from './http/errors.js';
export type { ServiceConfig } from './services/types.js';
export { createServer, type ScriptCodeServer, type ServerOptions } from './server/index.js';
