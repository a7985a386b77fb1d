// The errors the runtime gives its callers — the library, the HTTP API and the
// command line — share one base: a stable `code`, the HTTP status the server
// answers with and the exit code `scriptcode` ends with, all from ERRORS, the
// only registry. The server (server/errors.ts) and the CLI (cli/main.ts) map
// errors through it, never by class or name. Errors inside the REST path
// (HttpCallError, OAuth2Error, …) never reach a caller: they become the
// script's own errors (RestTimeoutError, …), reported in a ScriptFailure.

export interface ErrorEntry {
  /** the HTTP status of the answer */
  readonly status: number;
  /** how `scriptcode` ends: 1 the work failed, 2 the command or its input is wrong */
  readonly exit: 1 | 2;
  /** what it means, for docs/http-api.md */
  readonly means: string;
}

export const ERRORS = {
  // the request or the command
  USAGE: { status: 400, exit: 2, means: 'the command line is wrong (an option, a file it names)' },
  INVALID_INPUT: { status: 400, exit: 2, means: 'the input of a call is malformed (the message names the field)' },
  INPUT_TOO_DEEP: { status: 400, exit: 2, means: 'form or variables nest more than 64 levels' },
  SCRIPT_NOT_FOUND: { status: 404, exit: 2, means: 'no script of that kind and name' },
  UNKNOWN_SERVICE: { status: 404, exit: 2, means: 'no service of that id' },
  NO_TESTS: { status: 404, exit: 2, means: 'no test files, or none matches the filter' },
  FOLDER_NOT_EMPTY: { status: 409, exit: 2, means: '`scriptcode init` found files in the folder' },
  // the script
  SCRIPT_FAILED: { status: 422, exit: 1, means: "the script failed: body.error has the script's error (a compile error, an uncaught error, a limit)" },
  LIMIT_EXCEEDED: { status: 422, exit: 1, means: 'the invocation reached a limit (the code says which: CPU_LIMIT, REST_CALL_LIMIT, …)' },
  SCRIPT_METADATA_INVALID: { status: 422, exit: 2, means: "the script's metadata file is invalid: that script cannot run, every other can" },
  // the runtime, for now
  QUEUE_FULL: { status: 503, exit: 1, means: 'every isolate is busy and the queue is full: retry later' },
  POOL_EXHAUSTED: { status: 503, exit: 1, means: 'no isolate for a nested call: retry later' },
  ISOLATE_RESET: { status: 503, exit: 1, means: "another invocation sharing the isolate went over its memory: retry at once" },
  RUNTIME_CLOSED: { status: 503, exit: 1, means: 'the runtime is closing' },
  STARTING: { status: 503, exit: 1, means: 'the server is loading the application' },
  STOPPING: { status: 503, exit: 1, means: 'the server is draining before it stops' },
  METRICS_UNAVAILABLE: { status: 503, exit: 1, means: "serve --workers: a worker's metrics could not be collected; ask again" },
  // the application or the machine
  CONFIG_INVALID: { status: 500, exit: 2, means: 'scriptcode.yaml is invalid (every problem with its line)' },
  APP_NOT_FOUND: { status: 500, exit: 2, means: 'the application folder does not exist' },
  ISOLATED_VM_UNAVAILABLE: { status: 500, exit: 1, means: 'isolated-vm cannot run here (Node.js line, install, --no-node-snapshot)' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** A caller-facing error: `code` names its ERRORS entry unless `registered` says which one a variable code belongs to. */
export class ScriptCodeError extends Error {
  /** the entry of ERRORS this error is answered by */
  readonly registered: ErrorCode;

  constructor(readonly code: string, message: string, options?: { cause?: unknown; registered?: ErrorCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.registered = options?.registered ?? (code as ErrorCode);
    if (!Object.hasOwn(ERRORS, this.registered)) throw new TypeError(`${this.registered} is not in the error registry (src/errors.ts)`);
  }

  get status(): number {
    return ERRORS[this.registered].status;
  }

  get exitCode(): 1 | 2 {
    return ERRORS[this.registered].exit;
  }
}

export function isScriptCodeError(err: unknown): err is ScriptCodeError {
  return err instanceof ScriptCodeError;
}
