// Issue 13: the command line runs one script with the secrets of the services
// it calls, not of every service the application declares. With
// deferSecrets (`scriptcode run` / `record`), a `${env:…}` that is not set
// fails the first call to the service that needs it, with the message start-up
// would have given; without it (the server, the library by default) start-up
// fails as before.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/index.js';
import { deferredSecretError, DEFERRED_SECRET } from '../../src/app/deferred-secrets.js';
import { createRuntime, createServer, ScriptFailure } from '../../src/index.js';
import type { Transport } from '../../src/index.js';
import { makeApp, startRuntime, type TestApp, type TestRuntime } from '../helpers/app.js';
import { rejection } from '../helpers/expect.js';

const CONFIG = [
  'serviceDefaults:',
  '  auth: { type: bearer, token: "${env:DEFAULT_TOKEN}" }',
  'services:',
  '  crm:',
  '    url: https://crm.example.com',
  '    auth: { type: bearer, token: "${env:CRM_TOKEN}" }',
  '  geo:',
  '    url: https://geo.example.com',
  '    auth: { type: none }',
  '  crmLegacy:',
  '    url: crm/legacy',
  '  billing:',
  '    url: "${env:BILLING_URL}"',
  '    auth: { type: none }',
  '  invoices:',
  '    url: billing/invoices',
  '    auth: { type: none }',
  'server:',
  '  auth:',
  '    tokens: ["${env:API_TOKEN}"]',
  '',
].join('\n');

const SCRIPTS = {
  'scripts/plain.js': 'function callService() { return [{ ok: true }]; }',
  'scripts/geo.js': "function callService() { return [api.rest.v1.get('geo').body]; }",
  'scripts/crm.js': "function callService() { return [api.rest.v1.get('crm', { path: 'customers' }).body]; }",
  'scripts/caught.js': "function callService() { try { api.rest.v1.get('crm'); } catch (e) { return [{ name: e.name, code: e.code }]; } }",
};

let t: TestRuntime | undefined;
let app: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  await app?.remove();
  t = app = undefined;
});

describe('secrets of services a script does not call (deferSecrets)', () => {
  it('loadConfig: missing references of services, serviceDefaults and server: wait; each service knows which it needs', async () => {
    app = await makeApp({ 'scriptcode.yaml': CONFIG });
    await expect(loadConfig(app.dir, { env: {} })).rejects.toBeInstanceOf(ConfigError);
    const config = await loadConfig(app.dir, { env: {}, deferSecrets: true });
    expect(config.services.crm).toMatchObject({ auth: { token: DEFERRED_SECRET } });

    const crm = deferredSecretError(config, 'crm')!;
    expect(crm).toBeInstanceOf(ConfigError);
    expect(crm.issues).toEqual([{ path: 'services.crm.auth.token', line: 6, column: 27,
      message: 'cannot resolve ${env:CRM_TOKEN}: environment variable CRM_TOKEN is not set' }]);
    // geo has its own auth: the default token is not its concern
    expect(deferredSecretError(config, 'geo')).toBeUndefined();
    // crmLegacy uses the default auth, and its url comes from crm (whose url is fine)
    expect(deferredSecretError(config, 'crmLegacy')!.issues.map((i) => i.path)).toEqual(['serviceDefaults.auth.token']);
    // a url from the environment: the service and the one chained to it
    expect(deferredSecretError(config, 'billing')!.issues.map((i) => i.path)).toEqual(['services.billing.url']);
    expect(deferredSecretError(config, 'invoices')!.issues.map((i) => i.path)).toEqual(['services.billing.url']);
  });

  it('a script that calls no such service runs; the first call to one fails with the start-up message, and nothing is sent', async () => {
    const sent: string[] = [];
    const transport: Transport = {
      request: async (service, request) => {
        sent.push(`${service.id} ${request.url}`);
        return { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"city":"Warszawa"}'), timings: { totalMs: 1 } };
      },
    };
    t = await startRuntime({ 'scriptcode.yaml': CONFIG, ...SCRIPTS }, { env: {}, deferSecrets: true, transport });
    expect((await t.runtime.runScript('plain')).output).toEqual([{ ok: true }]);
    expect((await t.runtime.runScript('geo')).output).toEqual([{ city: 'Warszawa' }]);

    const failure = await rejection(() => t!.runtime.runScript('crm'));
    expect(failure).toBeInstanceOf(ScriptFailure);
    const error = (failure as ScriptFailure).body.error as { name: string; code: string; message: string };
    expect(error.name).toBe('RestRequestError');
    expect(error.code).toBe('SECRET_UNAVAILABLE');
    expect(error.message).toContain("api.rest.v1: service 'crm' cannot be called: invalid configuration in ");
    expect(error.message).toContain('scriptcode.yaml: services.crm.auth.token: cannot resolve ${env:CRM_TOKEN}: environment variable CRM_TOKEN is not set (line 6, column 27)');
    expect(error.message).toContain('Hint: set the missing environment variables');
    expect(error.message).not.toContain(DEFERRED_SECRET);
    // catchable like any RestRequestError
    expect((await t.runtime.runScript('caught')).output).toEqual([{ name: 'RestRequestError', code: 'SECRET_UNAVAILABLE' }]);
    expect(sent).toEqual(['geo https://geo.example.com/']);
  });

  it('with the secret set, the call goes out as usual', async () => {
    const seen: (string | undefined)[] = [];
    const transport: Transport = {
      request: async (_service, request) => {
        seen.push(request.headers.authorization);
        return { status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), timings: { totalMs: 1 } };
      },
    };
    t = await startRuntime({ 'scriptcode.yaml': CONFIG, ...SCRIPTS }, { env: { CRM_TOKEN: 'crm-token-1234' }, deferSecrets: true, transport });
    await t.runtime.runScript('crm');
    expect(seen).toEqual(['Bearer crm-token-1234']);
  });

  it('a placeholder the settings refuse cannot wait: reported at start', async () => {
    app = await makeApp({ 'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    timeouts: { readTimeout: "${env:CRM_READ_MS}" }\n' });
    const error = (await loadConfig(app.dir, { env: {}, deferSecrets: true }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([expect.objectContaining({ path: 'services.crm.timeouts.readTimeout', message: expect.stringContaining('cannot resolve ${env:CRM_READ_MS}') })]);
  });

  it('without it — the server, and the library by default — every secret is needed at start', async () => {
    app = await makeApp({ 'scriptcode.yaml': CONFIG, ...SCRIPTS });
    const runtimeError = await rejection(() => createRuntime({ app: app!.dir, env: {}, watch: false }));
    expect(runtimeError).toBeInstanceOf(ConfigError);
    const previous = { ...process.env };
    for (const name of ['DEFAULT_TOKEN', 'CRM_TOKEN', 'BILLING_URL', 'API_TOKEN']) delete process.env[name];
    try {
      const serverError = await rejection(() => createServer({ app: app!.dir }));
      expect(serverError).toBeInstanceOf(ConfigError);
      expect(serverError.message).toContain('services.crm.auth.token: cannot resolve ${env:CRM_TOKEN}');
    } finally {
      process.env = previous;
    }
  });
});
