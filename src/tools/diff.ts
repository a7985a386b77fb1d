// Readable differences between an expected and an actual JSON value: one line
// per difference, with the path where it is (`output[0].segment`), then both
// values in full when they are short enough to read.

export interface Difference {
  path: string;
  message: string;
}

const MAX_DIFFERENCES = 12;
const MAX_VALUE = 160;
const MAX_WHOLE = 400;

/** Compact JSON, shortened for messages; `undefined` for a value that is absent. */
export function show(value: unknown, max = MAX_VALUE): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function key(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}${path ? '.' : ''}${name}` : `${path}[${JSON.stringify(name)}]`;
}

/** Deep equality of JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return differences(a, b, '').length === 0;
}

/** The differences, at most MAX_DIFFERENCES of them (the count of the rest is added as one line). */
export function differences(expected: unknown, actual: unknown, path: string): Difference[] {
  const out: Difference[] = [];
  walk(expected, actual, path, out);
  if (out.length > MAX_DIFFERENCES) {
    const rest = out.length - MAX_DIFFERENCES;
    out.length = MAX_DIFFERENCES;
    out.push({ path, message: `… and ${rest} more difference${rest === 1 ? '' : 's'}` });
  }
  return out;
}

function walk(expected: unknown, actual: unknown, path: string, out: Difference[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const shared = Math.min(expected.length, actual.length);
    for (let i = 0; i < shared; i++) walk(expected[i], actual[i], `${path}[${i}]`, out);
    for (let i = shared; i < expected.length; i++) out.push({ path: `${path}[${i}]`, message: `missing: expected ${show(expected[i])}` });
    for (let i = shared; i < actual.length; i++) out.push({ path: `${path}[${i}]`, message: `not expected: got ${show(actual[i])}` });
    if (expected.length !== actual.length) {
      out.push({ path, message: `expected ${expected.length} entr${expected.length === 1 ? 'y' : 'ies'}, got ${actual.length}` });
    }
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    for (const name of Object.keys(expected)) {
      if (!Object.hasOwn(actual, name)) out.push({ path: key(path, name), message: `missing: expected ${show(expected[name])}` });
      else walk(expected[name], actual[name], key(path, name), out);
    }
    for (const name of Object.keys(actual)) {
      if (!Object.hasOwn(expected, name)) out.push({ path: key(path, name), message: `not expected: got ${show(actual[name])}` });
    }
    return;
  }
  if (Object.is(expected, actual) || (expected === 0 && actual === 0)) return;
  const types = typeName(expected) !== typeName(actual) && expected !== undefined && actual !== undefined
    ? ` (expected a ${typeName(expected)}, got a ${typeName(actual)})`
    : '';
  out.push({ path, message: `expected ${show(expected)}, got ${show(actual)}${types}` });
}

/**
 * Lines describing how `actual` differs from `expected` under the name
 * `label`, or [] when they are equal.
 */
export function renderDiff(label: string, expected: unknown, actual: unknown): string[] {
  const found = differences(expected, actual, label);
  if (found.length === 0) return [];
  const lines = found.map((d) => `${d.path || label}: ${d.message}`);
  // a single difference of the whole value already shows both
  if (!(found.length === 1 && found[0]!.path === label)) {
    lines.push(`  expected ${label}: ${show(expected, MAX_WHOLE)}`, `  actual ${label}:   ${show(actual, MAX_WHOLE)}`);
  }
  return lines;
}
