// Deeply nested JSON, in what callers send and in what scripts return, is a
// clear refusal naming the limit (MAX_NESTING_DEPTH): a 400 / InputError for
// input, a 422 / LimitExceededError OUTPUT_TOO_DEEP for a result (a task's
// `failure` outcome), never a 500, a RangeError or a stack in the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findTooDeep, jsonTextTooDeep, MAX_NESTING_DEPTH } from '../../src/sandbox/limits.js';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startServer, type ServerUnderTest } from '../server/helpers.js';
import { startHttpServer, type TestServer as HttpTestServer } from '../helpers/servers.js';
import { rejection } from '../helpers/expect.js';

const MAX = MAX_NESTING_DEPTH;

/** `depth` levels of arrays (or objects) around 1, built without recursion. */
function nestedValue(depth: number, style: 'array' | 'object' = 'array'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = style === 'array' ? [v] : { k: v };
  return v;
}
function nestedText(depth: number): string {
  return '['.repeat(depth) + '1' + ']'.repeat(depth);
}

const FILES = {
  'scriptcode.yaml': 'services: {}\n',
  // returns [{ v }] with v nested n levels: output is n + 2 levels
  'scripts/nested.js': `function callService(context) {
  var n = Number(context.getFirstParameter('n'));
  var v = 1;
  for (var i = 0; i < n; i++) v = [v];
  return [{ v: v }];
}`,
  // 100 000 levels take a while to build on a busy machine
  'scripts/nested.yaml': 'limits: { cpuMs: 20000, wallMs: 60000 }\n',
  'scripts/changes.js': `function callService(context) {
  var v = 1;
  for (var i = 0; i < Number(context.getFirstParameter('n')); i++) v = { k: v };
  context.setValue('f', v);
  return [];
}`,
  'scripts/form.js': 'function callService(context) { return [{ got: context.getValue("f") === undefined ? "none" : "some" }]; }',
  'tasks/echo.js': 'function callService(context) { context.complete({ got: Object.keys(context.getAllVariables()).length }); }',
  'tasks/nested.js': `function callService(context) {
  var v = 1;
  for (var i = 0; i < context.getVariable('n'); i++) v = [v];
  context.complete({ v: v });
}`,
  'validators/v.js': 'function callService(context) { return []; }',
};

describe('depth checks', () => {
  it('jsonTextTooDeep skips strings (brackets, escaped quotes and backslashes inside them)', () => {
    expect(jsonTextTooDeep('{"a":"[[[[[[[[\\"[[[[{{{"}', 1)).toBe(false);
    expect(jsonTextTooDeep('{"a\\\\":"x\\\\","b":[[1]]}', 2)).toBe(true);
    expect(jsonTextTooDeep('{"a\\\\":"x\\\\","b":[[1]]}', 3)).toBe(false);
    expect(jsonTextTooDeep('"[[["', 0)).toBe(false);
    expect(jsonTextTooDeep(nestedText(MAX), MAX)).toBe(false);
    expect(jsonTextTooDeep(nestedText(MAX + 1), MAX)).toBe(true);
  });

  it('jsonTextTooDeep of JSON text agrees with findTooDeep of the value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        expect(jsonTextTooDeep(JSON.stringify(value), max)).toBe(findTooDeep(value, max) !== undefined);
      }),
      { numRuns: 500 },
    );
  });


  it('counts {} and [] as one level each, iteratively', () => {
    expect(findTooDeep(1, 0)).toBeUndefined();
    expect(findTooDeep({}, 1)).toBeUndefined();
    expect(findTooDeep({}, 0)).toEqual({ path: '', problem: 'depth' });
    expect(findTooDeep({ a: [1] }, 2)).toBeUndefined();
    expect(findTooDeep({ a: [{}] }, 2)).toEqual({ path: '.a[0]', problem: 'depth' });
    expect(findTooDeep(nestedValue(MAX))).toBeUndefined();
    expect(findTooDeep(nestedValue(MAX + 1))?.problem).toBe('depth');
    expect(findTooDeep(nestedValue(1_000_000, 'object'))?.problem).toBe('depth');
    expect(findTooDeep(JSON.parse(nestedText(500_000)))?.problem).toBe('depth');
  });

  it('finds cycles (as too deep) and BigInts; wide values are fine', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(findTooDeep(cyclic)?.problem).toBe('depth');
    expect(findTooDeep({ a: [1, { b: 2n }] })).toEqual({ path: '.a[1].b', problem: 'bigint' });
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, [i, { i }]]));
    expect(findTooDeep(wide)).toBeUndefined();
  });
});

describe('deep nesting through the library', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startRuntime(FILES);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('task variables and form state up to the limit are accepted', async () => {
    // variables (1) → x: MAX - 1 levels
    expect((await t.runtime.executeTask('echo', { variables: { x: nestedValue(MAX - 1) } })).outcome).toBe('complete');
    // form (1) → f (2) → value: MAX - 2 levels
    expect((await t.runtime.runScript('form', { form: { f: { value: nestedValue(MAX - 2) } } })).output).toEqual([{ got: 'some' }]);
  });

  it.each([
    ['variables one level too deep', () => t.runtime.executeTask('echo', { variables: { x: nestedValue(MAX) } }), 'variables'],
    ['variables 200 000 deep', () => t.runtime.executeTask('echo', { variables: { x: JSON.parse(nestedText(200_000)) } }), 'variables'],
    ['form value one level too deep', () => t.runtime.runScript('form', { form: { f: { value: nestedValue(MAX - 1) } } }), 'form'],
    ['form data 200 000 deep', () => t.runtime.runScript('form', { form: { f: { data: { d: nestedValue(200_000, 'object') } } } }), 'form'],
    ['validator form 5 000 deep', () => t.runtime.validate('v', { form: { f: { value: nestedValue(5_000) } } }), 'form'],
  ])('%s: InputError INPUT_TOO_DEEP naming the limit', async (_label, call, name) => {
    const err = await rejection(call);
    expect(err.name).toBe('InputError');
    expect(err.code).toBe('INPUT_TOO_DEEP');
    expect(err.message).toContain(`${name} is nested too deeply: arrays and objects may be nested at most ${MAX} levels deep`);
  });

  it('a cyclic or BigInt value from an embedder is an InputError, not a crash', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    expect(await rejection(() => t.runtime.executeTask('echo', { variables: { cyclic } }))).toMatchObject({ name: 'InputError', code: 'INPUT_TOO_DEEP' });
    const err = await rejection(() => t.runtime.executeTask('echo', { variables: { n: 10n } }));
    expect(err).toMatchObject({ name: 'InputError', code: 'INVALID_INPUT' });
    expect(err.message).toContain('variables.n is a BigInt');
  });

  it('a result up to the limit is answered; one level more is a 422 OUTPUT_TOO_DEEP', async () => {
    // output (1) → row (2) → v
    const ok = await t.runtime.runScript('nested', { input: { n: String(MAX - 2) } });
    expect(JSON.stringify(ok.output)).toBe(`[{"v":${nestedText(MAX - 2)}}]`);
    for (const n of [MAX - 1, 5_000, 100_000]) {
      const err = await rejection(() => t.runtime.runScript('nested', { input: { n: String(n) } }));
      expect(err.name).toBe('ScriptFailure');
      expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'OUTPUT_TOO_DEEP' });
      expect(err.body.error.message).toContain(`output nesting limit of ${MAX} levels exceeded`);
      expect(err.body.error.message).toContain('return flatter data');
    }
  });

  it('form changes too deep are the same limit', async () => {
    expect((await t.runtime.runScript('changes', { input: { n: String(MAX - 1) } })).formChanges).toBeDefined();
    const err = await rejection(() => t.runtime.runScript('changes', { input: { n: String(MAX) } }));
    expect(err.body.error).toMatchObject({ name: 'LimitExceededError', code: 'OUTPUT_TOO_DEEP' });
  });

  it('a task whose variables are too deep fails with OUTPUT_TOO_DEEP (a limit is a failure outcome for tasks)', async () => {
    const r = await t.runtime.executeTask('nested', { variables: { n: 5_000 } });
    expect(r.outcome).toBe('failure');
    expect(r.error).toMatchObject({ name: 'LimitExceededError', code: 'OUTPUT_TOO_DEEP' });
    expect(r.cause).toContain(`output nesting limit of ${MAX} levels exceeded`);
  });

  it('the runtime log has no error and no stack', () => {
    expect(t.log.lines.filter((l) => /"level":"(error|fatal)"|RangeError|Maximum call stack/.test(l))).toEqual([]);
  });
});

describe('deep nesting through the HTTP server', () => {
  let s: ServerUnderTest;
  beforeAll(async () => {
    s = await startServer(FILES, { config: { server: { bodyLimitBytes: 2 * 1024 * 1024 } } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  const post = (path: string, body: string) => s.call('POST', path, { rawBody: body, headers: { 'content-type': 'application/json' } });

  it.each([
    ['task variables 200 000 deep', '/api/tasks/echo/execute', `{"variables":{"x":${nestedText(200_000)}}}`, 'variables'],
    ['task variables one level too deep', '/api/tasks/echo/execute', `{"variables":{"x":${nestedText(MAX)}}}`, 'variables'],
    ['form value 200 000 deep', '/api/scripts/form/run', `{"form":{"f":{"value":${nestedText(200_000)}}}}`, 'form'],
    ['form data 100 000 deep', '/api/validators/v/validate', `{"form":{"f":{"data":{"d":${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}}}}}`, 'form'],
  ])('%s: 400 naming the limit', async (_label, path, body, name) => {
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(r.json().error).toMatchObject({ name: 'InputError', code: 'INPUT_TOO_DEEP' });
    expect(r.json().error.message).toContain(`${name} is nested too deeply: arrays and objects may be nested at most ${MAX} levels deep`);
  });

  it('deep values where the schema wants something flat: 400 from the schema', async () => {
    for (const [path, body] of [
      ['/api/scripts/form/run', `{"input":{"a":${nestedText(100_000)}}}`],
      ['/api/scripts/form/run', `{"trace":${nestedText(100_000)}}`],
      ['/api/scripts/form/run', nestedText(100_000)],
      ['/api/formatters/none/format', `{"textToFormat":${nestedText(100_000)}}`],
    ] as const) {
      const r = await post(path, body);
      expect(r.status, `${path} ${body.slice(0, 30)}`).toBe(400);
    }
  });

  it('a script result too deep: 422 OUTPUT_TOO_DEEP; a task: failure outcome', async () => {
    const r = await post('/api/scripts/nested/run', JSON.stringify({ input: { n: '5000' } }));
    expect(r.status).toBe(422);
    expect(r.json().error).toMatchObject({ name: 'LimitExceededError', code: 'OUTPUT_TOO_DEEP' });
    const task = await post('/api/tasks/nested/execute', JSON.stringify({ variables: { n: 5000 } }));
    expect(task.status).toBe(200);
    expect(task.json()).toMatchObject({ outcome: 'failure', error: { code: 'OUTPUT_TOO_DEEP' } });
  });

  it('still answers, and logged no error', async () => {
    const r = await post('/api/scripts/nested/run', JSON.stringify({ input: { n: '3' } }));
    expect(r.status).toBe(200);
    expect(s.log.lines.filter((l) => /"level":"(error|fatal)"|"status":5\d\d|RangeError/.test(l))).toEqual([]);
  });
});

describe('deep nesting in REST traffic', () => {
  let t: TestRuntime;
  let partner: HttpTestServer;
  beforeAll(async () => {
    partner = await startHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/deep' ? nestedText(20_000) : nestedText(MAX - 1));
    });
    t = await startRuntime({
      'scriptcode.yaml': `services:\n  partner: { url: '${partner.url}', allowInsecureHttp: true, network: { allowPrivate: true } }\n`,
      'scripts/get.js': `function callService(context) {
  try { var r = api.rest.v1.get('partner', { path: context.getFirstParameter('p') }); return [{ ok: JSON.stringify(r.body).length }]; }
  catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
}`,
      // building and serialising 20 000 levels must not meet the CPU limit on a busy machine
      'scripts/send.yaml': 'limits: { cpuMs: 20000, wallMs: 60000 }\n',
      'scripts/send.js': `function callService(context) {
  var v = 1;
  for (var i = 0; i < Number(context.getFirstParameter('n')); i++) v = [v];
  try { api.rest.v1.post('partner', { path: 'echo' }, { v: v }); return [{ sent: true }]; }
  catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
}`,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await partner?.close();
  });

  it('a partner body nested 20 000 levels is a RestProtocolError naming the limit; one within it is a body', async () => {
    expect((await t.runtime.runScript('get', { input: { p: 'deep' } })).output[0]).toMatchObject({
      name: 'RestProtocolError', code: 'INVALID_BODY', message: expect.stringContaining(`nested more than ${MAX} levels deep`),
    });
    expect((await t.runtime.runScript('get', { input: { p: 'ok' } })).output[0]).toEqual({ ok: 2 * (MAX - 1) + 1 });
  });

  it('a request body nested 20 000 levels is refused before it leaves; one within the limit is sent', async () => {
    expect((await t.runtime.runScript('send', { input: { n: '20000' } })).output[0]).toMatchObject({
      name: 'TypeError', code: 'ARGUMENTS_TOO_DEEP', message: expect.stringContaining(`nested more than ${MAX} levels deep`),
    });
    expect((await t.runtime.runScript('send', { input: { n: String(MAX - 4) } })).output[0]).toEqual({ sent: true });
  });

  it('the runtime log has no error and no stack', () => {
    expect(t.log.lines.filter((l) => /"level":"(error|fatal)"|RangeError|Maximum call stack/.test(l))).toEqual([]);
  });
});
