// GET /api/console, GET and POST /api/sources/{kind}/{name} over a real
// socket: a script's text with its version, saving (picked up by the running
// server at once, without a file watcher), a save based on an older version
// refused with 409, edit off, and bad input as 4xx with our error body.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCanEdit, parseServerConfig } from '../../src/server/config.js';
import { startServer, type ServerUnderTest } from './helpers.js';

const GREET = "function callService(context) {\n  return [{ greeting: 'Hello, ' + context.getFirstParameter('name', 'world') }];\n}\n";
const FILES = {
  'scripts/greet.js': GREET,
  'scripts/typed.ts': 'function callService(context: ScriptCode.ScriptContext): ScriptCode.Rows {\n  return [{ ok: true }];\n}\n',
  'validators/check.js': 'function callService() { return []; }\n',
  'tasks/open.js': 'function callService(context) { context.complete({}); }\n',
  'formatters/upper.js': 'function formatText(input) { return { formattedText: input.textToFormat.toUpperCase() }; }\n',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let t: ServerUnderTest;
beforeAll(async () => {
  // watch off: what a save changes must not wait for a file event
  t = await startServer(FILES, { watch: false });
});
afterAll(async () => {
  await t.close();
});

describe('reading sources', () => {
  it('GET /api/console says whether the console may save (on by default on loopback)', async () => {
    const r = await t.get('/api/console');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ edit: true, app: expect.stringMatching(/^scriptcode-test-/) });
  });

  it('answers the text of a script with its version (SHA-256 of the file)', async () => {
    const r = await t.get('/api/sources/scriptService/greet');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ kind: 'scriptService', name: 'greet', path: 'scripts/greet.js', language: 'js', source: GREET, version: sha256(GREET) });
    expect((await t.get('/api/sources/scriptService/typed')).json()).toMatchObject({ path: 'scripts/typed.ts', language: 'ts' });
    expect((await t.get('/api/sources/formatter/upper')).json()).toMatchObject({ path: 'formatters/upper.js' });
  });

  it('unknown scripts are 404; a kind or name that is not one is 400 — never a path outside the application', async () => {
    const missing = await t.get('/api/sources/scriptService/nope');
    expect(missing.status).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'SCRIPT_NOT_FOUND' });
    // a validator is not a scriptService
    expect((await t.get('/api/sources/scriptService/check')).status).toBe(404);
    for (const path of ['/api/sources/scripts/greet', '/api/sources/scriptService/..%2Fscriptcode.yaml', '/api/sources/scriptService/a%20b', '/api/sources/scriptService/.hidden']) {
      const r = await t.get(path);
      expect(r.status, path).toBe(400);
      expect(r.json().error.code, path).toBe('INVALID_REQUEST');
    }
    // a dot segment is resolved away before routing: no such endpoint
    const dots = await t.get('/api/sources/scriptService/%2E%2E');
    expect([400, 404]).toContain(dots.status);
    expect(dots.text).not.toContain('services:');
  });
});

describe('saving', () => {
  it('writes the file and the running server uses it from the next invocation', async () => {
    const { version } = (await t.get('/api/sources/scriptService/greet')).json();
    const next = "function callService(context) {\n  return [{ greeting: 'Hi, ' + context.getFirstParameter('name', 'you') }];\n}\n";
    expect((await t.post('/api/scripts/greet/run', { input: { name: 'Ada' } })).json().output).toEqual([{ greeting: 'Hello, Ada' }]);
    const saved = await t.post('/api/sources/scriptService/greet', { source: next, version });
    expect(saved.status).toBe(200);
    expect(saved.json()).toEqual({ path: 'scripts/greet.js', version: sha256(next) });
    expect(await readFile(join(t.app.dir, 'scripts/greet.js'), 'utf8')).toBe(next);
    expect((await t.post('/api/scripts/greet/run', { input: { name: 'Ada' } })).json().output).toEqual([{ greeting: 'Hi, Ada' }]);
    expect(t.log.text).toContain('script saved from the console');
  });

  it('refuses (409) a save based on a version the file no longer has, and leaves the file as it is', async () => {
    const { version } = (await t.get('/api/sources/scriptTask/open')).json();
    const theirs = 'function callService(context) { context.complete({ theirs: true }); }\n';
    await t.app.write('tasks/open.js', theirs);
    const r = await t.post('/api/sources/scriptTask/open', { source: 'function callService(context) { context.complete({ mine: true }); }\n', version });
    expect(r.status).toBe(409);
    expect(r.json().error).toEqual({ name: 'Conflict', code: 'SOURCE_CHANGED', message: expect.stringContaining('tasks/open.js changed on disk since you opened it') });
    expect(await readFile(join(t.app.dir, 'tasks/open.js'), 'utf8')).toBe(theirs);
  });

  it('bad bodies are 400 (the field named), 415 when not JSON; unknown scripts 404', async () => {
    const version = sha256(GREET);
    const cases: [unknown, RegExp][] = [
      [{ source: 'x' }, /body must have required property 'version'/],
      [{ version }, /body must have required property 'source'/],
      [{ source: 'x', version: 'abc' }, /body\.version must match pattern/],
      [{ source: 1, version }, /body\.source must be string/],
      [{ source: 'x', version, path: '../x' }, /must NOT have additional properties \('path'\)/],
    ];
    for (const [body, message] of cases) {
      const r = await t.post('/api/sources/scriptService/greet', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json().error.message).toMatch(message);
    }
    const text = await t.call('POST', '/api/sources/scriptService/greet', { rawBody: 'source=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    expect((await t.post('/api/sources/scriptService/nope', { source: 'x', version })).status).toBe(404);
  });
});

describe('server.console settings', () => {
  it('edit is on by default on loopback only; enabled by default', () => {
    const file = 'scriptcode.yaml';
    expect(consoleCanEdit(parseServerConfig({}, file))).toBe(true);
    expect(consoleCanEdit(parseServerConfig({ host: '0.0.0.0', auth: { tokens: ['a-long-enough-token-123'] } }, file))).toBe(false);
    expect(consoleCanEdit(parseServerConfig({ host: '0.0.0.0', auth: { tokens: ['a-long-enough-token-123'] }, console: { edit: true } }, file))).toBe(true);
    expect(consoleCanEdit(parseServerConfig({ console: { edit: 'false' } }, file))).toBe(false);
    expect(consoleCanEdit(parseServerConfig({ console: { enabled: false, edit: true } }, file))).toBe(false);
    expect(() => parseServerConfig({ console: { editt: true } }, file)).toThrow(/server\.console/);
  });

  it('with edit off, saving is a 403 that names the setting, and nothing is written', async () => {
    const off = await startServer(FILES, { config: { server: { console: { edit: false } } } as never });
    try {
      expect((await off.get('/api/console')).json().edit).toBe(false);
      const { version } = (await off.get('/api/sources/scriptService/greet')).json();
      const r = await off.post('/api/sources/scriptService/greet', { source: 'oops', version });
      expect(r.status).toBe(403);
      expect(r.json().error).toMatchObject({ code: 'EDIT_DISABLED', message: expect.stringContaining('server.console.edit') });
      expect(await readFile(join(off.app.dir, 'scripts/greet.js'), 'utf8')).toBe(GREET);
    } finally {
      await off.close();
    }
  });
});
