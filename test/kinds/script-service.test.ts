// scriptService contract (SPEC §3.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    'scripts/params.js': `function callService(context) {
      var all = context.getInputParameters();
      return [{
        first: context.getFirstParameter('pesel'),
        missing: context.getFirstParameter('nope'),
        withDefault: context.getFirstParameter('nope', 'dflt'),
        emptyDefault: context.getFirstParameter('empty', 'dflt'),
        list: context.getParameters('multi'),
        none: context.getParameters('nope'),
        javaGet: context.getParameters('multi').get(1),
        javaSize: context.getParameters('multi').size(),
        mapGet: all.get('pesel').get(0),
        mapHas: all.containsKey('multi'),
        mapHasNot: all.containsKey('x'),
        keys: all.keySet().size(),
        isArray: Array.isArray(context.getParameters('multi')),
        json: JSON.stringify(context.getParameters('multi')),
        numberAsText: context.getFirstParameter('n'),
      }];
    }`,
    'scripts/form.js': `function callService(context) {
      var before = context.getValue('amount');
      context.setValue('amount', 200);
      context.setValue('label', { text: 'hi' });
      return { before: before, after: context.getValue('amount'), visible: context.isVisible('amount'), hidden: context.isVisible('secret'),
        unknownVisible: context.isVisible('ghost'), data: context.getData('amount', 'currency'), noData: context.getData('amount', 'x'), ghost: context.getValue('ghost') };
    }`,
    'scripts/nothing.js': 'function callService() {}',
    'scripts/nullResult.js': 'function callService() { return null; }',
    'scripts/asyncRows.js': 'async function callService() { await null; return [{ a: 1 }, { a: 2 }]; }',
    'scripts/oldApi.js': 'function callService(context) { return context.api("crm", "GET"); }',
    'scripts/oldModel.js': 'function callService(context) { return context.getModel(); }',
    'scripts/thrower.js': 'function callService(context) {\n  var x = 1;\n  throw new TypeError("bad input " + x);\n}',
    'scripts/throwString.js': 'function callService() { throw "plain text"; }',
    'scripts/broken.js': 'function callService(context) {\n  return [{ a: 1 ];\n}',
    'scripts/breakout.js': '}); globalThis.escaped = 1; (function () {',
    'scripts/noEntry.js': 'function somethingElse() {}',
    'scripts/topLevelError.js': 'var x = null;\nx.boom;\nfunction callService() {}',
    'scripts/strict.js': '"use strict";\nfunction callService() { undeclared = 1; return []; }',
    'scripts/sloppy.js': 'function callService() { undeclared = 1; return [{ u: undeclared }]; }',
    'scripts/fn.js': 'function callService() { return [{ f: function () {} }]; }',
    'scripts/bigint.js': 'function callService() { return [{ n: 1n }]; }',
    'scripts/date.js': 'function callService() { return [{ d: new Date(0) }]; }',
  });
}, 60_000);

afterAll(() => t?.close());

describe('scriptService', () => {
  it('reads parameters as lists of strings, with Java-style list and map methods', async () => {
    const r = await t.runtime.runScript('params', { input: { pesel: '44051401458', multi: ['a', 'b'], empty: [], n: 5 } });
    expect(r.output).toEqual([{
      first: '44051401458', missing: null, withDefault: 'dflt', emptyDefault: 'dflt', list: ['a', 'b'], none: [],
      javaGet: 'b', javaSize: 2, mapGet: '44051401458', mapHas: true, mapHasNot: false, keys: 4, isArray: true,
      json: '["a","b"]', numberAsText: '5',
    }]);
    expect(r.formChanges).toEqual({});
    expect(typeof r.durationMs).toBe('number');
    expect(r.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.logs).toBeUndefined();
  });

  it('reads form state and returns setValue changes as formChanges; a single object is one row', async () => {
    const r = await t.runtime.runScript('form', {
      form: { amount: { value: 100, visible: true, data: { currency: 'PLN' } }, secret: { value: 'x', visible: false } },
    });
    expect(r.output).toEqual([{ before: 100, after: 200, visible: 'true', hidden: 'false', unknownVisible: 'false', data: 'PLN', noData: null, ghost: null }]);
    expect(r.formChanges).toEqual({ amount: 200, label: { text: 'hi' } });
  });

  it('undefined and null are no rows; async scripts work', async () => {
    expect((await t.runtime.runScript('nothing')).output).toEqual([]);
    expect((await t.runtime.runScript('nullResult')).output).toEqual([]);
    expect((await t.runtime.runScript('asyncRows')).output).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('context.api() and context.getModel() name their replacements', async () => {
    const e1 = await rejection(() => t.runtime.runScript('oldApi'));
    expect(e1.body.error.message).toContain('api.rest.v1');
    expect(e1.body.error.message).toContain("api.rest.v1.get('crm'");
    const e2 = await rejection(() => t.runtime.runScript('oldModel'));
    expect(e2.body.error.message).toContain('context.getValue(id)');
  });

  it('a thrown error carries name, message, line and column in the script file', async () => {
    const err = await rejection(() => t.runtime.runScript('thrower'));
    expect(err.status).toBe(422);
    expect(err.body.error).toEqual({ name: 'TypeError', message: 'bad input 1', line: 3, column: 9 });
    const e2 = await rejection(() => t.runtime.runScript('topLevelError'));
    expect(e2.body.error).toMatchObject({ name: 'TypeError', line: 2, column: 3 });
    const e3 = await rejection(() => t.runtime.runScript('throwString'));
    expect(e3.body.error).toMatchObject({ name: 'Error', message: 'plain text' });
  });

  it('a script that does not compile fails only itself, with its position', async () => {
    const err = await rejection(() => t.runtime.runScript('broken'));
    expect(err.body.error).toMatchObject({ name: 'SyntaxError', code: 'COMPILE_ERROR', line: 2 });
    expect(err.body.error.message).toContain('scripts/broken.js:2:');
    expect((await t.runtime.runScript('asyncRows')).output).toHaveLength(2);
  });

  it('source that tries to close the wrapper function is a compile error', async () => {
    const err = await rejection(() => t.runtime.runScript('breakout'));
    expect(err.body.error).toMatchObject({ name: 'SyntaxError', code: 'COMPILE_ERROR', line: 1 });
  });

  it('a missing entry point says what to add', async () => {
    const err = await rejection(() => t.runtime.runScript('noEntry'));
    expect(err.body.error.name).toBe('EntryPointError');
    expect(err.body.error.message).toContain('function callService(context)');
  });

  it('sloppy mode by default, strict when the script says so', async () => {
    expect((await t.runtime.runScript('sloppy')).output).toEqual([{ u: 1 }]);
    const err = await rejection(() => t.runtime.runScript('strict'));
    expect(err.body.error).toMatchObject({ name: 'ReferenceError', line: 2 });
  });

  it('results are JSON: functions dropped, dates as ISO text, BigInt refused with a message', async () => {
    expect((await t.runtime.runScript('fn')).output).toEqual([{}]);
    expect((await t.runtime.runScript('date')).output).toEqual([{ d: '1970-01-01T00:00:00.000Z' }]);
    const err = await rejection(() => t.runtime.runScript('bigint'));
    expect(err.body.error.message).toContain('cannot be serialized to JSON');
  });

  it('unknown scripts and malformed input are refused before running', async () => {
    const e1 = await rejection(() => t.runtime.runScript('ghost'));
    expect(e1).toMatchObject({ name: 'ScriptNotFoundError', status: 404 });
    expect(e1.message).toContain('scripts/ghost.js');
    const e2 = await rejection(() => t.runtime.runScript('params', { input: 'x' }));
    expect(e2).toMatchObject({ name: 'InputError', status: 400 });
    const e3 = await rejection(() => t.runtime.runScript('params', { input: { a: [{}] } }));
    expect(e3.message).toContain('input.a[0] must be a string');
    const e4 = await rejection(() => t.runtime.runScript('form', { form: { a: 1 } }));
    expect(e4.message).toContain('form.a must be an object');
  });
});
