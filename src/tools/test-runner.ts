// `scriptcode test`: runs every case of tests/*.test.yaml against the real
// runtime with the network replaced by the case's expected calls. Each case
// gets its own runtime, so nothing (circuit state, cached tokens) carries over
// from one case to the next.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderIssues } from '../app/errors.js';
import { createRuntime, type RuntimeOptions } from '../runtime/runtime.js';
import { createRuntimeLogger } from '../logging/logger.js';
import { checkExpectations } from './expectations.js';
import { invoke, type LogLine } from './invoke.js';
import { deepMerge } from '../app/load-config.js';
import { offlineConfig } from './offline-config.js';
import { startOfflineTokens } from './offline-tokens.js';
import { OfflineTransport } from './offline-transport.js';
import { readTestFile, type TestCase, type TestFile } from './test-file.js';
import { ScriptCodeError } from '../errors.js';

export const TESTS_FOLDER = 'tests';
const TEST_FILE = /\.test\.ya?ml$/;

/** How the report marks passed and failed cases (colour on a terminal; plain by default). */
export interface ReportStyle {
  pass(text: string): string;
  fail(text: string): string;
}

const PLAIN_STYLE: ReportStyle = { pass: (text) => text, fail: (text) => text };

export interface TestRunOptions {
  app: string;
  /** runs only cases whose file, name or script contains this text (any case) */
  filter?: string;
  /** receives the report, one line at a time */
  write: (line: string) => void;
  env?: Readonly<Record<string, string | undefined>>;
  style?: ReportStyle;
}

export interface CaseResult {
  file: string;
  name: string;
  /** 'script', 'validator', 'task' or 'formatter'; absent for a test file that could not be used */
  target?: string;
  script?: string;
  /** the case's line in its file */
  line?: number;
  passed: boolean;
  /** a test file that could not be read or is invalid (no case of it ran) */
  invalidFile?: boolean;
  failures: string[];
  durationMs: number;
}

export interface TestRunSummary {
  passed: number;
  failed: number;
  /** cases that ran (files that could not be read count as one failed entry each) */
  results: CaseResult[];
  /** notes printed before the results (secrets replaced by placeholders) */
  notes: string[];
  durationMs: number;
}

/** Nothing to run: no test files, or nothing matches the filter. */
export class NoTestsError extends ScriptCodeError {
  override readonly name = 'NoTestsError';
  constructor(message: string) {
    super('NO_TESTS', message);
  }
}

export async function listTestFiles(appDir: string): Promise<string[]> {
  try {
    return (await readdir(join(appDir, TESTS_FOLDER))).filter((name) => TEST_FILE.test(name)).sort().map((name) => `${TESTS_FOLDER}/${name}`);
  } catch {
    return [];
  }
}

function matches(testCase: TestCase, filter: string | undefined): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [testCase.file, testCase.name, testCase.script].some((text) => text.toLowerCase().includes(needle));
}

const MAX_LOG_LINES = 20;

async function runCase(appDir: string, testCase: TestCase, overrides: RuntimeOptions['config'], env: TestRunOptions['env']): Promise<string[]> {
  const transport = new OfflineTransport(testCase.calls);
  const runtime = await createRuntime({
    app: appDir,
    watch: false,
    warmIsolates: 0,
    transport,
    env,
    config: overrides,
    logger: createRuntimeLogger({ level: 'silent' }),
  });
  let failures: string[];
  let logs: LogLine[] = [];
  try {
    const result = await invoke(runtime, testCase);
    if (result.type === 'problem') {
      failures = [result.message];
    } else {
      logs = result.logs;
      failures = checkExpectations(testCase, result);
    }
  } finally {
    await runtime.close();
  }
  // unexpected calls first: they usually explain everything else
  failures = [...transport.unexpected, ...transport.missing(), ...failures.filter((line) => !/UNEXPECTED_CALL/.test(line) || transport.unexpected.length === 0)];
  if (failures.length && logs.length) {
    failures.push('script log:', ...logs.slice(0, MAX_LOG_LINES).map((l) => `  [${l.level}] ${l.message}`));
    if (logs.length > MAX_LOG_LINES) failures.push(`  … ${logs.length - MAX_LOG_LINES} more lines`);
  }
  return failures;
}

/** Runs the tests and writes the report; the last line is `N passed, N failed`. */
export async function runTests(options: TestRunOptions): Promise<TestRunSummary> {
  const started = performance.now();
  const appDir = resolve(options.app);
  const env = options.env ?? process.env;
  const write = options.write;
  const notes: string[] = [];
  const names = await listTestFiles(appDir);
  if (names.length === 0) {
    throw new NoTestsError(`no test files in ${join(appDir, TESTS_FOLDER)} (expected tests/<name>.test.yaml; see docs/cli.md, "The test file")`);
  }
  const files: TestFile[] = await Promise.all(names.map((name) => readTestFile(join(appDir, name), name)));
  const selected = files.map((file) => ({ ...file, cases: file.cases.filter((c) => matches(c, options.filter)) }));
  const total = selected.reduce((n, file) => n + file.cases.length + (file.issues.length ? 1 : 0), 0);
  if (total === 0) throw new NoTestsError(`no test case matches '${options.filter}' (the filter is matched against file names, case names and script names)`);

  const offline = await offlineConfig(appDir, env);
  if (offline.placeholders.length) {
    notes.push(`unresolved secrets replaced by placeholders for offline testing: ${offline.placeholders.join(', ')}`);
    write(`note: ${notes[0]}`);
  }
  const tokens = await startOfflineTokens(offline.config);
  const overrides = deepMerge(offline.overrides ?? {}, tokens?.overrides ?? {}) as RuntimeOptions['config'];
  try {
    const style = options.style ?? PLAIN_STYLE;
    const results = await runAll(appDir, selected, overrides, env, write, style);
    const passed = results.filter((r) => r.passed).length;
    const failed = results.length - passed;
    write('');
    const count = `${passed} passed, ${failed} failed`;
    write(failed > 0 ? style.fail(count) : style.pass(count));
    return { passed, failed, results, notes, durationMs: Math.round(performance.now() - started) };
  } finally {
    await tokens?.close();
  }
}

async function runAll(
  appDir: string, selected: TestFile[], overrides: RuntimeOptions['config'], env: TestRunOptions['env'], write: (line: string) => void, style: ReportStyle,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const file of selected) {
    if (file.issues.length) {
      write(style.fail(`✗ ${file.file}: invalid test file`));
      const lines = renderIssues(file.file, file.issues).split('\n');
      for (const line of lines) write(`    ${line}`);
      results.push({ file: file.file, name: '(file)', passed: false, invalidFile: true, failures: lines, durationMs: 0 });
      continue;
    }
    if (file.cases.length === 0) continue;
    write(file.file);
    for (const testCase of file.cases) {
      const started = performance.now();
      const failures = await runCase(appDir, testCase, overrides, env);
      const durationMs = Math.round(performance.now() - started);
      const label = `${testCase.target} ${testCase.script} › ${testCase.name}`;
      if (failures.length === 0) {
        write(`  ${style.pass('✓')} ${label} (${durationMs} ms)`);
      } else {
        write(`  ${style.fail('✗')} ${style.fail(label)}${testCase.line ? ` (${testCase.file}:${testCase.line})` : ''}`);
        for (const line of failures) write(`      ${line}`);
      }
      results.push({
        file: file.file, name: testCase.name, target: testCase.target, script: testCase.script, line: testCase.line,
        passed: failures.length === 0, failures, durationMs,
      });
    }
  }
  return results;
}
