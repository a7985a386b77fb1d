// Errors a caller of the runtime gets, with the HTTP status the server maps
// them to (SPEC §6). `body` is exactly what the HTTP API answers.
import { ScriptCodeError } from '../errors.js';
import type { ScriptErrorInfo } from '../sandbox/errors.js';

/** The script failed: compile error, uncaught error, or a limit. HTTP 422. */
export class ScriptFailure extends ScriptCodeError {
  override readonly name = 'ScriptFailure';
  constructor(readonly body: { error: ScriptErrorInfo; invocationId: string; [key: string]: unknown }) {
    super('SCRIPT_FAILED', body.error.message);
  }
}

/** No script of that kind and name. HTTP 404. */
export class ScriptNotFoundError extends ScriptCodeError {
  override readonly name = 'ScriptNotFoundError';
  constructor(readonly kind: string, readonly scriptName: string, folder: string) {
    super('SCRIPT_NOT_FOUND', `no ${kind} named '${scriptName}': expected ${folder}/${scriptName}.js (or .ts) in the application folder`);
  }
}

/** The request itself is malformed. HTTP 400. */
export class InputError extends ScriptCodeError {
  override readonly name = 'InputError';
  /** INVALID_INPUT, or INPUT_TOO_DEEP (nested beyond MAX_NESTING_DEPTH) */
  constructor(message: string, code: 'INVALID_INPUT' | 'INPUT_TOO_DEEP' = 'INVALID_INPUT') {
    super(code, message);
  }
}
