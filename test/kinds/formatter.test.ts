// formatter contract (SPEC §3.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { testBinding } from '../helpers/test-binding.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime;

beforeAll(async () => {
  t = await startRuntime({
    'formatters/iban.js': `function formatText(input) {
      var digits = input.textToFormat.replace(/\\s/g, '');
      var out = digits.replace(/(.{4})/g, '$1 ').trim();
      return { formattedText: out, cursorPosition: input.cursorPosition + Math.floor(input.cursorPosition / 4) };
    }`,
    'formatters/badCursor.js': 'function formatText(input) { return { formattedText: "ab", cursorPosition: 7 }; }',
    'formatters/locale.js': 'function formatText(input) { return { formattedText: new Intl.NumberFormat(input.locale).format(Number(input.textToFormat)) }; }',
    'formatters/rest.js': 'function formatText(input) { api.test.v1.echo(1); return { formattedText: "" }; }',
    'formatters/slow.js': 'function formatText(input) { for (;;) {} }',
    'formatters/wrong.js': 'function formatText(input) { return "text"; }',
    'formatters/callService.js': 'function callService(input) { return { formattedText: "" }; }',
  }, { bindings: [testBinding()] });
}, 60_000);

afterAll(() => t?.close());

describe('formatter', () => {
  it('formats and moves the cursor', async () => {
    const r = await t.runtime.format('iban', { textToFormat: '12345678', locale: 'pl-PL', cursorPosition: 5 });
    expect(r).toMatchObject({ formattedText: '1234 5678', cursorPosition: 6 });
  });

  it('a cursor outside the text is dropped', async () => {
    const r = await t.runtime.format('badCursor', { textToFormat: 'x', cursorPosition: 0 });
    expect(r.formattedText).toBe('ab');
    expect('cursorPosition' in r).toBe(false);
  });

  it('has Intl for locale-aware formatting', async () => {
    const r = await t.runtime.format('locale', { textToFormat: '1234.5', locale: 'en-US' });
    expect(r.formattedText).toBe('1,234.5');
  });

  it('cannot call REST services', async () => {
    const err = await rejection(() => t.runtime.format('rest', { textToFormat: 'x' }));
    expect(err.body.error.code).toBe('REST_CALL_LIMIT');
    expect(err.body.error.message).toContain('formatters cannot call REST services');
  });

  it('runs under the tight formatter CPU limit (50 ms)', async () => {
    const started = Date.now();
    const err = await rejection(() => t.runtime.format('slow', { textToFormat: 'x' }));
    expect(err.body.error).toMatchObject({ code: 'CPU_LIMIT' });
    expect(err.body.error.message).toContain('50 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('wrong shapes and entry points are explained', async () => {
    expect((await rejection(() => t.runtime.format('wrong', { textToFormat: 'x' }))).body.error.message).toContain('formattedText: string');
    expect((await rejection(() => t.runtime.format('callService', { textToFormat: 'x' }))).body.error.message).toContain('function formatText(input)');
    expect((await rejection(() => t.runtime.format('iban', { textToFormat: 5 } as never))).message).toContain('textToFormat must be a string');
  });
});
