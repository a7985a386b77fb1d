// context.callService(name, input) and context.validate(name, input) (SPEC
// §3.1): a script running another script of its application, within the
// calling invocation's budgets and trace. Scripts are written the way the
// reference platform's are (ES5: var, function, string concatenation). The
// whole file runs on a pool of ONE sync isolate (and one async one): a
// nested call must never wait for the isolate its own caller holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { testBinding, type TestBindingProbe } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

const limits = (l: string) => `limits: ${l}\n`;
const probe: TestBindingProbe = { abortedSleeps: 0, received: [] };
let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    // ------------------------------------------------------------ callees
    'scripts/customer.js': `function callService(context) {
      var pesel = context.getFirstParameter('pesel');
      Logger.info('looking up {}', pesel);
      return [{ pesel: pesel, name: 'Jan ' + pesel, tags: context.getParameters('tag') }, { pesel: pesel, name: 'second' }];
    }`,
    'scripts/echoTwice.js': `function callService(context) {
      api.test.v1.echo('first');
      api.test.v1.echo('second');
      return [{ done: true }];
    }`,
    'scripts/echoOnceCaught.js': `function callService(context) {
      try { api.test.v1.echo('over'); } catch (e) { return [{ caught: e.code }]; }
      return [{ caught: null }];
    }`,
    'scripts/spin.js': 'function callService(context) { while (true) {} }',
    'scripts/sleeper.js': `function callService(context) {
      api.test.v1.sleep(Number(context.getFirstParameter('ms', '2000')));
      return [{ slept: true }];
    }`,
    'scripts/failing.js': `function callService(context) {
  var x = context.getFirstParameter('x', '?');
  throw new TypeError('bad input ' + x);
}`,
    'scripts/partnerFails.js': 'function callService(context) { api.test.v1.fail("partner down"); }',
    'scripts/broken.js': 'function callService(context) {\n  return [{ a: 1 ];\n}',
    'scripts/recurse.js': `function callService(context) {
      var n = Number(context.getFirstParameter('n', '0'));
      try {
        return context.callService('recurse', { n: n + 1 });
      } catch (e) {
        return [{ depth: n, name: e.name, code: e.code, message: e.message }];
      }
    }`,
    'scripts/ping.js': "function callService(context) { return context.callService('pong', {}); }",
    'scripts/pong.js': "function callService(context) { return context.callService('ping', {}); }",
    'validators/pesel.js': `function callService(context) {
      var pesel = context.getFirstParameter('pesel', '');
      var errors = [];
      if (pesel.length !== 11) errors.push({ key: 'pesel.length', parameters: [String(pesel.length)] });
      if (!/^[0-9]*$/.test(pesel)) errors.push({ key: 'pesel.digits' });
      return errors;
    }`,
    'validators/pesel.yaml': 'messages:\n  pesel.length: "PESEL has {0} digits, it must have 11"\n',

    // ------------------------------------------------------------ callers
    'scripts/rows.js': `function callService(context) {
      var rows = context.callService('customer', { pesel: context.getFirstParameter('pesel'), tag: ['a', 'b'] });
      var first = rows.get(0);
      return [{
        count: rows.size(),
        empty: rows.isEmpty(),
        name: first.get('name'),
        tags: first.get('tags').size(),
        isArray: Array.isArray(rows),
        text: '' + rows.get(1),
        passThrough: context.callService('customer', context.getInputParameters()).get(0).get('pesel')
      }];
    }`,
    'scripts/checkPesel.js': `function callService(context) {
      var errors = context.validate('pesel', { pesel: context.getFirstParameter('pesel') });
      if (errors.isEmpty()) return [{ valid: true }];
      var first = errors.get(0);
      return [{ valid: false, count: errors.size(), key: first.get('key'), message: first.get('message'), parameters: first.get('parameters'), keys: errors.map(function (e) { return e.key; }).join(',') }];
    }`,
    'validators/form.js': `function callService(context) {
      var errors = context.validate('pesel', { pesel: context.getFirstParameter('pesel') });
      if (!errors.isEmpty()) return errors;
      var rows = context.callService('customer', { pesel: context.getFirstParameter('pesel') });
      return rows.size() === 2 ? [] : [{ key: 'customer.unknown' }];
    }`,
    'tasks/onboard.js': `function callService(context, task) {
      var rows = context.callService('customer', { pesel: context.getVariable('pesel') });
      var errors = context.validate('pesel', { pesel: context.getVariable('pesel') });
      context.complete({ name: rows.get(0).get('name'), errors: errors.size() });
    }`,
    'scripts/budgetCaller.js': `function callService(context) {
      api.test.v1.echo('caller');
      var rows = context.callService('echoTwice', {});
      return [{ nested: rows.get(0).get('done') }];
    }`,
    'scripts/budgetCaller.yaml': limits('{ restCalls: 3 }'),
    'scripts/budgetOver.js': `function callService(context) {
      api.test.v1.echo('one');
      api.test.v1.echo('two');
      var rows = context.callService('echoOnceCaught', {});
      return [{ nested: rows.get(0).get('caught') }];
    }`,
    'scripts/budgetOver.yaml': limits('{ restCalls: 2 }'),
    'scripts/cpuCaller.js': `function callService(context) {
      var started = Date.now();
      while (Date.now() - started < 50) {}
      try {
        context.callService('spin', {});
      } catch (e) {
        return [{ caught: e.name + ' ' + e.code }];
      }
      return [{ caught: 'nothing' }];
    }`,
    'scripts/cpuCaller.yaml': limits('{ cpuMs: 300 }'),
    'scripts/wallCaller.js': `function callService(context) {
      try { context.callService('sleeper', { ms: '5000' }); } catch (e) { return [{ caught: e.code }]; }
    }`,
    'scripts/wallCaller.yaml': limits('{ wallMs: 400 }'),
    'scripts/catchFailure.js': `function callService(context) {
      try {
        context.callService('failing', { x: '42' });
      } catch (e) {
        return [{ name: e.name, code: e.code, message: e.message, script: e.script, causeName: e.cause.name, causeMessage: e.cause.message,
          causeLine: e.cause.line, isError: e instanceof Error }];
      }
    }`,
    'scripts/catchPartner.js': `function callService(context) {
      try { context.callService('partnerFails', {}); } catch (e) { return [{ code: e.code, cause: e.cause.name + '/' + e.cause.code }]; }
    }`,
    'scripts/catchBroken.js': `function callService(context) {
      try { context.callService('broken', {}); } catch (e) { return [{ code: e.code, causeCode: e.cause.code, message: e.message }]; }
    }`,
    'scripts/uncaught.js': "function callService(context) {\n  return context.callService('failing', { x: 'u' });\n}",
    'scripts/unknown.js': `function callService(context) {
      try { context.callService('custmer', {}); } catch (e) { return [{ name: e.name, code: e.code, message: e.message }]; }
    }`,
    'scripts/unknownValidator.js': `function callService(context) {
      try { context.validate('customer', {}); } catch (e) { return [{ code: e.code, message: e.message }]; }
    }`,
    'scripts/badArguments.js': `function callService(context) {
      var out = [];
      try { context.callService(42); } catch (e) { out.push(e.name + ': ' + e.message); }
      try { context.callService('customer', ['x']); } catch (e) { out.push(e.name + ': ' + e.message); }
      try { context.callService('customer', { pesel: { deep: 1 } }); } catch (e) { out.push(e.code + ': ' + e.message); }
      return [{ out: out }];
    }`,
    'scripts/asyncCaller.js': `async function callService(context) {
      var pesel = context.getFirstParameter('pesel');
      var both = await Promise.all([context.callService('customer', { pesel: pesel }), context.validate('pesel', { pesel: pesel })]);
      var failed = null;
      try { await context.callService('failing', { x: 'async' }); } catch (e) { failed = e.code; }
      return [{ name: both[0].get(0).get('name'), rows: both[0].size(), errors: both[1].size(), failed: failed }];
    }`,
    'scripts/asyncCpuCaller.js': `async function callService(context) {
      try { await context.callService('spin', {}); } catch (e) { return [{ caught: e.code }]; }
    }`,
    'scripts/asyncCpuCaller.yaml': limits('{ cpuMs: 300 }'),
    'scripts/asyncSleeper.js': `async function callService(context) {
      await api.test.v1.sleep(Number(context.getFirstParameter('ms', '300')));
      return [{ slept: true }];
    }`,
    'scripts/fanOut.js': `async function callService(context) {
      var calls = [];
      for (var i = 0; i < 7; i++) calls.push(context.callService('sleeper', { ms: '300' }).then(function () { return 'ok'; }, function (e) { return e.code; }));
      return [{ results: (await Promise.all(calls)).join(',') }];
    }`,
    'scripts/syncToAsync.js': `function callService(context) {
      return context.callService('asyncSleeper', { ms: '20' });
    }`,
  }, { bindings: [testBinding(probe)], config: { pool: { maxIsolates: 1, spareIsolates: 0 } } as never });
}, 60_000);

afterAll(() => t?.close());

describe('context.callService', () => {
  it('returns the rows of another script as a Java-style list of maps; plain input values become one-element lists', async () => {
    const r = await t.runtime.runScript('rows', { input: { pesel: '44051401458' } });
    expect(r.output).toEqual([{
      count: 2, empty: false, name: 'Jan 44051401458', tags: 2, isArray: true, text: '{pesel=44051401458, name=second}', passThrough: '44051401458',
    }]);
  });

  it('works from validators and tasks too', async () => {
    expect((await t.runtime.validate('form', { input: { pesel: '44051401458' } })).valid).toBe(true);
    const invalid = await t.runtime.validate('form', { input: { pesel: '12' } });
    // the message of an error comes from the metadata of the validator that returns it (form.yaml declares none)
    expect(invalid.errors).toEqual([{ key: 'pesel.length', message: 'pesel.length', parameters: ['2'] }]);
    const task = await t.runtime.executeTask('onboard', { variables: { pesel: '44051401458' } });
    expect(task).toMatchObject({ outcome: 'complete', variables: { name: 'Jan 44051401458', errors: 0 } });
  });

  it("counts the called script's REST calls in the caller's budget", async () => {
    const ok = await t.runtime.runScript('budgetCaller');
    expect(ok.output).toEqual([{ nested: true }]);
    const finished = t.log.parsed().find((l) => l.msg === 'invocation finished' && l.invocationId === ok.invocationId);
    expect(finished?.restCalls).toBe(3);

    // 2 of 2 spent by the caller: the called script's call is refused, and
    // catching the refusal does not save the invocation
    const over = await rejection(() => t.runtime.runScript('budgetOver'));
    expect(over.body.error).toMatchObject({ name: 'LimitExceededError', code: 'REST_CALL_LIMIT' });
    expect(over.body.error.message).toContain('REST call limit of 2 calls');
  });

  it("a called script's CPU is the caller's: a loop in it ends the whole invocation with CPU_LIMIT, caught or not", async () => {
    const started = performance.now();
    const e = await rejection(() => t.runtime.runScript('cpuCaller', { trace: true }));
    expect(e.body.error).toMatchObject({ name: 'LimitExceededError', code: 'CPU_LIMIT' });
    expect(e.body.error.message).toContain('CPU time limit of 300 ms');
    // it ran on what the caller had left, not on a budget of its own
    const call = e.body.trace.calls.find((c: any) => c.call === 'context.callService');
    expect(call).toMatchObject({ target: 'scripts/spin', outcome: 'limit', error: { code: 'CPU_LIMIT' } });
    expect(call.cpuMs).toBeLessThanOrEqual(300);
    expect(performance.now() - started).toBeLessThan(5_000);

    const a = await rejection(() => t.runtime.runScript('asyncCpuCaller'));
    expect(a.body.error).toMatchObject({ code: 'CPU_LIMIT' });
  });

  it("a called script runs to the caller's deadline: WALL_CLOCK_LIMIT for the caller, the called script's wait aborted", async () => {
    const started = performance.now();
    const aborted = probe.abortedSleeps;
    const e = await rejection(() => t.runtime.runScript('wallCaller', { trace: true }));
    expect(e.body.error).toMatchObject({ code: 'WALL_CLOCK_LIMIT' });
    // the trace shows the call the invocation was waiting for
    expect(e.body.trace.calls).toEqual([{ call: 'context.callService', target: 'scripts/sleeper', depth: 1, outcome: 'running' }]);
    expect(performance.now() - started).toBeLessThan(2_000);
    await expect.poll(() => probe.abortedSleeps).toBe(aborted + 1);
  });

  it('an error in the called script is a ScriptCallError the caller can catch: code, message naming the script, cause', async () => {
    const r = await t.runtime.runScript('catchFailure');
    expect(r.output).toEqual([{
      name: 'ScriptCallError',
      code: 'SCRIPT_FAILED',
      message: "context.callService('failing'): scripts/failing.js failed: TypeError: bad input 42 (scripts/failing.js:3:9)",
      script: 'failing',
      causeName: 'TypeError',
      causeMessage: 'bad input 42',
      causeLine: 3,
      isError: true,
    }]);
    expect((await t.runtime.runScript('catchPartner')).output).toEqual([{ code: 'SCRIPT_FAILED', cause: 'TestError/TEST_FAILURE' }]);
    const broken = (await t.runtime.runScript('catchBroken')).output[0] as Record<string, string>;
    expect(broken).toMatchObject({ code: 'SCRIPT_FAILED', causeCode: 'COMPILE_ERROR' });
    expect(broken.message).toContain('scripts/broken.js:2');
  });

  it("uncaught, it is the caller's error, with the caller's line", async () => {
    const e = await rejection(() => t.runtime.runScript('uncaught'));
    expect(e.body.error).toMatchObject({
      name: 'ScriptCallError', code: 'SCRIPT_FAILED', line: 2,
      message: "context.callService('failing'): scripts/failing.js failed: TypeError: bad input u (scripts/failing.js:3:9)",
    });
  });

  it('recursion deeper than 4 levels is a CALL_DEPTH_EXCEEDED error naming the chain', async () => {
    const r = await t.runtime.runScript('recurse');
    expect(r.output).toHaveLength(1);
    expect(r.output[0]).toMatchObject({ depth: 4, name: 'ScriptCallError', code: 'CALL_DEPTH_EXCEEDED' });
    expect((r.output[0] as { message: string }).message).toBe("context.callService('recurse'): scripts may call one another at most 4 levels deep " +
      '(scripts/recurse → scripts/recurse → scripts/recurse → scripts/recurse → scripts/recurse → scripts/recurse); ' +
      'a script that calls itself, directly or through others, needs a condition that stops it');

    const e = await rejection(() => t.runtime.runScript('ping'));
    expect(e.body.error).toMatchObject({ name: 'ScriptCallError', code: 'SCRIPT_FAILED' });
    expect(e.body.error.message).toContain('scripts/ping → scripts/pong → scripts/ping → scripts/pong → scripts/ping → scripts/pong');
  });

  it('an unknown name says what exists and how to fix it', async () => {
    expect((await t.runtime.runScript('unknown')).output).toEqual([{
      name: 'ScriptCallError',
      code: 'SCRIPT_NOT_FOUND',
      message: expect.stringMatching(/^context\.callService\('custmer'\): there is no scriptService named 'custmer' — did you mean 'customer'\? \(scriptServices: asyncCaller, .*customer.*\)\. Add scripts\/custmer\.js, or call one that exists; context\.validate\(\) runs validators\.$/),
    }]);
    const v = (await t.runtime.runScript('unknownValidator')).output[0] as { code: string; message: string };
    expect(v.code).toBe('SCRIPT_NOT_FOUND');
    expect(v.message).toContain("there is no validator named 'customer' (validators: form, pesel). Add validators/customer.js");
  });

  it('refuses a name that is not a string and input that is not a map, before calling', async () => {
    const out = ((await t.runtime.runScript('badArguments')).output[0] as { out: string[] }).out;
    expect(out[0]).toBe("TypeError: context.callService(name, input): name must be the name of a script, e.g. context.callService('customer', { pesel: ['44051401458'] })");
    expect(out[1]).toBe("TypeError: context.callService('customer', input): input must be a map of parameter name to a list of values, e.g. context.callService('customer', { pesel: ['44051401458'] })");
    expect(out[2]).toBe("INVALID_INPUT: context.callService('customer', input): input.pesel must be a string (or a number/boolean, taken as text); got an object");
  });

  it('an async caller awaits promises, in parallel too', async () => {
    const r = await t.runtime.runScript('asyncCaller', { input: { pesel: '123' } });
    expect(r.output).toEqual([{ name: 'Jan 123', rows: 2, errors: 1, failed: 'SCRIPT_FAILED' }]);
    expect((await t.runtime.runScript('syncToAsync')).output).toEqual([{ slept: true }]);
  });

  it("the trace shows each call, and the called script's log lines and REST calls marked with its path", async () => {
    const r = await t.runtime.runScript('budgetCaller', { trace: true });
    expect(r.trace!.calls).toEqual([
      { method: 'echo' },
      { call: 'context.callService', target: 'scripts/echoTwice', depth: 1, outcome: 'ok', durationMs: expect.any(Number), cpuMs: expect.any(Number), restCalls: 2 },
      { method: 'echo', script: 'scripts/echoTwice' },
      { method: 'echo', script: 'scripts/echoTwice' },
    ]);
    const v = await t.runtime.validate('form', { input: { pesel: '44051401458' }, trace: true });
    expect(v.logs).toEqual([{ time: expect.any(String), level: 'info', message: 'looking up *****', script: 'scripts/customer' }]);
    expect(v.trace!.calls.map((c: any) => `${c.call} ${c.target} ${c.outcome}`)).toEqual([
      'context.validate validators/pesel ok', 'context.callService scripts/customer ok',
    ]);
    // nested calls of nested scripts are marked with the script that made them
    const deep = await t.runtime.runScript('ping', { trace: true }).catch((e) => e.body);
    expect(deep.trace.calls.map((c: any) => `${c.script ?? '-'} → ${c.target} (${c.depth}, ${c.outcome})`)).toEqual([
      '- → scripts/pong (1, error)',
      'scripts/pong → scripts/ping (2, error)',
      'scripts/ping → scripts/pong (3, error)',
      'scripts/pong → scripts/ping (4, error)',
    ]);
  });

  it('the runtime log names the called script under the invocation id of the whole chain', async () => {
    const r = await t.runtime.runScript('rows', { input: { pesel: '1' } });
    const lines = t.log.parsed().filter((l) => l.invocationId === r.invocationId);
    expect(lines.find((l) => l.msg === 'looking up *****')).toMatchObject({ script: 'customer', kind: 'scriptService', callDepth: 1, calledBy: 'scripts/rows', source: 'script' });
    expect(lines.filter((l) => l.msg === 'script call finished')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'invocation finished')).toMatchObject({ script: 'rows', outcome: 'ok' });
  });

  it('with one isolate, concurrent callers with nested calls all finish (no deadlock)', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.runtime.runScript('rows', { input: { pesel: String(i) } })));
    expect(results.map((r) => (r.output[0] as { name: string }).name)).toEqual(['Jan 0', 'Jan 1', 'Jan 2', 'Jan 3', 'Jan 4', 'Jan 5']);
    const pool = t.runtime.stats().pools['64MB']!;
    // one isolate for the callers, one kept for the calls they make
    expect(pool.size).toBeLessThanOrEqual(2);
  });

  it('a fan-out beyond what the pool may hold is refused at once with POOL_EXHAUSTED, never a wait', async () => {
    // maxIsolates 1 → at most 1 + 4 sync isolates for nested runs; 7 sleeping at once
    const r = await t.runtime.runScript('fanOut');
    const results = (r.output[0] as { results: string }).results.split(',');
    expect(results.filter((x) => x === 'ok').length).toBe(5);
    expect(results.filter((x) => x === 'POOL_EXHAUSTED').length).toBe(2);
    await expect.poll(() => t.runtime.stats().pools['64MB']!.size).toBeLessThanOrEqual(2);
  });
});

describe('context.validate', () => {
  it("returns the validator's errors as a Java-style list of { key, message, parameters }; empty when valid", async () => {
    expect((await t.runtime.runScript('checkPesel', { input: { pesel: '44051401458' } })).output).toEqual([{ valid: true }]);
    expect((await t.runtime.runScript('checkPesel', { input: { pesel: '12a' } })).output).toEqual([{
      valid: false, count: 2, key: 'pesel.length', message: 'PESEL has 3 digits, it must have 11', parameters: ['3'], keys: 'pesel.length,pesel.digits',
    }]);
  });

  it('runs validators only, within the same budgets and trace', async () => {
    const r = await t.runtime.runScript('checkPesel', { input: { pesel: '1' }, trace: true });
    expect(r.trace!.calls).toEqual([
      { call: 'context.validate', target: 'validators/pesel', depth: 1, outcome: 'ok', durationMs: expect.any(Number), cpuMs: expect.any(Number), restCalls: 0 },
    ]);
  });
});
