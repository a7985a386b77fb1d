import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/index.js';
import { makeApp } from './helpers.js';
import { rejection } from '../helpers/expect.js';

const DEFAULTS = {
  services: {},
  limits: {},
  logging: { level: 'info', sensitive: 'mask', maxLinesPerInvocation: 500 },
  cache: { ttlMs: 2000, watch: true },
  pool: { maxIsolates: 'auto', maxQueue: 1000, asyncInvocationsPerIsolate: 64, spareIsolates: 2, idleSeconds: 60 },
};

async function configError(yaml: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const dir = await makeApp({ 'scriptcode.yaml': yaml });
  const error = await rejection(loadConfig(dir, { env }));
  expect(error).toBeInstanceOf(ConfigError);
  return error as unknown as ConfigError;
}

describe('loadConfig: defaults', () => {
  it('uses the defaults when scriptcode.yaml is missing, with a warning', async () => {
    const dir = await makeApp();
    const warnings: string[] = [];
    expect(await loadConfig(dir, { onWarning: (w) => warnings.push(w) })).toEqual(DEFAULTS);
    expect(warnings.join()).toContain('scriptcode.yaml not found');
  });

  it('uses the defaults for an empty file and for empty sections', async () => {
    expect(await loadConfig(await makeApp({ 'scriptcode.yaml': '' }))).toEqual(DEFAULTS);
    expect(await loadConfig(await makeApp({ 'scriptcode.yaml': '# only a comment\nservices:\nlimits:\n' }))).toEqual(DEFAULTS);
  });

  it('fills the keys of a partly given section', async () => {
    const dir = await makeApp({ 'scriptcode.yaml': 'logging:\n  level: debug\npool:\n  maxQueue: 0\ncache: { ttlMs: 0 }\n' });
    const config = await loadConfig(dir);
    expect(config.logging).toEqual({ level: 'debug', sensitive: 'mask', maxLinesPerInvocation: 500 });
    expect(config.pool).toEqual({ maxIsolates: 'auto', maxQueue: 0, asyncInvocationsPerIsolate: 64, spareIsolates: 2, idleSeconds: 60 });
    expect(config.cache).toEqual({ ttlMs: 0, watch: true });
  });

  it('keeps services, serviceDefaults, server and the scriptservice list format as given', async () => {
    const dir = await makeApp({
      'scriptcode.yaml': [
        'services:',
        '  crm: { url: https://crm.example.com, timeouts: { readTimeout: 10000 } }',
        'serviceDefaults: { retry: { attempts: 2 } }',
        'server: { port: 8080 }',
        'scriptservice:',
        '  api:',
        '    - serviceId: legacy',
        '      url: https://legacy.example.com',
        '      authorization: { type: basic, encodedCredentials: abc= }',
        'limits:',
        '  formatter: { restCalls: 0, cpuMs: 20 }',
        '  scriptTask: { memoryMb: 256 }',
        'logging: { sensitive: plain, hashKey: k }',
      ].join('\n'),
    });
    const config = await loadConfig(dir);
    expect(config.services).toEqual({ crm: { url: 'https://crm.example.com', timeouts: { readTimeout: 10000 } } });
    expect(config.serviceDefaults).toEqual({ retry: { attempts: 2 } });
    expect(config.server).toEqual({ port: 8080 });
    expect(config.scriptservice).toEqual({
      api: [{ serviceId: 'legacy', url: 'https://legacy.example.com', authorization: { type: 'basic', encodedCredentials: 'abc=' } }],
    });
    expect(config.limits).toEqual({ formatter: { restCalls: 0, cpuMs: 20 }, scriptTask: { memoryMb: 256 } });
    expect(config.logging.sensitive).toBe('plain');
    expect(config.logging.hashKey).toBe('k');
  });

  it('deep-merges overrides over the file', async () => {
    const dir = await makeApp({ 'scriptcode.yaml': 'services:\n  crm: { url: https://a, retry: { attempts: 3 } }\nlogging: { level: warn }\n' });
    const config = await loadConfig(dir, {
      overrides: { services: { crm: { url: 'https://b' } }, logging: { sensitive: 'hash' }, pool: { maxIsolates: 2 } },
    });
    expect(config.services).toEqual({ crm: { url: 'https://b', retry: { attempts: 3 } } });
    expect(config.logging).toEqual({ level: 'warn', sensitive: 'hash', maxLinesPerInvocation: 500 });
    expect(config.pool).toEqual({ maxIsolates: 2, maxQueue: 1000, asyncInvocationsPerIsolate: 64, spareIsolates: 2, idleSeconds: 60 });
  });

  it('validates overrides too', async () => {
    const dir = await makeApp();
    const error = await rejection(loadConfig(dir, { overrides: { pool: { maxIsolates: 0 } } }));
    expect(error.message).toContain('scriptcode.yaml: pool.maxIsolates: must be greater than 0');
  });

  it('converts numbers and booleans that come from environment variables', async () => {
    const dir = await makeApp({ 'scriptcode.yaml': 'pool: { maxIsolates: "${env:POOL}" }\ncache: { watch: "${env:WATCH}" }\nlogging: { level: "${env:LEVEL}" }\n' });
    const config = await loadConfig(dir, { env: { POOL: '4', WATCH: 'false', LEVEL: 'error' } });
    expect(config.pool.maxIsolates).toBe(4);
    expect(config.cache.watch).toBe(false);
    expect(config.logging.level).toBe('error');
  });
});

describe('loadConfig: errors', () => {
  it('rejects an unknown top-level key, suggesting the right one', async () => {
    const error = await configError('service:\n  crm: { url: https://x }\n');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([expect.objectContaining({ path: 'service', line: 1, column: 1 })]);
    expect(error.message).toContain("scriptcode.yaml: service: unknown key — did you mean 'services'?");
    expect(error.message).toContain('allowed here: services, serviceDefaults, scriptservice, limits, logging, cache, pool, server, state');
    expect(error.message).toContain('(line 1, column 1)');
  });

  it('lists every problem with its key path, a readable message and a hint', async () => {
    const error = await configError(
      [
        'logging:',
        '  level: loud',
        '  sensitive: maybe',
        'pool:',
        '  maxIsolates: -1',
        '  maxQueue: many',
        'cache:',
        '  ttlMs: 1.5',
        '  watch: sometimes',
        'limits:',
        '  scriptServce: { cpuMs: 10 }',
        '  formatter: { restCalls: -1, cpu: 5, memoryMb: 0 }',
        'services:',
        '  crm: https://not-a-mapping',
      ].join('\n'),
    );
    const lines = error.message.split('\n');
    // in file order; positions are those of the offending keys
    expect(lines.slice(1, -1)).toEqual([
      'scriptcode.yaml: logging.level: must be one of: trace, debug, info, warn, error, silent (line 2, column 3)',
      'scriptcode.yaml: logging.sensitive: must be one of: mask, hash, markers, plain (line 3, column 3)',
      'scriptcode.yaml: pool.maxIsolates: must be greater than 0 (line 5, column 3)',
      'scriptcode.yaml: pool.maxQueue: must be a number, got text (line 6, column 3)',
      'scriptcode.yaml: cache.ttlMs: must be a whole number (line 8, column 3)',
      'scriptcode.yaml: cache.watch: must be true or false, got text (line 9, column 3)',
      "scriptcode.yaml: limits.scriptServce: unknown key — did you mean 'scriptService'? (allowed here: scriptService, validationScript, scriptTask, formatter) (line 11, column 3)",
      'scriptcode.yaml: limits.formatter.restCalls: must not be negative (line 12, column 16)',
      "scriptcode.yaml: limits.formatter.cpu: unknown key — did you mean 'cpuMs'? (allowed here: cpuMs, wallMs, memoryMb, maxOutputBytes, restCalls) (line 12, column 31)",
      'scriptcode.yaml: limits.formatter.memoryMb: must be greater than 0 (line 12, column 39)',
      'scriptcode.yaml: services.crm: must be a mapping (key: value pairs), got text (line 14, column 3)',
    ]);
    expect(error.issues).toHaveLength(11);
    expect(error.issues[0]).toEqual({ path: 'logging.level', message: expect.stringContaining('must be one of'), line: 2, column: 3 });
    expect(lines[0]).toMatch(/^invalid configuration in .*scriptcode\.yaml \(11 problems\):$/);
    expect(lines.at(-1)).toMatch(/^Hint: /);
  });

  it('names line and column of a YAML syntax error', async () => {
    const error = await configError('pool:\n  maxIsolates: 2\n\tmaxQueue: 3\n');
    expect(error.issues).toEqual([{ path: '', line: 3, column: 1, message: expect.stringContaining('YAML syntax error') }]);
    expect(error.message).toContain('scriptcode.yaml: line 3, column 1: YAML syntax error: Tabs are not allowed as indentation');
  });

  it('reports only the first YAML syntax error: the rest is the parser recovering from it', async () => {
    const error = await configError('services:\n  crm:\n    url: [a, b\n    auth: { type: basic\nlimits: {\n  x: [\n');
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/\(1 problem\):\nscriptcode\.yaml: line \d+, column \d+: YAML syntax error: /);
    expect(error.message).toContain('docs/configuration.md, "Secret references"');
    expect(error.message).not.toMatch(/SPEC/);
  });

  it('an unquoted ${…} inside { … } is one error at the reference, saying how to quote it', async () => {
    const error = await configError('services:\n  crm:\n    url: https://crm.example.com\n    headers: { Authorization: ${env:CRM_TOKEN} }\n');
    expect(error.issues).toEqual([{
      path: '', line: 4, column: 31,
      message: 'YAML syntax error: ${env:CRM_TOKEN} is not quoted inside { … } or [ … ], where YAML reads its braces as a mapping; quote it: "${env:CRM_TOKEN}"',
    }]);
    expect(error.message.split('\n')).toHaveLength(3); // the headline, the error, the hint
    // also over several lines, in a list, and for ${file:…}; a quoted one or one in a block value is fine
    const multi = await configError('services:\n  crm:\n    url: https://crm.example.com\n    headers: {\n      X-A: "${env:A}",\n      X-B: ${file:/run/b}\n    }\n');
    expect(multi.issues).toEqual([expect.objectContaining({ line: 6, column: 12, message: expect.stringContaining('quote it: "${file:/run/b}"') })]);
    const list = await configError('server:\n  auth:\n    tokens: [${env:API_TOKEN}]\n');
    expect(list.issues).toEqual([expect.objectContaining({ line: 3, column: 14, message: expect.stringContaining('quote it: "${env:API_TOKEN}"') })]);
    const dir = await makeApp({ 'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    headers:\n      Authorization: ${env:CRM_TOKEN}\n      X-B: "${env:CRM_TOKEN}"\n    queryParams: { k: "${env:CRM_TOKEN}" }\n' });
    const crm = (await loadConfig(dir, { env: { CRM_TOKEN: 't0ken' } })).services.crm!;
    expect(crm).toMatchObject({ headers: { Authorization: 't0ken', 'X-B': 't0ken' }, queryParams: { k: 't0ken' } });
  });

  it('reports every problem in one pass — top level and services — each with line and column', async () => {
    const error = await configError([
      'limits:',
      '  scriptService: { cpuMs: -1 }',
      'loggin:',
      '  level: info',
      'services:',
      '  crm:',
      '    url: http://crm.example.com',
      '    auth: { type: bearer }',
      '    timeouts: { readTimeout: soon }',
      '  geo:',
      '    url: nowhere/x',
      'serviceDefaults:',
      '  retry: { attempts: 0 }',
      '',
    ].join('\n'));
    expect(error.issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ['limits.scriptService.cpuMs', 2, 20],
      ['loggin', 3, 1],
      ['services.crm.url', 7, 5],
      ['services.crm.auth.token', 8, 5],
      ['services.crm.timeouts.readTimeout', 9, 17],
      ['services.geo.url', 11, 5],
      ['serviceDefaults.retry.attempts', 13, 12],
    ]);
    expect(error.message).toContain('every key is described in docs/configuration.md (services under "Services")');
    // services alone: the hint names the docs section of services
    const services = await configError('services:\n  crm:\n    url: https://crm.example.com\n    retry: { attemps: 2 }\n');
    expect(services.message).toContain("scriptcode.yaml: services.crm.retry.attemps: unknown key — did you mean 'attempts'?");
    expect(services.message).toMatch(/\(line 4, column \d+\)/);
    expect(services.message).toContain('every service key is described in docs/configuration.md, "Services"');
    expect(services.message).not.toMatch(/SPEC/);
  });

  it('reports duplicate keys with their line', async () => {
    const error = await configError('pool: { maxIsolates: 2 }\ncache: {}\npool: { maxQueue: 3 }\n');
    expect(error.message).toMatch(/scriptcode\.yaml: line 3, column 1: YAML syntax error: .*unique/);
  });

  it('never quotes the source line of a syntax error (it may hold a secret)', async () => {
    const error = await configError('services:\n  crm:\n    password: "hunter2-do-not-print\n');
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects a file that is not a mapping', async () => {
    const error = await configError('- a\n- b\n');
    expect(error.message).toContain('scriptcode.yaml: the file must be a mapping of settings');
  });
});
