// Typings for ScriptCode scripts (SPEC §3–§5, §7): every global a script sees.
//
// Scripts are plain script files (no import/export), so these declarations are
// global. Types live in the `ScriptCode` namespace; annotate entry points with
// JSDoc to get completion on `context`:
//
//   /** @param {ScriptCode.ScriptContext} context @returns {ScriptCode.Rows} */
//   function callService(context) { … }
//
// `scriptcode init` wires this file into jsconfig.json; `scriptcode check`
// type-checks every script against it (TypeScript `checkJs`).
//
// types/scriptcode.d.ts is generated from src/runtime/script-typings.d.ts and each
// built-in binding's typings.d.ts: edit those (npx tsx scripts/gen-typings.ts).

declare namespace ScriptCode {
  /** The `api` object: each binding adds itself here (`rest: { v1: RestV1 }`). */
  interface Api {}

  // ------------------------------------------------------------ collections

  // Lists and maps handed to scripts are plain arrays and objects that also
  // answer the Java-style calls of scripts written for the reference platform
  // (java.util.List / Map / Set / Iterator / Map.Entry). As text they render
  // like Java: `"" + list` is "[a, b]", a map "{k1=v1, k2=v2}".

  /** java.util.Iterator: from `iterator()` of a list, `keySet()`, `values()` or `entrySet()`. */
  interface JavaIterator<T> {
    hasNext(): boolean;
    /** the next element; past the end it throws an Error named `NoSuchElementException` (check hasNext() first) */
    next(): T;
  }

  /** java.util.Collection, on top of a plain array (`length`, indexing, for…of, map/filter stay JavaScript's). */
  interface JavaCollection<T> extends Array<T> {
    size(): number;
    isEmpty(): boolean;
    /** Java's equals(): strings, numbers and booleans by value, lists and maps by content */
    contains(value: unknown): boolean;
    iterator(): JavaIterator<T>;
    /** a plain JavaScript array copy (Java's `Object[]`); lists and maps in it keep their Java methods */
    toArray(): T[];
    /** Java's text, "[a, b]" (also what `"" + list` and `String(list)` give; `join()` is still JavaScript's) */
    toString(): string;
  }

  /** A list handed to a script: a plain array that also answers the Java-style calls of older scripts. */
  interface JavaList<T> extends JavaCollection<T> {
    /** the element at `index`, or null */
    get(index: number): T | null;
    /** Java's indexOf: compares like contains(); JavaScript's optional `fromIndex` is kept */
    indexOf(value: unknown, fromIndex?: number): number;
  }

  /** java.util.Set, from `keySet()` and `entrySet()`: a snapshot, a plain array underneath. */
  interface JavaSet<T> extends JavaCollection<T> {
    /** @deprecated a Java Set has no get(i); answered because a set is a list underneath (as keySet() always was here) */
    get(index: number): T | null;
  }

  /** java.util.Map.Entry, from `entrySet()`; "key=value" as text. */
  interface JavaEntry<T> {
    readonly key: string;
    readonly value: T;
    getKey(): string;
    getValue(): T;
    toString(): string;
  }

  interface JavaMapMethods<T> {
    /** the value under `key`, or null */
    get(key: string): T | null;
    containsKey(key: string): boolean;
    /** Java's equals(): strings, numbers and booleans by value, lists and maps by content */
    containsValue(value: unknown): boolean;
    /** the keys (a snapshot), "[k1, k2]" as text */
    keySet(): JavaSet<string>;
    /** the values (a snapshot; Java's Collection, here a list) */
    values(): JavaList<T>;
    /** the entries (a snapshot), "[k1=v1, k2=v2]" as text */
    entrySet(): JavaSet<JavaEntry<T>>;
    size(): number;
    isEmpty(): boolean;
    /** Java's text, "{k1=v1, k2=v2}" (also what `"" + map` gives) */
    toString(): string;
  }

  /**
   * A map handed to a script: a plain object (for…in, Object.keys, JSON.stringify list only its data)
   * that also answers `get`, `keySet`, `containsKey`, … A key named like one of these methods shadows it.
   */
  type JavaMap<T> = { [key: string]: T } & JavaMapMethods<T>;

  /** JSON values as scripts receive them (lists and maps answer the Java-style calls too). */
  type JsonValue = string | number | boolean | null | JavaList<any> | JavaMap<any>;

  // ------------------------------------------------------------- the kinds

  /** Form state shared by scripts and validators. */
  interface FormAccess {
    /** the component's value (a change made with setValue wins), or null */
    getValue(componentId: string): any;
    /**
     * The **text** `"true"` or `"false"` (`"false"` for unknown components), as on the reference
     * platform (`String isVisible(final String id)`): compare `context.isVisible(id) == "true"`.
     * `if (context.isVisible(id))` is always taken — both strings are truthy.
     */
    isVisible(componentId: string): 'true' | 'false';
    /** one data attribute of a component, or null */
    getData(componentId: string, attribute: string): any;
  }

  /** Input for a called script (context.callService / context.validate): parameter name → list of values; a plain value is a one-element list. */
  type ScriptInput = { [parameter: string]: string | number | boolean | null | Array<string | number | boolean | null> };

  /** One error of a called validator (context.validate): `message` is the called validator's declared message for `key`. */
  type CalledValidationError = JavaMap<any> & { key: string; message: string; parameters: JavaList<string> };

  /**
   * Running other scripts of the same application, in scripts, validators and
   * script tasks (formatters cannot). The called script runs in a context of
   * its own, within this invocation's budgets: what is left of its CPU time,
   * its wall-clock deadline and its REST calls (the called script's REST calls
   * count against this invocation's limit). A limit reached in the called
   * script ends this whole invocation. Calls nest at most 4 levels deep.
   * In async mode (`async function callService`) both return a Promise: `await` it.
   * @throws a {@link ScriptCallError} when the called script fails, does not exist, or the call is refused
   */
  interface ScriptCalls {
    /** runs scripts/<name>.js (a scriptService) with `input` and returns its rows */
    callService(name: string, input?: ScriptInput | null): JavaList<JavaMap<any>>;
    /** runs validators/<name>.js with `input` and returns its errors (empty: valid) */
    validate(name: string, input?: ScriptInput | null): JavaList<CalledValidationError>;
  }

  /** What context.callService / context.validate throw (test `e.name === 'ScriptCallError'` and `e.code`). */
  interface ScriptCallError extends Error {
    name: 'ScriptCallError';
    /**
     * SCRIPT_FAILED (the called script threw or does not compile: see `cause`), SCRIPT_NOT_FOUND,
     * INVALID_INPUT, INVALID_METADATA, CALL_DEPTH_EXCEEDED, POOL_EXHAUSTED (retry later), ISOLATE_RESET (retry), RUNTIME_CLOSED
     */
    code: 'SCRIPT_FAILED' | 'SCRIPT_NOT_FOUND' | 'INVALID_INPUT' | 'INVALID_METADATA' | 'CALL_DEPTH_EXCEEDED' | 'POOL_EXHAUSTED' | 'ISOLATE_RESET' | 'RUNTIME_CLOSED';
    /** the called script's name */
    script: string;
    kind: 'scriptService' | 'validationScript';
    /** for SCRIPT_FAILED: the called script's error */
    cause?: { name: string; message: string; code?: string; line?: number; column?: number; status?: RestStatus };
  }

  /** `context` of a validator (validators/<name>.js): read-only. */
  interface ValidatorContext extends FormAccess, ScriptCalls {
    /** the values of a (multi-valued) input parameter; empty when absent */
    getParameters(name: string): JavaList<string>;
    /** the first value of an input parameter, or `defaultValue` / null when it is absent or empty (`[]`, `[""]`, `[null]`: no first value, or a first value that is "" or null) */
    getFirstParameter(name: string): string | null;
    getFirstParameter<D>(name: string, defaultValue: D): string | D;
    /** the whole input: parameter name → list of values */
    getInputParameters(): JavaMap<JavaList<string>>;
    /** @deprecated removed: throws an error that shows how to use `api.rest.v1` */
    api(...args: any[]): never;
    /** @deprecated the reference platform says "use api.model instead"; ScriptCode has no api.model: this throws an error that names getValue / getParameters */
    getModel(...args: any[]): never;
  }

  /** `context` of a script (scripts/<name>.js). */
  interface ScriptContext extends ValidatorContext {
    /** changes a form component; changes come back to the caller as `formChanges` */
    setValue(componentId: string, value: unknown): void;
  }

  /** One output row of a script: `{ outputName: value }`. */
  type Row = { [output: string]: unknown };
  /** What `callService` of a script returns: rows, one row, or nothing (no rows). */
  type Rows = Row[] | Row | null | undefined;

  /** One error returned by a validator; `message` comes from the validator's metadata (`messages:`). */
  interface ValidationError {
    key: string;
    /** fill `{0}`, `{1}`, … of the declared message */
    parameters?: Array<string | number | boolean>;
  }
  /** What `callService` of a validator returns: the errors; empty (or nothing) means valid. */
  type ValidationResult = ValidationError[] | null | undefined;

  /** `task` of a script task (the second argument of callService). */
  interface Task {
    /** a process variable, or null */
    getVariable(name: string): any;
    getAllVariables(): JavaMap<any>;
    getProcessInstanceId(): string | null;
    /** the reference platform's spelling of getProcessInstanceId */
    getProcessIntanceId(): string | null;
  }

  /** `context` of a script task (tasks/<name>.js): the Task methods plus exactly one outcome call. */
  interface TaskContext extends Task, ScriptCalls {
    /** the task succeeded; the variables (and model changes) go back to the process */
    complete(variables?: { [name: string]: unknown } | null, modelChanges?: { [name: string]: unknown } | null): void;
    /** the task failed (a technical failure; the engine may retry) */
    handleFailure(cause?: string | Error | unknown): void;
    /** a business error the process models with an error boundary event */
    handleBpmnError(errorCode: string, cause?: string | Error | unknown): void;
    /** @deprecated removed: throws an error that shows how to use `api.rest.v1` */
    api(...args: any[]): never;
    /** @deprecated the reference platform says "use api.model instead"; ScriptCode has no api.model: this throws an error that names getVariable / complete */
    getModel(...args: any[]): never;
  }

  /** Input of a formatter's `formatText`. */
  interface FormatterInput {
    textToFormat: string;
    locale: string | null;
    cursorPosition: number | null;
  }

  /** What `formatText` returns; a cursor outside [0, formattedText.length] is dropped. */
  interface FormatterResult {
    formattedText: string;
    cursorPosition?: number | null;
  }

  /** Entry point types, for `/** @type {ScriptCode.ScriptEntry} *\/ function callService(…)` style annotations. */
  type ScriptEntry = (context: ScriptContext) => Rows | Promise<Rows>;
  type ValidatorEntry = (context: ValidatorContext) => ValidationResult | Promise<ValidationResult>;
  type TaskEntry = (context: TaskContext, task: Task) => void | Promise<void>;
  type FormatterEntry = (input: FormatterInput) => FormatterResult;

  // ---------------------------------------------------------------- logging

  /** A value wrapped by `nonsensitive(…)`: logged as is. */
  interface Nonsensitive<T> {
    readonly value: T;
  }

  /**
   * Log lines with `{}` placeholders filled in order. Every argument is
   * sensitive (masked, hashed or marked by logging.sensitive) unless wrapped in
   * nonsensitive(value); the message template is written as is.
   */
  interface ScriptLogger {
    trace(message: string, ...args: unknown[]): void;
    debug(message: string, ...args: unknown[]): void;
    info(message: string, ...args: unknown[]): void;
    warn(message: string, ...args: unknown[]): void;
    error(message: string, ...args: unknown[]): void;
  }

  /** `console.*` goes to Logger; every argument is sensitive. */
  interface ScriptConsole {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    trace(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }
}

/** Bindings to the outside world; `api.rest.v1` is the only way to reach the network. */
declare const api: ScriptCode.Api;

/** The script's log (sensitive-data aware). */
declare const Logger: ScriptCode.ScriptLogger;

/** Marks a value as safe to log as is: `Logger.info('{} rows', nonsensitive(rows.length))`. */
declare function nonsensitive<T>(value: T): ScriptCode.Nonsensitive<T>;

declare const console: ScriptCode.ScriptConsole;

/** base64 → Latin-1 text */
declare function atob(data: string): string;
/** Latin-1 text → base64 */
declare function btoa(data: string): string;

// api.rest.v1 for script authors: its part of types/scriptcode.d.ts (scripts/gen-typings.ts).
declare namespace ScriptCode {
  interface Api {
    readonly rest: {
      readonly v1: RestV1;
    };
  }

  type HttpMethod = 'GET' | 'DELETE' | 'POST' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';
  type Scalar = string | number | boolean;

  interface RestTimeouts {
    /** ms to wait for a connection; capped by the script's remaining time */
    connectTimeout?: number;
    /** ms to wait for the complete response; capped by the script's remaining time */
    readTimeout?: number;
  }

  /** The optional `params` of every call. */
  interface RestParams {
    /** relative path appended to the service URL, e.g. 'customers/{id}/orders'; `..`, `//`, `?`, `#` are refused */
    path?: string | null;
    /** values for `{name}` placeholders in the service URL or `path`; each is encoded as one path segment */
    pathParams?: { [name: string]: Scalar | null } | null;
    /** query parameters; an array repeats the name, null/undefined are skipped */
    queryParams?: { [name: string]: Scalar | null | undefined | Array<Scalar | null> } | null;
    timeouts?: RestTimeouts | null;
  }

  /** Request headers; the configured authorization cannot be set or overridden. */
  type RestHeaders = { [name: string]: Scalar | null };

  /**
   * A request body: JSON by default; `multipart/form-data` and
   * `application/x-www-form-urlencoded` (by the Content-Type header) encode an
   * object; a string is sent as is.
   */
  type RestBody = unknown;

  /** A file part of a multipart body. */
  interface MultipartFile {
    filename: string;
    contentType?: string;
    base64: string;
  }

  /** Options of `api.rest.v1.request(…)`. */
  interface RestRequestOptions extends RestParams {
    method: HttpMethod | Lowercase<HttpMethod>;
    serviceId: string;
    headers?: RestHeaders | null;
    body?: RestBody;
  }

  interface RestStatus {
    readonly code: number;
    readonly message: string;
  }

  /** A 2xx answer. */
  interface RestResponse<T = any> {
    status: RestStatus;
    /** lower-case header names */
    headers: { [name: string]: string };
    /** parsed by content type: JSON → value, XML → object, text/* → string, empty → null, other → base64 text */
    body: T;
    /** 'base64' when the body is binary and was given as base64 text */
    bodyEncoding?: 'base64';
  }

  /** Every api.rest.v1 failure; catch it and look at `name` (or `instanceof`). */
  interface RestError extends Error {
    name: 'RestResponseError' | 'RestTimeoutError' | 'RestConnectionError' | 'RestRequestError' | 'RestPolicyError' | 'RestProtocolError';
    /** the service called, or null when the call named none */
    readonly serviceId: string | null;
    /** stable code: 'HTTP_404', 'READ_TIMEOUT', 'CONNECTION_REFUSED', 'UNKNOWN_SERVICE', 'CIRCUIT_OPEN', … */
    readonly code?: string;
  }
  /** The service answered with a status other than 2xx. The only REST error with `status`. */
  interface RestResponseError extends RestError {
    name: 'RestResponseError';
    readonly status: RestStatus;
    /** the raw response body as text, or null */
    readonly body: string | null;
    readonly headers: { [name: string]: string };
  }
  /** Connect or read timeout, or the script's time budget ran out (`code: 'DEADLINE'`). */
  interface RestTimeoutError extends RestError { name: 'RestTimeoutError' }
  /** DNS failure, connection refused or reset, TLS failure. */
  interface RestConnectionError extends RestError { name: 'RestConnectionError' }
  /** The call itself is wrong: unknown serviceId, bad path, forbidden header, unserializable body. */
  interface RestRequestError extends RestError { name: 'RestRequestError' }
  /** Refused by policy: blocked address, open circuit, call budget spent, response too large. */
  interface RestPolicyError extends RestError { name: 'RestPolicyError' }
  /** A 2xx whose body does not match its content type. */
  interface RestProtocolError extends RestError { name: 'RestProtocolError' }

  /** An error class reachable as `api.rest.v1.<Name>`, for `e instanceof api.rest.v1.RestResponseError`. */
  interface RestErrorClass<E extends RestError> {
    readonly prototype: E;
    new (info: never): E;
  }

  /**
   * `api.rest.v1`: calls the services declared in scriptcode.yaml, by id.
   * Each call returns the response directly (and also works with `await`);
   * a status other than 2xx throws RestResponseError. In async mode (the entry
   * point is `async function callService`) each call returns a Promise of the
   * response instead: `await` it, or `await Promise.all([...])` to call in parallel.
   */
  interface RestV1 {
    get<T = any>(serviceId: string, params?: RestParams | null, headers?: RestHeaders | null): RestResponse<T>;
    delete<T = any>(serviceId: string, params?: RestParams | null, headers?: RestHeaders | null): RestResponse<T>;
    post<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    put<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    patch<T = any>(serviceId: string, params?: RestParams | null, body?: RestBody, headers?: RestHeaders | null): RestResponse<T>;
    request<T = any>(options: RestRequestOptions): RestResponse<T>;
    readonly RestError: RestErrorClass<RestError>;
    readonly RestResponseError: RestErrorClass<RestResponseError>;
    readonly RestTimeoutError: RestErrorClass<RestTimeoutError>;
    readonly RestConnectionError: RestErrorClass<RestConnectionError>;
    readonly RestRequestError: RestErrorClass<RestRequestError>;
    readonly RestPolicyError: RestErrorClass<RestPolicyError>;
    readonly RestProtocolError: RestErrorClass<RestProtocolError>;
  }
}
