// Small pieces shared by the schemas of scriptcode.yaml and of services.
// Validation runs after `${env:…}`/`${file:…}` references are resolved, so a
// number or boolean may come from the environment as text: it is converted.
import { z } from 'zod';

/** Whole-number text ("16") becomes a number; 'true'/'false' booleans; anything else is left for the schema. */
export function fromText(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

export const positiveInt = () => z.preprocess(fromText, z.number().int().positive());
export const nonNegativeInt = () => z.preprocess(fromText, z.number().int().nonnegative());
export const bool = () => z.preprocess(fromText, z.boolean());

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** How a value is named in an error message, without showing it (it may be a secret). */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}
