// Shared by scriptcode.yaml and the per-script metadata files: YAML parsing that
// keeps positions, and zod issues rewritten into `path: message` entries that
// point at the line of the offending key. Nothing here ever quotes a value.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';

export type KeyPath = readonly PropertyKey[];

export interface Position {
  line: number;
  column: number;
}

export type ParsedYaml =
  | { ok: true; data: unknown; locate: (path: KeyPath) => Position | undefined }
  | { ok: false; issues: ConfigIssue[] };

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form appends the source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    // Only the first: the parser's recovery from one mistake produces a cascade
    // of follow-up errors (one unquoted `${…}` in a `{ … }` gave dozens) that
    // point at correct text and hide the one that matters.
    const error = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const reference = unquotedFlowReference(text, line);
    if (reference) {
      return {
        ok: false,
        issues: [{
          path: '',
          message: `YAML syntax error: ${reference.text} is not quoted inside { … } or [ … ], where YAML reads its braces as ` +
            `a mapping; quote it: "${reference.text}"`,
          line: reference.line,
          column: reference.column,
        }],
      };
    }
    return { ok: false, issues: [{ path: '', message: `YAML syntax error: ${error.message}`, line, column: col }] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // alias bombs and similar: the yaml message names no value
    return { ok: false, issues: [{ path: '', message: `YAML error: ${(error as Error).message}` }] };
  }
  return { ok: true, data, locate: (path) => locate(doc, lineCounter, path) };
}

/**
 * The first unquoted `${env:…}` / `${file:…}` inside a flow collection
 * (`headers: { Authorization: ${env:TOKEN} }`, also over several lines):
 * valid YAML as a block value, a syntax error in flow context, where `{`
 * opens a mapping. Only when it comes before the error (the error it causes
 * is at or after it). The reference is a name, never a value: it may be shown.
 */
function unquotedFlowReference(text: string, errorLine: number): { text: string; line: number; column: number } | undefined {
  let depth = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length && n < errorLine; n++) {
    const line = lines[n]!;
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break; // a comment
      if (c === '"' || c === "'") quote = c;
      else if (c === '{' || c === '[') {
        if (c === '{' && line[i - 1] === '$') continue;
        depth++;
      } else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
      else if (c === '$' && line[i + 1] === '{' && depth > 0) {
        const match = /^\$\{(?:env|file):[^}\s,]*\}?/.exec(line.slice(i));
        if (match) return { text: match[0].endsWith('}') ? match[0] : `${match[0]}}`, line: n + 1, column: i + 1 };
      }
    }
  }
  return undefined;
}

function locate(doc: Document, lineCounter: LineCounter, path: KeyPath): Position | undefined {
  // Prefer the key's own position: for a missing or unknown child the parent's key is what to look at.
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const key = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      const node = pair && isScalar(pair.key) ? pair.key : undefined;
      if (node?.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    } else {
      const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
  }
  return undefined;
}

/** `services.crm.auth`, `scriptservice.api[0].url`, `services["my.svc"]` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) out += `${out ? '.' : ''}${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

type ZodIssue = z.core.$ZodIssue;

function describeType(input: unknown): string {
  if (input === null) return 'null (an empty value)';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return 'text';
  return `a ${typeof input}`;
}

const EXPECTED_NAMES: Record<string, string> = {
  object: 'a mapping (key: value pairs)',
  record: 'a mapping (key: value pairs)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function bound(issue: { minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean; origin: string }, small: boolean): string {
  const value = small ? issue.minimum : issue.maximum;
  if (issue.origin === 'string') return `must be ${small ? 'at least' : 'at most'} ${value} characters long`;
  if (issue.origin === 'array') return `must have ${small ? 'at least' : 'at most'} ${value} entries`;
  if (small && value === 0 && issue.inclusive === false) return 'must be greater than 0';
  if (small && value === 0) return 'must not be negative';
  return `must be ${small ? 'at least' : 'at most'} ${issue.inclusive === false ? (small ? `more than ${value}` : `less than ${value}`) : value}`;
}

/** Nearest candidate by edit distance, for "did you mean" hints on typos. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export interface IssueContext {
  locate?: (path: KeyPath) => Position | undefined;
  /** allowed keys of the object at a path (for unknown-key messages) */
  allowedKeys?: (path: KeyPath) => readonly string[] | undefined;
}

/** Turns zod issues into readable entries. Parse with `reportInput: true` so types of wrong values can be named. */
export function zodIssues(issues: readonly ZodIssue[], context: IssueContext = {}): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: KeyPath, message: string) => out.push({ path: formatPath(path), message, ...context.locate?.(path) });
  for (const issue of issues) {
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = context.allowedKeys?.(issue.path) ?? [];
        for (const key of issue.keys) {
          const suggestion = closest(key, allowed);
          const list = allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '';
          push([...issue.path, key], `unknown key${suggestion ? ` — did you mean '${suggestion}'?` : ''}${list}`);
        }
        break;
      }
      case 'invalid_type': {
        const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
        if (issue.input === undefined) push(issue.path, `is required (${expected})`);
        else if (issue.expected === 'int' && typeof issue.input === 'number') push(issue.path, 'must be a whole number');
        else push(issue.path, `must be ${expected}, got ${describeType(issue.input)}`);
        break;
      }
      case 'invalid_value':
        push(issue.path, `must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of: ${issue.values.map(String).join(', ')}`}`);
        break;
      case 'too_small':
        push(issue.path, bound(issue, true));
        break;
      case 'too_big':
        push(issue.path, bound(issue, false));
        break;
      default:
        // custom messages are ours; zod's own messages name expectations, not the input
        push(issue.path, issue.message.replace(/^Invalid input: /, ''));
    }
  }
  return out;
}
