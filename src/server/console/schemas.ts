// JSON Schemas of the web console's endpoints (docs/console.md): reading and
// saving a script's source with its version, `scriptcode check` of one script,
// `scriptcode test`, and the console's settings. Like schemas.ts, they drive
// validation, serialisation (a field not described here is never sent) and
// GET /openapi.json.
import { SCRIPT_KINDS } from '../../app/types.js';
import { named } from '../schemas.js';

/** A script by kind and name, as GET /api/scripts lists them. */
export const sourceParams = {
  type: 'object',
  required: ['kind', 'name'],
  properties: {
    kind: { type: 'string', enum: [...SCRIPT_KINDS], description: 'scriptService, validationScript, scriptTask or formatter' },
    name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$', maxLength: 100, description: 'the script name (file name without extension)' },
  },
};

const version = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the file as it was read' };

export const ConsoleSettings = named('ConsoleSettings', {
  type: 'object',
  required: ['edit', 'app'],
  properties: {
    edit: { type: 'boolean', description: 'the console may save files (server.console.edit)' },
    app: { type: 'string', description: 'the application folder\'s name' },
  },
});

export const ScriptSourceAnswer = named('ScriptSource', {
  type: 'object',
  required: ['kind', 'name', 'path', 'language', 'source', 'version'],
  properties: {
    kind: { type: 'string' },
    name: { type: 'string' },
    path: { type: 'string', description: 'file in the application folder' },
    language: { type: 'string', enum: ['js', 'ts'] },
    source: { type: 'string' },
    version,
  },
});

export const SaveRequest = named('SaveRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'version'],
  properties: {
    source: { type: 'string', description: 'the new text of the file' },
    version: { ...version, description: 'the version the text was based on (from GET); a file changed since is a 409 SOURCE_CHANGED' },
  },
});

export const SaveAnswer = named('SaveAnswer', {
  type: 'object',
  required: ['path', 'version'],
  properties: { path: { type: 'string' }, version },
});

export const CheckRequest = named('CheckRequest', {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: sourceParams.properties.kind,
    name: sourceParams.properties.name,
    source: { type: 'string', description: 'text to check instead of the file\'s (an editor\'s unsaved text); needs kind and name' },
    types: { type: 'boolean', description: 'type-check against the shipped typings (default true)' },
  },
});

const finding = {
  type: 'object',
  required: ['file', 'severity', 'message'],
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    column: { type: 'integer' },
    severity: { type: 'string', enum: ['error', 'warning'] },
    message: { type: 'string' },
  },
};

export const CheckAnswer = named('CheckAnswer', {
  type: 'object',
  required: ['findings', 'errors', 'warnings'],
  properties: { findings: { type: 'array', items: finding }, errors: { type: 'integer' }, warnings: { type: 'integer' } },
});

export const TestRunRequest = named('TestRunRequest', {
  type: 'object',
  additionalProperties: false,
  properties: { filter: { type: 'string', maxLength: 200, description: 'only cases whose file, name or script contains this text' } },
});

export const TestRunAnswer = named('TestRunAnswer', {
  type: 'object',
  required: ['passed', 'failed', 'total', 'durationMs', 'notes', 'cases'],
  properties: {
    passed: { type: 'integer' },
    failed: { type: 'integer' },
    total: { type: 'integer' },
    durationMs: { type: 'number' },
    notes: { type: 'array', items: { type: 'string' } },
    message: { type: 'string', description: 'why nothing ran (no test files, nothing matches the filter)' },
    cases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['file', 'name', 'status', 'durationMs', 'failures'],
        properties: {
          file: { type: 'string' },
          name: { type: 'string' },
          target: { type: 'string' },
          script: { type: 'string' },
          line: { type: 'integer' },
          status: { type: 'string', enum: ['passed', 'failed', 'invalid-file'] },
          durationMs: { type: 'number' },
          failures: { type: 'array', items: { type: 'string' }, description: 'the differences, unexpected and missing calls, the script\'s log lines' },
        },
      },
    },
  },
});
