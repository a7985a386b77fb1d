// Every endpoint of SPEC §6 over a real socket: answers, status codes and
// error bodies, trace, hot reload and cache invalidation, OpenAPI, and the
// 503s of the start-up and shutdown phases.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sandbox } from '../../src/sandbox/sandbox.js';
import { createServer } from '../../src/server/index.js';
import { makeApp } from '../helpers/app.js';
import { startServer, type ServerUnderTest } from './helpers.js';

const FILES = {
  'scripts/greet.js': `function callService(context) {
  var name = context.getFirstParameter('name', 'world');
  Logger.info('greeting {}', name);
  context.setValue('title', 'Dear ' + name);
  return [{ greeting: 'Hello, ' + name + '!', all: context.getParameters('name'), visible: context.isVisible('title') }];
}`,
  'scripts/greet.yaml': 'description: Greets someone.\n',
  'scripts/broken.js': 'function callService(context) {\n  var x = 1;\n  return x.nope.deeper;\n}',
  'scripts/syntax.js': 'function callService( {',
  'scripts/badmeta.js': 'function callService() { return []; }',
  'scripts/badmeta.yaml': 'limits: { cpuMs: lots }\n',
  'validators/pesel.js': `function callService(context) {
  var p = context.getFirstParameter('pesel', '');
  return /^\\d{11}$/.test(p) ? [] : [{ key: 'pesel.format', parameters: [p.length] }];
}`,
  'validators/pesel.yaml': 'messages:\n  pesel.format: "A PESEL has 11 digits, not {0}."\n',
  'tasks/open.js': `function callService(context, task) {
  var amount = context.getVariable('amount');
  if (amount < 0) throw new Error('negative amount');
  if (amount === 0) { context.handleBpmnError('ZERO', 'nothing to do'); return; }
  context.complete({ caseId: 'C-' + task.getProcessInstanceId(), amount: amount });
}`,
  'formatters/upper.js': 'function formatText(input) { return { formattedText: input.textToFormat.toUpperCase(), cursorPosition: input.cursorPosition }; }',
};

let t: ServerUnderTest;
beforeAll(async () => {
  t = await startServer(FILES, { config: { server: { bodyLimitBytes: 4096 } } });
});
afterAll(async () => {
  await t.close();
});

const json = { 'content-type': 'application/json' };

describe('invocation endpoints', () => {
  it('POST /api/scripts/{name}/run answers output, formChanges, durationMs and invocationId', async () => {
    const r = await t.post('/api/scripts/greet/run', { input: { name: ['Ada', 'Grace'] }, form: { title: { value: '', visible: true } } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const body = r.json();
    expect(body.output).toEqual([{ greeting: 'Hello, Ada!', all: ['Ada', 'Grace'], visible: 'true' }]);
    expect(body.formChanges).toEqual({ title: 'Dear Ada' });
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof body.durationMs).toBe('number');
    expect(body).not.toHaveProperty('logs');
    expect(body).not.toHaveProperty('trace');
  });

  it('a plain input value is a one-element list; numbers and booleans become text', async () => {
    const r = await t.post('/api/scripts/greet/run', { input: { name: 42 } });
    expect(r.json().output[0]).toMatchObject({ greeting: 'Hello, 42!', all: ['42'] });
  });

  it('trace: true adds the log lines and the REST calls, rendered by the logging policy', async () => {
    const body = (await t.post('/api/scripts/greet/run', { input: { name: 'Ada' }, trace: true })).json();
    expect(body.logs).toEqual([expect.objectContaining({ level: 'info', message: 'greeting *****' })]);
    expect(body.trace).toEqual({ calls: [] });
  });

  it('POST /api/validators/{name}/validate answers valid and errors with messages', async () => {
    const bad = await t.post('/api/validators/pesel/validate', { input: { pesel: '123' } });
    expect(bad.status).toBe(200);
    expect(bad.json()).toMatchObject({ valid: false, errors: [{ key: 'pesel.format', message: 'A PESEL has 11 digits, not 3.', parameters: ['3'] }] });
    const good = await t.post('/api/validators/pesel/validate', { input: { pesel: '44051401458' } });
    expect(good.json()).toMatchObject({ valid: true, errors: [] });
  });

  it('POST /api/tasks/{name}/execute answers the outcome', async () => {
    const complete = await t.post('/api/tasks/open/execute', { variables: { amount: 5 }, processInstanceId: 'p-1' });
    expect(complete.status).toBe(200);
    expect(complete.json()).toMatchObject({ outcome: 'complete', variables: { caseId: 'C-p-1', amount: 5 } });
    const bpmn = await t.post('/api/tasks/open/execute', { variables: { amount: 0 } });
    expect(bpmn.json()).toMatchObject({ outcome: 'bpmnError', errorCode: 'ZERO', cause: 'nothing to do' });
    // an uncaught error in a task is a business outcome, not an HTTP error
    const failure = await t.post('/api/tasks/open/execute', { variables: { amount: -1 } });
    expect(failure.status).toBe(200);
    expect(failure.json()).toMatchObject({ outcome: 'failure', cause: 'Error: negative amount', error: { name: 'Error', message: 'negative amount' } });
  });

  it('POST /api/formatters/{name}/format answers formattedText and cursorPosition', async () => {
    const r = await t.post('/api/formatters/upper/format', { textToFormat: 'pl61', locale: 'pl-PL', cursorPosition: 2 });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ formattedText: 'PL61', cursorPosition: 2 });
  });
});

describe('status codes and error bodies', () => {
  it('422 for a script error: exactly the ScriptFailure body, with line and column in the script file', async () => {
    const r = await t.post('/api/scripts/broken/run', { input: {} });
    expect(r.status).toBe(422);
    const body = r.json();
    expect(Object.keys(body).sort()).toEqual(['durationMs', 'error', 'invocationId']);
    expect(body.error).toMatchObject({ name: 'TypeError', line: 3 });
    expect(body.error.message).toMatch(/deeper/);
    expect(typeof body.error.column).toBe('number');
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('422 for a script that does not compile, with its position; other scripts keep working', async () => {
    const r = await t.post('/api/scripts/syntax/run', {});
    expect(r.status).toBe(422);
    expect(r.json().error).toMatchObject({ name: 'SyntaxError', code: 'COMPILE_ERROR', line: 1 });
    expect((await t.post('/api/scripts/greet/run', {})).status).toBe(200);
  });

  it('422 (not 500) for a script whose metadata file is broken, naming the file; other scripts keep working', async () => {
    const r = await t.post('/api/scripts/badmeta/run', {});
    expect(r.status).toBe(422);
    expect(r.json().error).toMatchObject({ name: 'ScriptMetadataError', code: 'SCRIPT_METADATA_INVALID', message: expect.stringContaining('scripts/badmeta.yaml') });
    expect((await t.post('/api/scripts/greet/run', {})).status).toBe(200);
  });

  it('422 with logs and trace when trace was asked for', async () => {
    const body = (await t.post('/api/scripts/broken/run', { trace: true })).json();
    expect(body).toHaveProperty('logs');
    expect(body).toHaveProperty('trace');
  });

  it('404 for an unknown script of each kind, and for an unknown route', async () => {
    for (const path of ['/api/scripts/nope/run', '/api/validators/nope/validate', '/api/tasks/nope/execute']) {
      const r = await t.post(path, {});
      expect(r.status).toBe(404);
      expect(r.json()).toEqual({ error: { name: 'NotFound', message: expect.stringContaining("'nope'"), code: 'SCRIPT_NOT_FOUND' } });
    }
    const f = await t.post('/api/formatters/nope/format', { textToFormat: 'x' });
    expect(f.status).toBe(404);
    // a validator name is not a script name
    expect((await t.post('/api/scripts/pesel/run', {})).status).toBe(404);
    const route = await t.get('/api/nothing-here?pesel=44051401458');
    expect(route.status).toBe(404);
    expect(route.json().error).toMatchObject({ name: 'NotFound', code: 'NO_ROUTE' });
    expect(route.text).not.toContain('44051401458');
  });

  it('400 names what is wrong', async () => {
    expect((await t.post('/api/scripts/greet/run', { inputs: {} })).json().error.message).toBe("invalid request: body must NOT have additional properties ('inputs')");
    expect((await t.post('/api/scripts/greet/run', { trace: 'yes' })).json().error.message).toBe('invalid request: body.trace must be boolean');
    // unmasked traces are the command line's (run --show-data), never an HTTP caller's
    for (const url of ['/api/scripts/greet/run', '/api/validators/pesel/validate', '/api/tasks/open/execute', '/api/formatters/upper/format']) {
      const r = await t.post(url, { trace: true, showData: true, textToFormat: 'a' });
      expect(r.status).toBe(400);
      expect(r.json().error.message).toContain("'showData'");
    }
  });

  it('400 for requests that do not match the schema', async () => {
    const cases: [string, unknown][] = [
      ['/api/scripts/greet/run', { inputs: {} }], // typo: unknown key
      ['/api/scripts/greet/run', { input: { name: { nested: true } } }],
      ['/api/scripts/greet/run', { input: [] }],
      ['/api/scripts/greet/run', { trace: 'yes' }],
      ['/api/scripts/greet/run', { form: { c: { visible: 'no' } } }],
      ['/api/scripts/greet/run', []],
      ['/api/tasks/open/execute', { variables: 'x' }],
      ['/api/tasks/open/execute', { processInstanceId: 7 }],
      ['/api/formatters/upper/format', { locale: 'pl' }],
      ['/api/formatters/upper/format', { textToFormat: 'x', cursorPosition: -1 }],
      ['/api/scripts/bad%20name/run', {}],
    ];
    for (const [path, body] of cases) {
      const r = await t.post(path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json().error).toMatchObject({ name: 'BadRequest', code: 'INVALID_REQUEST', message: expect.stringMatching(/^invalid request: /) });
    }
  });

  it('400 for a body that is not JSON, or missing', async () => {
    const broken = await t.call('POST', '/api/scripts/greet/run', { rawBody: '{"input":', headers: json });
    expect(broken.status).toBe(400);
    expect(broken.json().error.name).toBe('BadRequest');
    const empty = await t.call('POST', '/api/scripts/greet/run', { rawBody: '', headers: json });
    expect(empty.status).toBe(400);
    const none = await t.call('POST', '/api/scripts/greet/run');
    expect(none.status).toBe(400);
  });

  it('415 for a body that is not application/json (a form, plain text), naming the type to send', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'text/plain; charset=utf-8', 'multipart/form-data; boundary=x']) {
      const r = await t.call('POST', '/api/scripts/greet/run', { rawBody: 'name=Ada', headers: { 'content-type': type } });
      expect(r.status, type).toBe(415);
      expect(r.headers['accept-post']).toBe('application/json');
      expect(r.json().error).toEqual({ name: 'UnsupportedMediaType', code: 'UNSUPPORTED_MEDIA_TYPE', message: `unsupported content type ${type}: send the body as application/json` });
    }
    // JSON by another name is JSON
    const problem = await t.call('POST', '/api/scripts/greet/run', { rawBody: '{"input":{"name":"Ada"}}', headers: { 'content-type': 'application/vnd.api+json' } });
    expect(problem.status).toBe(200);
  });

  it('413 for a body over server.bodyLimitBytes, naming the setting', async () => {
    const r = await t.post('/api/scripts/greet/run', { input: { name: 'x'.repeat(5000) } });
    expect(r.status).toBe(413);
    expect(r.json().error).toEqual({
      name: 'PayloadTooLarge', code: 'BODY_TOO_LARGE',
      message: 'the body is larger than server.bodyLimitBytes (4096 bytes): send less, or raise server.bodyLimitBytes in scriptcode.yaml',
    });
  });

  it('405 with Allow for a known path and another method', async () => {
    const get = await t.get('/api/scripts/greet/run');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json().error).toEqual({ name: 'MethodNotAllowed', code: 'METHOD_NOT_ALLOWED', message: 'GET is not allowed on /api/scripts/greet/run; use POST' });
    const post = await t.call('POST', '/api/scripts');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await t.call('DELETE', '/health/live')).status).toBe(405);
  });

  it('an empty JSON body where none is needed is fine; where one is needed, 400 says so', async () => {
    const invalidate = await t.call('POST', '/api/cache/invalidate', { rawBody: '', headers: json });
    expect(invalidate.status).toBe(200);
    const run = await t.call('POST', '/api/scripts/greet/run', { rawBody: '', headers: json });
    expect(run.status).toBe(400);
    expect(run.json().error).toMatchObject({ code: 'INVALID_REQUEST', message: 'invalid request: body must be object' });
  });

  it('no answer carries a Fastify-internal code', () => {
    for (const answer of t.answers) expect(answer.text).not.toMatch(/FST_|"code":"ERR_/);
  });
});

describe('what is loaded', () => {
  it('GET /api/scripts lists every script with its kind, file, endpoint and description', async () => {
    const r = await t.get('/api/scripts');
    expect(r.status).toBe(200);
    const scripts = r.json().scripts;
    expect(scripts).toContainEqual({ kind: 'scriptService', name: 'greet', path: 'scripts/greet.js', endpoint: 'POST /api/scripts/greet/run', description: 'Greets someone.' });
    expect(scripts).toContainEqual({ kind: 'validationScript', name: 'pesel', path: 'validators/pesel.js', endpoint: 'POST /api/validators/pesel/validate' });
    expect(scripts).toContainEqual({ kind: 'scriptTask', name: 'open', path: 'tasks/open.js', endpoint: 'POST /api/tasks/open/execute' });
    expect(scripts).toContainEqual({ kind: 'formatter', name: 'upper', path: 'formatters/upper.js', endpoint: 'POST /api/formatters/upper/format' });
    expect(scripts).toContainEqual(expect.objectContaining({ name: 'badmeta', path: 'scripts/badmeta.js' }));
    expect(scripts).toHaveLength(7);
  });

  it('GET /api/services is empty without services', async () => {
    expect((await t.get('/api/services')).json()).toEqual({ services: [] });
  });
});

describe('health and OpenAPI', () => {
  it('GET /health/live and /health/ready', async () => {
    const live = await t.get('/health/live');
    expect([live.status, live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await t.get('/health/ready');
    expect([ready.status, ready.json()]).toEqual([200, { status: 'ready', configGeneration: 1 }]);
  });

  it('GET /openapi.json describes every endpoint with the schemas the server validates with', async () => {
    const r = await t.get('/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/cache/invalidate', '/api/check', '/api/console', '/api/formatters/{name}/format', '/api/scripts', '/api/scripts/{name}/run', '/api/services',
      '/api/services/{id}/check', '/api/sources/{kind}/{name}', '/api/tasks/{name}/execute', '/api/tests/run', '/api/validators/{name}/validate',
      '/health/live', '/health/ready', '/metrics', '/openapi.json',
    ]);
    const run = doc.paths['/api/scripts/{name}/run'].post;
    expect(run.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RunRequest' });
    expect(Object.keys(run.responses).sort()).toEqual(['200', '400', '404', '413', '415', '422', '500', '503']);
    expect(run.responses['422'].content['application/json'].schema).toEqual({ anyOf: [{ $ref: '#/components/schemas/ScriptFailure' }, { $ref: '#/components/schemas/Error' }] });
    expect(run.responses['503'].headers).toHaveProperty('Retry-After');
    expect(run.parameters).toEqual([expect.objectContaining({ name: 'name', in: 'path', required: true })]);
    expect(doc.components.schemas.RunRequest.properties.input).toEqual({ $ref: '#/components/schemas/InputMap' });
    expect(doc.components.schemas.ScriptAnswer.required).toContain('output');
    // every $ref resolves
    for (const ref of r.text.match(/#\/components\/schemas\/\w+/g) ?? []) {
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    expect(doc.paths['/metrics'].get.responses['200'].content).toHaveProperty(['text/plain; version=0.0.4']);
  });
});

describe('reloading scripts while serving', () => {
  let s: ServerUnderTest | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('POST /api/cache/invalidate drops compiled scripts and cached sources', async () => {
    s = await startServer(
      { 'scriptcode.yaml': 'cache:\n  ttlMs: 3600000\n  watch: false\n', 'scripts/v.js': 'function callService() { return [{ v: 1 }]; }' },
    );
    expect((await s.post('/api/scripts/v/run', {})).json().output).toEqual([{ v: 1 }]);
    await s.app.write('scripts/v.js', 'function callService() { return [{ v: 2 }]; }');
    expect((await s.post('/api/scripts/v/run', {})).json().output).toEqual([{ v: 1 }]);
    const r = await s.post('/api/cache/invalidate');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ invalidated: true, compiledScripts: 1 });
    expect((await s.post('/api/scripts/v/run', {})).json().output).toEqual([{ v: 2 }]);
  });

  it('a changed or added script is served without a restart (file watch)', async () => {
    s = await startServer({ 'scripts/v.js': 'function callService() { return [{ v: 1 }]; }' }, { watch: true });
    expect((await s.post('/api/scripts/v/run', {})).json().output).toEqual([{ v: 1 }]);
    await s.app.write('scripts/v.js', 'function callService() { return [{ v: 2 }]; }');
    await s.app.write('scripts/added.js', 'function callService() { return [{ added: true }]; }');
    const until = Date.now() + 5000;
    let v: unknown;
    let added = 0;
    while (Date.now() < until) {
      v = (await s.post('/api/scripts/v/run', {})).json().output;
      added = (await s.post('/api/scripts/added/run', {})).status;
      if (JSON.stringify(v) === '[{"v":2}]' && added === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(v).toEqual([{ v: 2 }]);
    expect(added).toBe(200);
  });
});

describe('start-up and shutdown phases', () => {
  it('/health/live answers while the application loads; /health/ready and /api/* are 503 until the pool is warm', async () => {
    const app = await makeApp({ 'scripts/a.js': 'function callService() { return []; }' });
    const server = await createServer({ app: app.dir, watch: false, config: { server: { port: 0, warmIsolates: 16 } }, logDestination: { write: () => true } as never });
    // the pool warms only once the requests below have been answered: warming 16 isolates can
    // otherwise win the race against three loopback requests (it did, now and then, on every Node line)
    let warmNow!: () => void;
    const gate = new Promise<void>((resolve) => { warmNow = resolve; });
    const warm = Sandbox.prototype.warm;
    const held = vi.spyOn(Sandbox.prototype, 'warm').mockImplementation(async function (this: Sandbox, ...args) {
      await gate;
      return warm.apply(this, args);
    });
    try {
      const listening = server.listen();
      while (!server.url) await new Promise((r) => setTimeout(r, 1));
      const [live, ready, api] = await Promise.all([
        fetch(`${server.url}/health/live`),
        fetch(`${server.url}/health/ready`),
        fetch(`${server.url}/api/scripts`),
      ]);
      warmNow();
      expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
      expect([ready.status, await ready.json(), ready.headers.get('retry-after')]).toEqual([503, { status: 'starting' }, '1']);
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('1');
      expect((await api.json()).error).toMatchObject({ name: 'ServiceUnavailable', code: 'STARTING' });
      await listening;
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect(server.runtime!.stats().pools['64MB']!.size).toBe(16);
      expect(held).toHaveBeenCalledTimes(1);
    } finally {
      warmNow();
      held.mockRestore();
      await server.close();
      await app.remove();
    }
  });

  it('close() while the application loads: listen() rejects, the runtime it was loading is closed too', async () => {
    const app = await makeApp({ 'scripts/a.js': 'function callService() { return []; }' });
    const server = await createServer({ app: app.dir, watch: false, config: { server: { port: 0, warmIsolates: 8 } }, logDestination: { write: () => true } as never });
    try {
      const listening = server.listen().then(() => 'listening', (e: Error) => e.message);
      while (!server.url) await new Promise((r) => setTimeout(r, 1));
      const closed = await server.close();
      expect(await listening).toBe('the server was closed while it was starting');
      expect(closed).toEqual({ drained: true });
      await expect(server.runtime!.runScript('a')).rejects.toMatchObject({ name: 'RuntimeClosedError' });
      await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    } finally {
      await app.remove();
    }
  });

  it('while draining, a request that arrives on an open connection is a 503 (Retry-After, Connection: close); the one in flight finishes', async () => {
    const s = await startServer({
      'scripts/slow.js': 'function callService() { var end = Date.now() + 400; while (Date.now() < end) {} return [{ slow: true }]; }',
      'scripts/quick.js': 'function callService() { return [{ quick: true }]; }',
    });
    try {
      const slow = s.post('/api/scripts/slow/run', {});
      // a second client has sent half of its request when the shutdown starts
      const socket = net.connect(s.server.address!.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let raw = '';
      socket.on('data', (d) => { raw += d.toString(); });
      const ended = new Promise((r) => socket.once('close', r));
      socket.write('POST /api/scripts/quick/run HTTP/1.1\r\nHost: test\r\n');
      await new Promise((r) => setTimeout(r, 100));
      const closing = s.server.close();
      await new Promise((r) => setTimeout(r, 20));
      socket.write('Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      await ended;
      expect(raw).toMatch(/^HTTP\/1\.1 503 /);
      expect(raw.toLowerCase()).toContain('retry-after: 1');
      expect(raw.toLowerCase()).toContain('connection: close');
      expect(raw).toContain('"code":"STOPPING"');
      const answer = await slow;
      expect([answer.status, answer.json().output]).toEqual([200, [{ slow: true }]]);
      expect(answer.headers.connection).toBe('close');
      expect(await closing).toEqual({ drained: true });
    } finally {
      await s.close();
    }
  });
});
