// scriptTask contract (SPEC §3.3): one outcome per run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { testBinding } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    'tasks/complete.js': `function callService(context, task) {
      var id = context.getVariable('customerId');
      context.complete({ caseId: 'C-' + id, pid: task.getProcessInstanceId(), typo: context.getProcessIntanceId(),
        all: task.getAllVariables(), missing: task.getVariable('nope') }, { status: 'open' });
    }`,
    'tasks/bpmnError.js': 'function callService(context) { context.handleBpmnError("CASE_EXISTS", "case 7 exists"); }',
    'tasks/failure.js': 'function callService(context) { context.handleFailure(new Error("partner down")); }',
    'tasks/twice.js': 'function callService(context) { context.complete({}); context.complete({}); }',
    'tasks/twiceCaught.js': 'function callService(context) { context.complete({ a: 1 }); try { context.handleFailure("x"); } catch (e) { } }',
    'tasks/noOutcome.js': 'function callService(context) { }',
    'tasks/throws.js': 'function callService(context) { throw new Error("kaput"); }',
    'tasks/restError.js': `function callService(context) {
      var e = new Error('Conflict'); e.name = 'RestResponseError'; e.status = { code: 409, message: 'Conflict' }; throw e;
    }`,
    'tasks/oldModel.js': 'function callService(context) { context.getModel(); }',
    'tasks/broken.js': 'function callService(context) { (',
    'tasks/slow.js': 'function callService(context) { api.test.v1.sleep(10000); context.complete(); }',
    'tasks/slow.yaml': 'limits:\n  wallMs: 200\n',
  }, { bindings: [testBinding()] });
}, 60_000);

afterAll(() => t?.close());

describe('scriptTask', () => {
  it('complete() returns variables and model changes; task and context both answer Task methods', async () => {
    const r = await t.runtime.executeTask('complete', { variables: { customerId: 42 }, processInstanceId: 'p-1' });
    expect(r).toMatchObject({
      outcome: 'complete',
      variables: { caseId: 'C-42', pid: 'p-1', typo: 'p-1', all: { customerId: 42 }, missing: null },
      modelChanges: { status: 'open' },
    });
  });

  it('handleBpmnError and handleFailure are outcomes', async () => {
    expect(await t.runtime.executeTask('bpmnError')).toMatchObject({ outcome: 'bpmnError', errorCode: 'CASE_EXISTS', cause: 'case 7 exists' });
    expect(await t.runtime.executeTask('failure')).toMatchObject({ outcome: 'failure', cause: 'partner down' });
  });

  it('a second outcome throws; caught, the first outcome stands', async () => {
    const r = await t.runtime.executeTask('twice');
    expect(r.outcome).toBe('failure');
    expect(r.cause).toContain('already has an outcome (complete)');
    expect(await t.runtime.executeTask('twiceCaught')).toMatchObject({ outcome: 'complete', variables: { a: 1 } });
  });

  it('no outcome, an uncaught error and a limit are failures', async () => {
    expect((await t.runtime.executeTask('noOutcome')).cause).toContain('finished without an outcome');
    expect(await t.runtime.executeTask('throws')).toMatchObject({ outcome: 'failure', cause: 'Error: kaput' });
    const rest = await t.runtime.executeTask('restError');
    expect(rest).toMatchObject({ outcome: 'failure', cause: 'RestResponseError (HTTP 409): Conflict' });
    const slow = await t.runtime.executeTask('slow');
    expect(slow).toMatchObject({ outcome: 'failure', error: { code: 'WALL_CLOCK_LIMIT' } });
    expect(slow.cause).toContain('wall-clock time limit of 200 ms');
  });

  it('getModel names its replacement; a script that does not compile is an error, not an outcome', async () => {
    expect((await t.runtime.executeTask('oldModel')).cause).toContain('context.getVariable(name)');
    const err = await rejection(() => t.runtime.executeTask('broken'));
    expect(err.body.error.code).toBe('COMPILE_ERROR');
  });
});
