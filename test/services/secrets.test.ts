import { describe, it, expect } from 'vitest';
import { describeService } from '../../src/services/index.js';
import { b64, PEM_CERT, PEM_KEY, resolve, resolveError } from './helpers.js';

// Distinctive values: if any of them shows up in an error, a warning or a summary, a secret leaked.
const S = {
  password: 'PW-secret-7f3a',
  bothPassword: 'PW-both-91c2',
  encoded: b64('user:ENC-secret-55'),
  badEncoded: 'ENCODED-bad-secret!!',
  notPair: 'NOTPAIR-secret-31',
  token: 'TOKEN-secret-42aa',
  apiKey: 'APIKEY-secret-0b1e',
  clientSecret: 918273645,
  tokenUrlPassword: 'TOKENURL-pw-33',
  tlsKey: 'KEY-secret-not-pem-8c',
  passphrase: 55512345,
  pfx: 'PFX!secret!9d',
  header: 'HEADER-secret-12',
  unknownValue: 'UNKNOWN-value-secret-4',
  urlPassword: 'URLPASS-secret-77',
  proxyPassword: 'PROXY-secret-66',
  type: 'TYPE-secret-xx',
  authHeader: 'AUTHHDR-secret-1',
  defaultPassword: 'DEFAULT-pw-secret-5',
  numberText: 'NUMTEXT-secret-3',
  listToken: 'LIST-token-secret-8',
};
const SECRETS = Object.values(S).map(String);

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text, `leaked ${secret}`).not.toContain(secret);
}

describe('no secret value in any error or warning', () => {
  it('holds for every kind of problem, in the message, the issues and the stack', () => {
    const warnings: string[] = [];
    const error = resolveError(
      {
        basicCrlf: { url: 'https://a.example.com', auth: { type: 'basic', username: 'u', password: `${S.password}\r\nX: 1` } },
        basicBoth: { url: 'https://a.example.com', auth: { type: 'basic', username: 'u', password: S.bothPassword, encodedCredentials: S.encoded } },
        basicBad: { url: 'https://a.example.com', auth: { type: 'basic', encodedCredentials: `${S.badEncoded}\n` } },
        basicNotPair: { url: 'https://a.example.com', auth: { type: 'basic', encodedCredentials: S.notPair } },
        bearer: { url: 'https://a.example.com', auth: { type: 'bearer', token: `Bearer ${S.token}` } },
        apiKey: { url: 'https://a.example.com', auth: { type: 'apiKey', in: 'header', name: 'X-Key', value: `${S.apiKey}\n` } },
        oauth: {
          url: 'https://a.example.com',
          auth: { type: 'oauth2', tokenUrl: `https://tuser:${S.tokenUrlPassword}@login.example.com/t`, clientId: 'c', clientSecret: S.clientSecret },
        },
        tls: { url: 'https://a.example.com', tls: { cert: PEM_CERT, key: S.tlsKey, passphrase: S.passphrase, pfx: S.pfx } },
        headers: { url: 'https://a.example.com', headers: { 'X-Secret': `${S.header}\r` }, colour: S.unknownValue },
        userinfo: { url: `https://user:${S.urlPassword}@a.example.com` },
        proxy: { url: 'https://a.example.com', proxy: `socks5://p:${S.proxyPassword}@proxy:1080` },
        type: { url: 'https://a.example.com', auth: { type: S.type, secret: S.token } },
        conflict: { url: 'https://a.example.com', auth: { type: 'bearer', token: 't' }, headers: { Authorization: `Basic ${S.authHeader}` } },
        number: { url: 'https://a.example.com', maxConcurrent: S.numberText, timeouts: { readTimeout: S.numberText } },
        dup: { url: 'https://a.example.com' },
      },
      {
        serviceDefaults: { auth: { type: 'basic', username: 'd', password: S.defaultPassword }, headers: { Authorization: 'x' } },
        scriptservice: {
          api: [
            { serviceId: 'dup', url: 'https://b.example.com' },
            { serviceId: 'list', url: 'http://b.example.com', authorization: { type: 'bearer', token: `${S.listToken}\n` } },
          ],
        },
      },
      { onWarning: (w) => warnings.push(w) },
    );
    // every service above really failed, so every secret passed through a failing check
    const failed = new Set(error.issues.map((issue) => issue.path.split('.')[1]?.replace(/\[.*$/, '')));
    for (const id of ['basicCrlf', 'basicBoth', 'basicBad', 'bearer', 'apiKey', 'oauth', 'tls', 'headers', 'userinfo', 'proxy', 'type', 'conflict', 'number']) {
      expect(failed, id).toContain(id);
    }
    expect(error.issues.some((issue) => issue.path.startsWith('scriptservice.api[1]'))).toBe(true);
    // the duplicate id, and encodedCredentials that are not base64 of user:password (sent as given)
    expect(warnings).toHaveLength(2);
    expectNoSecret(error.message);
    expectNoSecret(String(error.stack));
    expectNoSecret(JSON.stringify(error.issues));
    expectNoSecret(warnings.join('\n'));
  });
});

describe('describeService', () => {
  it('summarises a service without any secret', () => {
    const service = resolve({
      crm: {
        url: 'https://crm.example.com/api',
        auth: { type: 'oauth2', tokenUrl: 'https://login.example.com/t', clientId: 'forms', clientSecret: 'CLIENT-secret-d1' },
        tls: { ca: PEM_CERT, pfx: 'UEZYLXNlY3JldA==', passphrase: 'PASSPHRASE-secret-d2' },
        headers: { 'X-Api-Token': 'HEADER-secret-d3' },
        queryParams: { key: 'QUERY-secret-d4' },
        proxy: 'http://proxyuser:PROXY-secret-d5@proxy.example.com:3128',
        retry: { attempts: 2 },
        circuitBreaker: { failureThreshold: 3 },
      },
    }).get('crm')!;
    const summary = describeService(service);
    expect(summary).toEqual({
      id: 'crm',
      url: 'https://crm.example.com/api',
      auth: 'oauth2',
      timeouts: { connectTimeout: 5000, readTimeout: 30000 },
      retry: { attempts: 2 },
      followRedirects: false,
      allowInsecureHttp: false,
      network: { allowPrivate: false, allowCidrs: [] },
      circuitBreaker: { failureThreshold: 3, resetAfterMs: 30_000 },
      maxResponseBytes: 5 * 1024 * 1024,
      proxy: 'http://proxy.example.com:3128/',
      hasTls: { ca: true, cert: false, key: false, passphrase: true, pfx: true },
      tlsMinVersion: 'TLSv1.2',
    });
    const text = JSON.stringify(summary);
    for (const secret of ['CLIENT-secret-d1', 'UEZYLXNlY3JldA==', 'PASSPHRASE-secret-d2', 'HEADER-secret-d3', 'QUERY-secret-d4', 'PROXY-secret-d5', 'proxyuser', 'BEGIN']) {
      expect(text).not.toContain(secret);
    }
  });

  it('names the auth type only, for every type, and keeps proxy env and no proxy', () => {
    const services = resolve({
      b: { url: 'https://b.example.com', auth: { type: 'basic', username: 'u', password: 'BASIC-secret-e1' }, tls: { cert: PEM_CERT, key: PEM_KEY }, proxy: 'env' },
      k: { url: 'https://k.example.com', auth: { type: 'apiKey', in: 'query', name: 'key', value: 'APIKEY-secret-e2' } },
      t: { url: 'https://t.example.com', auth: { type: 'bearer', token: 'BEARER-secret-e3' } },
    });
    expect(describeService(services.get('b')!)).toMatchObject({ auth: 'basic', proxy: 'env', hasTls: { cert: true, key: true, pfx: false } });
    expect(describeService(services.get('k')!)).toMatchObject({ auth: 'apiKey', proxy: undefined });
    expect(describeService(services.get('t')!).auth).toBe('bearer');
    const text = JSON.stringify([...services.values()].map(describeService));
    for (const secret of ['BASIC-secret-e1', 'APIKEY-secret-e2', 'BEARER-secret-e3']) expect(text).not.toContain(secret);
  });
});
