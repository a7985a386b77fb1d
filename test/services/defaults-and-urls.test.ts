import { describe, it, expect } from 'vitest';
import { messagesAt, paths, PEM_CERT, PEM_KEY, resolve, resolveError } from './helpers.js';

describe('serviceDefaults', () => {
  it('applies to every service; a service overrides key by key (readTimeout overridden, connectTimeout inherited)', () => {
    const services = resolve(
      { a: { url: 'https://a.example.com', timeouts: { readTimeout: 9000 } }, b: { url: 'https://b.example.com' } },
      { serviceDefaults: { timeouts: { connectTimeout: 1234, readTimeout: 4321 }, retry: { attempts: 3 }, followRedirects: true } },
    );
    expect(services.get('a')!.timeouts).toEqual({ connectTimeout: 1234, readTimeout: 9000 });
    expect(services.get('b')!.timeouts).toEqual({ connectTimeout: 1234, readTimeout: 4321 });
    expect(services.get('a')!.retry).toEqual({ attempts: 3 });
    expect(services.get('b')!.followRedirects).toBe(true);
  });

  it('a scalar of the service wins over the default', () => {
    const svc = resolve({ a: { url: 'https://a.example.com', followRedirects: false, maxResponseBytes: 10 } }, { serviceDefaults: { followRedirects: true, maxResponseBytes: 99 } }).get('a')!;
    expect(svc.followRedirects).toBe(false);
    expect(svc.maxResponseBytes).toBe(10);
  });

  it('merges tls and network per key, replaces lists', () => {
    const svc = resolve(
      { a: { url: 'https://a.example.com', tls: { minVersion: 'TLSv1.3' }, network: { allowCidrs: ['192.168.0.0/16'] } } },
      { serviceDefaults: { tls: { ca: PEM_CERT }, network: { allowPrivate: true, allowCidrs: ['10.0.0.0/8'] } } },
    ).get('a')!;
    expect(svc.tls).toEqual({ ca: PEM_CERT, minVersion: 'TLSv1.3' });
    expect(svc.network).toEqual({ allowPrivate: true, allowCidrs: ['192.168.0.0/16'] });
  });

  it('merges headers (case-insensitively) and queryParams by name', () => {
    const svc = resolve(
      { a: { url: 'https://a.example.com', headers: { 'x-tenant': 'own', 'X-Own': '1' }, queryParams: { lang: 'de', own: '1' } } },
      { serviceDefaults: { headers: { 'X-Tenant': 'default', 'X-Default': '1' }, queryParams: { lang: 'en', d: '1' } } },
    ).get('a')!;
    expect(svc.headers).toEqual({ 'X-Default': '1', 'x-tenant': 'own', 'X-Own': '1' });
    expect(svc.queryParams).toEqual({ lang: 'de', d: '1', own: '1' });
  });

  it('does not merge auth: a service auth replaces the default auth entirely', () => {
    const services = resolve(
      { own: { url: 'https://a.example.com', auth: { type: 'basic', encodedCredentials: 'dTpw' } }, inherits: { url: 'https://b.example.com' } },
      { serviceDefaults: { auth: { type: 'basic', username: 'default-user', password: 'default-pw' } } },
    );
    expect(services.get('own')!.auth).toEqual({ type: 'basic', encodedCredentials: 'dTpw' });
    expect(services.get('inherits')!.auth).toEqual({ type: 'basic', username: 'default-user', password: 'default-pw' });
  });

  it('does not merge auth fields: no default scope or token leaks into a service auth of the same type', () => {
    const tokenUrl = 'https://login.example.com/token';
    const defaults = { auth: { type: 'oauth2', tokenUrl, clientId: 'd', clientSecret: 'ds', scope: 'default.scope', audience: 'default-aud', clientAuth: 'post' } };
    const svc = resolve({ a: { url: 'https://a.example.com', auth: { type: 'oauth2', tokenUrl, clientId: 'own', clientSecret: 'os' } } }, { serviceDefaults: defaults }).get('a')!;
    expect(svc.auth).toEqual({ type: 'oauth2', tokenUrl, clientId: 'own', clientSecret: 'os', clientAuth: 'basic' });
    const error = resolveError({ a: { url: 'https://a.example.com', auth: { type: 'bearer' } } }, { serviceDefaults: { auth: { type: 'bearer', token: 'default' } } });
    expect(paths(error)).toEqual(['services.a.auth.token']);
  });

  it('the resolved services do not share objects with each other or the defaults', () => {
    const services = resolve({ a: { url: 'https://a.example.com' }, b: { url: 'https://b.example.com' } }, { serviceDefaults: { headers: { X: '1' }, network: { allowCidrs: ['10.0.0.0/8'] } } });
    services.get('a')!.headers.Y = '2';
    services.get('a')!.network.allowCidrs.push('11.0.0.0/8');
    expect(services.get('b')!.headers).toEqual({ X: '1' });
    expect(services.get('b')!.network.allowCidrs).toEqual(['10.0.0.0/8']);
  });

  it('validates serviceDefaults with paths under serviceDefaults, refuses a default url and unknown keys', () => {
    const error = resolveError({ a: { url: 'https://a.example.com' } }, { serviceDefaults: { url: 'https://x', timeouts: { readTimeout: 0 }, retries: 2 } });
    expect(messagesAt(error, 'serviceDefaults.url').join()).toMatch(/every service sets its own url/);
    expect(paths(error)).toEqual(expect.arrayContaining(['serviceDefaults.timeouts.readTimeout', 'serviceDefaults.retries']));
  });

  it('allowInsecureHttp from the defaults allows http for every service', () => {
    expect(resolve({ a: { url: 'http://a.example.com' } }, { serviceDefaults: { allowInsecureHttp: true } }).get('a')!.url).toBe('http://a.example.com');
  });

  it('checks TLS pairs after merging, once for a problem of the defaults alone', () => {
    const merged = resolveError({ a: { url: 'https://a.example.com', tls: { pfx: 'TUlJ' } } }, { serviceDefaults: { tls: { cert: PEM_CERT, key: PEM_KEY } } });
    expect(messagesAt(merged, 'services.a.tls').join()).toMatch(/either pfx or cert \+ key.*serviceDefaults\.tls/);
    const alone = resolveError({ a: { url: 'https://a.example.com' }, b: { url: 'https://b.example.com' } }, { serviceDefaults: { tls: { cert: PEM_CERT } } });
    expect(paths(alone)).toEqual(['serviceDefaults.tls']);
  });

  it('a static Authorization default conflicts with a service auth', () => {
    const error = resolveError({ a: { url: 'https://a.example.com', auth: { type: 'bearer', token: 't' } } }, { serviceDefaults: { headers: { Authorization: 'x' } } });
    expect(messagesAt(error, 'services.a.headers.Authorization').join()).toMatch(/conflicts with auth.*comes from serviceDefaults\.headers/);
  });
});

describe('urls', () => {
  it('refuses http unless the service sets allowInsecureHttp, naming the service and the setting', () => {
    const error = resolveError({ legacy: { url: 'http://legacy.example.com' } });
    const [message] = messagesAt(error, 'services.legacy.url');
    expect(message).toMatch(/service 'legacy'/);
    expect(message).toMatch(/allowInsecureHttp: true/);
    expect(resolve({ legacy: { url: 'http://legacy.example.com', allowInsecureHttp: true } }).get('legacy')!.url).toBe('http://legacy.example.com');
  });

  it('refuses userinfo, even an empty one', () => {
    expect(messagesAt(resolveError({ a: { url: 'https://user:pw@a.example.com' } }), 'services.a.url').join()).toMatch(/user name or password.*auth/);
    expect(messagesAt(resolveError({ a: { url: 'https://@a.example.com' } }), 'services.a.url')).toHaveLength(1);
  });

  it('refuses schemes other than http and https', () => {
    for (const url of ['ftp://a.example.com', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(messagesAt(resolveError({ a: { url } }), 'services.a.url').join()).toMatch(/only http:\/\/ and https:\/\//);
    }
  });

  it('refuses spaces, a query, a fragment and a placeholder in the host; keeps path placeholders as written', () => {
    expect(messagesAt(resolveError({ a: { url: 'https://a.example.com/x y' } }), 'services.a.url').join()).toMatch(/spaces/);
    expect(messagesAt(resolveError({ a: { url: 'https://a.example.com/x?v=1' } }), 'services.a.url').join()).toMatch(/queryParams/);
    expect(messagesAt(resolveError({ a: { url: 'https://a.example.com/x#top' } }), 'services.a.url').join()).toMatch(/fragment/);
    expect(messagesAt(resolveError({ a: { url: 'https://{tenant}.example.com/x' } }), 'services.a.url').join()).toMatch(/path only/);
    expect(messagesAt(resolveError({ a: { url: 'https://a.example.com/{bad-name}' } }), 'services.a.url').join()).toMatch(/malformed \{placeholder\}/);
    expect(resolve({ geo: { url: 'https://geo.example.com/v1/postcodes/{postcode}' } }).get('geo')!.url).toBe('https://geo.example.com/v1/postcodes/{postcode}');
  });

  it('chains one level: the id prefix is replaced by that service url, slash-joined without doubling', () => {
    const services = resolve({
      crm: { url: 'https://crm.example.com/api/v2/' },
      crmLegacy: { url: 'crm/legacy' },
      crmSlash: { url: 'crm//legacy/x' },
      crmSame: { url: 'crm' },
    });
    expect(services.get('crmLegacy')!.url).toBe('https://crm.example.com/api/v2/legacy');
    expect(services.get('crmSlash')!.url).toBe('https://crm.example.com/api/v2/legacy/x');
    expect(services.get('crmSame')!.url).toBe('https://crm.example.com/api/v2/');
  });

  it('a chained service inherits nothing but the url base', () => {
    const services = resolve({
      crm: { url: 'https://crm.example.com', auth: { type: 'bearer', token: 't' }, timeouts: { readTimeout: 1 }, headers: { X: '1' } },
      legacy: { url: 'crm/legacy' },
    });
    expect(services.get('legacy')).toMatchObject({ auth: { type: 'none' }, timeouts: { readTimeout: 30_000 }, headers: {} });
  });

  it('a chained service needs its own allowInsecureHttp for an http base', () => {
    const error = resolveError({ old: { url: 'http://old.example.com', allowInsecureHttp: true }, oldApi: { url: 'old/api' } });
    expect(paths(error)).toEqual(['services.oldApi.url']);
    expect(error.issues[0]!.message).toMatch(/service 'oldApi'.*base comes from service 'old'/);
  });

  it('refuses two levels of chaining, chaining to itself, and an unknown prefix', () => {
    const error = resolveError({
      crm: { url: 'https://crm.example.com' },
      one: { url: 'crm/one' },
      two: { url: 'one/two' },
      self: { url: 'self/x' },
      unknown: { url: 'nosuch/path' },
      relative: { url: '/path' },
    });
    expect(messagesAt(error, 'services.two.url').join()).toMatch(/only one level of chaining/);
    expect(messagesAt(error, 'services.self.url').join()).toMatch(/own id/);
    expect(messagesAt(error, 'services.unknown.url').join()).toMatch(/must be an absolute URL \(https:\/\/…\) or start with the id of another service.*no service 'nosuch'/);
    expect(messagesAt(error, 'services.relative.url').join()).toMatch(/must be an absolute URL/);
    expect(paths(error)).not.toContain('services.one.url');
  });

  it('chains to a service of the reference list format', () => {
    const services = resolve({ legacyOrders: { url: 'legacy/orders' } }, { scriptservice: { api: [{ serviceId: 'legacy', url: 'https://legacy.example.com' }] } });
    expect(services.get('legacyOrders')!.url).toBe('https://legacy.example.com/orders');
  });
});

describe('errors', () => {
  it('reports the problems of all services together in one ConfigError', () => {
    const error = resolveError(
      {
        a: { url: 'http://a.example.com' },
        b: { url: 'https://b.example.com', auth: { type: 'oauth2', tokenUrl: 'https://t.example.com', clientId: 'c' } },
        c: { url: 'https://c.example.com', maxConcurrent: 0 },
        fine: { url: 'https://ok.example.com' },
      },
      { scriptservice: { api: [{ serviceId: 'd', url: 'https://d.example.com', authorization: { type: 'bearer' } }] } },
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(paths(error).sort()).toEqual(['scriptservice.api[0].authorization.token', 'services.a.url', 'services.b.auth.clientSecret', 'services.c.maxConcurrent']);
    expect(error.message).toContain('4 problems');
    expect(error.message).toContain('services.b.auth.clientSecret: is required');
  });

  it('uses the file name given in the options', () => {
    const error = resolveError({ a: { url: 'ftp://a' } }, {}, { file: '/apps/demo/scriptcode.yaml' });
    expect(error.file).toBe('/apps/demo/scriptcode.yaml');
  });
});
