// Logger, console and nonsensitive inside scripts; every line is JSON; no
// personal data reaches the log under the default policy.
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';

const PESEL = '44051401458';
const script = `function callService(context) {
  var pesel = context.getFirstParameter('pesel');
  Logger.info('checking {} for {}', pesel, nonsensitive('branch-7'));
  Logger.debug('object {}', { pesel: pesel });
  Logger.warn('count {}', nonsensitive(3));
  Logger.error('error {}', new Error('bad ' + pesel));
  Logger.trace('trace');
  console.log('console', pesel);
  console.error(pesel);
  console.info('template {}', pesel);
  return [{ ok: true }];
}`;

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function run(policy: string) {
  t = await startRuntime({ 'scriptcode.yaml': `logging:\n  sensitive: ${policy}\n  hashKey: k\n`, 'scripts/log.js': script });
  return t.runtime.runScript('log', { input: { pesel: PESEL }, trace: true });
}

describe('script logging', () => {
  it('mask (default): arguments hidden unless nonsensitive, in the trace and in the JSON log', async () => {
    const r = await run('mask');
    expect(r.logs!.map((l) => [l.level, l.message])).toEqual([
      ['info', 'checking ***** for branch-7'],
      ['debug', 'object *****'],
      ['warn', 'count 3'],
      ['error', 'error *****'],
      ['trace', 'trace'],
      ['info', '***** *****'],
      ['error', '*****'],
      ['info', 'template *****'],
    ]);
    expect(t!.log.text).not.toContain(PESEL);
    const scriptLines = t!.log.parsed().filter((l) => l.source === 'script');
    expect(scriptLines).toHaveLength(8);
    for (const line of scriptLines) {
      expect(line).toMatchObject({ invocationId: r.invocationId, script: 'log', kind: 'scriptService' });
    }
    const finished = t!.log.parsed().find((l) => l.msg === 'invocation finished');
    expect(finished).toMatchObject({ outcome: 'ok', script: 'log', kind: 'scriptService', invocationId: r.invocationId });
  });

  it('markers and hash render as configured and still keep the raw value out (hash)', async () => {
    const markers = await run('markers');
    expect(markers.logs![0].message).toBe(`checking _SENSITIVE_DATA_START_${PESEL}_SENSITIVE_DATA_STOP_ for branch-7`);
    await t!.close();
    t = undefined;
    const hashed = await run('hash');
    expect(hashed.logs![0].message).toMatch(/^checking #[0-9a-f]{16} for branch-7$/);
    expect(t!.log.text).not.toContain(PESEL);
  });

  it('plain warns at start', async () => {
    const r = await run('plain');
    expect(r.logs![0].message).toBe(`checking ${PESEL} for branch-7`);
    expect(t!.log.parsed().some((l) => l.level === 'warn' && String(l.msg).includes('local development only'))).toBe(true);
  });

  it('log lines per invocation are capped, with one line saying how many were dropped', async () => {
    t = await startRuntime({
      'scriptcode.yaml': 'logging:\n  maxLinesPerInvocation: 5\n',
      'scripts/flood.js': 'function callService() { for (var i = 0; i < 50; i++) Logger.info("line {}", nonsensitive(i)); return []; }',
    });
    const r = await t.runtime.runScript('flood', { trace: true });
    expect(r.logs).toHaveLength(6);
    expect(r.logs![5]).toMatchObject({ level: 'warn', message: expect.stringContaining('45 log lines dropped') });
  });

  it('without trace the answer carries no logs', async () => {
    t = await startRuntime({ 'scripts/log.js': script });
    const r = await t.runtime.runScript('log', { input: { pesel: PESEL } });
    expect(r.logs).toBeUndefined();
    expect(t.log.text).not.toContain(PESEL);
  });
});
