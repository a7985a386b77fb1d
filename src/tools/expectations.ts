// Compares what a script did with what its test case expects. Returns the
// failure lines ([] = the case passed). Every listed expectation is compared
// in full (deep-equal), except validator errors and `error:`, where only the
// fields the case gives are compared.
import type { ScriptErrorInfo } from '../sandbox/errors.js';
import { renderDiff, show } from './diff.js';
import { describeError, type InvokeResult } from './invoke.js';
import type { ErrorExpectation, Expectations, TestCase } from './test-file.js';

type Answer = Record<string, unknown>;

function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(value, k)).map((k) => [k, value[k]]));
}

function errorMatches(expected: ErrorExpectation, actual: ScriptErrorInfo): string[] {
  const want = typeof expected === 'string' ? { name: expected } : expected;
  const lines: string[] = [];
  if (want.name !== undefined && want.name !== actual.name) lines.push(`error.name: expected ${show(want.name)}, got ${show(actual.name)}`);
  if (want.code !== undefined && want.code !== actual.code) lines.push(`error.code: expected ${show(want.code)}, got ${show(actual.code)}`);
  if (want.message !== undefined && !actual.message.includes(want.message)) {
    lines.push(`error.message: expected it to contain ${show(want.message)}, got ${show(actual.message, 300)}`);
  }
  if (lines.length) lines.push(`  the script threw ${describeError(actual)}`);
  return lines;
}

function describeAnswer(answer: Answer): string {
  return show(answer, 300);
}

/** Expectation keys compared deep-equal against the answer field of the same name. */
const PLAIN: Record<TestCase['target'], (keyof Expectations)[]> = {
  script: ['output', 'formChanges'],
  validator: ['valid'],
  task: ['outcome', 'variables', 'modelChanges', 'errorCode', 'cause'],
  formatter: ['formattedText', 'cursorPosition'],
};

function compareAnswer(testCase: TestCase, answer: Answer): string[] {
  const expect = testCase.expect;
  const lines: string[] = [];
  for (const key of PLAIN[testCase.target]) {
    const wanted = expect[key];
    if (wanted === undefined) continue;
    // an absent field (a formatter's dropped cursor, say) is written as null
    const actual = answer[key] === undefined && wanted === null ? null : answer[key];
    lines.push(...renderDiff(key, wanted, actual));
  }
  if (testCase.target === 'validator' && expect.errors !== undefined) {
    const actual = Array.isArray(answer.errors) ? (answer.errors as Answer[]) : [];
    const wanted = expect.errors.map((e) => (typeof e === 'string' ? { key: e } : e));
    // each actual error is compared on the fields its expected counterpart lists
    const projected = actual.map((error, i) => pick(error, Object.keys(wanted[i] ?? { key: 1, message: 1, parameters: 1 })));
    lines.push(...renderDiff('errors', wanted, projected));
  }
  return lines;
}

/** The failure lines of a case, given how the script ended. */
export function checkExpectations(testCase: TestCase, result: Exclude<InvokeResult, { type: 'problem' }>): string[] {
  const expected = testCase.expect.error;
  // a task's uncaught error is a failure outcome that carries the error
  const thrown = result.type === 'failure' ? result.error
    : testCase.target === 'task' && result.answer.error ? (result.answer.error as ScriptErrorInfo) : undefined;

  if (result.type === 'failure') {
    if (expected === undefined) return [`the script failed: ${describeError(result.error)}`];
    return errorMatches(expected, result.error);
  }
  const lines: string[] = [];
  if (expected !== undefined) {
    if (!thrown) return [`expected the script to throw ${typeof expected === 'string' ? expected : show(expected)}, but it answered ${describeAnswer(result.answer)}`];
    lines.push(...errorMatches(expected, thrown));
  }
  lines.push(...compareAnswer(testCase, result.answer));
  if (thrown && expected === undefined && testCase.expect.outcome === undefined) {
    lines.push(`the task failed with an uncaught error: ${describeError(thrown)}`);
  }
  return lines;
}
