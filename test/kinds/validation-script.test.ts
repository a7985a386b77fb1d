// validationScript contract (SPEC §3.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillMessage } from '../../src/kinds/index.js';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    'validators/pesel.js': `function callService(context) {
      var pesel = context.getFirstParameter('pesel', '');
      var errors = [];
      if (pesel.length !== 11) errors.push({ key: 'pesel.length', parameters: [String(pesel.length), 11] });
      if (!/^\\d*$/.test(pesel)) errors.push({ key: 'pesel.digits' });
      if (pesel === '00000000000') errors.push({ key: 'pesel.undeclared', parameters: ['x'] });
      return errors;
    }`,
    'validators/pesel.yaml': 'description: Checks a PESEL number\nmessages:\n  pesel.length: "PESEL has {0} digits, it must have {1}"\n  pesel.digits: PESEL may contain digits only\n',
    'validators/writer.js': 'function callService(context) { context.setValue("x", 1); return []; }',
    'validators/badShape.js': 'function callService() { return ["just text"]; }',
    'validators/nothing.js': 'function callService() {}',
  });
}, 60_000);

afterAll(() => t?.close());

describe('validationScript', () => {
  it('valid input gives no errors', async () => {
    const r = await t.runtime.validate('pesel', { input: { pesel: '44051401458' } });
    expect(r).toMatchObject({ valid: true, errors: [] });
    expect((await t.runtime.validate('nothing')).valid).toBe(true);
  });

  it('errors get their declared messages with {0} placeholders filled; parameters become text', async () => {
    const r = await t.runtime.validate('pesel', { input: { pesel: '12a' } });
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([
      { key: 'pesel.length', message: 'PESEL has 3 digits, it must have 11', parameters: ['3', '11'] },
      { key: 'pesel.digits', message: 'PESEL may contain digits only', parameters: [] },
    ]);
  });

  it('an undeclared key gives the key as the message', async () => {
    const r = await t.runtime.validate('pesel', { input: { pesel: '00000000000' } });
    expect(r.errors).toEqual([{ key: 'pesel.undeclared', message: 'pesel.undeclared', parameters: ['x'] }]);
  });

  it('validators cannot change the form', async () => {
    const err = await rejection(() => t.runtime.validate('writer'));
    expect(err.body.error.message).toContain('not available in a validator');
  });

  it('a wrong return shape says what a validator returns', async () => {
    const err = await rejection(() => t.runtime.validate('badShape'));
    expect(err.body.error.message).toContain('{ key:');
  });

  it('fillMessage leaves placeholders without a parameter alone', () => {
    expect(fillMessage('{0} and {1} and {2}', ['a', 'b'])).toBe('a and b and {2}');
  });
});
