// buildUrl on its own: placeholders, encoding and query merging give the same
// URLs whether the service URL is parsed once (no placeholders) or per call.
import { describe, expect, it } from 'vitest';
import { buildUrl, parseServiceUrl } from '../../../src/bindings/rest-v1/build-url.js';
import type { SendOptions } from '../../../src/bindings/rest-v1/request-options.js';
import type { ServiceConfig } from '../../../src/services/types.js';

const service = { id: 'svc', url: 'https://h.example/base', queryParams: { v: '2' } } as unknown as ServiceConfig;

const options = (path: string, pathParams: SendOptions['pathParams'] = {}, queryParams: SendOptions['queryParams'] = {}) =>
  ({ method: 'GET', serviceId: 'svc', path, pathParams, queryParams, timeouts: {}, body: null, hasBody: false, headers: {} }) as SendOptions;

// [path, pathParams, queryParams, URL or error message]
const cases: [string, SendOptions['pathParams'], SendOptions['queryParams'], string][] = [
  ['a/{id}', { id: 'x y' }, {}, 'https://h.example/base/a/x%20y?v=2'],
  ['{id}{id}', { id: 1 }, {}, 'https://h.example/base/11?v=2'],
  ['{a{id}}', { id: 1 }, {}, 'https://h.example/base/%7Ba1%7D?v=2'],
  ['{{id}', { id: 1 }, {}, 'https://h.example/base/%7B1?v=2'],
  ['{id}}', { id: 1 }, {}, 'https://h.example/base/1%7D?v=2'],
  ['{}', {}, {}, 'api.rest.v1: path has the placeholder {} but pathParams. is missing; pass pathParams: { : … }'],
  ['x{', {}, {}, 'https://h.example/base/x%7B?v=2'],
  ['%7Bid%7D', {}, {}, 'https://h.example/base/%7Bid%7D?v=2'],
  ['a/%2e/b', {}, {}, `api.rest.v1: path "a/%2e/b" is refused: its segment "%2e" would be read as '.' and leave the service URL: servers percent-decode it. Send such a value as a query parameter (queryParams: { name: value }) or in the body: no encoding makes it safe in a path.`],
  ['%zz/ok', {}, {}, 'https://h.example/base/%25zz/ok?v=2'],
  ['😀/é', {}, {}, 'https://h.example/base/%F0%9F%98%80/%C3%A9?v=2'],
  ['c/{id}', { id: 'a/x' }, {}, 'https://h.example/base/c/a%2Fx?v=2'],
  ['c/{id}', { id: '../x' }, {}, `api.rest.v1: path "c/{id}" is refused: its segment "..%2Fx" would be read as '..' and leave the service URL: servers that decode an encoded '/' or '\\' (%2F, %5C: nginx, IIS, Tomcat with ALLOW_ENCODED_SLASH) split the segment there. Send such a value as a query parameter (queryParams: { name: value }) or in the body: no encoding makes it safe in a path.`],
  ['q', {}, { v: '3', a: ['1', null, 2] }, 'https://h.example/base/q?v=3&a=1&a=2'],
];

function href(parsed: boolean, [path, pathParams, queryParams]: (typeof cases)[number]): string {
  try {
    return buildUrl(service, options(path, pathParams, queryParams), [], parsed ? parseServiceUrl(service) : undefined).href;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('buildUrl', () => {
  for (const c of cases) {
    it(`${c[0]} → ${c[3]}`, () => {
      expect(href(true, c)).toBe(c[3]);
      expect(href(false, c)).toBe(c[3]);
    });
  }

  it('a service URL with placeholders is filled per call', () => {
    const templated = { ...service, url: 'https://h.example/{tenant}/api' } as ServiceConfig;
    expect(parseServiceUrl(templated)).toBeUndefined();
    expect(buildUrl(templated, options('c/{id}', { tenant: 'a b', id: 7 })).href).toBe('https://h.example/a%20b/api/c/7?v=2');
  });
});
