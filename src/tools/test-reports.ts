// Machine-readable results of `scriptcode test` (`--reporter junit|json`):
// JUnit XML, which CI systems (Jenkins, GitLab, GitHub Actions test reporters,
// Azure DevOps) read, and a JSON document for anything else.
import type { CaseResult, TestRunSummary } from './test-runner.js';

export const REPORTERS = ['text', 'junit', 'json'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** `scriptcode test --reporter json`: one document, stable keys. */
export interface JsonReport {
  passed: number;
  failed: number;
  total: number;
  durationMs: number;
  notes: string[];
  cases: {
    file: string;
    name: string;
    target?: string;
    script?: string;
    line?: number;
    status: 'passed' | 'failed' | 'invalid-file';
    durationMs: number;
    failures: string[];
  }[];
}

export function jsonReport(summary: TestRunSummary): JsonReport {
  return {
    passed: summary.passed,
    failed: summary.failed,
    total: summary.results.length,
    durationMs: summary.durationMs,
    notes: summary.notes,
    cases: summary.results.map((r) => ({
      file: r.file,
      name: r.name,
      ...(r.target !== undefined && { target: r.target }),
      ...(r.script !== undefined && { script: r.script }),
      ...(r.line !== undefined && { line: r.line }),
      status: r.invalidFile ? 'invalid-file' : r.passed ? 'passed' : 'failed',
      durationMs: r.durationMs,
      failures: r.failures,
    })),
  };
}

// XML 1.0 allows tab, LF, CR and the ranges below; anything else (a control
// character in a script's output, say) is left out rather than making the file unreadable.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

function testCase(result: CaseResult): string {
  const name = result.target ? `${result.target} ${result.script} › ${result.name}` : result.name;
  const open = `    <testcase${attributes({ name, classname: result.file, file: result.file, line: result.line, time: seconds(result.durationMs) })}`;
  if (result.passed) return `${open}/>`;
  const element = result.invalidFile ? 'error' : 'failure';
  const message = result.failures[0] ?? 'failed';
  return `${open}>\n      <${element}${attributes({ message, type: result.invalidFile ? 'InvalidTestFile' : 'ExpectationFailed' })}>` +
    `${escapeXml(result.failures.join('\n'))}</${element}>\n    </testcase>`;
}

/** JUnit XML: one <testsuite> per test file, one <testcase> per case; an invalid file is one <error>. */
export function junitReport(summary: TestRunSummary, suiteName = 'scriptcode test'): string {
  const files = new Map<string, CaseResult[]>();
  for (const result of summary.results) {
    const list = files.get(result.file) ?? [];
    list.push(result);
    files.set(result.file, list);
  }
  const errors = summary.results.filter((r) => r.invalidFile).length;
  const suites = [...files].map(([file, results]) => {
    const fileErrors = results.filter((r) => r.invalidFile).length;
    const fileFailures = results.filter((r) => !r.passed && !r.invalidFile).length;
    const time = results.reduce((ms, r) => ms + r.durationMs, 0);
    return `  <testsuite${attributes({ name: file, tests: results.length, failures: fileFailures, errors: fileErrors, skipped: 0, time: seconds(time) })}>\n` +
      `${results.map(testCase).join('\n')}\n  </testsuite>`;
  });
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attributes({ name: suiteName, tests: summary.results.length, failures: summary.failed - errors, errors, time: seconds(summary.durationMs) })}>\n` +
    `${suites.join('\n')}${suites.length ? '\n' : ''}</testsuites>\n`;
}
