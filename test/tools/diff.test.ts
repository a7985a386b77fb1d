// Readable differences for failing expectations.
import { describe, expect, it } from 'vitest';
import { deepEqual, renderDiff } from '../../src/tools/diff.js';

describe('renderDiff', () => {
  it('names the path of each difference, then shows both values', () => {
    expect(renderDiff('output', [{ a: 1, b: { c: 'x' } }, { a: 2 }], [{ a: 1, b: { c: 'y' }, extra: true }])).toEqual([
      'output[0].b.c: expected "x", got "y"',
      'output[0].extra: not expected: got true',
      'output[1]: missing: expected {"a":2}',
      'output: expected 2 entries, got 1',
      '  expected output: [{"a":1,"b":{"c":"x"}},{"a":2}]',
      '  actual output:   [{"a":1,"b":{"c":"y"},"extra":true}]',
    ]);
  });

  it('says when only the type differs, and quotes odd keys', () => {
    expect(renderDiff('variables', { 'case-id': 42 }, { 'case-id': '42' })).toEqual([
      'variables["case-id"]: expected 42, got "42" (expected a number, got a string)',
      '  expected variables: {"case-id":42}',
      '  actual variables:   {"case-id":"42"}',
    ]);
    expect(renderDiff('outcome', 'complete', 'failure')).toEqual(['outcome: expected "complete", got "failure"']);
    expect(renderDiff('output', [], undefined)).toEqual(['output: expected [], got nothing']);
  });

  it('is empty for equal values, whatever the key order', () => {
    expect(renderDiff('x', { a: [1, { b: null }], c: 'd' }, { c: 'd', a: [1, { b: null }] })).toEqual([]);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });

  it('stops after a dozen differences', () => {
    const expected = Array.from({ length: 30 }, (_, i) => i);
    const lines = renderDiff('rows', expected, expected.map((n) => n + 1));
    expect(lines).toHaveLength(12 + 1 + 2);
    expect(lines[12]).toBe('rows: … and 18 more differences');
  });
});
