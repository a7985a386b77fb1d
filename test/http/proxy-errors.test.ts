// The errors of calls through a proxy (src/http/proxy-errors.ts): codes,
// which host they name, the advice, and never a credential.
import { describe, expect, it } from 'vitest';
import { HttpCallError } from '../../src/http/errors.js';
import { malformedConnectAnswer, proxyConnectTimeout, proxyRefused, proxyUnreachable } from '../../src/http/proxy-errors.js';
import { parseProxyUrl } from '../../src/http/proxy-routing.js';

const withCredentials = parseProxyUrl('crm', 'http://svcuser:S3CRET-pw@proxy.corp:3128', "the service's proxy setting");
const anonymous = parseProxyUrl('crm', 'https://proxy.corp', 'the environment variable HTTPS_PROXY');
const target = { serviceId: 'crm', host: 'api.example.com', port: 443 };

describe('proxy errors', () => {
  it('PROXY_REFUSED: the target as host, status and cleaned reason as detail, advice per status', () => {
    const err = proxyRefused(target, withCredentials, 407, 'Proxy Authentication Required\u0007');
    expect(err).toMatchObject({ code: 'PROXY_REFUSED', kind: 'connection', host: 'api.example.com', detail: '407 Proxy Authentication Required' });
    expect(err.message).toContain('the proxy http://proxy.corp:3128 refused the connection to api.example.com:443');
    expect(err.message).toContain("did not accept the user name and password in the service's proxy setting");
    expect(proxyRefused(target, anonymous, 407, '').message).toMatch(/requires authentication: put user:password in the environment variable HTTPS_PROXY/);
    expect(proxyRefused(target, anonymous, 407, 'x', 'NTLM, Negotiate').message).toMatch(/asks for NTLM authentication/);
    expect(proxyRefused(target, anonymous, 403, 'Forbidden').message).toMatch(/does not allow this destination/);
    expect(proxyRefused(target, anonymous, 504, 'Gateway Timeout').message).toMatch(/could not reach the service/);
    expect(proxyRefused(target, anonymous, 418, '').detail).toBe('418');
    expect(proxyRefused(target, anonymous, 403, 'x'.repeat(200)).detail).toHaveLength(84);
  });

  it('proxy unreachable: the proxy as host, the cause kept, the code from the cause', () => {
    const refused = proxyUnreachable('crm', withCredentials, 'api.example.com:443', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(refused).toMatchObject({ code: 'CONNECTION_REFUSED', host: 'proxy.corp', detail: 'ECONNREFUSED' });
    expect(refused.message).toContain('the proxy http://proxy.corp:3128 refused the connection (for a call to api.example.com:443)');
    const tls = proxyUnreachable('crm', anonymous, 't:443', Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }));
    expect(tls).toMatchObject({ code: 'TLS_FAILURE', host: 'proxy.corp' });
    expect(tls.message).toContain('the TLS connection to the proxy https://proxy.corp:443 failed');
    const parser = Object.assign(new Error('Expected HTTP/'), { name: 'HTTPParserError', code: 'HPE_INVALID_CONSTANT' });
    expect(proxyUnreachable('crm', anonymous, 't:443', parser)).toMatchObject({ code: 'PROTOCOL_ERROR', detail: 'HPE_INVALID_CONSTANT' });
    const already = new HttpCallError('CONNECT_TIMEOUT', 'x', { serviceId: 'crm' });
    expect(proxyUnreachable('crm', anonymous, 't:443', already)).toBe(already);
  });

  it('CONNECT_TIMEOUT names the target and the proxy; a malformed answer is PROTOCOL_ERROR on the proxy', () => {
    const timeout = proxyConnectTimeout({ ...target, connectTimeout: 2000 }, withCredentials);
    expect(timeout).toMatchObject({ code: 'CONNECT_TIMEOUT', kind: 'timeout', host: 'api.example.com' });
    expect(timeout.message).toContain('api.example.com:443 through the proxy http://proxy.corp:3128 within 2000 ms');
    const malformed = malformedConnectAnswer('crm', withCredentials, 'api.example.com:443', 'no HTTP status line');
    expect(malformed).toMatchObject({ code: 'PROTOCOL_ERROR', host: 'proxy.corp', detail: 'no HTTP status line' });
  });

  it('never prints the credentials of the proxy URL', () => {
    const errors = [
      proxyRefused(target, withCredentials, 407, 'Proxy Authentication Required'),
      proxyUnreachable('crm', withCredentials, 't:443', new Error('boom')),
      proxyConnectTimeout(target, withCredentials),
      malformedConnectAnswer('crm', withCredentials, 't:443', 'x'),
    ];
    for (const err of errors) expect(`${err.message} ${err.detail ?? ''}`).not.toMatch(/S3CRET|svcuser/);
  });
});
