import { join } from 'node:path';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { ConfigError, loadConfig, resolveSecretRefs } from '../../src/app/index.js';
import { makeApp } from './helpers.js';
import { rejection } from '../helpers/expect.js';

// Present in the environment during these tests; must never show up in any error text.
const SECRET = 'Zq9-distinctive-secret-7731';

beforeEach(() => {
  process.env.SCRIPTCODE_TEST_SECRET = SECRET;
  delete process.env.SCRIPTCODE_TEST_MISSING;
});
afterEach(() => {
  delete process.env.SCRIPTCODE_TEST_SECRET;
});

describe('resolveSecretRefs', () => {
  it('replaces whole-string and embedded env references, deep in objects and lists', () => {
    const input = { a: '${env:SCRIPTCODE_TEST_SECRET}', b: ['Bearer ${env:SCRIPTCODE_TEST_SECRET}!', 42, true, null], c: { d: 'plain' } };
    expect(resolveSecretRefs(input)).toEqual({ a: SECRET, b: [`Bearer ${SECRET}!`, 42, true, null], c: { d: 'plain' } });
    // the input is left untouched
    expect(input.a).toBe('${env:SCRIPTCODE_TEST_SECRET}');
  });

  it('uses the given environment instead of process.env', () => {
    expect(resolveSecretRefs('${env:A}-${env:B}', 'x', { env: { A: '1', B: '2' } })).toBe('1-2');
  });

  it('reads files (trailing newline trimmed), relative paths against the application folder', async () => {
    const dir = await makeApp({ 'secrets/token': 'tok-123\n', 'abs.txt': 'line1\nline2\r\n\n' });
    expect(resolveSecretRefs({ t: '${file:secrets/token}', u: '${file:./secrets/token}' }, [], { baseDir: dir })).toEqual({ t: 'tok-123', u: 'tok-123' });
    expect(resolveSecretRefs(`k=\${file:${join(dir, 'abs.txt')}};`, [], { baseDir: '/nonexistent' })).toBe('k=line1\nline2;');
  });

  it('turns $${...} into a literal ${...} without resolving it', () => {
    expect(resolveSecretRefs('$${env:SCRIPTCODE_TEST_SECRET} and ${env:SCRIPTCODE_TEST_SECRET}')).toBe(`\${env:SCRIPTCODE_TEST_SECRET} and ${SECRET}`);
    expect(resolveSecretRefs('price: $${amount}')).toBe('price: ${amount}');
  });

  it('leaves strings without references alone, including other ${...} forms', () => {
    expect(resolveSecretRefs('https://x/{id}?q=${query}')).toBe('https://x/{id}?q=${query}');
  });

  it('names the key path and the reference of a missing variable, never a value', () => {
    const error = catchError(() =>
      resolveSecretRefs(
        { auth: { clientId: '${env:SCRIPTCODE_TEST_SECRET}', clientSecret: 'x-${env:SCRIPTCODE_TEST_MISSING}-${env:SCRIPTCODE_TEST_SECRET}' } },
        'services.crm',
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([
      { path: 'services.crm.auth.clientSecret', message: 'cannot resolve ${env:SCRIPTCODE_TEST_MISSING}: environment variable SCRIPTCODE_TEST_MISSING is not set' },
    ]);
    expect(error.message).toContain('scriptcode.yaml: services.crm.auth.clientSecret: cannot resolve ${env:SCRIPTCODE_TEST_MISSING}');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
  });

  it('reports a missing or unreadable file by path and reference', async () => {
    const dir = await makeApp({ 'folder/.keep': '' });
    const error = catchError(() => resolveSecretRefs({ tls: { key: '${file:missing.pem}', ca: '${file:folder}' } }, 'services.x', { baseDir: dir }));
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `services.x.tls.key: cannot resolve \${file:missing.pem}: file not found (resolved to ${join(dir, 'missing.pem')})`,
      `services.x.tls.ca: cannot resolve \${file:folder}: is a folder, not a file (resolved to ${join(dir, 'folder')})`,
    ]);
  });

  it('reports a path that cannot be read as a file', async () => {
    // a folder fails the read for every user, root included (a chmod 000 file would not)
    const dir = await makeApp({ 'folder/inside': SECRET });
    const error = catchError(() => resolveSecretRefs('${file:folder}', 'a', { baseDir: dir }));
    expect(error.message).toContain('a: cannot resolve ${file:folder}: is a folder, not a file');
    expect(error.message).not.toContain(SECRET);
  });

  it('rejects malformed references', () => {
    const error = catchError(() => resolveSecretRefs({ a: '${env:BAD-NAME}', b: '${env:OPEN', c: '${file:}' }));
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "a: cannot resolve ${env:BAD-NAME}: 'BAD-NAME' is not a valid environment variable name",
      "b: reference '${env:…' has no closing '}'",
      'c: cannot resolve ${file:}: no file path given',
    ]);
  });
});

describe('secret references in scriptcode.yaml', () => {
  it('resolves env and file references anywhere in the configuration', async () => {
    const dir = await makeApp({
      'scriptcode.yaml': [
        'services:',
        '  crm:',
        '    url: https://crm.example.com',
        '    auth: { type: oauth2, tokenUrl: https://login.example.com/token, clientId: forms, clientSecret: "${env:SCRIPTCODE_TEST_SECRET}" }',
        '    headers: { X-Token: "Bearer ${file:token.txt}" }',
        'logging: { sensitive: hash, hashKey: "${file:/' + 'dev/null}x" }',
      ].join('\n'),
      'token.txt': 'file-token\n',
    });
    const config = await loadConfig(dir);
    expect(config.services.crm).toEqual({
      url: 'https://crm.example.com',
      auth: { type: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'forms', clientSecret: SECRET },
      headers: { 'X-Token': 'Bearer file-token' },
    });
    expect(config.logging.hashKey).toBe('x');
  });

  it('fails start-up naming service, key, reference and line — never a value', async () => {
    const dir = await makeApp({
      'scriptcode.yaml': [
        'services:',
        '  crm:',
        '    url: https://crm.example.com',
        '    auth:',
        '      clientId: "${env:SCRIPTCODE_TEST_SECRET}"',
        '      clientSecret: ${env:SCRIPTCODE_TEST_MISSING}',
        'logging:',
        '  level: "${env:SCRIPTCODE_TEST_SECRET}"',
        '  hashKey: "literal-${env:SCRIPTCODE_TEST_MISSING}-${env:SCRIPTCODE_TEST_SECRET}"',
      ].join('\n'),
    });
    const error = (await rejection(loadConfig(dir))) as unknown as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      'scriptcode.yaml: services.crm.auth.clientSecret: cannot resolve ${env:SCRIPTCODE_TEST_MISSING}: environment variable SCRIPTCODE_TEST_MISSING is not set (line 6, column 7)',
    );
    expect(error.message).toContain('scriptcode.yaml: logging.hashKey: cannot resolve ${env:SCRIPTCODE_TEST_MISSING}');
    // a resolved secret in a wrongly typed key is reported by key, not by value
    expect(error.message).toContain('scriptcode.yaml: logging.level: must be one of: trace, debug, info, warn, error, silent (line 8, column 3)');
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.issues)).not.toContain(SECRET);
    expect(String(error.stack)).not.toContain(SECRET);
  });

  it('resolves references in overrides as well', async () => {
    const dir = await makeApp();
    const config = await loadConfig(dir, { overrides: { services: { a: { url: 'https://a.example.com', headers: { 'X-Token': '${env:SCRIPTCODE_TEST_SECRET}' } } } } });
    expect(config.services.a).toEqual({ url: 'https://a.example.com', headers: { 'X-Token': SECRET } });
  });
});

function catchError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected an error');
}


