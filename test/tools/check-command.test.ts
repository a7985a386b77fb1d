// `scriptcode check`: every kind of finding with its file:line:column, and the
// exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { check, type CheckReport } from '../../src/tools/checker.js';
import { renderFinding } from '../../src/tools/findings.js';
import { FIXTURE_CONFIG, makeFixture } from './fixture.js';

const PROBLEMS: Record<string, string> = {
  'scripts/noentry.js': 'function handle(context) { return []; }\n',
  'scripts/services.js': `var rest = api.rest.v1;
function callService() {
  api.rest.v1.get('crmm');
  rest.request({ method: 'GET', serviceId: 'gel' });
  var id = 'computed';
  api.rest.v1.get(id);
  return [];
}
`,
  'scripts/types.js': `/** @param {ScriptCode.ScriptContext} context */
function callService(context) {
  var p = context.getFirstParamter('x');
  api.rest.v1.get('crm', { pth: 'x' });
  var legacy = 010;
  with (Math) { legacy = max(1, 2); }
  return [];
}
`,
  'scripts/nocheck.js': '// @ts-nocheck\nfunction callService(context) { return undefinedThing; }\n',
  'scripts/typed.ts': 'function callService(context: ScriptCode.ScriptContext): ScriptCode.Rows {\n  const n: number = context.getInputParameters().size();\n  const s: number = context.getFirstParameter("a");\n  return [];\n}\n',
  'scripts/syntax.ts': 'function callService(context: any {\n  return [];\n}\n',
  'scripts/enum.ts': 'enum E { A }\nfunction callService(): any[] { return [{ e: E.A }]; }\n',
  'scripts/dup.js': 'function callService() { return []; }\n',
  'scripts/dup.ts': 'function callService(): any[] { return []; }\n',
  'formatters/noentry.js': 'function callService(input) { return input; }\n',
  'validators/pesel.yaml': 'mesages: {}\n',
  'tests/t.test.yaml': 'cases:\n  - name: a\n    script: nope\n  - name: b\n    script: customer\n    calls:\n      - { service: billing, response: {} }\n',
  'tests/bad.test.yaml': 'cases:\n  - name: x\n    script: customer\n    expect: { outptu: [] }\n',
};

let app: TestApp;
let report: CheckReport;
let lines: string[];

beforeAll(async () => {
  app = await makeFixture(PROBLEMS);
  report = await check({ app: app.dir, env: {} });
  lines = report.findings.map(renderFinding);
}, 60_000);

afterAll(() => app?.remove());

describe('scriptcode check: findings', () => {
  it('secrets that do not resolve, at their line in scriptcode.yaml', () => {
    expect(lines).toContain('scriptcode.yaml:5:27: error: services.crm.auth.token: cannot resolve ${env:TOOLS_FIXTURE_CRM_TOKEN}: environment variable TOOLS_FIXTURE_CRM_TOKEN is not set');
    expect(lines).toContain('scriptcode.yaml:15:7: error: services.idp.auth.clientSecret: cannot resolve ${env:TOOLS_FIXTURE_OAUTH_SECRET}: environment variable TOOLS_FIXTURE_OAUTH_SECRET is not set');
  });

  it('compile errors with the position V8 reports at run time', () => {
    expect(lines).toContain("scripts/broken.js:2:18: error: SyntaxError: Unexpected token ']'");
  });

  it('a missing entry point, per kind', () => {
    expect(lines).toContain('scripts/noentry.js:1:1: error: no entry point: a scriptService must define function callService(context) { … } at its top level');
    expect(lines).toContain('formatters/noentry.js:1:1: error: no entry point: a formatter must define function formatText(input) { … } at its top level');
  });

  it('unknown literal service ids in get/post/…, request({ serviceId }) and through an alias, with a suggestion; computed ids are skipped', () => {
    expect(lines).toContain('scripts/billing.js:2:27: error: unknown service id \'billing\' (declared services: crm, geo, idp, flaky)');
    expect(lines).toContain("scripts/services.js:3:19: error: unknown service id 'crmm' — did you mean 'crm'? (declared services: crm, geo, idp, flaky)");
    expect(lines).toContain("scripts/services.js:4:44: error: unknown service id 'gel' — did you mean 'geo'? (declared services: crm, geo, idp, flaky)");
    expect(lines.filter((l) => l.startsWith('scripts/services.js'))).toHaveLength(2);
  });

  it('type errors against the shipped typings, in .js (checkJs) and .ts; sloppy-mode syntax V8 accepts is not an error', () => {
    expect(lines).toContain("scripts/types.js:3:19: error: Property 'getFirstParamter' does not exist on type 'ScriptContext'. Did you mean 'getFirstParameter'? (TS2551)");
    expect(lines).toContain("scripts/types.js:4:28: error: Object literal may only specify known properties, but 'pth' does not exist in type 'RestParams'. Did you mean to write 'path'? (TS2561)");
    expect(lines.filter((l) => l.startsWith('scripts/types.js'))).toHaveLength(2); // not the octal literal nor `with`
    expect(lines).toContain("scripts/typed.ts:3:9: error: Type 'string' is not assignable to type 'number'. (TS2322)");
    expect(lines.filter((l) => l.startsWith('scripts/typed.ts'))).toHaveLength(1); // JavaMap.size() is typed
    expect(lines.some((l) => l.startsWith('scripts/nocheck.js'))).toBe(false);
  });

  it('TypeScript syntax errors (the first one), non-erasable TypeScript and shadowed .ts files', () => {
    expect(lines).toContain("scripts/syntax.ts:1:35: error: ',' expected. (TS1005)");
    expect(lines.filter((l) => l.startsWith('scripts/syntax.ts'))).toHaveLength(1);
    expect(lines).toContain('scripts/enum.ts:1:1: warning: an enum is not plain type syntax: the script is compiled with the TypeScript compiler instead, so error positions in it may be off; use erasable TypeScript (types, interfaces, `as`) to keep them exact');
    expect(lines).toContain('scripts/dup.ts: warning: ignored: scripts/dup.js has the same name and wins');
  });

  it('metadata and test files: invalid keys, unknown scripts, unknown services', () => {
    expect(lines).toContain("validators/pesel.yaml:1:1: error: mesages: unknown key — did you mean 'messages'? (allowed here: description, inputs, outputs, messages, limits)");
    expect(lines).toContain("tests/t.test.yaml:2: error: case 'a': there is no script named 'nope'");
    expect(lines).toContain("tests/t.test.yaml:7: error: unknown service id 'billing' (declared services: crm, geo, idp, flaky)");
    expect(lines).toContain("tests/bad.test.yaml:4:15: error: cases[0].expect.outptu: unknown key — did you mean 'output'? (allowed here: output, formChanges, valid, errors, outcome, variables, modelChanges, errorCode, cause, formattedText, cursorPosition, error)");
  });

  it('nothing else is reported: the clean scripts of the fixture pass', () => {
    const files = new Set(report.findings.map((f) => f.file));
    for (const clean of ['scripts/customer.js', 'scripts/postcode.js', 'scripts/me.js', 'scripts/file.js', 'scripts/note.js', 'validators/pesel.js', 'tasks/open.js', 'formatters/upper.js', 'scripts/nocheck.js']) {
      expect(files.has(clean), clean).toBe(false);
    }
    expect(report).toMatchObject({ errors: lines.filter((l) => l.includes(': error: ')).length, warnings: 2, testFiles: 2 });
  });
});

describe('scriptcode check: reference-platform scripts', () => {
  it('accepts an ES5 script using the Java-style collections, isVisible as text and getFirstParameter with a default', async () => {
    const platform = await makeApp({
      'scripts/repeatable.js': `/** @param {ScriptCode.ScriptContext} context */
function callService(context) {
  var rows = context.getParameters('inputFromRepeatableSection').toArray();
  var input = context.getInputParameters();
  var it = input.entrySet().iterator();
  var seen = '';
  while (it.hasNext()) {
    var entry = it.next();
    seen = seen + entry.getKey() + '=' + entry.getValue().size() + ';';
  }
  var keys = input.keySet();
  var result = [];
  for (var i = 0; i < rows.length; i++) result.push({ row: rows[i], keys: '' + keys });
  if (context.isVisible('total') == "true" && !input.isEmpty() && keys.contains('x') && input.containsValue(['1'])) {
    result.push({ total: context.getFirstParameter('total', '0'), values: '' + input.values(), seen: seen });
  }
  return result;
}
`,
      'tasks/items.js': `/** @param {ScriptCode.TaskContext} context */
function callService(context) {
  var items = context.getAllVariables().get('items');
  var n = 0;
  var it = items.keySet().iterator();
  while (it.hasNext()) { it.next(); n++; }
  context.complete({ n: n, text: '' + items });
}
`,
    });
    try {
      const clean = await check({ app: platform.dir, env: {} });
      expect(clean.findings.map(renderFinding)).toEqual([]);
    } finally {
      await platform.remove();
    }
  }, 60_000);
});

describe('scriptcode check on the command line', () => {
  it('exit 1 with one line per finding and a summary', async () => {
    const r = await runCli(['check', '--app', app.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("scripts/broken.js:2:18: error: SyntaxError: Unexpected token ']'");
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ errors, 2 warnings; 22 scripts and 2 test files checked$/);
  }, 30_000);

  it('exit 0 for a clean application (secrets set), warnings allowed; --no-types skips the type check', async () => {
    const clean = await makeApp({
      'scriptcode.yaml': FIXTURE_CONFIG,
      'scripts/a.js': "/** @param {ScriptCode.ScriptContext} c */\nfunction callService(c) { return [{ n: c.getFirstParamter('x') }]; }\n",
      'scripts/b.js': "function callService() { return [api.rest.v1.get('crm').body]; }\n",
      'scripts/b.ts': 'function callService() { return []; }\n',
    });
    const env = { TOOLS_FIXTURE_CRM_TOKEN: 't', TOOLS_FIXTURE_GEO_KEY: 'k', TOOLS_FIXTURE_OAUTH_SECRET: 's' };
    try {
      const typed = await runCli(['check', '--app', clean.dir], { env });
      expect(typed.code).toBe(1);
      expect(typed.stdout).toContain("scripts/a.js:2:42: error: Property 'getFirstParamter' does not exist");
      const untyped = await runCli(['check', '--app', clean.dir, '--no-types'], { env });
      expect(untyped.stdout).toBe('scripts/b.ts: warning: ignored: scripts/b.js has the same name and wins\n0 errors, 1 warning; 2 scripts and 0 test files checked\n');
      expect(untyped.code).toBe(0);
    } finally {
      await clean.remove();
    }
  }, 60_000);

  it('a broken configuration is reported, and service ids are then left unchecked (a warning says so); a missing folder is exit 2', async () => {
    const broken = await makeApp({ 'scriptcode.yaml': 'logging:\n  levle: info\n', 'scripts/a.js': "function callService() { return [api.rest.v1.get('nope')]; }\n" });
    try {
      const r = await runCli(['check', '--app', broken.dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("scriptcode.yaml:2:3: error: logging.levle: unknown key — did you mean 'level'?");
      expect(r.stdout).toContain('scriptcode.yaml: warning: service ids used in scripts and tests were not checked: fix the configuration first');
    } finally {
      await broken.remove();
    }
    const missing = await runCli(['check', '--app', '/nonexistent/scriptcode-app']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such folder: /nonexistent/scriptcode-app; pass the application folder with --app DIR');
  }, 60_000);
});
