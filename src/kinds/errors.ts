// Errors a caller of the runtime gets, with the HTTP status the server maps
// them to (SPEC §6). `body` is exactly what the HTTP API answers.
import type { ScriptErrorInfo } from '../sandbox/errors.js';

/** The script failed: compile error, uncaught error, or a limit. HTTP 422. */
export class ScriptFailure extends Error {
  override readonly name = 'ScriptFailure';
  readonly status = 422;
  constructor(readonly body: { error: ScriptErrorInfo; invocationId: string; [key: string]: unknown }) {
    super(body.error.message);
  }
}

/** No script of that kind and name. HTTP 404. */
export class ScriptNotFoundError extends Error {
  override readonly name = 'ScriptNotFoundError';
  readonly status = 404;
  readonly code = 'SCRIPT_NOT_FOUND';
  constructor(readonly kind: string, readonly scriptName: string, folder: string) {
    super(`no ${kind} named '${scriptName}': expected ${folder}/${scriptName}.js (or .ts) in the application folder`);
  }
}

/** The request itself is malformed. HTTP 400. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly status = 400;
  /** INVALID_INPUT, or INPUT_TOO_DEEP (nested beyond MAX_NESTING_DEPTH) */
  constructor(message: string, readonly code: string = 'INVALID_INPUT') {
    super(message);
  }
}
