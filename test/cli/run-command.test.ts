// `scriptcode run` (SPEC §8): JSON on stdout, exit 0 / 1 / 2.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';

let app: TestApp;

beforeAll(async () => {
  app = await makeApp({
    'scriptcode.yaml': 'logging:\n  sensitive: mask\n',
    'scripts/hello.js': 'function callService(ctx) { Logger.info("hi {}", ctx.getFirstParameter("name")); return [{ hi: ctx.getFirstParameter("name"), form: ctx.getValue("f") }]; }',
    'scripts/platform.js': `function callService(context) {
      var names = context.getParameters('names');
      var it = names.iterator();
      var count = 0;
      while (it.hasNext()) { it.next(); count++; }
      var row = { names: '' + names, count: count, title: context.getFirstParameter('title', 'untitled') };
      if (context.isVisible('amount') == "true") row.amount = '' + context.getValue('amount');
      row.greeting = context.callService('hello', { name: 'Ada' }).get(0).get('hi');
      row.errors = context.validate('v', { x: '' }).size();
      return [row];
    }`,
    'scripts/boom.js': 'function callService() {\n  throw new Error("boom");\n}',
    'validators/v.js': 'function callService(ctx) { return ctx.getFirstParameter("x") ? [] : [{ key: "x.missing" }]; }',
    'tasks/t.js': 'function callService(ctx) { ctx.handleFailure("no " + ctx.getVariable("a") + " in " + ctx.getProcessInstanceId()); }',
    // a cold child process on a busy machine: the 50 ms default is not what this test is about
    'formatters/up.yaml': 'limits: { cpuMs: 5000, wallMs: 10000 }\n',
    'formatters/up.js': 'function formatText(i) { return { formattedText: i.textToFormat.toUpperCase(), cursorPosition: i.cursorPosition }; }',
  });
}, 30_000);

afterAll(() => app?.remove());

describe('scriptcode run', () => {
  it('runs a script with --input and --form and prints the answer; --trace adds logs', async () => {
    const r = await runCli(['run', 'script', 'hello', '--app', app.dir, '--input', '{"name":"Ada"}', '--form', '{"f":{"value":3}}', '--trace']);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.output).toEqual([{ hi: 'Ada', form: 3 }]);
    expect(out.logs).toEqual([expect.objectContaining({ level: 'info', message: 'hi *****' })]);
    expect(r.stdout).not.toContain('Ada"}'); // the input itself is not echoed
  }, 30_000);

  it('reads --input from a file with @', async () => {
    const file = join(app.dir, 'input.json');
    await writeFile(file, '{"name": ["Grace"]}');
    const r = await runCli(['run', 'script', 'hello', '--input', `@${file}`], { cwd: app.dir });
    expect(r.code).toBe(0);
    expect(r.json().output).toEqual([{ hi: 'Grace', form: null }]);
  }, 30_000);

  it('runs a script written for the reference platform: Java list text and iterator, getFirstParameter default for [""], isVisible == "true", context.callService and context.validate', async () => {
    const r = await runCli(['run', 'script', 'platform', '--app', app.dir, '--input', '{"names":["a","b"],"title":[""]}',
      '--form', '{"amount":{"value":{"net":10,"tags":["x"]},"visible":true}}']);
    expect(r.code).toBe(0);
    expect(r.json().output).toEqual([{ names: '[a, b]', count: 2, title: 'untitled', amount: '{net=10, tags=[x]}', greeting: 'Ada', errors: 1 }]);
  }, 30_000);

  it('exit 1 with { error } when the script fails', async () => {
    const r = await runCli(['run', 'script', 'boom', '--app', app.dir]);
    expect(r.code).toBe(1);
    expect(r.json().error).toEqual({ name: 'Error', message: 'boom', line: 2, column: 9 });
  }, 30_000);

  it('validators, tasks (a failure outcome is exit 0) and formatters', async () => {
    const v = await runCli(['run', 'validator', 'v', '--app', app.dir]);
    expect(v.code).toBe(0);
    expect(v.json()).toMatchObject({ valid: false, errors: [{ key: 'x.missing', message: 'x.missing', parameters: [] }] });
    const t = await runCli(['run', 'task', 't', '--app', app.dir, '--input', '{"a":"money"}', '--process-instance-id', 'p9']);
    expect(t.code).toBe(0);
    expect(t.json()).toMatchObject({ outcome: 'failure', cause: 'no money in p9' });
    const f = await runCli(['run', 'formatter', 'up', '--app', app.dir, '--input', '{"textToFormat":"ab","cursorPosition":1}']);
    expect(f.code).toBe(0);
    expect(f.json()).toMatchObject({ formattedText: 'AB', cursorPosition: 1 });
  }, 60_000);

  it('exit 2 for usage errors, with a message that says what to do', async () => {
    const badKind = await runCli(['run', 'widget', 'x', '--app', app.dir]);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain("unknown kind 'widget'");
    const badJson = await runCli(['run', 'script', 'hello', '--app', app.dir, '--input', '{name:']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--input is not valid JSON');
    const missing = await runCli(['run', 'script', 'ghost', '--app', app.dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('scripts/ghost.js');
    const noArgs = await runCli(['run']);
    expect(noArgs.code).toBe(2);
    expect(noArgs.stderr).toContain("missing required argument 'kind'");
  }, 60_000);

  it('exit 2 for a broken configuration', async () => {
    const broken = await makeApp({ 'scriptcode.yaml': 'limits:\n  scriptService:\n    cpuMs: -5\n', 'scripts/a.js': 'function callService() {}' });
    try {
      const r = await runCli(['run', 'script', 'a', '--app', broken.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('limits.scriptService.cpuMs');
    } finally {
      await broken.remove();
    }
  }, 30_000);
});
