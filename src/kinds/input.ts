// Validation and normalisation of what callers send, per kind (SPEC §3).
import { findTooDeep, MAX_NESTING_DEPTH } from '../sandbox/limits.js';
import { InputError } from './errors.js';

export type InputMap = Record<string, (string | null)[]>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toParameterValue(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new InputError(`${where} must be a string (or a number/boolean, taken as text); got ${Array.isArray(value) ? 'a list' : 'an object'}`);
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

/** Parameters are lists of strings; a plain value becomes a one-element list. */
export function normalizeInput(input: unknown): InputMap {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) throw new InputError('input must be an object of parameter name → value or list of values, e.g. {"pesel": ["44051401458"]}');
  const out: InputMap = {};
  for (const [name, value] of Object.entries(input)) {
    out[name] = Array.isArray(value)
      ? value.map((v, i) => toParameterValue(v, `input.${name}[${i}]`))
      : [toParameterValue(value, `input.${name}`)];
  }
  return out;
}

export interface FormComponentState {
  value?: unknown;
  visible?: boolean;
  data?: Record<string, unknown>;
}

/** Form state: `{ componentId: { value?, visible?, data? } }`. */
export function normalizeForm(form: unknown): Record<string, FormComponentState> | undefined {
  if (form === undefined || form === null) return undefined;
  if (!isPlainObject(form)) throw new InputError('form must be an object of component id → { value, visible, data }');
  for (const [id, state] of Object.entries(form)) {
    if (!isPlainObject(state)) throw new InputError(`form.${id} must be an object like { "value": "…", "visible": true, "data": {} }`);
    if (state.visible !== undefined && typeof state.visible !== 'boolean') throw new InputError(`form.${id}.visible must be true or false`);
    if (state.data !== undefined && !isPlainObject(state.data)) throw new InputError(`form.${id}.data must be an object of attribute → value`);
  }
  checkNesting(form, 'form');
  return form as Record<string, FormComponentState>;
}

export function normalizeVariables(variables: unknown): Record<string, unknown> {
  if (variables === undefined || variables === null) return {};
  if (!isPlainObject(variables)) throw new InputError('variables must be an object of process variable name → value');
  checkNesting(variables, 'variables');
  return variables;
}

export function normalizeFormatterInput(input: unknown): { textToFormat: string; locale: string | null; cursorPosition: number | null } {
  if (!isPlainObject(input)) throw new InputError('a formatter takes { "textToFormat": "…", "locale": "pl-PL", "cursorPosition": 3 }');
  const { textToFormat, locale, cursorPosition } = input;
  if (typeof textToFormat !== 'string') throw new InputError('textToFormat must be a string');
  if (locale !== undefined && locale !== null && typeof locale !== 'string') throw new InputError('locale must be a string such as "pl-PL"');
  if (cursorPosition !== undefined && cursorPosition !== null && !(Number.isInteger(cursorPosition) && (cursorPosition as number) >= 0)) {
    throw new InputError('cursorPosition must be a non-negative integer');
  }
  return { textToFormat, locale: (locale as string | undefined) ?? null, cursorPosition: (cursorPosition as number | undefined) ?? null };
}
