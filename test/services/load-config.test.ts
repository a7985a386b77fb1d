// Through the real loader: scriptcode.yaml in a temporary folder, `${env:…}` / `${file:…}` secrets resolved first.
import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/index.js';
import { resolveServices } from '../../src/services/index.js';
import { makeApp } from '../app/helpers.js';
import { rejection } from '../helpers/expect.js';

describe('services from scriptcode.yaml', () => {
  it('resolves ${env:…} and ${file:…} secrets inside services, list entries and defaults', async () => {
    const dir = await makeApp({
      'scriptcode.yaml': [
        'serviceDefaults:',
        '  timeouts: { connectTimeout: "${env:CONNECT_MS}" }',
        'services:',
        '  crm:',
        '    url: https://crm.example.com/api/v2',
        '    auth:',
        '      type: oauth2',
        '      tokenUrl: https://login.example.com/oauth2/token',
        '      clientId: forms-runtime',
        '      clientSecret: ${env:CRM_CLIENT_SECRET}',
        '      scope: customers.read',
        '    timeouts: { readTimeout: 10000 }',
        '    retry: { attempts: 3 }',
        '  postcodes:',
        '    url: https://geo.example.com/v1/postcodes/{postcode}',
        '    auth: { type: apiKey, in: query, name: key, value: "${file:secrets/geo-key}" }',
        '  crmLegacy:',
        '    url: crm/legacy',
        'scriptservice:',
        '  api:',
        '    - serviceId: legacy',
        '      url: https://legacy.example.com',
        '      authorization: { type: basic, encodedCredentials: "${env:LEGACY_CREDS}" }',
      ].join('\n'),
      'secrets/geo-key': 'geo-key-from-file\n',
    });
    const env = { CRM_CLIENT_SECRET: 'crm-secret-from-env', CONNECT_MS: '2000', LEGACY_CREDS: Buffer.from('a:b').toString('base64') };
    const services = resolveServices(await loadConfig(dir, { env }));
    expect(services.get('crm')).toMatchObject({
      url: 'https://crm.example.com/api/v2',
      auth: { type: 'oauth2', clientSecret: 'crm-secret-from-env', scope: 'customers.read', clientAuth: 'basic' },
      timeouts: { connectTimeout: 2000, readTimeout: 10000 },
      retry: { attempts: 3 },
    });
    expect(services.get('postcodes')!.auth).toEqual({ type: 'apiKey', in: 'query', name: 'key', value: 'geo-key-from-file' });
    expect(services.get('crmLegacy')).toMatchObject({ url: 'https://crm.example.com/api/v2/legacy', auth: { type: 'none' }, timeouts: { connectTimeout: 2000 } });
    expect(services.get('legacy')!.auth).toEqual({ type: 'basic', encodedCredentials: 'YTpi' });
  });

  it('an invalid resolved secret is reported by key, never by value', async () => {
    const dir = await makeApp({
      'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    auth: { type: bearer, token: "${env:CRM_TOKEN}" }\n',
    });
    // the loader checks every service too, so the problem has its line
    const error = (await rejection(loadConfig(dir, { env: { CRM_TOKEN: 'Bearer env-token-secret-9' } }))) as unknown as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([{ path: 'services.crm.auth.token', line: 4, column: 27, message: "must be the token alone, without the 'Bearer ' prefix" }]);
    expect(error.message).not.toContain('env-token-secret-9');
    expect(error.message).toContain('docs/configuration.md, "Services"');
  });

  it('a missing env variable fails in the loader, naming the service and key', async () => {
    const dir = await makeApp({ 'scriptcode.yaml': 'services:\n  crm:\n    url: https://crm.example.com\n    auth: { type: bearer, token: "${env:NOPE_TOKEN}" }\n' });
    const error = (await rejection(loadConfig(dir, { env: {} }))) as unknown as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues[0]!.path).toBe('services.crm.auth.token');
  });
});
