// context.callService / context.validate in the tools: the shipped typings
// know them (in every kind that has them), and `scriptcode check` reports a
// literal name that is no script / validator of the application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers/app.js';
import { check, type CheckReport } from '../../src/tools/checker.js';
import { renderFinding } from '../../src/tools/findings.js';

const FILES: Record<string, string> = {
  'scriptcode.yaml': 'services: {}\n',
  'scripts/customer.js': 'function callService(context) { return []; }\n',
  'validators/pesel.js': 'function callService(context) { return []; }\n',
  // ES5, annotated for the type check: every use is right
  'scripts/good.js': `/** @param {ScriptCode.ScriptContext} context @returns {ScriptCode.Rows} */
function callService(context) {
  var rows = context.callService('customer', { pesel: context.getFirstParameter('pesel'), tags: ['a', 'b'], n: 1 });
  var errors = context.validate('pesel', context.getInputParameters());
  var first = errors.isEmpty() ? null : errors.get(0);
  try {
    context.callService('customer');
  } catch (e) {
    var err = /** @type {ScriptCode.ScriptCallError} */ (e);
    if (err.code === 'SCRIPT_FAILED' && err.cause) Logger.warn('{} failed: {}', err.script, err.cause.message);
  }
  return [{ n: rows.size(), name: rows.get(0).get('name'), key: first ? first.key + ': ' + first.message + ' ' + first.parameters.size() : null }];
}
`,
  'scripts/asyncGood.ts': `async function callService(context: ScriptCode.ScriptContext): Promise<ScriptCode.Rows> {
  const rows = await context.callService('customer', { pesel: '1' });
  return [{ n: rows.size() }];
}
`,
  'tasks/task.js': `/** @param {ScriptCode.TaskContext} context */
function callService(context) {
  context.complete({ n: context.callService('customer', {}).size() + context.validate('pesel', { pesel: '1' }).size() });
}
`,
  'validators/form.js': `/** @param {ScriptCode.ValidatorContext} ctx */
function callService(ctx) {
  return ctx.validate('pesle', {});
}
`,
  // typos in names, and wrong argument types
  'scripts/bad.js': `/** @param {ScriptCode.ScriptContext} context */
function callService(context) {
  context.callService('custmer', {});
  context.validate('customer', {});
  context.callService('customer', { pesel: { nested: 1 } });
  var name = 'computed';
  var other = { validate: function (/** @type {string} */ what) { return what; } };
  context.callService(name, {});
  other.validate('anything');
  return [];
}
`,
};

let app: TestApp;
let report: CheckReport;
let lines: string[];

beforeAll(async () => {
  app = await makeApp(FILES);
  report = await check({ app: app.dir, env: {} });
  lines = report.findings.map(renderFinding);
}, 60_000);

afterAll(() => app?.remove());

describe('scriptcode check: context.callService / context.validate', () => {
  it('accepts the calls in scripts, validators and tasks, sync and async, typed', () => {
    expect(lines.filter((l) => /^(scripts\/good|scripts\/asyncGood|tasks\/task)/.test(l))).toEqual([]);
  });

  it('reports a literal name that is no script or validator, with a close match; computed names and other objects are left alone', () => {
    expect(lines).toContain("scripts/bad.js:3:23: error: context.callService('custmer'): no scriptService named 'custmer' — did you mean 'customer'? " +
      '(scriptServices: asyncGood, bad, customer, good; expected scripts/custmer.js)');
    expect(lines).toContain("scripts/bad.js:4:20: error: context.validate('customer'): no validator named 'customer' (validators: form, pesel; expected validators/customer.js)");
    // the entry point may call its context something else
    expect(lines).toContain("validators/form.js:3:23: error: context.validate('pesle'): no validator named 'pesle' — did you mean 'pesel'? (validators: form, pesel; expected validators/pesle.js)");
    expect(lines.filter((l) => l.includes("'computed'") || l.includes("'anything'"))).toEqual([]);
  });

  it('type-checks the input, and nothing else is reported', () => {
    expect(lines.filter((l) => l.startsWith('scripts/bad.js:5:'))).toEqual([
      "scripts/bad.js:5:46: error: Object literal may only specify known properties, and 'nested' does not exist in type '(string | number | boolean)[]'. (TS2353)",
    ]);
    expect(lines).toHaveLength(4);
  });
});
