// The four rendering policies of SPEC §7 and `{}` placeholders.
import { describe, expect, it } from 'vitest';
import { createSensitiveRenderer, formatMessage, MASK } from '../../src/logging/index.js';

const args = [{ s: true, v: '44051401458' }, { s: false, v: '3' }];

describe('sensitive-data policies', () => {
  it('mask hides the value and its length', () => {
    const r = createSensitiveRenderer('mask');
    expect(formatMessage('pesel {} attempts {}', args, r)).toBe(`pesel ${MASK} attempts 3`);
    expect(r.render('x')).toBe(r.render('a much longer value'));
  });

  it('hash is keyed and stable for equal values', () => {
    const a = createSensitiveRenderer('hash', 'key-1');
    const b = createSensitiveRenderer('hash', 'key-2');
    expect(a.render('44051401458')).toBe(a.render('44051401458'));
    expect(a.render('44051401458')).not.toBe(a.render('44051401459'));
    expect(a.render('44051401458')).not.toBe(b.render('44051401458'));
    expect(a.render('44051401458')).toMatch(/^#[0-9a-f]{16}$/);
    expect(a.render('44051401458')).not.toContain('44051401458');
  });

  it('markers wrap the value for log pipelines', () => {
    const r = createSensitiveRenderer('markers');
    expect(formatMessage('pesel {}', args.slice(0, 1), r)).toBe('pesel _SENSITIVE_DATA_START_44051401458_SENSITIVE_DATA_STOP_');
  });

  it('plain writes the value', () => {
    expect(formatMessage('pesel {}', args.slice(0, 1), createSensitiveRenderer('plain'))).toBe('pesel 44051401458');
  });

  it('extra arguments are appended, missing ones leave the placeholder', () => {
    const r = createSensitiveRenderer('plain');
    expect(formatMessage('a', args, r)).toBe('a 44051401458 3');
    expect(formatMessage('{} {} {}', args, r)).toBe('44051401458 3 {}');
  });

  it('an unknown policy is refused with the valid ones named', () => {
    expect(() => createSensitiveRenderer('loud' as never)).toThrow(/mask, hash, markers or plain/);
  });
});
