import { mkdir, rm, symlink, writeFile, utimes } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it, expect, afterEach, vi } from 'vitest';
import { Application, ApplicationNotFoundError, ConfigError, ScriptMetadataError } from '../../src/app/index.js';
import { makeApp, writeFiles } from './helpers.js';
import { rejection } from '../helpers/expect.js';

const open: Application[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function load(dir: string, options: Parameters<typeof Application.load>[1] = { watch: false }): Promise<Application> {
  const app = await Application.load(dir, options);
  open.push(app);
  return app;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('Application.load', () => {
  it('requires an existing folder', async () => {
    const dir = await makeApp({ 'file.txt': 'x' });
    const missing = await rejection(Application.load(join(dir, 'nope')));
    expect(missing).toBeInstanceOf(ApplicationNotFoundError);
    expect(missing.message).toContain(`${join(dir, 'nope')} does not exist`);
    const notFolder = await rejection(Application.load(join(dir, 'file.txt')));
    expect(notFolder.message).toContain('is not a folder');
  });

  it('loads the configuration, with overrides, and fails on an invalid one', async () => {
    const dir = await makeApp({ 'scriptcode.yaml': 'pool: { maxIsolates: 3 }\ncache: { watch: false }\n' });
    const app = await load(dir, { configOverrides: { pool: { maxQueue: 7 } } });
    expect(app.dir).toBe(dir);
    expect(app.config.pool).toEqual({ maxIsolates: 3, maxQueue: 7, asyncInvocationsPerIsolate: 64, spareIsolates: 2, idleSeconds: 60 });
    expect(app.watching).toBe(false);
    const bad = await makeApp({ 'scriptcode.yaml': 'nonsense: 1\n' });
    expect(await rejection(Application.load(bad))).toBeInstanceOf(ConfigError);
  });

  it('watches by default (cache.watch) unless the option says otherwise', async () => {
    const dir = await makeApp();
    expect((await load(dir, {})).watching).toBe(true);
    expect((await load(dir, { watch: false })).watching).toBe(false);
  });
});

describe('discovery', () => {
  it('lists scripts per kind, sorted by name, .js over .ts, ignoring bad names and other files', async () => {
    const dir = await makeApp({
      'scripts/zeta.js': '1',
      'scripts/alpha.js': '1',
      'scripts/both.js': '1',
      'scripts/both.ts': '1',
      'scripts/typed.ts': '1',
      'scripts/types.d.ts': 'declare const x: 1;',
      'scripts/v1.2-beta.js': '1',
      'scripts/-dash.js': '1',
      'scripts/.hidden.js': '1',
      'scripts/with space.js': '1',
      'scripts/readme.md': '#',
      'scripts/alpha.yaml': 'description: a',
      'scripts/nested/deep.js': '1',
      'validators/iban.js': '1',
      'tasks/archive.js': '1',
      'formatters/upper.ts': '1',
      'other/ignored.js': '1',
    });
    await mkdir(join(dir, 'scripts', 'folder.js'));
    const app = await load(dir);
    expect(app.list('scriptService')).toEqual([
      { kind: 'scriptService', name: 'alpha', relativePath: 'scripts/alpha.js' },
      { kind: 'scriptService', name: 'both', relativePath: 'scripts/both.js' },
      { kind: 'scriptService', name: 'typed', relativePath: 'scripts/typed.ts' },
      { kind: 'scriptService', name: 'v1.2-beta', relativePath: 'scripts/v1.2-beta.js' },
      { kind: 'scriptService', name: 'zeta', relativePath: 'scripts/zeta.js' },
    ]);
    expect(app.list('validationScript')).toEqual([{ kind: 'validationScript', name: 'iban', relativePath: 'validators/iban.js' }]);
    expect(app.list().map((e) => e.relativePath)).toEqual([
      'scripts/alpha.js',
      'scripts/both.js',
      'scripts/typed.ts',
      'scripts/v1.2-beta.js',
      'scripts/zeta.js',
      'validators/iban.js',
      'tasks/archive.js',
      'formatters/upper.ts',
    ]);
  });

  it('returns nothing for kinds without a folder', async () => {
    const app = await load(await makeApp());
    expect(app.list()).toEqual([]);
    expect(app.list('formatter')).toEqual([]);
  });

  it('follows symlinked script files', async () => {
    const dir = await makeApp({ 'lib/shared.js': 'shared', 'scripts/.keep': '' });
    await symlink(join(dir, 'lib/shared.js'), join(dir, 'scripts/linked.js'));
    await symlink(join(dir, 'lib/missing.js'), join(dir, 'scripts/dangling.js'));
    const app = await load(dir);
    expect(app.list('scriptService').map((e) => e.name)).toEqual(['linked']);
    expect((await app.get('scriptService', 'linked'))?.source).toBe('shared');
  });
});

describe('get', () => {
  it('returns source, hash, metadata and language', async () => {
    const dir = await makeApp({
      'scripts/greeting.js': '\uFEFFreturn "hi";',
      'scripts/greeting.yaml': 'description: Greets\ninputs:\n  name: { required: true }\n  title:\noutputs: { text: { description: the greeting } }\nlimits: { cpuMs: 200, restCalls: 0 }\n',
      'validators/iban.js': 'x',
      'validators/iban.yaml': 'messages:\n  invalid: "IBAN {0} is invalid"\n',
      'formatters/upper.ts': 'const s: string = input;',
    });
    const app = await load(dir);
    const script = await app.get('scriptService', 'greeting');
    expect(script).toEqual({
      kind: 'scriptService',
      name: 'greeting',
      path: join(dir, 'scripts/greeting.js'),
      relativePath: 'scripts/greeting.js',
      source: 'return "hi";',
      hash: sha256('return "hi";'),
      language: 'js',
      metadata: {
        description: 'Greets',
        inputs: { name: { required: true }, title: {} },
        outputs: { text: { description: 'the greeting' } },
        limits: { cpuMs: 200, restCalls: 0 },
      },
    });
    expect((await app.get('validationScript', 'iban'))?.metadata).toEqual({ messages: { invalid: 'IBAN {0} is invalid' } });
    const ts = await app.get('formatter', 'upper');
    // types are erased with blanks, so every position stays where it was in the .ts file
    expect(ts).toMatchObject({ language: 'ts', source: 'const s         = input;', relativePath: 'formatters/upper.ts', metadata: {} });
  });

  it('prefers .js over .ts', async () => {
    const app = await load(await makeApp({ 'scripts/both.js': 'js', 'scripts/both.ts': 'ts' }));
    expect(await app.get('scriptService', 'both')).toMatchObject({ source: 'js', language: 'js' });
  });

  it('returns undefined for unknown scripts, unknown kinds and names that could leave the folder', async () => {
    const dir = await makeApp({
      'scripts/ok.js': 'ok',
      'scripts/.hidden.js': 'hidden',
      'scripts/-dash.js': 'dash',
      'secret.js': 'outside',
      'scripts/sub/inner.js': 'inner',
      'validators/v.js': 'v',
    });
    const app = await load(dir);
    expect(await app.get('scriptService', 'ok')).toBeDefined();
    expect(await app.get('scriptService', 'nope')).toBeUndefined();
    expect(await app.get('nonsense' as never, 'ok')).toBeUndefined();
    for (const name of ['../secret', '..', '.', '../validators/v', 'sub/inner', 'sub\\inner', '/etc/passwd', `${dir}/secret`, '', 'ok.js', 'ok\0', '.hidden', '-dash']) {
      expect(await app.get('scriptService', name), name).toBeUndefined();
    }
  });

  it('fails only the script whose metadata is broken', async () => {
    const dir = await makeApp({
      'scripts/good.js': 'good',
      'scripts/bad.js': 'bad',
      'scripts/bad.yaml': 'description: fine\nlimit: { cpuMs: 5 }\ninputs:\n  name: { required: yes please }\n',
      'scripts/syntax.js': 's',
      'scripts/syntax.yaml': 'description: [unclosed\n',
    });
    const app = await load(dir);
    const error = await rejection(app.get('scriptService', 'bad'));
    expect(error).toBeInstanceOf(ScriptMetadataError);
    expect(error).toMatchObject({ code: 'SCRIPT_METADATA_INVALID', kind: 'scriptService', scriptName: 'bad', relativePath: 'scripts/bad.yaml' });
    expect(error.message).toContain("scripts/bad.yaml: limit: unknown key — did you mean 'limits'? (allowed here: description, inputs, outputs, messages, limits) (line 2, column 1)");
    expect(error.message).toContain('scripts/bad.yaml: inputs.name.required: must be true or false, got text (line 4, column 11)');
    const syntax = await rejection(app.get('scriptService', 'syntax'));
    expect(syntax.message).toMatch(/scripts\/syntax\.yaml: line \d+, column \d+: YAML syntax error/);
    expect((await app.get('scriptService', 'good'))?.source).toBe('good');
    // the failure is cached like a success, and cleared by fixing the file
    await writeFile(join(dir, 'scripts/bad.yaml'), 'description: fixed\n');
    app.invalidate();
    expect((await app.get('scriptService', 'bad'))?.metadata).toEqual({ description: 'fixed' });
  });

  it('shares one read between concurrent calls', async () => {
    const app = await load(await makeApp({ 'scripts/a.js': 'a' }));
    const [x, y] = await Promise.all([app.get('scriptService', 'a'), app.get('scriptService', 'a')]);
    expect(x).toBe(y);
  });
});

describe('cache', () => {
  it('trusts a cached script for ttlMs, then re-checks the file (no watcher)', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one', 'scripts/b.js': 'b' });
    const app = await load(dir, { watch: false, configOverrides: { cache: { ttlMs: 150 } } });
    const first = await app.get('scriptService', 'a');
    expect(first?.source).toBe('one');
    await writeFile(join(dir, 'scripts/a.js'), 'two, longer');
    // within the TTL the cached entry is returned as is
    expect(await app.get('scriptService', 'a')).toBe(first);
    const changed = await vi.waitUntil(async () => {
      const s = await app.get('scriptService', 'a');
      return s?.source === 'two, longer' ? s : undefined;
    }, { timeout: 3_000, interval: 20 });
    expect(changed.hash).toBe(sha256('two, longer'));
    // an unchanged file is not re-read: the same object comes back after the TTL
    const b = await app.get('scriptService', 'b');
    await new Promise((r) => setTimeout(r, 200));
    expect(await app.get('scriptService', 'b')).toBe(b);
  });

  it('re-checks metadata, a same-size rewrite, a .js appearing next to a .ts and a removal after the TTL', async () => {
    const dir = await makeApp({ 'scripts/a.ts': 'ts', 'scripts/c.js': 'aaa' });
    const app = await load(dir, { watch: false, configOverrides: { cache: { ttlMs: 0 } } });
    expect((await app.get('scriptService', 'a'))?.language).toBe('ts');
    await writeFile(join(dir, 'scripts/a.yaml'), 'description: new');
    expect((await app.get('scriptService', 'a'))?.metadata).toEqual({ description: 'new' });
    await writeFile(join(dir, 'scripts/a.js'), 'js');
    expect((await app.get('scriptService', 'a'))?.language).toBe('js');

    expect((await app.get('scriptService', 'c'))?.source).toBe('aaa');
    await writeFile(join(dir, 'scripts/c.js'), 'bbb');
    await utimes(join(dir, 'scripts/c.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect((await app.get('scriptService', 'c'))?.source).toBe('bbb');
    await rm(join(dir, 'scripts/c.js'));
    expect(await app.get('scriptService', 'c')).toBeUndefined();
  });

  it('reports TTL-detected changes to onChange listeners', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one' });
    const app = await load(dir, { watch: false, configOverrides: { cache: { ttlMs: 0 } } });
    const seen: string[] = [];
    app.onChange((e) => seen.push(`${e.kind}/${e.name}`));
    await app.get('scriptService', 'a');
    await app.get('scriptService', 'a');
    expect(seen).toEqual([]);
    await writeFile(join(dir, 'scripts/a.js'), 'two!');
    await app.get('scriptService', 'a');
    expect(seen).toEqual(['scriptService/a']);
  });

  it('does not cache a read that was under way when the cache was dropped', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one' });
    const app = await load(dir, { watch: false, configOverrides: { cache: { ttlMs: 60_000 } } });
    const during = app.get('scriptService', 'a');
    app.invalidate();
    expect((await during)?.source).toBe('one');
    await writeFile(join(dir, 'scripts/a.js'), 'two');
    expect((await app.get('scriptService', 'a'))?.source).toBe('two');
  });

  it('invalidate drops every cached script', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one', 'tasks/t.js': 't1' });
    const app = await load(dir, { watch: false, configOverrides: { cache: { ttlMs: 60_000 } } });
    const a = await app.get('scriptService', 'a');
    await app.get('scriptTask', 't');
    await writeFile(join(dir, 'scripts/a.js'), 'two');
    await writeFile(join(dir, 'tasks/t.js'), 't2');
    expect(await app.get('scriptService', 'a')).toBe(a);
    app.invalidate();
    expect((await app.get('scriptService', 'a'))?.source).toBe('two');
    expect((await app.get('scriptTask', 't'))?.source).toBe('t2');
  });
});

describe('watcher', () => {
  it('picks up changed, added and removed scripts and metadata at once, and tells listeners', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one', 'node_modules/x.js': '' });
    const app = await load(dir, { watch: true, configOverrides: { cache: { ttlMs: 600_000 } } });
    const seen: string[] = [];
    app.onChange((e) => seen.push(`${e.kind}/${e.name}`));
    expect((await app.get('scriptService', 'a'))?.source).toBe('one');

    await writeFile(join(dir, 'scripts/a.js'), 'two');
    await vi.waitUntil(async () => (await app.get('scriptService', 'a'))?.source === 'two', { timeout: 5_000, interval: 20 });
    expect(seen).toContain('scriptService/a');

    await writeFile(join(dir, 'scripts/a.yaml'), 'description: watched');
    await vi.waitUntil(async () => (await app.get('scriptService', 'a'))?.metadata.description === 'watched', { timeout: 5_000, interval: 20 });

    expect(await app.get('validationScript', 'v')).toBeUndefined();
    await writeFiles(dir, { 'validators/v.js': 'new folder, new file' });
    await vi.waitUntil(async () => seen.includes('validationScript/v'), { timeout: 5_000, interval: 20 });
    expect((await app.get('validationScript', 'v'))?.source).toBe('new folder, new file');

    await rm(join(dir, 'scripts/a.js'));
    await vi.waitUntil(async () => (await app.get('scriptService', 'a')) === undefined, { timeout: 5_000, interval: 20 });
  });

  it('stops on close, and an unsubscribed listener hears nothing', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one' });
    const app = await load(dir, { watch: true });
    const heard: string[] = [];
    const off = app.onChange((e) => heard.push(`first ${e.name}`));
    app.onChange((e) => heard.push(`second ${e.name}`));
    off();
    await writeFile(join(dir, 'scripts/a.js'), 'two');
    await vi.waitUntil(() => heard.length > 0, { timeout: 5_000, interval: 20 });
    expect(heard.every((h) => h.startsWith('second'))).toBe(true);
    await app.close();
    expect(app.watching).toBe(false);
    await writeFile(join(dir, 'scripts/a.js'), 'three');
    expect((await app.get('scriptService', 'a'))?.source).toBe('three');
  });

  it('survives a throwing listener and reports it as a warning', async () => {
    const dir = await makeApp({ 'scripts/a.js': 'one' });
    const warnings: string[] = [];
    const app = await load(dir, { watch: true, onWarning: (w) => warnings.push(w) });
    const heard: string[] = [];
    app.onChange(() => {
      throw new Error('listener broke');
    });
    app.onChange((e) => heard.push(e.name));
    await writeFile(join(dir, 'scripts/a.js'), 'two');
    await vi.waitUntil(() => heard.length > 0, { timeout: 5_000, interval: 20 });
    expect(warnings.some((w) => w.includes('listener broke'))).toBe(true);
  });
});
