// A binding added from one folder outside src/ (test/fixtures/bindings/kv-v1):
// its isolate-side API, gateway, `kv:` section, `kvCalls` budget and typings
// all work through the runtime, the loader, `check` and the server with no
// change in src/ — the binding layer knows bindings only by their definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ScriptFailure, createServer, scriptTypings, type InvocationEvent } from '../../src/index.js';
import { check } from '../../src/tools/checker.js';
import { makeApp, startRuntime, type TestRuntime } from '../helpers/app.js';
import { kvV1, type KvOptions } from '../fixtures/bindings/kv-v1/index.js';
import { rejection } from '../helpers/expect.js';

const files = {
  'scriptcode.yaml': 'kv:\n  seed: { greeting: hello }\n  maxValueLength: 8\nlimits:\n  scriptService: { kvCalls: 3 }\n',
  'scripts/read.js': 'function callService(context) { return [{ value: api.kv.v1.get(context.getFirstParameter("key")) }]; }',
  'scripts/write.js': `function callService(context) {
    api.kv.v1.put("last", context.getFirstParameter("value"));
    return [{ keys: api.kv.v1.keys().join(",") }];
  }`,
  'scripts/asyncWrite.js': `async function callService(context) {
    await Promise.all([api.kv.v1.put("a", "1"), api.kv.v1.put("b", "2")]);
    return [{ a: await api.kv.v1.get("a"), b: await api.kv.v1.get("b") }];
  }`,
  'scripts/asyncWrite.yaml': 'limits: { kvCalls: 4 }\n',
  'scripts/tooLong.js': `function callService() {
    try { api.kv.v1.put("k", "far too long"); } catch (e) { return [{ name: e.name, code: e.code, isKvError: e instanceof api.kv.v1.KvError, message: e.message }]; }
    return [];
  }`,
  'scripts/loop.js': 'function callService() { for (var i = 0; i < 5; i++) api.kv.v1.get("greeting"); return []; }',
  'scripts/generous.js': 'function callService() { for (var i = 0; i < 5; i++) api.kv.v1.get("greeting"); return [{ done: true }]; }',
  'scripts/generous.yaml': 'limits: { kvCalls: 5 }\n',
  'scripts/both.js': 'function callService() { api.kv.v1.get("greeting"); return [{ rest: typeof api.rest.v1.get, kv: typeof api.kv.v1.get }]; }',
};

describe('a binding from one folder outside src/ (api.kv.v1)', () => {
  let t: TestRuntime;
  const puts: string[] = [];
  const events: InvocationEvent[] = [];
  beforeAll(async () => {
    const options: KvOptions = { onPut: (key, value) => puts.push(`${key}=${value}`) };
    t = await startRuntime(files, { bindings: [kvV1], bindingOptions: { 'kv.v1': options }, observer: { invocationFinished: (e) => events.push(e) } });
  });
  afterAll(() => t.close());

  it('scripts reach its gateway: the `kv:` section seeded it, the embedder\'s options reached it', async () => {
    expect((await t.runtime.runScript('read', { input: { key: 'greeting' } })).output).toEqual([{ value: 'hello' }]);
    expect((await t.runtime.runScript('read', { input: { key: 'nothing' } })).output).toEqual([{ value: null }]);
    expect((await t.runtime.runScript('write', { input: { value: 'v1' } })).output).toEqual([{ keys: 'greeting,last' }]);
    expect(puts).toContain('last=v1');
  });

  it('works in async mode: calls return promises and run side by side', async () => {
    expect((await t.runtime.runScript('asyncWrite')).output).toEqual([{ a: '1', b: '2' }]);
  });

  it('its errors reach the script as its own error class, with their code', async () => {
    const [row] = (await t.runtime.runScript('tooLong')).output as Record<string, unknown>[];
    expect(row).toEqual({ name: 'KvError', code: 'TOO_LONG', isKvError: true, message: 'api.kv.v1.put: the value is longer than kv.maxValueLength (8)' });
  });

  it('its calls count against its own budget (kvCalls), set per kind in scriptcode.yaml and per script in metadata', async () => {
    const failure = await rejection(() => t.runtime.runScript('loop'));
    expect(failure).toBeInstanceOf(ScriptFailure);
    expect(failure.body.error).toMatchObject({ name: 'LimitExceededError', code: 'KV_CALL_LIMIT' });
    expect(failure.body.error.message).toContain('KV call limit of 3 calls per invocation exceeded');
    expect((await t.runtime.runScript('generous')).output).toEqual([{ done: true }]);
  });

  it('sits next to the built-in api.rest.v1; logs and events count its calls by budget', async () => {
    expect((await t.runtime.runScript('both')).output).toEqual([{ rest: 'function', kv: 'function' }]);
    const finished = t.log.parsed().filter((l) => l.msg === 'invocation finished' && l.script === 'both');
    expect(finished.at(-1)).toMatchObject({ kvCalls: 1, restCalls: 0 });
    expect(events.filter((e) => e.script === 'both').at(-1)?.calls).toEqual({ restCalls: 0, kvCalls: 1 });
  });
});

describe('its configuration', () => {
  it('a mistake in its section is reported like any other, with the key, the line and its hint', async () => {
    const app = await makeApp({ 'scriptcode.yaml': 'kv:\n  sed: { a: b }\n' });
    try {
      const error = await rejection(() => startRuntime({}, { app: app.dir, bindings: [kvV1] }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain("scriptcode.yaml: kv.sed: unknown key — did you mean 'seed'?");
      expect(error.message).toContain('(line 2, column 3)');
      expect(error.message).toContain('Hint: kv: takes seed');
    } finally {
      await app.remove();
    }
  });

  it('without the binding, its section and its budget are unknown keys', async () => {
    const app = await makeApp({ 'scriptcode.yaml': 'kv: {}\nlimits:\n  scriptService: { kvCalls: 3 }\n' });
    try {
      const error = await rejection(() => startRuntime({}, { app: app.dir }));
      expect(error.message).toContain('scriptcode.yaml: kv: unknown key');
      expect(error.message).toContain('scriptcode.yaml: limits.scriptService.kvCalls: unknown key');
    } finally {
      await app.remove();
    }
  });

  it('a binding may not claim a section another one owns', async () => {
    const clash = { ...kvV1, path: 'clash.v1', config: { sections: { services: kvV1.config!.sections.kv! } } };
    const error = await rejection(() => startRuntime({ 'scriptcode.yaml': '' }, { bindings: [clash] }));
    expect(error.message).toBe("binding api.clash.v1: the scriptcode.yaml section 'services' belongs to api.rest.v1");
  });
});

describe('its typings', () => {
  it('are added to the script typings and used by check', async () => {
    const typings = await scriptTypings([kvV1]);
    expect(typings).toContain('interface KvV1');
    expect(typings).toContain('interface RestV1');
    const app = await makeApp({
      'scriptcode.yaml': 'kv: {}\n',
      'scripts/good.js': 'function callService() { var v = api.kv.v1.get("a"); return [{ v: v }]; }',
      'scripts/bad.js': 'function callService() { api.kv.v1.put("a", 42); return []; }',
    });
    try {
      const report = await check({ app: app.dir, bindings: [kvV1] });
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(errors).toEqual([expect.objectContaining({ file: 'scripts/bad.js', line: 1, message: expect.stringContaining("Argument of type 'number' is not assignable to parameter of type 'string'") })]);
      // without the binding neither the section nor the api is known
      const without = await check({ app: app.dir });
      expect(without.findings.map((f) => f.message).join('\n')).toMatch(/kv: unknown key/);
    } finally {
      await app.remove();
    }
  });
});

describe('through the server', () => {
  it('createServer takes it like createRuntime', async () => {
    const app = await makeApp(files);
    const server = await createServer({ app: app.dir, bindings: [kvV1], config: { server: { port: 0 } } as never, watch: false, logDestination: { write: () => {} } as never });
    try {
      const url = await server.listen();
      const answer = await fetch(`${url}/api/scripts/read/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { key: 'greeting' } }) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ output: [{ value: 'hello' }] });
    } finally {
      await server.close();
      await app.remove();
    }
  });
});
