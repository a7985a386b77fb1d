import { describe, it, expect } from 'vitest';
import { SERVICE_DEFAULTS } from '../../src/services/index.js';
import { messagesAt, paths, PEM_CERT, PEM_KEY, resolve, resolveError } from './helpers.js';

const URL = 'https://api.example.com';

describe('service settings: defaults and valid values', () => {
  it('fills every unset setting from SERVICE_DEFAULTS', () => {
    expect(resolve({ svc: { url: URL } }).get('svc')).toEqual({
      id: 'svc',
      url: URL,
      auth: { type: 'none' },
      timeouts: SERVICE_DEFAULTS.timeouts,
      retry: SERVICE_DEFAULTS.retry,
      tls: SERVICE_DEFAULTS.tls,
      allowInsecureHttp: false,
      network: { allowPrivate: false, allowCidrs: [] },
      followRedirects: false,
      maxResponseBytes: SERVICE_DEFAULTS.maxResponseBytes,
      headers: {},
      queryParams: {},
    });
  });

  it('keeps every setting that is given', () => {
    const svc = resolve({
      svc: {
        url: URL,
        timeouts: { connectTimeout: 100, readTimeout: 200 },
        retry: { attempts: 3, methods: ['post', 'GET'] },
        tls: { ca: PEM_CERT, cert: PEM_CERT, key: PEM_KEY, passphrase: 'pp', minVersion: 'TLSv1.3' },
        network: { allowPrivate: true, allowCidrs: ['10.0.0.0/8', 'fd00::/8'] },
        followRedirects: true,
        circuitBreaker: { failureThreshold: 3, resetAfterMs: 1000 },
        maxConcurrent: 4,
        maxResponseBytes: 1024,
        headers: { 'X-Tenant': 'acme' },
        queryParams: { version: '2' },
        proxy: 'http://proxy.local:3128',
      },
    }).get('svc')!;
    expect(svc).toMatchObject({
      timeouts: { connectTimeout: 100, readTimeout: 200 },
      retry: { attempts: 3, methods: ['POST', 'GET'] },
      tls: { ca: PEM_CERT, cert: PEM_CERT, key: PEM_KEY, passphrase: 'pp', minVersion: 'TLSv1.3' },
      network: { allowPrivate: true, allowCidrs: ['10.0.0.0/8', 'fd00::/8'] },
      followRedirects: true,
      circuitBreaker: { failureThreshold: 3, resetAfterMs: 1000 },
      maxConcurrent: 4,
      maxResponseBytes: 1024,
      headers: { 'X-Tenant': 'acme' },
      queryParams: { version: '2' },
      proxy: 'http://proxy.local:3128',
    });
  });

  it('converts numbers and booleans that arrive as text (from ${env:…})', () => {
    const svc = resolve({ svc: { url: URL, timeouts: { readTimeout: '1500' }, followRedirects: 'true', network: { allowPrivate: 'false' } } }).get('svc')!;
    expect(svc.timeouts.readTimeout).toBe(1500);
    expect(svc.followRedirects).toBe(true);
    expect(svc.network.allowPrivate).toBe(false);
  });

  it('fills a partly given circuitBreaker, and accepts a pfx and proxy: env', () => {
    const svc = resolve({ svc: { url: URL, circuitBreaker: { failureThreshold: 2 }, tls: { pfx: 'TUlJQmZha2U=' }, proxy: 'env' } }).get('svc')!;
    expect(svc.circuitBreaker).toEqual({ failureThreshold: 2, resetAfterMs: 30_000 });
    expect(svc.tls).toEqual({ pfx: 'TUlJQmZha2U=', minVersion: 'TLSv1.2' });
    expect(svc.proxy).toBe('env');
  });
});

describe('service settings: invalid values', () => {
  const errorOf = (settings: Record<string, unknown>) => resolveError({ svc: { url: URL, ...settings } });

  it('refuses an unknown key with its path and a suggestion', () => {
    const error = errorOf({ timeout: { readTimeout: 1 } });
    expect(messagesAt(error, 'services.svc.timeout').join()).toMatch(/unknown key — did you mean 'timeouts'\?/);
    expect(messagesAt(errorOf({ tls: { minVersio: 'TLSv1.3' } }), 'services.svc.tls.minVersio').join()).toMatch(/unknown key.*minVersion/);
  });

  it('refuses non-positive and fractional timeouts, retry attempts below 1 and unknown retry methods', () => {
    const error = errorOf({ timeouts: { connectTimeout: 0, readTimeout: 1.5 }, retry: { attempts: 0, methods: ['GET', 'FETCH'] } });
    expect(messagesAt(error, 'services.svc.timeouts.connectTimeout').join()).toMatch(/greater than 0/);
    expect(messagesAt(error, 'services.svc.timeouts.readTimeout').join()).toMatch(/whole number/);
    expect(messagesAt(error, 'services.svc.retry.attempts').join()).toMatch(/greater than 0/);
    expect(messagesAt(error, 'services.svc.retry.methods[1]').join()).toMatch(/one of: GET/);
  });

  it('refuses maxConcurrent and maxResponseBytes below 1', () => {
    const error = errorOf({ maxConcurrent: 0, maxResponseBytes: -5 });
    expect(paths(error)).toEqual(expect.arrayContaining(['services.svc.maxConcurrent', 'services.svc.maxResponseBytes']));
  });

  it('refuses a bad CIDR and a bare address, naming the entry', () => {
    const error = errorOf({ network: { allowCidrs: ['10.0.0.0/8', '10.0.0.0/33', '192.168.1.1', 'not-a-cidr'] } });
    expect(paths(error)).toEqual(['services.svc.network.allowCidrs[1]', 'services.svc.network.allowCidrs[2]', 'services.svc.network.allowCidrs[3]']);
    expect(error.issues[0]!.message).toMatch(/not a valid CIDR range/);
  });

  it('refuses forbidden static headers, bad names, duplicate names and CR/LF/NUL in values', () => {
    const error = errorOf({
      headers: { Host: 'x', 'Transfer-Encoding': 'chunked', 'proxy-authorization': 'x', 'Bad Name': 'x', 'X-A': 'a\nb', 'X-B': 'a\0b', 'X-Dup': '1', 'x-dup': '2' },
    });
    for (const name of ['Host', 'Transfer-Encoding', 'proxy-authorization']) {
      expect(messagesAt(error, `services.svc.headers.${name}`).join()).toMatch(/hop-by-hop or framing header/);
    }
    expect(messagesAt(error, 'services.svc.headers["Bad Name"]').join()).toMatch(/not a valid HTTP header name/);
    expect(messagesAt(error, 'services.svc.headers.X-A').join()).toMatch(/line breaks/);
    expect(messagesAt(error, 'services.svc.headers.X-B').join()).toMatch(/NUL/);
    expect(messagesAt(error, 'services.svc.headers.x-dup').join()).toMatch(/repeats header 'X-Dup'/);
  });

  it('refuses a static Authorization header beside configured auth, and an apiKey that collides with a static header or query parameter', () => {
    const bearer = errorOf({ auth: { type: 'bearer', token: 't' }, headers: { Authorization: 'Basic x' } });
    expect(messagesAt(bearer, 'services.svc.headers.Authorization').join()).toMatch(/conflicts with auth/);
    const header = errorOf({ auth: { type: 'apiKey', in: 'header', name: 'X-Key', value: 'v' }, headers: { 'x-key': 'other' } });
    expect(messagesAt(header, 'services.svc.headers.x-key').join()).toMatch(/conflicts with the API key header/);
    const query = errorOf({ auth: { type: 'apiKey', in: 'query', name: 'key', value: 'v' }, queryParams: { key: 'other' } });
    expect(messagesAt(query, 'services.svc.queryParams.key').join()).toMatch(/conflicts with the API key query parameter/);
    // without auth a static Authorization header is just a header
    expect(resolve({ svc: { url: URL, headers: { Authorization: 'Token x' } } }).get('svc')!.headers).toEqual({ Authorization: 'Token x' });
  });

  it('refuses TLS cert without key, key without cert, pfx with cert/key, non-PEM text and a bad minVersion', () => {
    expect(messagesAt(errorOf({ tls: { cert: PEM_CERT } }), 'services.svc.tls').join()).toMatch(/cert is given without key/);
    expect(messagesAt(errorOf({ tls: { key: PEM_KEY } }), 'services.svc.tls').join()).toMatch(/key is given without cert/);
    expect(messagesAt(errorOf({ tls: { pfx: 'TUlJ', cert: PEM_CERT, key: PEM_KEY } }), 'services.svc.tls').join()).toMatch(/either pfx or cert \+ key/);
    expect(messagesAt(errorOf({ tls: { ca: '/etc/ssl/ca.pem' } }), 'services.svc.tls.ca').join()).toMatch(/PEM text.*\$\{file:/);
    expect(messagesAt(errorOf({ tls: { pfx: 'not base64!' } }), 'services.svc.tls.pfx').join()).toMatch(/base64/);
    expect(messagesAt(errorOf({ tls: { minVersion: 'TLSv1.1' } }), 'services.svc.tls.minVersion').join()).toMatch(/TLSv1.2, TLSv1.3/);
  });

  it("refuses a proxy that is neither 'env' nor an http(s) URL", () => {
    expect(messagesAt(errorOf({ proxy: 'socks5://p:1080' }), 'services.svc.proxy').join()).toMatch(/'env'.*http/);
    expect(messagesAt(errorOf({ proxy: 'proxy.local' }), 'services.svc.proxy')).toHaveLength(1);
  });

  it('refuses a service that is not a mapping and a service without url', () => {
    const error = resolveError({ a: 'https://a.example.com', b: { auth: { type: 'none' } } });
    expect(messagesAt(error, 'services.a').join()).toMatch(/must be a mapping/);
    expect(messagesAt(error, 'services.b.url').join()).toMatch(/is required/);
  });

  it("refuses service ids with '/' or spaces", () => {
    const error = resolveError({ 'a/b': { url: URL }, 'c d': { url: URL } });
    expect(paths(error)).toEqual(['services["a/b"]', 'services["c d"]']);
  });
});
