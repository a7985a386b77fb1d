// parseSendOptions checks the usual call by hand and leaves everything else
// to the schema: both must give the same options, and the same refusal.
import { describe, expect, it } from 'vitest';
import { parseSendOptions, parseWithSchema } from '../../../src/bindings/rest-v1/request-options.js';

const call = (over: Record<string, unknown> = {}, params: unknown = { path: 'customers/{id}', pathParams: { id: 42 } }) =>
  ({ method: 'GET', serviceId: 'crm', params, body: null, hasBody: false, headers: null, ...over });

const cases: Record<string, unknown> = {
  usual: call(),
  noParams: call({}, null),
  emptyParams: call({}, {}),
  allParams: call({}, { path: 'a', pathParams: { a: 'x', b: true, c: null }, queryParams: { q: ['x', 1, null], r: false, s: null }, timeouts: { connectTimeout: 100, readTimeout: null } }),
  nullMembers: call({}, { path: null, pathParams: null, queryParams: null, timeouts: null }),
  withBody: call({ method: 'POST', body: { a: [1, { b: 2 }] }, hasBody: true, headers: { 'X-A': 'v', 'X-N': 1, 'X-B': false, 'X-Null': null } }),
  extraTopLevelKey: call({ extra: 1 }),
  unknownParam: call({}, { pth: 'x' }),
  unknownTimeout: call({}, { timeouts: { connect: 1 } }),
  zeroTimeout: call({}, { timeouts: { readTimeout: 0 } }),
  fractionalTimeout: call({}, { timeouts: { readTimeout: 1.5 } }),
  hugeTimeout: call({}, { timeouts: { readTimeout: 24 * 3600 * 1000 + 1 } }),
  maxTimeout: call({}, { timeouts: { readTimeout: 24 * 3600 * 1000 } }),
  infiniteParam: call({}, { pathParams: { id: Infinity } }),
  nanParam: call({}, { pathParams: { id: NaN } }),
  objectParam: call({}, { pathParams: { id: { a: 1 } } }),
  undefinedParam: call({}, { pathParams: { id: undefined } }),
  nestedQueryArray: call({}, { queryParams: { q: [['x']] } }),
  protoKey: call({}, { pathParams: JSON.parse('{"__proto__": "x", "id": 1}') }),
  nullPrototype: call({}, { pathParams: Object.assign(Object.create(null), { id: 1 }) }),
  symbolKey: call({}, { pathParams: { id: 1, [Symbol('s')]: 2 } }),
  badMethod: call({ method: 'TRACE' }),
  lowerMethod: call({ method: 'get' }),
  emptyServiceId: call({ serviceId: '' }),
  noBody: (() => { const c: Record<string, unknown> = call(); delete c.body; return c; })(),
  undefinedBody: call({ body: undefined }),
  missingParams: (() => { const c: Record<string, unknown> = call(); delete c.params; return c; })(),
  headersArray: call({ headers: ['x'] }),
  notAnObject: 'GET crm',
  nothing: undefined,
};

function outcome(parse: (raw: unknown) => unknown, raw: unknown): unknown {
  try {
    return { ok: parse(raw) };
  } catch (err) {
    return { error: (err as { info?: unknown }).info ?? String(err) };
  }
}

describe('parseSendOptions', () => {
  for (const [name, raw] of Object.entries(cases)) {
    it(`agrees with the schema: ${name}`, () => {
      expect(outcome(parseSendOptions, raw)).toStrictEqual(outcome(parseWithSchema, raw));
    });
  }
});
