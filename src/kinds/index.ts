export { scriptService, type ScriptRequest, type ScriptAnswer } from './script-service.js';
export { validationScript, fillMessage, type ValidateRequest, type ValidateAnswer, type ValidationError } from './validation-script.js';
export { scriptTask, type TaskRequest, type TaskAnswer } from './script-task.js';
export { formatter, type FormatRequest, type FormatAnswer } from './formatter.js';
export { ScriptFailure, ScriptNotFoundError, InputError } from './errors.js';
export type { KindHandler, AnswerBase, TraceRequest } from './kind.js';
