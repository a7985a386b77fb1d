// The mapping from undici / Node errors to stable codes, and what messages
// may and may not contain. (The same paths are exercised end to end against
// real servers in the other test files; this covers the shapes those cannot
// produce on demand, like EAI_AGAIN.)
import { describe, expect, it } from 'vitest';
import { HttpCallError, HTTP_ERROR_KINDS, httpCallError, safeUrl, toHttpCallError } from '../../src/http/errors.js';

const ctx = { serviceId: 'crm', url: new URL('https://user:pw@crm.example.com:8443/api/v2/customers?api_key=SECRET#frag') };
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('toHttpCallError', () => {
  it.each([
    [nodeError('ENOTFOUND'), 'DNS_FAILURE', 'ENOTFOUND'],
    [nodeError('EAI_AGAIN'), 'DNS_FAILURE', 'EAI_AGAIN'],
    [nodeError('ECONNREFUSED'), 'CONNECTION_REFUSED', 'ECONNREFUSED'],
    [nodeError('ECONNRESET'), 'CONNECTION_RESET', 'ECONNRESET'],
    [nodeError('EPIPE'), 'CONNECTION_RESET', 'EPIPE'],
    [nodeError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'TLS_FAILURE', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    [nodeError('CERT_HAS_EXPIRED'), 'TLS_FAILURE', 'CERT_HAS_EXPIRED'],
    [nodeError('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    [nodeError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), 'TLS_FAILURE', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'],
    [nodeError('UND_ERR_CONNECT_TIMEOUT'), 'CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'],
    [nodeError('UND_ERR_HEADERS_TIMEOUT'), 'READ_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'],
    [nodeError('UND_ERR_BODY_TIMEOUT'), 'READ_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'],
    [nodeError('UND_ERR_SOCKET', 'other side closed'), 'CONNECTION_RESET', 'closed by peer'],
    [nodeError('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'), 'PROTOCOL_ERROR', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'],
    [nodeError('EHOSTUNREACH'), 'SOCKET_ERROR', 'EHOSTUNREACH'],
    [new Error('something odd'), 'SOCKET_ERROR', undefined],
    // undici wraps the socket's error as `cause`: the inner, specific one wins
    [Object.assign(nodeError('UND_ERR_SOCKET', 'socket error'), { cause: nodeError('ECONNRESET') }), 'CONNECTION_RESET', 'ECONNRESET'],
  ])('maps %s to %s', (err, code, detail) => {
    const mapped = toHttpCallError(err, ctx);
    expect(mapped).toBeInstanceOf(HttpCallError);
    expect(mapped).toMatchObject({ code, detail, kind: HTTP_ERROR_KINDS[code as keyof typeof HTTP_ERROR_KINDS], serviceId: 'crm', host: 'crm.example.com' });
    expect(mapped.cause).toBe(err);
  });

  it('passes an HttpCallError through unchanged', () => {
    const original = httpCallError('BLOCKED_ADDRESS', { serviceId: 'crm', host: 'x.test', address: '10.0.0.1', range: 'private' });
    expect(toHttpCallError(original, ctx)).toBe(original);
  });
});

describe('messages', () => {
  it('name the service and host and never include the query string, user info or fragment', () => {
    for (const code of Object.keys(HTTP_ERROR_KINDS) as (keyof typeof HTTP_ERROR_KINDS)[]) {
      const err = httpCallError(code, { ...ctx, connectTimeout: 100, readTimeout: 200, maxResponseBytes: 300 });
      expect(err.message).toMatch(/^service "crm": /);
      expect(err.message).toContain('crm.example.com');
      expect(err.message).not.toMatch(/SECRET|api_key|pw@|frag/);
      expect(err.url).toBe('https://crm.example.com:8443/api/v2/customers');
      expect(err.kind).toBe(HTTP_ERROR_KINDS[code]);
      expect(err.name).toBe('HttpCallError');
    }
  });

  it('say what to do', () => {
    expect(httpCallError('CONNECT_TIMEOUT', { ...ctx, connectTimeout: 2000 }).message).toContain('timeouts.connectTimeout');
    expect(httpCallError('READ_TIMEOUT', { ...ctx, readTimeout: 2000 }).message).toContain('timeouts.readTimeout');
    expect(httpCallError('RESPONSE_TOO_LARGE', { ...ctx, maxResponseBytes: 10 }).message).toContain('maxResponseBytes');
    expect(httpCallError('BLOCKED_ADDRESS', { ...ctx, address: '10.1.1.1', range: 'private' }).message).toContain(
      'crm.example.com resolves to 10.1.1.1, a private address',
    );
  });

  it('safeUrl keeps origin and path only', () => {
    expect(safeUrl('https://a:b@h.test/p/q?k=v#f')).toBe('https://h.test/p/q');
    expect(safeUrl('not a url')).toBe('<invalid url>');
  });
});
