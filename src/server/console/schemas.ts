// The zod schemas of the web console's endpoints (docs/console.md): reading
// and saving a script's source with its version, `scriptcode check` of one
// script, `scriptcode test`, and the console's settings. Like schemas.ts, they
// drive validation, serialisation (a field not described here is never sent)
// and GET /openapi.json.
import { z } from 'zod';
import { SCRIPT_KINDS } from '../../app/types.js';
import { named } from '../json-schema.js';
import { scriptName } from '../schemas.js';

/** A script by kind and name, as GET /api/scripts lists them. */
export const sourceParams = z.object({
  kind: z.enum(SCRIPT_KINDS).describe('scriptService, validationScript, scriptTask or formatter'),
  name: scriptName,
});

const version = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 (hex) of the file as it was read');
const integer = z.int();

export const ConsoleSettings = named('ConsoleSettings', z.object({
  edit: z.boolean().describe('the console may save files (server.console.edit)'),
  app: z.string().describe('the application folder\'s name'),
}));

export const ScriptSourceAnswer = named('ScriptSource', z.object({
  kind: sourceParams.shape.kind,
  name: z.string(),
  path: z.string().describe('file in the application folder'),
  language: z.enum(['js', 'ts']),
  source: z.string(),
  version,
}));

export const SaveRequest = named('SaveRequest', z.strictObject({
  source: z.string().describe('the new text of the file'),
  version: version.describe('the version the text was based on (from GET); a file changed since is a 409 SOURCE_CHANGED'),
}));

export const SaveAnswer = named('SaveAnswer', z.object({ path: z.string(), version }));

export const CheckRequest = named('CheckRequest', z.strictObject({
  kind: sourceParams.shape.kind.optional(),
  name: sourceParams.shape.name.optional(),
  source: z.string().describe('text to check instead of the file\'s (an editor\'s unsaved text); needs kind and name').optional(),
  types: z.boolean().describe('type-check against the shipped typings (default true)').optional(),
}));

const finding = z.object({
  file: z.string(),
  line: integer.optional(),
  column: integer.optional(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});

export const CheckAnswer = named('CheckAnswer', z.object({ findings: z.array(finding), errors: integer, warnings: integer }));

export const TestRunRequest = named('TestRunRequest', z.strictObject({
  filter: z.string().max(200).describe('only cases whose file, name or script contains this text').optional(),
}));

export const TestRunAnswer = named('TestRunAnswer', z.object({
  passed: integer,
  failed: integer,
  total: integer,
  durationMs: z.number(),
  notes: z.array(z.string()),
  message: z.string().describe('why nothing ran (no test files, nothing matches the filter)').optional(),
  cases: z.array(z.object({
    file: z.string(),
    name: z.string(),
    target: z.string().optional(),
    script: z.string().optional(),
    line: integer.optional(),
    status: z.enum(['passed', 'failed', 'invalid-file']),
    durationMs: z.number(),
    failures: z.array(z.string()).describe('the differences, unexpected and missing calls, the script\'s log lines'),
  })),
}));
