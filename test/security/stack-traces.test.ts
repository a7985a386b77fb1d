// A stack a script sees, or an error answer a client gets, shows the script's
// own frames only: never the sandbox's prelude or a binding (security review,
// finding 6). Checked for every way an error reaches a script.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { startServer } from '../server/helpers.js';
import { rejection } from '../helpers/expect.js';

const INTERNALS = /scriptcode:prelude|makeHostError|bindingCaller|settleCall|restV1|prelude/;

let partner: TestServer;
let t: TestRuntime;
const files = () => ({
  'scriptcode.yaml': `services:\n  partner: { url: '${partner.url}', allowInsecureHttp: true, network: { allowPrivate: true }, retry: { attempts: 1 } }\n`,
  // line 2 makes the call
  'scripts/restSync.js': 'function callService() {\n  try { api.rest.v1.get("partner", { path: "missing" }); } catch (e) { return [{ stack: e.stack }]; }\n}',
  'scripts/restAsync.js': 'async function callService() {\n  try { await api.rest.v1.get("partner", { path: "missing" }); } catch (e) { return [{ stack: e.stack }]; }\n}',
  'scripts/restBadCall.js': 'function callService() {\n  try { api.rest.v1.get(42); } catch (e) { return [{ stack: e.stack }]; }\n}',
  'scripts/uncaught.js': 'function callService() {\n  api.rest.v1.get("partner", { path: "missing" });\n}',
  'scripts/uncaughtAsync.js': 'async function callService() {\n  await null;\n  await api.rest.v1.get("partner", { path: "missing" });\n}',
  'scripts/builtins.js': `function callService(context) {
  var stacks = [];
  try { context.setValue('', 1); } catch (e) { stacks.push(e.stack); }
  try { context.getModel(); } catch (e) { stacks.push(e.stack); }
  try { btoa('\\u0142'); } catch (e) { stacks.push(e.stack); }
  try { atob('!'); } catch (e) { stacks.push(e.stack); }
  try { Function('return 1'); } catch (e) { stacks.push(e.stack); }
  try { Logger.info({ toJSON: function () { throw new Error('own'); } }); stacks.push('logged'); } catch (e) { stacks.push(e.stack); }
  try { [1].map(function () { null.x; }); } catch (e) { stacks.push(e.stack); }
  return [{ stacks: stacks }];
}`,
});

const outputOf = async (name: string) => (await t.runtime.runScript(name)).output[0] as { stack: string; stacks: string[] };

beforeAll(async () => {
  partner = await startHttpServer((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end('{"error":"not found"}');
  });
  t = await startRuntime(files());
}, 60_000);

afterAll(async () => {
  await t?.close();
  await partner?.close();
});

describe('script-visible stacks', () => {
  it('a REST error caught in a sync script names the script line, no sandbox frame', async () => {
    const stack = (await outputOf('restSync')).stack;
    expect(stack).toMatch(/^RestResponseError: /);
    expect(stack).toContain('restSync.js:2:');
    expect(stack).not.toMatch(INTERNALS);
  });

  it('a REST error in an async script points at the await that started the call', async () => {
    const stack = (await outputOf('restAsync')).stack;
    expect(stack).toMatch(/^RestResponseError: /);
    expect(stack).toContain('restAsync.js:2:');
    expect(stack).not.toMatch(INTERNALS);
  });

  it('a call refused before it leaves the sandbox shows no sandbox frame either', async () => {
    const stack = (await outputOf('restBadCall')).stack;
    expect(stack).toMatch(/^RestRequestError: /);
    expect(stack).toContain('restBadCall.js:2:');
    expect(stack).not.toMatch(INTERNALS);
  });

  it('errors from context, atob/btoa, the disabled Function and built-ins called back from the prelude', async () => {
    const stacks = (await outputOf('builtins')).stacks;
    expect(stacks).toHaveLength(7);
    for (const stack of stacks.filter((s) => s !== 'logged')) {
      expect(stack).toContain('builtins.js:');
      expect(stack).not.toMatch(INTERNALS);
    }
  });

  it('an uncaught REST error reports the script line (sync and async)', async () => {
    const sync = await rejection(() => t.runtime.runScript('uncaught'));
    expect(sync.body.error).toMatchObject({ name: 'RestResponseError', line: 2 });
    const later = await rejection(() => t.runtime.runScript('uncaughtAsync'));
    expect(later.body.error).toMatchObject({ name: 'RestResponseError', line: 3 });
  });
});

describe('through the HTTP server', () => {
  it('no answer carries a sandbox frame', async () => {
    const server = await startServer(files());
    try {
      for (const name of ['restSync', 'restAsync', 'restBadCall', 'builtins', 'uncaught', 'uncaughtAsync']) {
        const answer = await server.post(`/api/scripts/${name}/run`, {});
        expect(answer.status).not.toBe(500);
        expect(answer.text).not.toMatch(INTERNALS);
      }
      expect(server.log.text).not.toMatch(/scriptcode:prelude/);
    } finally {
      await server.close();
    }
  });
});
