// runtime.reloadConfig() (what the watcher calls on a change of
// scriptcode.yaml): what a new configuration generation rebuilds and what it
// keeps — OAuth2 tokens of unchanged clients, nothing of a changed one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

let idp: TestServer;
let api: TestServer;
let tokenRequests: string[] = [];
let issued = 0;

beforeAll(async () => {
  idp = await startHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    // RFC 6749 §2.3.1: id and secret are form-encoded before base64
    const client = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
      .split(':').map((part) => decodeURIComponent(part)).join(':');
    tokenRequests.push(client.split(':')[0]!);
    res.setHeader('content-type', 'application/json');
    if (!client.endsWith(':secret-one-long') && !client.endsWith(':secret-two-long')) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    res.end(JSON.stringify({ access_token: `tok-${++issued}-${client.split(':')[1]}`, token_type: 'Bearer', expires_in: 3600 }));
  });
  api = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: String(req.headers.authorization ?? '').replace(/^Bearer tok-(\d+)-.*$/, '$1'), path: req.url }));
  });
});

afterAll(async () => {
  await idp?.close();
  await api?.close();
});

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  tokenRequests = [];
});

const yaml = (secretB: string, extra = '') => `serviceDefaults:
  allowInsecureHttp: true
  network: { allowPrivate: true }
services:
  one:
    url: ${api.url}/one
    auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: client-a, clientSecret: secret-one-long }
  two:
    url: ${api.url}/two
    auth: { type: oauth2, tokenUrl: '${idp.url}/token', clientId: client-b, clientSecret: ${secretB} }
${extra}`;

const CALL = { 'scripts/call.js': `function callService(c) { return [api.rest.v1.get(c.getFirstParameter('s')).body]; }` };

describe('runtime.reloadConfig', () => {
  it('keeps the OAuth2 token of an unchanged client; a changed secret gets a new token', async () => {
    t = await startRuntime({ 'scriptcode.yaml': yaml('secret-two-long'), ...CALL });
    const run = async (s: string) => (await t!.runtime.runScript('call', { input: { s } })).output[0] as { token: string; path: string };
    const one = await run('one');
    const two = await run('two');
    expect(tokenRequests).toEqual(['client-a', 'client-b']);

    // service one unchanged, service two gets another secret and another path
    await t.app.write('scriptcode.yaml', yaml('secret-one-long').replace(`${api.url}/two`, `${api.url}/two-v2`));
    const result = await t.runtime.reloadConfig();
    expect(result).toMatchObject({ outcome: 'applied', generation: 2, changed: ['services'] });
    expect(t.runtime.configGeneration).toBe(2);

    expect(await run('one')).toEqual(one); // the same token, no new request
    const twoAfter = await run('two');
    expect(twoAfter.path).toBe('/two-v2');
    expect(twoAfter.token).not.toBe(two.token);
    expect(tokenRequests).toEqual(['client-a', 'client-b', 'client-b']);
  });

  it('a file that reads as the configuration in force is no new generation; a removed file is refused', async () => {
    t = await startRuntime({ 'scriptcode.yaml': yaml('secret-two-long'), ...CALL });
    await t.app.write('scriptcode.yaml', `# a comment changes nothing\n${yaml('secret-two-long')}`);
    expect(await t.runtime.reloadConfig()).toEqual({ outcome: 'unchanged', generation: 1 });

    const { rm } = await import('node:fs/promises');
    await rm(`${t.app.dir}/scriptcode.yaml`);
    const removed = await t.runtime.reloadConfig();
    expect(removed).toMatchObject({ outcome: 'failed', generation: 1 });
    expect(removed.error?.message).toContain('the file is missing');
    expect(t.runtime.services()).toHaveLength(2);
  });

  it('a service that cannot be resolved refuses the whole change: nothing of it applies', async () => {
    t = await startRuntime({ 'scriptcode.yaml': yaml('secret-two-long'), ...CALL });
    // a valid limit change next to a service with plain http and no allowInsecureHttp
    await t.app.write('scriptcode.yaml', `${yaml('secret-two-long')}  three:\n    url: http://example.com/api\n    allowInsecureHttp: false\nlimits:\n  scriptService: { restCalls: 1 }\n`);
    const result = await t.runtime.reloadConfig();
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toMatch(/services\.three\.url: plain http:\/\/ is refused .*\(line 12/);
    expect(t.runtime.configGeneration).toBe(1);
    expect(t.runtime.app.config.limits.scriptService).toBeUndefined();
    const log = t.log.parsed().find((l) => String(l.msg).includes('cannot be used'));
    expect(log).toMatchObject({ level: 'error', generation: 1 });
  });
});
