// `scriptcode test`: offline cases against the real api.rest.v1 code path,
// passing and failing ones, the report, and the exit codes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { runTests, type TestRunSummary } from '../../src/tools/test-runner.js';
import { parseTestFile } from '../../src/tools/test-file.js';
import { makeFixture } from './fixture.js';
import { FAILING, PASSING } from './test-cases.js';

let app: TestApp;
let report: string[];
let summary: TestRunSummary;

/** The report lines of one case: its ✓/✗ line and the indented lines under it. */
function caseReport(name: string): string {
  const start = report.findIndex((line) => line.includes(`› ${name}`));
  expect(start, `case '${name}' in the report`).toBeGreaterThanOrEqual(0);
  const lines = [report[start]!];
  for (const line of report.slice(start + 1)) {
    if (!line.startsWith('      ')) break;
    lines.push(line);
  }
  return lines.join('\n');
}

beforeAll(async () => {
  app = await makeFixture({ 'tests/pass.test.yaml': PASSING, 'tests/zfail.test.yaml': FAILING });
  report = [];
  // no secrets in the environment: the bearer token, API key and OAuth2 secret are all unset
  summary = await runTests({ app: app.dir, write: (line) => report.push(line), env: {} });
}, 60_000);

afterAll(() => app?.remove());

describe('scriptcode test: passing cases', () => {
  it('runs every case of every file and ends with the count line', () => {
    expect(report.at(-1)).toBe('19 passed, 9 failed');
    expect(summary).toMatchObject({ passed: 19, failed: 9 });
    expect(report[0]).toBe('note: unresolved secrets replaced by placeholders for offline testing: services.crm.auth.token, services.geo.auth.value, services.idp.auth.clientSecret');
  });

  it.each([
    'finds a customer', 'no rows on 404', 'a read timeout is a RestTimeoutError',
    'the URL placeholder is part of the service URL; repeated query names; the API key is left out',
    'the whole URL path also matches (leading slash)', 'OAuth2 services work offline without the client secret',
    'binary answers, decoded path segments', 'body and headers match; formChanges', 'times answers the same call more than once',
    'retries run as in production (503 with Retry-After, then 200)',
    "an unknown service id is the script's RestRequestError", 'a TypeScript script, types stripped',
    'an error thrown in a .ts script keeps its position', 'validator messages from metadata', 'validator with a call',
    'task completes', 'task BPMN error', 'task failure on a refused connection', 'formatter; a cursor out of range is dropped (null)',
  ])('passes: %s', (name) => {
    expect(caseReport(name)).toMatch(/^ {2}✓ /);
  });
});

describe('scriptcode test: failing cases and their messages', () => {
  it('a wrong expectation shows the path of the difference, both values, and the script log', () => {
    expect(caseReport('wrong expectation')).toBe([
      '  ✗ script customer › wrong expectation (tests/zfail.test.yaml:3)',
      '      output[0].segment: expected "VIP", got "STD"',
      '        expected output: [{"name":"Ada","segment":"VIP"}]',
      '        actual output:   [{"name":"Ada","segment":"STD"}]',
      '      script log:',
      '        [info] found *****',
    ].join('\n'));
  });

  it('an unexpected call names the call and how the nearest expected call differs; the expected one is missing', () => {
    const text = caseReport('unexpected call');
    expect(text).toContain('unexpected call GET crm customers?pesel=2; nearest expected call (line 13) differs: query pesel=2 instead of 1');
    expect(text).toContain('expected call not made: GET crm customers?pesel=1 (line 13)');
  });

  it('an unexpected call fails the case even when the script catches the error it gets (RestRequestError UNEXPECTED_CALL)', () => {
    const text = caseReport('unexpected call the script catches');
    expect(text).toMatch(/✗/);
    expect(text).toContain('unexpected call GET crm surprise');
    // the expected output (what the script made of the error) matched: the call alone failed the case
    expect(text.split('\n')).toHaveLength(2);
  });

  it('an expected call that was not made fails the case', () => {
    expect(caseReport('missing call')).toContain('expected call not made: GET crm blacklist (line 26)');
  });

  it('a broken script fails with its compile error and position', () => {
    expect(caseReport('broken script')).toContain("the script failed: SyntaxError [COMPILE_ERROR]: Unexpected token ']' (scripts/broken.js:2:18)");
  });

  it('an unknown service id fails with the list of declared services', () => {
    expect(caseReport('unknown service id')).toContain("RestRequestError [UNKNOWN_SERVICE]: api.rest.v1: unknown service 'billing'; declared services: crm, geo, idp, flaky");
  });

  it('an expected error that did not happen, a body mismatch, an unknown script', () => {
    expect(caseReport('expected an error that did not happen')).toContain('expected the script to throw RestTimeoutError, but it answered {"output":[{"name":"Eve","segment":"A"}],"formChanges":{}}');
    const task = caseReport('wrong task outcome');
    expect(task).toContain('differs: body {"customer":1} instead of {"customer":2}');
    expect(task).toContain('outcome: expected "complete", got "failure"');
    expect(caseReport('no such script')).toContain("no scriptService named 'ghost'");
  });

  it('the filter selects cases by file, case name or script name', async () => {
    const lines: string[] = [];
    const result = await runTests({ app: app.dir, filter: 'VALIDATOR WITH', write: (line) => lines.push(line), env: {} });
    expect(result).toMatchObject({ passed: 1, failed: 0 });
    expect(lines.at(-1)).toBe('1 passed, 0 failed');
    const byScript = await runTests({ app: app.dir, filter: 'postcode', write: () => {}, env: {} });
    expect(byScript.passed).toBe(2);
  }, 30_000);
});

describe('the test file format', () => {
  it('the full example in docs/cli.md is a valid test file', () => {
    const readme = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    const example = /```yaml\n(# tests\/customer\.test\.yaml\n[\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Tools for script authors')))?.[1];
    expect(example).toBeDefined();
    const parsed = parseTestFile('tests/customer.test.yaml', example!);
    expect(parsed.issues).toEqual([]);
    expect(parsed.cases.map((c) => `${c.target} ${c.script}`)).toEqual(['script customer', 'script customer', 'validator customerId', 'task openCase', 'formatter phone']);
    expect(parsed.cases[0]!.calls[0]).toMatchObject({ service: 'crm', method: 'GET', path: 'customers/100200', query: { lang: 'pl', tag: ['a', 'b'] }, times: 1 });
  });

  it('reports every problem with its line, key and a hint', () => {
    const parsed = parseTestFile('tests/x.test.yaml', `cases:
  - name: a
    script: s
    validator: v
  - name: b
    scirpt: s
  - name: c
    script: s
    variables: { a: 1 }
    calls:
      - { service: crm, metod: GET, response: {} }
      - { service: crm, response: { status: 200 }, error: READ_TIMEOUT }
      - { service: crm, error: TIMEOUT }
`);
    const text = parsed.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`).join('\n');
    expect(text).toContain("6: cases[1].scirpt: unknown key — did you mean 'script'?");
    expect(text).toContain('11: cases[2].calls[0].metod: unknown key — did you mean \'method\'?');
    expect(text).toContain('13: cases[2].calls[2].error: must be one of: CONNECT_TIMEOUT, READ_TIMEOUT');
    expect(parsed.cases).toEqual([]);
    const semantic = parseTestFile('tests/y.test.yaml', `cases:
  - name: a
    script: s
    validator: v
  - name: c
    script: s
    variables: { a: 1 }
    expect: { valid: true }
    calls:
      - { service: crm, response: { status: 200 }, error: READ_TIMEOUT }
  - name: d
`);
    const messages = semantic.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`);
    expect(messages).toEqual([
      '4: cases[0].validator: a case runs one thing: name one of script, validator, task or formatter, not script and validator',
      '7: cases[1].variables: a script case takes input and form, not variables',
      '8: cases[1].expect.valid: not an expectation for a script; expect one of: output, formChanges, error',
      expect.stringMatching(/^10: cases\[1\]\.calls\[0\]: give the answer to this call: either response: \{ status, headers, body \} or error: one of CONNECT_TIMEOUT, READ_TIMEOUT, .*CONNECTION_REFUSED, .*PROTOCOL_ERROR$/),
      "11: cases[2]: names nothing to run: add e.g. 'script: customer' (or validator:, task:, formatter:) to the case or at the top of the file",
    ]);
  });
});

describe('scriptcode test on the command line', () => {
  it('exit 0 when everything passes, 1 when a case fails; the last line counts', async () => {
    const pass = await runCli(['test', '--app', app.dir, 'pass.test']);
    expect(pass.code).toBe(0);
    expect(pass.stdout.trim().split('\n').at(-1)).toBe('19 passed, 0 failed');
    const all = await runCli(['test', '--app', app.dir]);
    expect(all.code).toBe(1);
    expect(all.stdout.trim().split('\n').at(-1)).toBe('19 passed, 9 failed');
    expect(all.stdout).toContain('✗ script customer › wrong expectation');
  }, 60_000);

  it('an invalid test file is a failure with its problems; exit 2 when there is nothing to run', async () => {
    const broken = await makeApp({ 'scriptcode.yaml': '', 'scripts/a.js': 'function callService() { return []; }', 'tests/a.test.yaml': 'cases:\n  - name: x\n    script: a\n    expect: { outptu: [] }\n' });
    try {
      const invalid = await runCli(['test', '--app', broken.dir]);
      expect(invalid.code).toBe(1);
      expect(invalid.stdout).toContain('✗ tests/a.test.yaml: invalid test file');
      expect(invalid.stdout).toContain("cases[0].expect.outptu: unknown key — did you mean 'output'?");
      expect(invalid.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
      const none = await runCli(['test', '--app', app.dir, 'nomatch']);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("no test case matches 'nomatch'");
      const empty = await makeApp({ 'scriptcode.yaml': '', 'scripts/a.js': 'function callService() {}' });
      const noTests = await runCli(['test', '--app', empty.dir]);
      await empty.remove();
      expect(noTests.code).toBe(2);
      expect(noTests.stderr).toContain('no test files in');
    } finally {
      await broken.remove();
    }
  }, 60_000);
});
