import { describe, it, expect } from 'vitest';
import { authSchema } from '../../src/services/index.js';
import { b64, messagesAt, paths, resolve, resolveError } from './helpers.js';

const URL = 'https://api.example.com/v1';
const authOf = (auth: unknown) => resolve({ svc: { url: URL, auth } }).get('svc')!.auth;

describe('auth: valid forms', () => {
  it('defaults to none and accepts an explicit none', () => {
    expect(resolve({ svc: { url: URL } }).get('svc')!.auth).toEqual({ type: 'none' });
    expect(authOf({ type: 'none' })).toEqual({ type: 'none' });
  });

  it('basic with username + password', () => {
    expect(authOf({ type: 'basic', username: 'forms', password: 'pw' })).toEqual({ type: 'basic', username: 'forms', password: 'pw' });
  });

  it('basic with an empty password', () => {
    expect(authOf({ type: 'basic', username: 'forms', password: '' })).toEqual({ type: 'basic', username: 'forms', password: '' });
  });

  it('basic with encodedCredentials', () => {
    expect(authOf({ type: 'basic', encodedCredentials: b64('forms:pw') })).toEqual({ type: 'basic', encodedCredentials: b64('forms:pw') });
  });

  it('bearer', () => {
    expect(authOf({ type: 'bearer', token: 'abc.def.ghi' })).toEqual({ type: 'bearer', token: 'abc.def.ghi' });
  });

  it('apiKey in header and in query', () => {
    expect(authOf({ type: 'apiKey', in: 'header', name: 'X-Api-Key', value: 'k1' })).toEqual({ type: 'apiKey', in: 'header', name: 'X-Api-Key', value: 'k1' });
    expect(authOf({ type: 'apiKey', in: 'query', name: 'key', value: 'k2' })).toEqual({ type: 'apiKey', in: 'query', name: 'key', value: 'k2' });
  });

  it('oauth2 with clientAuth defaulting to basic, optional scope and audience kept', () => {
    expect(authOf({ type: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'id', clientSecret: 'cs' })).toEqual({
      type: 'oauth2',
      tokenUrl: 'https://login.example.com/token',
      clientId: 'id',
      clientSecret: 'cs',
      clientAuth: 'basic',
    });
    expect(
      authOf({ type: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'id', clientSecret: 'cs', scope: 'a b', audience: 'crm', clientAuth: 'post' }),
    ).toEqual({ type: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'id', clientSecret: 'cs', scope: 'a b', audience: 'crm', clientAuth: 'post' });
  });
});

describe('auth: invalid forms', () => {
  const errorOf = (auth: unknown) => resolveError({ svc: { url: URL, auth } });

  it('refuses an unknown type, naming the allowed ones', () => {
    const error = errorOf({ type: 'digest', username: 'a' });
    expect(messagesAt(error, 'services.svc.auth.type').join()).toMatch(/one of: none, basic, bearer, apiKey, oauth2/);
  });

  it('refuses an auth without a type', () => {
    expect(messagesAt(errorOf({ token: 'x' }), 'services.svc.auth.type').join()).toMatch(/is required/);
  });

  it('refuses basic with both forms', () => {
    const error = errorOf({ type: 'basic', username: 'a', password: 'b', encodedCredentials: b64('a:b') });
    expect(error.message).toMatch(/either username \+ password or encodedCredentials, not both/);
  });

  it('refuses basic with neither form', () => {
    expect(messagesAt(errorOf({ type: 'basic' }), 'services.svc.auth').join()).toMatch(/needs username \+ password, or encodedCredentials/);
  });

  it('refuses basic with half a pair', () => {
    expect(messagesAt(errorOf({ type: 'basic', username: 'a' }), 'services.svc.auth.password').join()).toMatch(/required when username is given/);
    expect(messagesAt(errorOf({ type: 'basic', password: 'b' }), 'services.svc.auth.username').join()).toMatch(/required when password is given/);
  });

  it('refuses a user name with a colon, and encodedCredentials with a Basic prefix or a line break', () => {
    expect(messagesAt(errorOf({ type: 'basic', username: 'a:b', password: 'c' }), 'services.svc.auth.username').join()).toMatch(/colon/);
    expect(messagesAt(errorOf({ type: 'basic', encodedCredentials: 'Basic abc' }), 'services.svc.auth.encodedCredentials').join()).toMatch(/without the 'Basic ' prefix/);
    expect(messagesAt(errorOf({ type: 'basic', encodedCredentials: 'abc\r\nX: 1' }), 'services.svc.auth.encodedCredentials').join()).toMatch(/line breaks/);
  });

  it("loads the reference documentation's encodedCredentials as given, warning once without showing the value", () => {
    for (const value of ['cGFzc3dvcmQ=', b64('nocolon'), 'not base64 at all']) {
      const warnings: string[] = [];
      const services = resolve({ svc: { url: 'https://a.example.com', auth: { type: 'basic', encodedCredentials: value } } }, {}, { onWarning: (w) => warnings.push(w) });
      expect(services.get('svc')!.auth).toEqual({ type: 'basic', encodedCredentials: value });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/service 'svc': auth.encodedCredentials is not the base64 of 'username:password'; it is sent as given/);
      expect(warnings[0]).not.toContain(value);
    }
    const warnings: string[] = [];
    resolve({ svc: { url: 'https://a.example.com', auth: { type: 'basic', encodedCredentials: b64('u:p') } } }, {}, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });

  it('refuses bearer without a token, with a Bearer prefix, or with a line break', () => {
    expect(messagesAt(errorOf({ type: 'bearer' }), 'services.svc.auth.token').join()).toMatch(/is required/);
    expect(messagesAt(errorOf({ type: 'bearer', token: 'Bearer abc' }), 'services.svc.auth.token').join()).toMatch(/without the 'Bearer ' prefix/);
    expect(messagesAt(errorOf({ type: 'bearer', token: 'abc\r\nX-Evil: 1' }), 'services.svc.auth.token').join()).toMatch(/line breaks/);
  });

  it('refuses keys of another auth type, naming the allowed keys', () => {
    const error = errorOf({ type: 'bearer', token: 't', username: 'u' });
    expect(messagesAt(error, 'services.svc.auth.username').join()).toMatch(/unknown key.*allowed here: type, token/);
  });

  it('refuses apiKey with a bad `in`, a missing name/value, or a framing header name', () => {
    const error = errorOf({ type: 'apiKey', in: 'cookie' });
    expect(messagesAt(error, 'services.svc.auth.in').join()).toMatch(/one of: header, query/);
    expect(paths(error)).toEqual(expect.arrayContaining(['services.svc.auth.name', 'services.svc.auth.value']));
    expect(messagesAt(errorOf({ type: 'apiKey', in: 'header', name: 'Host', value: 'v' }), 'services.svc.auth.name').join()).toMatch(/hop-by-hop/);
    expect(messagesAt(errorOf({ type: 'apiKey', in: 'header', name: 'bad name', value: 'v' }), 'services.svc.auth.name').join()).toMatch(/not a valid HTTP header name/);
  });

  it('refuses oauth2 without its required keys and with a bad clientAuth', () => {
    const error = errorOf({ type: 'oauth2', clientAuth: 'jwt' });
    expect(paths(error)).toEqual(
      expect.arrayContaining(['services.svc.auth.tokenUrl', 'services.svc.auth.clientId', 'services.svc.auth.clientSecret', 'services.svc.auth.clientAuth']),
    );
  });

  it('refuses an oauth2 tokenUrl over plain http unless the service allows it, and with userinfo', () => {
    const auth = { type: 'oauth2', tokenUrl: 'http://login.example.com/token', clientId: 'id', clientSecret: 'cs' };
    expect(messagesAt(resolveError({ svc: { url: URL, auth } }), 'services.svc.auth.tokenUrl').join()).toMatch(/allowInsecureHttp: true/);
    expect(resolve({ svc: { url: URL, auth, allowInsecureHttp: true } }).get('svc')!.auth).toMatchObject({ tokenUrl: 'http://login.example.com/token' });
    const withUser = { ...auth, tokenUrl: 'https://a:b@login.example.com/token' };
    expect(messagesAt(resolveError({ svc: { url: URL, auth: withUser } }), 'services.svc.auth.tokenUrl').join()).toMatch(/user name or password/);
    const ftp = { ...auth, tokenUrl: 'ftp://login.example.com/token' };
    expect(messagesAt(resolveError({ svc: { url: URL, auth: ftp } }), 'services.svc.auth.tokenUrl').join()).toMatch(/only http:\/\/ and https:\/\//);
  });

  it('the schema alone accepts and refuses the same way', () => {
    expect(authSchema.safeParse({ type: 'bearer', token: 't' }).success).toBe(true);
    expect(authSchema.safeParse({ type: 'basic' }).success).toBe(false);
    expect(authSchema.safeParse({ type: 'none', token: 't' }).success).toBe(false);
  });
});
