// Issue 13, "a newcomer's first hour", through the command line itself (in
// this process: main() with stdout, stderr and process.exit captured): a
// folder that is not an application, a YAML mistake, a secret that is not
// set, colour, and the machine-readable test reports.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { cliInProcess as cli } from '../helpers/cli-in-process.js';

const ESC = '\x1b[';
let app: TestApp;
let empty: TestApp;

beforeAll(async () => {
  app = await makeApp({
    'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    auth: { type: bearer, token: "${env:NEWCOMER_CRM_TOKEN}" }\n',
    'scripts/hello.js': 'function callService(context) { return [{ hi: context.getFirstParameter("name") }]; }\n',
    'scripts/crm.js': "function callService() { return [api.rest.v1.get('crm', { path: 'customers' }).body]; }\n",
    'tests/hello.test.yaml': [
      'script: hello',
      'cases:',
      '  - name: greets Ada',
      '    input: { name: Ada }',
      '    expect: { output: [{ hi: Ada }] }',
      '  - name: "a <wrong> & \\"quoted\\" expectation"',
      '    input: { name: Bob }',
      '    expect: { output: [{ hi: Ada }] }',
      '',
    ].join('\n'),
  });
  empty = await makeApp({ 'notes.txt': 'not an application' });
});

afterAll(async () => {
  await app?.remove();
  await empty?.remove();
});

describe('outside an application', () => {
  it('check, run, test and record say there is no scriptcode.yaml and exit 2 (check used to say "ok")', async () => {
    const expected = `scriptcode: no scriptcode.yaml in ${empty.dir}: run scriptcode in an application folder or pass --app DIR (create one with: scriptcode init my-app)\n`;
    for (const args of [['check'], ['run', 'script', 'hello'], ['test'], ['record', 'script', 'hello']]) {
      const r = await cli(args, { cwd: empty.dir });
      expect(r, args[0]).toEqual({ code: 2, stdout: '', stderr: expected });
    }
    const missing = await cli(['check', '--app', join(empty.dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no such folder: ${join(empty.dir, 'nope')}`);
  });
});

describe('configuration mistakes', () => {
  it('an unquoted ${env:…} in { … }: one error with its line and column and how to quote it, from check and from run', async () => {
    const broken = await makeApp({
      'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    headers: { Authorization: ${env:CRM_TOKEN} }\n    retry: { attempts: 2 }\n',
      'scripts/a.js': 'function callService() { return []; }\n',
    });
    try {
      const check = await cli(['check', '--app', broken.dir, '--no-types']);
      expect(check.code).toBe(1);
      const errors = check.stdout.split('\n').filter((line) => line.includes(': error: '));
      expect(errors).toEqual([
        'scriptcode.yaml:4:31: error: YAML syntax error: ${env:CRM_TOKEN} is not quoted inside { … } or [ … ], where YAML reads its braces as a mapping; quote it: "${env:CRM_TOKEN}"',
      ]);
      const run = await cli(['run', 'script', 'a', '--app', broken.dir]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([
        `scriptcode: invalid configuration in ${join(broken.dir, 'scriptcode.yaml')} (1 problem):`,
        'scriptcode.yaml: line 4, column 31: YAML syntax error: ${env:CRM_TOKEN} is not quoted inside { … } or [ … ], where YAML reads its braces as a mapping; quote it: "${env:CRM_TOKEN}"',
        expect.stringMatching(/^Hint: .*docs\/configuration\.md, "Secret references"\.$/),
      ]);
    } finally {
      await broken.remove();
    }
  });

  it('run: a secret of a service the script does not call is not needed; calling it fails with the start-up message (exit 1)', async () => {
    const env = { NEWCOMER_CRM_TOKEN: undefined };
    const hello = await cli(['run', 'script', 'hello', '--app', app.dir, '--input', '{"name":"Ada"}'], { env });
    expect(hello.code).toBe(0);
    expect(JSON.parse(hello.stdout).output).toEqual([{ hi: 'Ada' }]);
    const crm = await cli(['run', 'script', 'crm', '--app', app.dir], { env });
    expect(crm.code).toBe(1);
    const error = JSON.parse(crm.stdout).error;
    expect(error).toMatchObject({ name: 'RestRequestError', code: 'SECRET_UNAVAILABLE', serviceId: 'crm' });
    expect(error.message).toContain('services.crm.auth.token: cannot resolve ${env:NEWCOMER_CRM_TOKEN}: environment variable NEWCOMER_CRM_TOKEN is not set (line 4, column 27)');
  });
});

describe('scriptcode test: colour and reporters', () => {
  it('colour only on a terminal, and never with NO_COLOR', async () => {
    const tty = await cli(['test', '--app', app.dir], { tty: true, env: { NO_COLOR: undefined } });
    expect(tty.code).toBe(1);
    expect(tty.stdout).toContain(`${ESC}32m✓${ESC}39m script hello › greets Ada`);
    expect(tty.stdout).toContain(`${ESC}31m✗${ESC}39m ${ESC}31mscript hello › a <wrong>`);
    expect(tty.stdout).toContain(`${ESC}31m1 passed, 1 failed${ESC}39m`);
    const noColor = await cli(['test', '--app', app.dir], { tty: true, env: { NO_COLOR: '1' } });
    const piped = await cli(['test', '--app', app.dir], { env: { NO_COLOR: undefined } });
    for (const r of [noColor, piped]) {
      expect(r.stdout).not.toContain('\x1b');
      expect(r.stdout).toContain('  ✓ script hello › greets Ada');
      expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
    }
    const check = await cli(['check', '--app', app.dir, '--no-types'], { tty: true, env: { NO_COLOR: undefined, NEWCOMER_CRM_TOKEN: 't-123456' } });
    expect(check.stdout).toBe(`${ESC}32mok${ESC}39m: 2 scripts and 1 test file checked, no problems found\n`);
  });

  it('--reporter junit: JUnit XML alone on stdout, one testcase per case, failures with their message', async () => {
    const r = await cli(['test', '--app', app.dir, '--reporter', 'junit']);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
    expect(xml.testsuites).toMatchObject({ name: 'scriptcode test', tests: '2', failures: '1', errors: '0' });
    const suite = xml.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'tests/hello.test.yaml', tests: '2', failures: '1' });
    expect(suite.testcase[0]).toMatchObject({ name: 'script hello › greets Ada', classname: 'tests/hello.test.yaml', line: '3' });
    expect(suite.testcase[0].failure).toBeUndefined();
    expect(suite.testcase[1]).toMatchObject({ name: 'script hello › a <wrong> & "quoted" expectation', line: '6' });
    expect(suite.testcase[1].failure).toMatchObject({ type: 'ExpectationFailed', message: expect.stringContaining('output[0].hi: expected "Ada", got "Bob"') });
    expect(suite.testcase[1].failure['#text']).toContain('expected output:');
  });

  it('--reporter json --output FILE: the text report on stdout, the JSON in the file', async () => {
    const file = join(app.dir, 'results.json');
    const r = await cli(['test', '--app', app.dir, '--reporter', 'json', '--output', file], { env: { NEWCOMER_CRM_TOKEN: undefined } });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
    const report = JSON.parse(await readFile(file, 'utf8'));
    expect(report).toMatchObject({ passed: 1, failed: 1, total: 2, notes: ['unresolved secrets replaced by placeholders for offline testing: services.crm.auth.token'] });
    expect(report.cases).toEqual([
      { file: 'tests/hello.test.yaml', name: 'greets Ada', target: 'script', script: 'hello', line: 3, status: 'passed', durationMs: expect.any(Number), failures: [] },
      expect.objectContaining({ name: 'a <wrong> & "quoted" expectation', status: 'failed', failures: expect.arrayContaining([expect.stringContaining('output[0].hi')]) }),
    ]);
    // usage mistakes
    expect((await cli(['test', '--app', app.dir, '--output', file])).stderr).toContain('--output needs --reporter junit or --reporter json');
    expect((await cli(['test', '--app', app.dir, '--watch', '--reporter', 'junit'])).code).toBe(2);
    expect((await cli(['test', '--app', app.dir, '--reporter', 'tap'])).code).toBe(2);
  });
});
