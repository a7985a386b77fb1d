// The redactor on its own (src/bindings/rest-v1/redact-credentials.ts): which values
// count as credentials, the spellings of a secret it finds, what it leaves
// alone, and that an answer without any secret costs no copy. The end-to-end
// cases (real partner, real scripts) are in test/security/reflected-credentials.test.ts.
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../../src/http/index.js';
import { loadConfig } from '../../../src/app/load-config.js';
import { configReferences } from '../../../src/app/secret-refs.js';
import { resolveServices } from '../../../src/services/index.js';
import { parseBody, type ScriptResponse } from '../../../src/bindings/rest-v1/parse-response.js';
import { CredentialRedactor } from '../../../src/bindings/rest-v1/redact-credentials.js';
import { makeApp } from '../../helpers/app.js';
import { resolve } from '../../services/helpers.js';

const KEY = 'k3y+live/9f2c=';

function service(settings: Record<string, unknown>) {
  return resolve({ s: { url: 'https://partner.example.com/api', ...settings } }).get('s')!;
}

function raw(body: string | Buffer, headers: Record<string, string> = {}, statusText = 'OK'): HttpResponse {
  return { status: 200, statusText, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.isBuffer(body) ? body : Buffer.from(body), timings: { totalMs: 1 } };
}

function answer(response: HttpResponse): ScriptResponse {
  return { status: { code: response.status, message: response.statusText }, headers: response.headers, ...parseBody(response) };
}

const apiKey = CredentialRedactor.forService(service({ auth: { type: 'apiKey', in: 'query', name: 'key', value: KEY } }), []);

describe('CredentialRedactor', () => {
  it('an answer without any secret is handed on as it is (no copy)', () => {
    const response = raw('{"a":"b","list":[1,2,3]}', { 'x-request-id': 'abc' });
    const a = answer(response);
    expect(apiKey.response(response, a)).toBe(a);
  });

  it('finds the secret raw, percent-encoded (either hex case, twice), JSON-escaped and XML-escaped', () => {
    const spellings = [
      KEY,
      encodeURIComponent(KEY),
      encodeURIComponent(KEY).toLowerCase(),
      encodeURIComponent(encodeURIComponent(KEY)),
      'k3y+live\\/9f2c\\u003d',
      'k3y&#43;live&#x2F;9f2c&#61;',
    ];
    for (const spelling of spellings) expect(apiKey.text(`before ${spelling} after`), spelling).toBe('before ***** after');
  });

  it('redacts keys and string values of parsed JSON, never numbers or other data', () => {
    const body = JSON.stringify({ [KEY]: 1, href: `https://x/?key=${encodeURIComponent(KEY)}&page=2`, n: 12345, nested: [{ v: `saw ${KEY}` }], plain: 'k3y live' });
    const response = raw(body);
    const out = apiKey.response(response, answer(response));
    expect(out.body).toEqual({ '*****': 1, href: 'https://x/?key=*****&page=2', n: 12345, nested: [{ v: 'saw *****' }], plain: 'k3y live' });
  });

  it('redacts header names and values and the status text', () => {
    const response = raw('{}', { location: `/next/?key=${encodeURIComponent(KEY)}`, 'x-echo': KEY }, `Bad ${KEY}`);
    const out = apiKey.response(response, answer(response));
    expect(out.headers).toMatchObject({ location: '/next/?key=*****', 'x-echo': '*****' });
    expect(out.status.message).toBe('Bad *****');
  });

  it('redacts a binary body byte-wise, a non-ASCII secret as its UTF-8 bytes', () => {
    const redactor = CredentialRedactor.forService(service({ auth: { type: 'bearer', token: 'zażółć-token-9' } }), []);
    const body = Buffer.concat([Buffer.from([0, 255]), Buffer.from('x zażółć-token-9 y'), Buffer.from([0])]);
    const response = raw(body, { 'content-type': 'application/octet-stream' });
    const out = redactor.response(response, answer(response));
    expect(Buffer.from(out.body as string, 'base64')).toEqual(Buffer.concat([Buffer.from([0, 255]), Buffer.from('x ***** y'), Buffer.from([0])]));
  });

  it('a UTF-16 body is always looked at (its bytes do not spell the secret in ASCII)', () => {
    const response = raw(Buffer.from(`echo ${KEY}`, 'utf16le'), { 'content-type': 'text/plain; charset=utf-16le' });
    expect(apiKey.occursIn(response)).toBe(true);
    expect(apiKey.response(response, answer(response)).body).toBe('echo *****');
  });

  it('redacts every field of an error in place: message, body, headers, status text', () => {
    const error = Object.assign(new Error(`m ${KEY}`), { info: { name: 'RestResponseError', message: `m ${KEY}`, body: `{"k":"${KEY}"}`, headers: { location: KEY }, status: { code: 400, message: KEY } } });
    expect(apiKey.error(error)).toBe(error);
    expect(error.info).toEqual({ name: 'RestResponseError', message: 'm *****', body: '{"k":"*****"}', headers: { location: '*****' }, status: { code: 400, message: '*****' } });
    expect(error.message).toBe('m *****');
  });

  it('basic auth: the base64 user:password, and the password alone (also from encodedCredentials)', () => {
    const basic = CredentialRedactor.forService(service({ auth: { type: 'basic', username: 'alice', password: 'pw-1234' } }), []);
    const b64 = Buffer.from('alice:pw-1234').toString('base64');
    expect(basic.text(`Basic ${b64} / alice:pw-1234`)).toBe('Basic ***** / alice:*****');
    const encoded = CredentialRedactor.forService(service({ auth: { type: 'basic', encodedCredentials: b64 } }), []);
    expect(encoded.text(`Basic ${b64} / alice:pw-1234`)).toBe('Basic ***** / alice:*****');
  });

  it('the OAuth2 token of the call is added per call; the last one stays compiled', () => {
    const oauth = CredentialRedactor.forService(service({ auth: { type: 'oauth2', tokenUrl: 'https://idp.example.com/token', clientId: 'c', clientSecret: 'client-secret-1' } }), []);
    const call = oauth.forCall('tok-abc-123');
    expect(oauth.forCall('tok-abc-123')).toBe(call);
    expect(call.text('tok-abc-123 client-secret-1')).toBe('***** *****');
    expect(oauth.text('tok-abc-123')).toBe('tok-abc-123');
    expect(oauth.forCall(undefined)).toBe(oauth);
  });

  it('credentials shorter than 4 characters are not redacted (ordinary text would be) and are reported by key, never by value', () => {
    const weak = CredentialRedactor.forService(service({ auth: { type: 'basic', username: 'bob', password: 'pw1' } }), []);
    expect(weak.tooShort).toEqual(['auth.password']);
    expect(weak.text('pw1 in pw1x')).toBe('pw1 in pw1x');
    // the base64 of bob:pw1 is long enough
    expect(weak.text(Buffer.from('bob:pw1').toString('base64'))).toBe('*****');
  });
});

describe('static headers and query parameters', () => {
  it('`${env:}`/`${file:}` values written in headers or queryParams (also serviceDefaults) and credential-named headers are credentials; literal values are data', async () => {
    const app = await makeApp({
      'scriptcode.yaml': `logging: { hashKey: '\${env:SC_RV_ELSEWHERE}' }
serviceDefaults:
  headers: { X-Default-Key: '\${env:SC_RV_DEFAULT}' }
services:
  s:
    url: https://x.example.com
    headers: { X-Key: 'Key \${env:SC_RV_KEY}', X-Tenant: acme-prod, Authorization: 'Token literal-tok-5' }
    queryParams: { sig: '\${file:sig.txt}', page: size-100 }
`,
      'sig.txt': 'from-file-value\n',
    });
    try {
      // a reference elsewhere that resolves to the text of a literal header does not make it a credential
      const config = await loadConfig(app.dir, { env: { SC_RV_KEY: 'from-env-value', SC_RV_DEFAULT: 'default-env-value', SC_RV_ELSEWHERE: 'acme-prod' } });
      expect(configReferences(config).map((r) => r.path.join('.')).sort()).toEqual(['logging.hashKey', 'serviceDefaults.headers.X-Default-Key', 'services.s.headers.X-Key', 'services.s.queryParams.sig']);
      expect(configReferences({})).toEqual([]);
      const redactor = CredentialRedactor.forService(resolveServices(config).get('s')!, configReferences(config));
      expect(redactor.text('from-env-value default-env-value from-file-value literal-tok-5 | acme-prod size-100 Key Token'))
        .toBe('***** ***** ***** ***** | acme-prod size-100 Key Token');
    } finally {
      await app.remove();
    }
  });
});
