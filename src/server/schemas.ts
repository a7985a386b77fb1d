// The zod schemas of every request and answer of the HTTP API (SPEC §6). Their
// JSON Schemas (json-schema.ts) drive Fastify's validation (ajv), its
// serialisation (fast-json-stringify: a field not described here is never
// sent) and GET /openapi.json, where each named schema becomes a component.
// What a script's caller passes (input map, form state, variables, formatter
// input) is kinds/input-schemas.ts's: the library checks with the same schemas.
import { z } from 'zod';
import {
  anyObjectSchema,
  formatterInputSchema,
  formStateSchema,
  inputMapSchema,
  processInstanceIdSchema,
  variablesSchema,
} from '../kinds/input-schemas.js';
import { named } from './json-schema.js';

/** A zod schema of the HTTP API. */
export type ApiSchema = z.ZodType;

const anyValue = z.unknown().optional();
/** Any JSON object. */
export const anyObject = anyObjectSchema;
const integer = z.int();

/** A script's name: its file name without the extension. */
export const scriptName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/).max(100).describe('the script name (file name without extension)');

export const nameParams = z.object({ name: scriptName });

export const InputMap = named('InputMap', inputMapSchema);

export const FormState = named('FormState', formStateSchema);

const traceFlag = z.boolean().describe('answer with the script\'s log lines (`logs`) and its REST calls (`trace`)').optional();

export const RunRequest = named('RunRequest', z.strictObject({ input: InputMap.optional(), form: FormState.optional(), trace: traceFlag }));

export const ValidateRequest = named('ValidateRequest', z.strictObject({ input: InputMap.optional(), form: FormState.optional(), trace: traceFlag }));

export const ExecuteRequest = named('ExecuteRequest', z.strictObject({
  variables: variablesSchema.optional(),
  processInstanceId: processInstanceIdSchema.optional(),
  trace: traceFlag,
}));

export const FormatRequest = named('FormatRequest', z.strictObject({ ...formatterInputSchema.shape, trace: traceFlag }));

export const LogLine = z.object({
  time: z.string().optional(),
  level: z.string().optional(),
  message: z.string().optional(),
  script: z.string().describe('the called script that wrote the line (context.callService / context.validate), e.g. validators/pesel; absent for the invoked script').optional(),
});

/** Fields of every answer; `logs` and `trace` only when trace was asked for. */
const answerBase = {
  invocationId: z.string(),
  durationMs: z.number(),
  logs: z.array(LogLine).optional(),
  trace: z.object({
    calls: z.array(z.unknown())
      .describe('REST calls, in the order they ended (serviceId, method, url, status, …) and calls of other scripts (call: context.callService / context.validate, target, depth, outcome — running when the invocation ended first —, durationMs, cpuMs, restCalls), each where it started; entries of a called script carry script: its path (scripts/lookup)')
      .optional(),
  }).optional(),
};

export const ScriptAnswer = named('ScriptAnswer', z.object({
  output: z.array(z.unknown()).describe('the rows the script returned'),
  formChanges: anyObject.describe('component id → value set with context.setValue'),
  ...answerBase,
}));

export const ValidateAnswer = named('ValidateAnswer', z.object({
  valid: z.boolean(),
  errors: z.array(z.object({ key: z.string(), message: z.string(), parameters: z.array(z.string()) })),
  ...answerBase,
}));

export const ScriptError = named('ScriptError', z.looseObject({
  name: z.string(),
  message: z.string(),
  code: z.string().optional(),
  line: integer.optional(),
  column: integer.optional(),
  status: z.object({ code: integer.optional(), message: z.string().optional() }).optional(),
  serviceId: z.string().optional(),
}));

export const TaskAnswer = named('TaskAnswer', z.object({
  outcome: z.enum(['complete', 'failure', 'bpmnError']),
  variables: anyObject.optional(),
  modelChanges: anyObject.optional(),
  errorCode: z.string().optional(),
  cause: anyValue,
  error: ScriptError.optional(),
  ...answerBase,
}));

export const FormatAnswer = named('FormatAnswer', z.object({ formattedText: z.string(), cursorPosition: integer.optional(), ...answerBase }));

/** 422: the script failed (compile error, uncaught error, limit). Exactly ScriptFailure.body. */
export const ScriptFailureBody = named('ScriptFailure', z.object({
  error: ScriptError,
  ...answerBase,
  durationMs: answerBase.durationMs.optional(),
}));

/** Every other error: 400, 401, 404, 413, 415, 500, 503 (and a 422 that is no invocation's: see ScriptFailedBody). */
export const ErrorBody = named('Error', z.object({
  error: z.object({ name: z.string(), message: z.string(), code: z.string().optional() }),
}));

export const ScriptList = named('ScriptList', z.object({
  scripts: z.array(z.object({
    kind: z.enum(['scriptService', 'validationScript', 'scriptTask', 'formatter']),
    name: z.string(),
    path: z.string().describe('file in the application folder'),
    endpoint: z.string().describe('how to invoke it'),
    description: z.string().optional(),
  })),
}));

export const ServiceList = named('ServiceList', z.object({
  services: z.array(z.object({
    id: z.string(),
    url: z.string().describe('base URL'),
    auth: z.enum(['none', 'basic', 'bearer', 'apiKey', 'oauth2']),
    circuit: z.object({ state: z.enum(['closed', 'open', 'half-open']).optional() }).nullable().describe('null when the service has no circuit breaker'),
    token: z.object({
      cached: z.boolean().optional(),
      expiresInMs: integer.nullable().optional(),
      fetching: z.boolean().describe('a token request is in flight').optional(),
      lastError: z.string().describe('code of the last failed token request').optional(),
    }).nullable().describe('OAuth2 services only: whether a token is cached and how long it stays valid'),
    timeouts: z.object({ connectTimeout: integer.optional(), readTimeout: integer.optional() }).optional(),
    retry: z.object({ attempts: integer.optional() }).optional(),
    healthPath: z.string().describe('what POST /api/services/{id}/check GETs').optional(),
  })),
}));

export const InvalidateAnswer = named('InvalidateAnswer', z.object({
  invalidated: z.boolean(),
  compiledScripts: integer.describe('compiled scripts dropped').optional(),
}));

export const Health = named('Health', z.object({
  status: z.enum(['ok', 'ready', 'starting', 'stopping', 'failed']),
  configGeneration: integer.describe('readiness: the configuration in force, 1 at start and +1 for each reload of scriptcode.yaml applied').optional(),
}));

/** A service id in a path: what scriptcode.yaml allows (no '/', no spaces). */
export const serviceIdParams = z.object({
  id: z.string().min(1).max(200).regex(/^[^\s/]+$/).describe('the service id as declared in scriptcode.yaml'),
});

const stepError = z.object({
  code: z.string().describe('DNS_FAILURE, BLOCKED_ADDRESS, CONNECTION_REFUSED, CONNECT_TIMEOUT, TLS_FAILURE, TOKEN_REQUEST_FAILED, HTTP_503, …'),
  message: z.string(),
});

const certificate = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  subjectAltName: z.string(),
  fingerprint256: z.string(),
  verified: z.boolean(),
  verifyError: z.string(),
  protocol: z.string(),
}).partial();

export const ServiceCheck = named('ServiceCheck', z.object({
  service: z.string(),
  url: z.string().describe('the service URL, origin and path'),
  ok: z.boolean().describe('no step failed'),
  proxy: z.string().describe('the proxy the connection goes through (without credentials)').optional(),
  durationMs: z.number(),
  steps: z.array(z.object({
    step: z.enum(['dns', 'policy', 'tcp', 'tls', 'token', 'health']),
    status: z.enum(['ok', 'failed', 'skipped']),
    durationMs: z.number(),
    detail: z.string().describe('what was found, or why the step was skipped').optional(),
    error: stepError.optional(),
    addresses: z.array(z.string()).optional(),
    httpStatus: integer.optional(),
    certificate: certificate.optional(),
  })).describe('dns, policy, tcp, tls, token, health — in that order, each ok, failed or skipped'),
}));

/** 422: a ScriptFailure, or (no invocation ran) a script whose metadata file is broken, as an ErrorBody. */
export const ScriptFailedBody = z.union([ScriptFailureBody, ErrorBody]);
