import { describe, it, expect } from 'vitest';
import { collectServiceDefinitions, convertReferenceList, referenceListToServices } from '../../src/services/index.js';
import { b64, messagesAt, paths, resolve, resolveError } from './helpers.js';

describe('scriptservice.api (the reference platform list format)', () => {
  it('converts entries to services, authorization becoming auth', () => {
    const services = resolve(
      {},
      {
        scriptservice: {
          api: [
            { serviceId: 'legacy', url: 'https://legacy.example.com', authorization: { type: 'basic', encodedCredentials: b64('u:p') } },
            { serviceId: 'pair', url: 'https://pair.example.com', authorization: { type: 'basic', username: 'u', password: 'p' } },
            { serviceId: 'tok', url: 'https://tok.example.com', authorization: { type: 'bearer', token: 't' } },
            { serviceId: 'open', url: 'https://open.example.com' },
          ],
        },
      },
    );
    expect([...services.keys()]).toEqual(['legacy', 'pair', 'tok', 'open']);
    expect(services.get('legacy')!.auth).toEqual({ type: 'basic', encodedCredentials: b64('u:p') });
    expect(services.get('pair')!.auth).toEqual({ type: 'basic', username: 'u', password: 'p' });
    expect(services.get('tok')!.auth).toEqual({ type: 'bearer', token: 't' });
    expect(services.get('open')!).toMatchObject({ id: 'open', url: 'https://open.example.com', auth: { type: 'none' } });
  });

  it('applies serviceDefaults to list entries too, and accepts other service settings in an entry', () => {
    const svc = resolve(
      {},
      { serviceDefaults: { timeouts: { connectTimeout: 111 } }, scriptservice: { api: [{ serviceId: 'x', url: 'https://x.example.com', timeouts: { readTimeout: 222 } }] } },
    ).get('x')!;
    expect(svc.timeouts).toEqual({ connectTimeout: 111, readTimeout: 222 });
  });

  it('reports problems with list paths, authorization named as written', () => {
    const error = resolveError(
      {},
      {
        scriptservice: {
          api: [
            { serviceId: 'ok', url: 'https://ok.example.com' },
            { url: 'https://no-id.example.com' },
            'just text',
            { serviceId: 'bad', url: 'http://bad.example.com', authorization: { type: 'basic' }, colour: 'red' },
            { serviceId: 'both', url: 'https://both.example.com', auth: { type: 'none' } },
          ],
        },
      },
    );
    expect(messagesAt(error, 'scriptservice.api[1].serviceId').join()).toMatch(/is required/);
    expect(messagesAt(error, 'scriptservice.api[2]').join()).toMatch(/must be a mapping/);
    expect(messagesAt(error, 'scriptservice.api[3].url').join()).toMatch(/allowInsecureHttp/);
    expect(messagesAt(error, 'scriptservice.api[3].authorization').join()).toMatch(/username \+ password, or encodedCredentials/);
    expect(messagesAt(error, 'scriptservice.api[3].colour').join()).toMatch(/unknown key.*serviceId, url, authorization/);
    expect(messagesAt(error, 'scriptservice.api[4].auth').join()).toMatch(/'authorization'/);
  });

  it('refuses a scriptservice that is not { api: [...] }', () => {
    expect(messagesAt(resolveError({}, { scriptservice: [] }), 'scriptservice').join()).toMatch(/must be a mapping with an 'api' list/);
    expect(messagesAt(resolveError({}, { scriptservice: { api: {} } }), 'scriptservice.api').join()).toMatch(/must be a list/);
    expect(messagesAt(resolveError({}, { scriptservice: { api: [], other: 1 } }), 'scriptservice.other').join()).toMatch(/unknown key/);
    expect(resolve({}, { scriptservice: { api: null } }).size).toBe(0);
  });
});

describe('ids defined more than once', () => {
  it('within the list: the last entry wins, with a warning naming the id', () => {
    const warnings: string[] = [];
    const services = resolve(
      {},
      { scriptservice: { api: [{ serviceId: 'dup', url: 'https://first.example.com' }, { serviceId: 'dup', url: 'https://second.example.com' }] } },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(services.get('dup')!.url).toBe('https://second.example.com');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'dup'.*scriptservice\.api\[0\], scriptservice\.api\[1\].*scriptservice\.api\[1\]/);
  });

  it('in the list and in services: services wins (it comes after the list), with a warning', () => {
    const warnings: string[] = [];
    const services = resolve(
      { crm: { url: 'https://services.example.com' } },
      { scriptservice: { api: [{ serviceId: 'crm', url: 'https://list.example.com', authorization: { type: 'bearer', token: 't' } }] } },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(services.get('crm')).toMatchObject({ url: 'https://services.example.com', auth: { type: 'none' } });
    expect(warnings).toEqual([expect.stringMatching(/service 'crm' is defined 2 times.*services\.crm\) is used/)]);
  });

  it('a definition that lost is not validated; no warning without duplicates', () => {
    const warnings: string[] = [];
    const services = resolve(
      { crm: { url: 'https://crm.example.com' }, other: { url: 'https://other.example.com' } },
      { scriptservice: { api: [{ serviceId: 'crm', url: 'http://broken' }] } },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(services.get('crm')!.url).toBe('https://crm.example.com');
    expect(warnings).toHaveLength(1);
    const none: string[] = [];
    resolve({ a: { url: 'https://a.example.com' } }, { scriptservice: { api: [{ serviceId: 'b', url: 'https://b.example.com' }] } }, { onWarning: (w) => none.push(w) });
    expect(none).toEqual([]);
  });

  it('the low-level helpers give the same picture', () => {
    const { definitions, issues } = convertReferenceList({ api: [{ serviceId: 'a', url: 'u', authorization: { type: 'none' } }, { url: 'x' }] });
    expect(definitions).toEqual([{ id: 'a', raw: { url: 'u', auth: { type: 'none' } }, at: ['scriptservice', 'api', 0], format: 'scriptservice' }]);
    expect(issues.map((i) => i.path)).toEqual(['scriptservice.api[1].serviceId']);
    const collected = collectServiceDefinitions({ services: { a: { url: 's' } }, scriptservice: { api: [{ serviceId: 'a', url: 'l' }] } });
    expect(collected.definitions.get('a')).toMatchObject({ format: 'services', raw: { url: 's' } });
    const warnings: string[] = [];
    expect(referenceListToServices({ api: [{ serviceId: 'a', url: '1' }, { serviceId: 'a', url: '2' }] }, { onWarning: (w) => warnings.push(w) })).toEqual({ a: { url: '2' } });
    expect(warnings).toHaveLength(1);
  });

  it('problems in list and services are reported together', () => {
    const error = resolveError({ a: { url: 'nope' } }, { scriptservice: { api: [{ serviceId: 'b' }] } });
    expect(paths(error).sort()).toEqual(['scriptservice.api[0].url', 'services.a.url']);
  });
});
