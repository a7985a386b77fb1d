// The `tests/*.test.yaml` format (docs/cli.md, "The test file"): parsed
// with positions, validated with zod, every problem reported with its line.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ConfigIssue } from '../app/errors.js';
import type { ScriptKind } from '../app/types.js';
import { formatPath, parseYaml, zodIssues, type KeyPath } from '../app/yaml-source.js';
import { HTTP_ERROR_KINDS, type HttpErrorCode } from '../http/errors.js';
import { HTTP_METHODS } from '../services/service-schema.js';
import { KIND_NAME_LIST, KIND_NAMES as TARGET_KINDS, type KindName as TargetKey } from '../runtime/call-by-kind.js';

/** How a case names what it runs: the key is the kind, the value the script's name. */
export { KIND_NAMES as TARGET_KINDS, type KindName as TargetKey } from '../runtime/call-by-kind.js';
const TARGET_KEYS = KIND_NAME_LIST;

/** Failures a call can be answered with: every transport error but the script's own deadline. */
export const CALL_ERRORS = (Object.keys(HTTP_ERROR_KINDS) as HttpErrorCode[]).filter((code) => code !== 'DEADLINE');

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const stringMap = z.record(z.string(), z.unknown());
const method = z.string().transform((m) => m.toUpperCase()).pipe(z.enum(HTTP_METHODS));

const responseSchema = z.strictObject({
  status: z.number().int().min(100).max(599).default(200),
  statusText: z.string().optional(),
  headers: z.record(z.string(), scalar).optional(),
  body: z.unknown().optional(),
  bodyBase64: z.string().optional(),
});

const callSchema = z.strictObject({
  service: z.string().min(1),
  method: method.default('GET'),
  path: z.string().default(''),
  query: z.record(z.string(), z.union([scalar, z.null(), z.array(scalar)])).optional(),
  queryExact: z.boolean().default(false),
  headers: z.record(z.string(), scalar).optional(),
  body: z.unknown().optional(),
  times: z.number().int().positive().default(1),
  response: responseSchema.optional(),
  error: z.enum(CALL_ERRORS as [HttpErrorCode, ...HttpErrorCode[]]).optional(),
});

const errorExpectation = z.union([
  z.string(),
  z.strictObject({ name: z.string().optional(), code: z.string().optional(), message: z.string().optional() }),
]);

const expectSchema = z.strictObject({
  output: z.unknown().optional(),
  formChanges: stringMap.optional(),
  valid: z.boolean().optional(),
  errors: z.array(z.union([
    z.string(),
    z.strictObject({ key: z.string(), message: z.string().optional(), parameters: z.array(scalar.transform(String)).optional() }),
  ])).optional(),
  outcome: z.enum(['complete', 'failure', 'bpmnError']).optional(),
  variables: stringMap.optional(),
  modelChanges: stringMap.optional(),
  errorCode: z.string().optional(),
  cause: z.string().optional(),
  formattedText: z.string().optional(),
  cursorPosition: z.number().int().nullable().optional(),
  error: errorExpectation.optional(),
});

const targets = {
  script: z.string().min(1).optional(),
  validator: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  formatter: z.string().min(1).optional(),
};

const caseSchema = z.strictObject({
  name: z.string().min(1),
  ...targets,
  input: z.unknown().optional(),
  form: stringMap.optional(),
  variables: stringMap.optional(),
  processInstanceId: z.string().optional(),
  calls: z.array(callSchema).default([]),
  expect: expectSchema.default({}),
});

const fileSchema = z.strictObject({ ...targets, cases: z.array(caseSchema).min(1) });

/** The schema of a whole test file (also the source of schemas/test-case.schema.json). */
export const testFileSchema = fileSchema;

export type ExpectedCall = z.output<typeof callSchema> & { line?: number };
export type Expectations = z.output<typeof expectSchema>;
export type ErrorExpectation = z.output<typeof errorExpectation>;

export interface TestCase {
  /** relative to the application folder, e.g. 'tests/customer.test.yaml' */
  file: string;
  name: string;
  line?: number;
  target: TargetKey;
  kind: ScriptKind;
  script: string;
  input?: unknown;
  form?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  processInstanceId?: string;
  calls: ExpectedCall[];
  expect: Expectations;
}

/** A file's cases, or (when it is invalid) its issues and no cases. */
export interface TestFile {
  file: string;
  cases: TestCase[];
  issues: ConfigIssue[];
}

/** Which inputs and expectations make sense for each kind. */
const KIND_KEYS: Record<TargetKey, { inputs: string[]; expect: string[] }> = {
  script: { inputs: ['input', 'form'], expect: ['output', 'formChanges', 'error'] },
  validator: { inputs: ['input', 'form'], expect: ['valid', 'errors', 'error'] },
  task: { inputs: ['variables', 'processInstanceId'], expect: ['outcome', 'variables', 'modelChanges', 'errorCode', 'cause', 'error'] },
  formatter: { inputs: ['input'], expect: ['formattedText', 'cursorPosition', 'error'] },
};

const FILE_KEYS = Object.keys(fileSchema.shape);
const CASE_KEYS = Object.keys(caseSchema.shape);
const CALL_KEYS = Object.keys(callSchema.shape);
const RESPONSE_KEYS = Object.keys(responseSchema.shape);
const EXPECT_KEYS = Object.keys(expectSchema.shape);

function allowedKeys(path: KeyPath): readonly string[] | undefined {
  const p = path.map((s) => (typeof s === 'number' ? '#' : String(s))).join('/');
  if (p === '') return FILE_KEYS;
  if (p === 'cases/#') return CASE_KEYS;
  if (p === 'cases/#/calls/#') return CALL_KEYS;
  if (p === 'cases/#/calls/#/response') return RESPONSE_KEYS;
  if (p === 'cases/#/expect') return EXPECT_KEYS;
  if (p === 'cases/#/expect/error') return ['name', 'code', 'message'];
  return undefined;
}

/** Parses one test file's text. `file` is the path shown in messages. */
export function parseTestFile(file: string, text: string): TestFile {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { file, cases: [], issues: parsed.issues };
  const result = fileSchema.safeParse(parsed.data ?? {}, { reportInput: true });
  if (!result.success) {
    return { file, cases: [], issues: zodIssues(result.error.issues, { locate: parsed.locate, allowedKeys }) };
  }
  const issues: ConfigIssue[] = [];
  const at = (path: KeyPath) => parsed.locate(path);
  const issue = (path: KeyPath, message: string) => issues.push({ path: formatPath(path), message, ...at(path) });

  const fileTargets = TARGET_KEYS.filter((key) => result.data[key] !== undefined);
  if (fileTargets.length > 1) issue([fileTargets[1]!], `name one default target at the top of the file, not ${fileTargets.join(' and ')}`);
  const cases: TestCase[] = [];
  const names = new Set<string>();
  result.data.cases.forEach((raw, index) => {
    const here: KeyPath = ['cases', index];
    if (names.has(raw.name)) issue([...here, 'name'], `another case in this file is also named '${raw.name}'; give each case its own name`);
    names.add(raw.name);
    const own = TARGET_KEYS.filter((key) => raw[key] !== undefined);
    if (own.length > 1) {
      issue([...here, own[1]!], `a case runs one thing: name one of script, validator, task or formatter, not ${own.join(' and ')}`);
      return;
    }
    const target = own[0] ?? fileTargets[0];
    if (!target) {
      issue(here, "names nothing to run: add e.g. 'script: customer' (or validator:, task:, formatter:) to the case or at the top of the file");
      return;
    }
    const script = (own.length ? raw[target] : result.data[target])!;
    const allowed = KIND_KEYS[target];
    for (const key of ['input', 'form', 'variables', 'processInstanceId'] as const) {
      if (raw[key] !== undefined && !allowed.inputs.includes(key)) {
        issue([...here, key], `a ${target} case takes ${allowed.inputs.join(' and ')}, not ${key}`);
      }
    }
    for (const key of Object.keys(raw.expect) as (keyof Expectations)[]) {
      if (raw.expect[key] !== undefined && !allowed.expect.includes(key)) {
        issue([...here, 'expect', key], `not an expectation for a ${target}; expect one of: ${allowed.expect.join(', ')}`);
      }
    }
    if (target === 'formatter' && (raw.input === undefined || typeof raw.input !== 'object' || raw.input === null)) {
      issue([...here, 'input'], 'a formatter case needs input: { textToFormat: "…", locale: "pl-PL", cursorPosition: 0 }');
    }
    const calls = raw.calls.map((call, c): ExpectedCall => {
      const where: KeyPath = [...here, 'calls', c];
      if ((call.response === undefined) === (call.error === undefined)) {
        issue(where, `give the answer to this call: either response: { status, headers, body } or error: one of ${CALL_ERRORS.join(', ')}`);
      }
      if (call.response?.body !== undefined && call.response.bodyBase64 !== undefined) {
        issue([...where, 'response', 'bodyBase64'], 'give either body or bodyBase64, not both');
      }
      return { ...call, line: at(where)?.line };
    });
    cases.push({
      file, name: raw.name, line: at(here)?.line, target, kind: TARGET_KINDS[target], script,
      input: raw.input, form: raw.form, variables: raw.variables, processInstanceId: raw.processInstanceId,
      calls, expect: raw.expect,
    });
  });
  return issues.length ? { file, cases: [], issues } : { file, cases, issues: [] };
}

export async function readTestFile(absolute: string, file: string): Promise<TestFile> {
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    return { file, cases: [], issues: [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }] };
  }
  return parseTestFile(file, text);
}
