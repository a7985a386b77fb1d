// JSON Schemas of every request and answer of the HTTP API (SPEC §6). The same
// objects drive Fastify's validation (ajv), its serialisation
// (fast-json-stringify: a field not described here is never sent) and
// GET /openapi.json, where each named schema becomes a component.
import { MAX_NESTING_DEPTH } from '../sandbox/limits.js';

export type JsonSchema = Record<string, unknown>;

const NESTING = `arrays and objects nested at most ${MAX_NESTING_DEPTH} levels deep ({} or [] is one level); deeper is a 400 INPUT_TOO_DEEP`;

const names = new WeakMap<object, string>();

/** Gives a schema a component name in the OpenAPI document. */
export function named<T extends JsonSchema>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

export function schemaName(schema: object): string | undefined {
  return names.get(schema);
}

const anyValue = {};
const anyObject = { type: 'object', additionalProperties: true };

/** A script's name: its file name without the extension. */
export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$', maxLength: 100, description: 'the script name (file name without extension)' } },
};

const parameterValue = { type: ['string', 'number', 'boolean', 'null'] };

export const InputMap = named('InputMap', {
  type: 'object',
  description: 'parameter name → value or list of values; a plain value becomes a one-element list, numbers and booleans become text',
  additionalProperties: { anyOf: [parameterValue, { type: 'array', items: parameterValue }] },
});

export const FormState = named('FormState', {
  type: 'object',
  description: `component id → its state; ${NESTING}`,
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: { value: anyValue, visible: { type: 'boolean' }, data: anyObject },
  },
});

const traceFlag = { type: 'boolean', description: 'answer with the script\'s log lines (`logs`) and its REST calls (`trace`)' };

export const RunRequest = named('RunRequest', {
  type: 'object',
  additionalProperties: false,
  properties: { input: InputMap, form: FormState, trace: traceFlag },
});

export const ValidateRequest = named('ValidateRequest', {
  type: 'object',
  additionalProperties: false,
  properties: { input: InputMap, form: FormState, trace: traceFlag },
});

export const ExecuteRequest = named('ExecuteRequest', {
  type: 'object',
  additionalProperties: false,
  properties: {
    variables: { ...anyObject, description: `process variables; ${NESTING}` },
    processInstanceId: { type: 'string', maxLength: 1000 },
    trace: traceFlag,
  },
});

export const FormatRequest = named('FormatRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['textToFormat'],
  properties: {
    textToFormat: { type: 'string' },
    locale: { type: ['string', 'null'], maxLength: 100 },
    cursorPosition: { type: ['integer', 'null'], minimum: 0 },
    trace: traceFlag,
  },
});

const LogLine = {
  type: 'object',
  properties: {
    time: { type: 'string' },
    level: { type: 'string' },
    message: { type: 'string' },
    script: { type: 'string', description: 'the called script that wrote the line (context.callService / context.validate), e.g. validators/pesel; absent for the invoked script' },
  },
};

/** Fields of every answer; `logs` and `trace` only when trace was asked for. */
const answerBase = {
  invocationId: { type: 'string' },
  durationMs: { type: 'number' },
  logs: { type: 'array', items: LogLine },
  trace: {
    type: 'object',
    properties: {
      calls: {
        type: 'array',
        items: anyValue,
        description: 'REST calls, in the order they ended (serviceId, method, url, status, …) and calls of other scripts (call: context.callService / context.validate, target, depth, outcome — running when the invocation ended first —, durationMs, cpuMs, restCalls), each where it started; entries of a called script carry script: its path (scripts/lookup)',
      },
    },
  },
};

export const ScriptAnswer = named('ScriptAnswer', {
  type: 'object',
  required: ['output', 'formChanges', 'invocationId', 'durationMs'],
  properties: {
    output: { type: 'array', items: anyValue, description: 'the rows the script returned' },
    formChanges: { ...anyObject, description: 'component id → value set with context.setValue' },
    ...answerBase,
  },
});

export const ValidateAnswer = named('ValidateAnswer', {
  type: 'object',
  required: ['valid', 'errors', 'invocationId', 'durationMs'],
  properties: {
    valid: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'message', 'parameters'],
        properties: { key: { type: 'string' }, message: { type: 'string' }, parameters: { type: 'array', items: { type: 'string' } } },
      },
    },
    ...answerBase,
  },
});

export const ScriptError = named('ScriptError', {
  type: 'object',
  required: ['name', 'message'],
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    message: { type: 'string' },
    code: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    status: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
    serviceId: { type: 'string' },
  },
});

export const TaskAnswer = named('TaskAnswer', {
  type: 'object',
  required: ['outcome', 'invocationId', 'durationMs'],
  properties: {
    outcome: { type: 'string', enum: ['complete', 'failure', 'bpmnError'] },
    variables: anyObject,
    modelChanges: anyObject,
    errorCode: { type: 'string' },
    cause: anyValue,
    error: ScriptError,
    ...answerBase,
  },
});

export const FormatAnswer = named('FormatAnswer', {
  type: 'object',
  required: ['formattedText', 'invocationId', 'durationMs'],
  properties: { formattedText: { type: 'string' }, cursorPosition: { type: 'integer' }, ...answerBase },
});

/** 422: the script failed (compile error, uncaught error, limit). Exactly ScriptFailure.body. */
export const ScriptFailureBody = named('ScriptFailure', {
  type: 'object',
  required: ['error', 'invocationId'],
  properties: { error: ScriptError, ...answerBase },
});

/** Every other error: 400, 401, 404, 413, 415, 500, 503 (and a 422 that is no invocation's: see ScriptFailedBody). */
export const ErrorBody = named('Error', {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['name', 'message'],
      properties: { name: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
    },
  },
});

export const ScriptList = named('ScriptList', {
  type: 'object',
  required: ['scripts'],
  properties: {
    scripts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name', 'path', 'endpoint'],
        properties: {
          kind: { type: 'string', enum: ['scriptService', 'validationScript', 'scriptTask', 'formatter'] },
          name: { type: 'string' },
          path: { type: 'string', description: 'file in the application folder' },
          endpoint: { type: 'string', description: 'how to invoke it' },
          description: { type: 'string' },
        },
      },
    },
  },
});

export const ServiceList = named('ServiceList', {
  type: 'object',
  required: ['services'],
  properties: {
    services: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'url', 'auth', 'circuit', 'token'],
        properties: {
          id: { type: 'string' },
          url: { type: 'string', description: 'base URL' },
          auth: { type: 'string', enum: ['none', 'basic', 'bearer', 'apiKey', 'oauth2'] },
          circuit: {
            type: ['object', 'null'],
            description: 'null when the service has no circuit breaker',
            properties: { state: { type: 'string', enum: ['closed', 'open', 'half-open'] } },
          },
          token: {
            type: ['object', 'null'],
            description: 'OAuth2 services only: whether a token is cached and how long it stays valid',
            properties: {
              cached: { type: 'boolean' },
              expiresInMs: { type: ['integer', 'null'] },
              fetching: { type: 'boolean', description: 'a token request is in flight' },
              lastError: { type: 'string', description: 'code of the last failed token request' },
            },
          },
          timeouts: { type: 'object', properties: { connectTimeout: { type: 'integer' }, readTimeout: { type: 'integer' } } },
          retry: { type: 'object', properties: { attempts: { type: 'integer' } } },
          healthPath: { type: 'string', description: 'what POST /api/services/{id}/check GETs' },
        },
      },
    },
  },
});

export const InvalidateAnswer = named('InvalidateAnswer', {
  type: 'object',
  required: ['invalidated'],
  properties: { invalidated: { type: 'boolean' }, compiledScripts: { type: 'integer', description: 'compiled scripts dropped' } },
});

export const Health = named('Health', {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'ready', 'starting', 'stopping', 'failed'] },
    configGeneration: { type: 'integer', description: 'readiness: the configuration in force, 1 at start and +1 for each reload of scriptcode.yaml applied' },
  },
});

/** A service id in a path: what scriptcode.yaml allows (no '/', no spaces). */
export const serviceIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s/]+$', description: 'the service id as declared in scriptcode.yaml' } },
};

const stepError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string', description: 'DNS_FAILURE, BLOCKED_ADDRESS, CONNECTION_REFUSED, CONNECT_TIMEOUT, TLS_FAILURE, TOKEN_REQUEST_FAILED, HTTP_503, …' }, message: { type: 'string' } },
};

export const ServiceCheck = named('ServiceCheck', {
  type: 'object',
  required: ['service', 'url', 'ok', 'durationMs', 'steps'],
  properties: {
    service: { type: 'string' },
    url: { type: 'string', description: 'the service URL, origin and path' },
    ok: { type: 'boolean', description: 'no step failed' },
    proxy: { type: 'string', description: 'the proxy the connection goes through (without credentials)' },
    durationMs: { type: 'number' },
    steps: {
      type: 'array',
      description: 'dns, policy, tcp, tls, token, health — in that order, each ok, failed or skipped',
      items: {
        type: 'object',
        required: ['step', 'status', 'durationMs'],
        properties: {
          step: { type: 'string', enum: ['dns', 'policy', 'tcp', 'tls', 'token', 'health'] },
          status: { type: 'string', enum: ['ok', 'failed', 'skipped'] },
          durationMs: { type: 'number' },
          detail: { type: 'string', description: 'what was found, or why the step was skipped' },
          error: stepError,
          addresses: { type: 'array', items: { type: 'string' } },
          httpStatus: { type: 'integer' },
          certificate: {
            type: 'object',
            properties: {
              subject: { type: 'string' },
              issuer: { type: 'string' },
              validFrom: { type: 'string' },
              validTo: { type: 'string' },
              subjectAltName: { type: 'string' },
              fingerprint256: { type: 'string' },
              verified: { type: 'boolean' },
              verifyError: { type: 'string' },
              protocol: { type: 'string' },
            },
          },
        },
      },
    },
  },
});

/** 422: a ScriptFailure, or (no invocation ran) a script whose metadata file is broken, as an ErrorBody. */
export const ScriptFailedBody = { anyOf: [ScriptFailureBody, ErrorBody] };
