// POST /api/check and POST /api/tests/run over a real socket: the findings of
// `scriptcode check` (of one script, of its unsaved text, of the whole
// application) and the results of `scriptcode test` with a failure's diff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerUnderTest } from './helpers.js';

const FILES = {
  'scriptcode.yaml': `services:
  crm:
    url: https://crm.example.com/api
`,
  'scripts/customer.js': "function callService(context) {\n  var r = api.rest.v1.get('crm', { path: 'customers/' + context.getFirstParameter('id') });\n  return [{ name: r.body.name }];\n}\n",
  'scripts/typo.js': "function callService(context) {\n  return [api.rest.v1.get('crmm').body];\n}\n",
  'tests/customer.test.yaml': `script: customer
cases:
  - name: finds the customer
    input: { id: "7" }
    calls:
      - { service: crm, path: customers/7, response: { body: { name: Ada } } }
    expect:
      output: [{ name: Ada }]
  - name: expects the wrong name
    input: { id: "7" }
    calls:
      - { service: crm, path: customers/7, response: { body: { name: Ada } } }
    expect:
      output: [{ name: Grace }]
`,
};

let t: ServerUnderTest;
beforeAll(async () => {
  t = await startServer(FILES);
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/check', () => {
  it('checks one script as saved: unknown service ids with a "did you mean"', async () => {
    const r = await t.post('/api/check', { kind: 'scriptService', name: 'typo' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      errors: 1,
      warnings: 0,
      findings: [{ file: 'scripts/typo.js', line: 2, column: expect.any(Number), severity: 'error', message: expect.stringContaining("unknown service id 'crmm' — did you mean 'crm'?") }],
    });
  });

  it('checks unsaved text instead of the file: a syntax error at its line, a type error against the typings', async () => {
    const syntax = await t.post('/api/check', { kind: 'scriptService', name: 'customer', source: "function callService(context) {\n  var a = 1;\n  return [{ a: a }\n}\n" });
    expect(syntax.json().findings).toEqual([expect.objectContaining({ file: 'scripts/customer.js', line: 4, severity: 'error', message: expect.stringMatching(/^SyntaxError/) })]);
    const typed = await t.post('/api/check', { kind: 'scriptService', name: 'customer', source: "function callService(context) {\n  return [{ n: api.rest.v1.gett('crm') }];\n}\n" });
    expect(typed.json().findings).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining("Property 'gett' does not exist") })]);
    expect((await t.post('/api/check', { kind: 'scriptService', name: 'customer', source: "function callService(context) {\n  return [{ n: api.rest.v1.gett('crm') }];\n}\n", types: false })).json().findings).toEqual([]);
  });

  it('without a script, checks the whole application (test files too)', async () => {
    const r = await t.post('/api/check', {});
    expect(r.status).toBe(200);
    expect(r.json().findings.map((f: { file: string }) => f.file)).toEqual(['scripts/typo.js']);
    // the body is an object, {} at least
    expect((await t.call('POST', '/api/check')).status).toBe(400);
  });

  it('bad input is a 4xx with the reason', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ kind: 'scriptService' }, 400, /give kind and name together/],
      [{ source: 'x' }, 400, /give kind and name together/],
      [{ kind: 'script', name: 'x' }, 400, /body\.kind must be equal to one of the allowed values/],
      [{ kind: 'scriptService', name: 'x', extra: 1 }, 400, /additional properties \('extra'\)/],
      [{ kind: 'scriptService', name: 'nope' }, 404, /no scriptService named 'nope'/],
      [[1, 2], 400, /body must be object/],
    ];
    for (const [body, status, message] of cases) {
      const r = await t.post('/api/check', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json().error.message).toMatch(message);
    }
  });
});

describe('POST /api/tests/run', () => {
  it('runs the cases offline: pass, fail with the diff', async () => {
    const r = await t.post('/api/tests/run', {});
    expect(r.status).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({ passed: 1, failed: 1, total: 2 });
    expect(report.cases[0]).toMatchObject({ name: 'finds the customer', status: 'passed', failures: [] });
    expect(report.cases[1]).toMatchObject({ name: 'expects the wrong name', status: 'failed', file: 'tests/customer.test.yaml', line: expect.any(Number) });
    expect(report.cases[1].failures[0]).toBe('output[0].name: expected "Grace", got "Ada"');
  });

  it('a filter picks cases; nothing to run is said, not an error', async () => {
    expect((await t.post('/api/tests/run', { filter: 'wrong' })).json()).toMatchObject({ total: 1, failed: 1 });
    const none = await t.post('/api/tests/run', { filter: 'no such case' });
    expect(none.status).toBe(200);
    expect(none.json()).toMatchObject({ total: 0, cases: [], message: expect.stringContaining("no test case matches 'no such case'") });
    expect((await t.post('/api/tests/run', { filter: 7 })).status).toBe(400);
  });

  it('an application without tests says so, without the server\'s paths', async () => {
    const bare = await startServer({ 'scripts/a.js': 'function callService() { return []; }' });
    try {
      const r = await bare.post('/api/tests/run', {});
      expect(r.status).toBe(200);
      expect(r.json().message).toMatch(/^no test files in \.\/tests/);
      expect(r.text).not.toContain(bare.app.dir);
    } finally {
      await bare.close();
    }
  });
});
