// The library API (SPEC §10) over a real application folder: hot reload,
// cache invalidation, closing, and no secret in the log.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { rejection } from '../helpers/expect.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('runtime', () => {
  it('picks up a changed script without a restart (file watch)', async () => {
    t = await startRuntime({ 'scripts/v.js': 'function callService() { return [{ v: 1 }]; }' }, { watch: true });
    expect((await t.runtime.runScript('v')).output).toEqual([{ v: 1 }]);
    await t.app.write('scripts/v.js', 'function callService() { return [{ v: 2 }]; }');
    const r = await vi.waitUntil(async () => { const a = await t!.runtime.runScript('v'); return (a.output[0] as { v: number }).v === 2 ? a : undefined; }, { timeout: 5_000, interval: 50 });
    expect(r.output).toEqual([{ v: 2 }]);
  });

  it('picks up a new script and a changed metadata file', async () => {
    t = await startRuntime({ 'validators/a.js': 'function callService() { return [{ key: "k" }]; }' }, { watch: true });
    expect((await t.runtime.validate('a')).errors[0].message).toBe('k');
    await t.app.write('validators/a.yaml', 'messages:\n  k: "Declared message"\n');
    await t.app.write('scripts/added.js', 'function callService() { return [{ added: true }]; }');
    const v = await vi.waitUntil(async () => { const a = await t!.runtime.validate('a'); return a.errors[0].message !== 'k' ? a : undefined; }, { timeout: 5_000, interval: 50 });
    expect(v.errors[0].message).toBe('Declared message');
    const added = await vi.waitUntil(async () => { const a = await t!.runtime.runScript('added').catch(() => ({ output: [] })); return a.output.length > 0 ? a : undefined; }, { timeout: 5_000, interval: 50 });
    expect(added.output).toEqual([{ added: true }]);
  });

  it('invalidateCache drops cached sources and compiled scripts on demand', async () => {
    t = await startRuntime({
      'scriptcode.yaml': 'cache:\n  ttlMs: 3600000\n  watch: false\n',
      'scripts/v.js': 'function callService() { return [{ v: 1 }]; }',
    });
    expect((await t.runtime.runScript('v')).output).toEqual([{ v: 1 }]);
    await t.app.write('scripts/v.js', 'function callService() { return [{ v: 2 }]; }');
    expect((await t.runtime.runScript('v')).output).toEqual([{ v: 1 }]);
    t.runtime.invalidateCache();
    expect((await t.runtime.runScript('v')).output).toEqual([{ v: 2 }]);
  });

  it('close() lets in-flight invocations finish, then refuses new ones', async () => {
    t = await startRuntime({ 'scripts/busy.js': 'function callService() { var s = 0; for (var i = 0; i < 3e7; i++) s += i; return [{ s: s > 0 }]; }' });
    const running = t.runtime.runScript('busy');
    await new Promise((r) => setTimeout(r, 5));
    await t.runtime.close();
    expect((await running).output).toEqual([{ s: true }]);
    const err = await rejection(() => t!.runtime.runScript('busy'));
    expect(err.name).toBe('RuntimeClosedError');
  });

  it('a configured secret never reaches the log', async () => {
    const secret = 'S3cr3t-hash-key-9f8e7d';
    process.env.SCRIPTCODE_TEST_HASH_KEY = secret;
    try {
      t = await startRuntime({
        'scriptcode.yaml': 'logging:\n  sensitive: hash\n  hashKey: ${env:SCRIPTCODE_TEST_HASH_KEY}\n',
        'scripts/log.js': 'function callService(c) { Logger.info("x {}", c.getFirstParameter("p")); throw new Error("failed"); }',
      });
      await rejection(() => t!.runtime.runScript('log', { input: { p: 'value' }, trace: true }));
      expect(t.log.lines.length).toBeGreaterThan(0);
      expect(t.log.text).not.toContain(secret);
    } finally {
      delete process.env.SCRIPTCODE_TEST_HASH_KEY;
    }
  });

  it('reports pool statistics', async () => {
    t = await startRuntime({ 'scripts/a.js': 'function callService() { return []; }' });
    await Promise.all(Array.from({ length: 4 }, () => t!.runtime.runScript('a')));
    const stats = t.runtime.stats();
    expect(stats.pools['64MB'].size).toBeGreaterThanOrEqual(1);
    expect(stats.pools['64MB'].busy).toBe(0);
    expect(stats.compiledScripts).toBe(1);
  });
});
