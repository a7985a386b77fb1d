// Validation and normalisation of what callers send, per kind (SPEC §3). The
// shapes are checked with the zod schemas the HTTP API's JSON Schemas are
// generated from (input-schemas.ts), so the library and the server accept and
// refuse the same input; the first issue becomes a message naming the field.
// What a JSON Schema cannot say (nesting depth, BigInt in free-form values)
// is checked here after.
import type { z } from 'zod';
import { findTooDeep, MAX_NESTING_DEPTH } from '../sandbox/limits.js';
import { InputError } from './errors.js';
import {
  anyObjectSchema,
  formatterInputSchema,
  formStateSchema,
  inputMapSchema,
  parameterValueSchema,
  processInstanceIdSchema,
} from './input-schemas.js';

export type InputMap = Record<string, (string | null)[]>;

/** The first problem zod finds, if any. */
function firstIssue(schema: z.ZodType, value: unknown): z.core.$ZodIssue | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0];
}

/**
 * Free-form values (form state, process variables) go to the script as JSON:
 * nesting is limited (every recursive step on the way, here and in callers,
 * stays bounded) and a BigInt, which JSON cannot carry, is refused.
 */
function checkNesting(value: unknown, name: string): void {
  const found = findTooDeep(value);
  if (!found) return;
  if (found.problem === 'bigint') throw new InputError(`${name}${found.path} is a BigInt, which JSON cannot carry; pass it as a string or a number`);
  throw new InputError(
    `${name} is nested too deeply: arrays and objects may be nested at most ${MAX_NESTING_DEPTH} levels deep ({} or [] is one level), ` +
      `and ${name}${found.path.length > 60 ? `${found.path.slice(0, 60)}…` : found.path} is deeper (or the value refers to itself). Send flatter data, or a deeply nested part as a JSON string.`,
    'INPUT_TOO_DEEP',
  );
}

/** A library caller's parameter value as JSON would carry it: undefined is null; a BigInt, NaN or ±Infinity is its text. */
function asJson(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint' || (typeof value === 'number' && !Number.isFinite(value))) return String(value);
  return value;
}

/** Parameters are lists of strings; a plain value becomes a one-element list. */
export function normalizeInput(input: unknown): InputMap {
  if (input === undefined || input === null) return {};
  const json = typeof input === 'object' && !Array.isArray(input)
    ? Object.fromEntries(Object.entries(input).map(([name, value]) => [name, Array.isArray(value) ? value.map(asJson) : asJson(value)]))
    : input;
  const issue = firstIssue(inputMapSchema, json);
  if (issue) {
    if (issue.path.length === 0) throw new InputError('input must be an object of parameter name → value or list of values, e.g. {"pesel": ["44051401458"]}');
    const name = String(issue.path[0]);
    const value = (json as Record<string, unknown>)[name];
    const index = Array.isArray(value) ? value.findIndex((item) => !parameterValueSchema.safeParse(item).success) : -1;
    const [where, wrong] = index >= 0 ? [`input.${name}[${index}]`, (value as unknown[])[index]] : [`input.${name}`, value];
    throw new InputError(`${where} must be a string (or a number/boolean, taken as text); got ${Array.isArray(wrong) ? 'a list' : 'an object'}`);
  }
  const out: InputMap = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    out[name] = (Array.isArray(value) ? value : [value]).map((item) => (item === null ? null : String(item)));
  }
  return out;
}

export interface FormComponentState {
  value?: unknown;
  visible?: boolean;
  data?: Record<string, unknown>;
}

function formError(issue: z.core.$ZodIssue): InputError {
  const [id, field] = issue.path.map(String);
  if (id === undefined) return new InputError('form must be an object of component id → { value, visible, data }');
  if (field === 'visible') return new InputError(`form.${id}.visible must be true or false`);
  if (field === 'data') return new InputError(`form.${id}.data must be an object of attribute → value`);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `'${key}'`).join(', ');
    return new InputError(`form.${id} has ${issue.keys.length > 1 ? 'unknown keys' : 'an unknown key'} ${keys}: a component's state is { "value": "…", "visible": true, "data": {} }`);
  }
  return new InputError(`form.${id} must be an object like { "value": "…", "visible": true, "data": {} }`);
}

/** Form state: `{ componentId: { value?, visible?, data? } }`. */
export function normalizeForm(form: unknown): Record<string, FormComponentState> | undefined {
  if (form === undefined || form === null) return undefined;
  const issue = firstIssue(formStateSchema, form);
  if (issue) throw formError(issue);
  checkNesting(form, 'form');
  return form as Record<string, FormComponentState>;
}

export function normalizeVariables(variables: unknown): Record<string, unknown> {
  if (variables === undefined || variables === null) return {};
  if (firstIssue(anyObjectSchema, variables)) throw new InputError('variables must be an object of process variable name → value');
  checkNesting(variables, 'variables');
  return variables as Record<string, unknown>;
}

export function normalizeProcessInstanceId(id: unknown): string | null {
  if (id === undefined || id === null) return null;
  const issue = firstIssue(processInstanceIdSchema, id);
  if (issue?.code === 'too_big') throw new InputError(`processInstanceId must be at most ${issue.maximum} characters`);
  if (issue) throw new InputError('processInstanceId must be a string');
  return id as string;
}

export function normalizeFormatterInput(input: unknown): { textToFormat: string; locale: string | null; cursorPosition: number | null } {
  const issue = firstIssue(formatterInputSchema, input);
  if (issue) {
    const field = issue.path[0];
    if (field === 'textToFormat') throw new InputError('textToFormat must be a string');
    if (field === 'locale' && issue.code === 'too_big') throw new InputError(`locale must be at most ${issue.maximum} characters, such as "pl-PL"`);
    if (field === 'locale') throw new InputError('locale must be a string such as "pl-PL"');
    if (field === 'cursorPosition') throw new InputError('cursorPosition must be a non-negative integer');
    throw new InputError('a formatter takes { "textToFormat": "…", "locale": "pl-PL", "cursorPosition": 3 }');
  }
  const { textToFormat, locale, cursorPosition } = input as z.infer<typeof formatterInputSchema>;
  return { textToFormat, locale: locale ?? null, cursorPosition: cursorPosition ?? null };
}
