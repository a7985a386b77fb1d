// One validation source: the HTTP API's JSON Schemas and GET /openapi.json are
// generated from zod schemas (src/server/schemas.ts, console/schemas.ts,
// kinds/input-schemas.ts), and the library checks a caller's input with the
// same zod schemas — so the server and the library accept and refuse the same
// input.
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputMapSchema } from '../../src/kinds/input-schemas.js';
import * as C from '../../src/server/console/schemas.js';
import { jsonSchema, schemaName } from '../../src/server/json-schema.js';
import * as S from '../../src/server/schemas.js';
import { rejection } from '../helpers/expect.js';
import { startServer, type ServerUnderTest } from './helpers.js';

let t: ServerUnderTest;
beforeAll(async () => {
  t = await startServer({
    'scripts/echo.js': 'function callService(context) { return [{ input: context.getInputParameters() }]; }',
    'validators/check.js': 'function callService(context) { return []; }',
    'tasks/close.js': 'function callService(context, task) { context.complete({ done: true }); }',
    'formatters/same.js': 'function formatText(input) { return { formattedText: input.textToFormat }; }',
  });
}, 60_000);
afterAll(() => t?.close());

/** Every named zod schema of the API, by component name. */
function namedSchemas(): Map<string, z.ZodType> {
  const found = new Map<string, z.ZodType>();
  for (const value of [...Object.values(S), ...Object.values(C)]) {
    if (!(value instanceof z.ZodType)) continue;
    const name = schemaName(jsonSchema(value));
    if (name) found.set(name, value);
  }
  return found;
}

/** A component with its $refs replaced by the components they name. */
function dereferenced(node: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map((item) => dereferenced(item, components));
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: string }).$ref;
  if (ref) return dereferenced(components[ref.replace('#/components/schemas/', '')], components);
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, dereferenced(value, components)]));
}

describe('GET /openapi.json is generated from the zod schemas', () => {
  it('every component is its zod schema\'s JSON Schema, each named schema once', async () => {
    const components = (await t.get('/openapi.json')).json().components.schemas as Record<string, unknown>;
    const named = namedSchemas();
    expect(Object.keys(components).sort()).toEqual([...named.keys()].filter((name) => name in components).sort());
    expect(Object.keys(components)).toEqual(expect.arrayContaining(['InputMap', 'FormState', 'RunRequest', 'FormatRequest', 'ScriptError', 'SaveRequest']));
    for (const [name, component] of Object.entries(components)) {
      expect(dereferenced(component, components), name).toEqual(JSON.parse(JSON.stringify(jsonSchema(named.get(name)!))));
    }
  });

  it('a component is z.toJSONSchema\'s own output (draft-07, without $schema and zod\'s propertyNames: string)', async () => {
    const components = (await t.get('/openapi.json')).json().components.schemas;
    const { $schema, propertyNames, ...generated } = z.toJSONSchema(inputMapSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
    expect($schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(propertyNames).toEqual({ type: 'string' });
    expect(components.InputMap).toEqual(generated);
    expect(components.InputMap.description).toMatch(/plain value becomes a one-element list/);
    // a nested named schema is a reference to its component, and Fastify validates with the very same object
    expect(components.RunRequest.properties.input).toEqual({ $ref: '#/components/schemas/InputMap' });
    expect((jsonSchema(S.RunRequest).properties as Record<string, unknown>).input).toBe(jsonSchema(S.InputMap));
  });
});

type Kind = 'run' | 'validate' | 'execute' | 'format';
const URLS: Record<Kind, string> = { run: '/api/scripts/echo/run', validate: '/api/validators/check/validate', execute: '/api/tasks/close/execute', format: '/api/formatters/same/format' };

/** [kind, body, accepted] — the same answer through the library and through the server. */
const SAMPLES: [Kind, Record<string, unknown>, boolean][] = [
  ['run', { input: { a: 'x', b: ['y', 2, true, null], n: 1.5 } }, true],
  ['run', { input: { a: { nested: true } } }, false],
  ['run', { input: { a: [['list']] } }, false],
  ['run', { input: [] }, false],
  ['run', { input: 'x' }, false],
  ['run', { form: { c: { value: { deep: [1] }, visible: true, data: { k: 1 } } } }, true],
  ['run', { form: { c: { visible: 'no' } } }, false],
  ['run', { form: { c: { data: [1] } } }, false],
  ['run', { form: { c: 1 } }, false],
  ['run', { form: { c: { value: 1, label: 'x' } } }, false],
  ['validate', { input: { pesel: '44051401458' }, form: {} }, true],
  ['validate', { input: { pesel: [{}] } }, false],
  ['execute', { variables: { a: { b: [1, null] } }, processInstanceId: 'p-1' }, true],
  ['execute', { variables: 'x' }, false],
  ['execute', { variables: [1] }, false],
  ['execute', { processInstanceId: 7 }, false],
  ['execute', { processInstanceId: 'x'.repeat(1001) }, false],
  ['format', { textToFormat: 'ab', locale: 'pl-PL', cursorPosition: 1 }, true],
  ['format', { textToFormat: 'ab', locale: null, cursorPosition: null }, true],
  ['format', { locale: 'pl' }, false],
  ['format', { textToFormat: 5 }, false],
  ['format', { textToFormat: 'x', cursorPosition: -1 }, false],
  ['format', { textToFormat: 'x', cursorPosition: 1.5 }, false],
  ['format', { textToFormat: 'x', locale: 'x'.repeat(101) }, false],
];

function throughLibrary(kind: Kind, body: Record<string, unknown>): Promise<unknown> {
  const runtime = t.server.runtime!;
  if (kind === 'run') return runtime.runScript('echo', body as never);
  if (kind === 'validate') return runtime.validate('check', body as never);
  if (kind === 'execute') return runtime.executeTask('close', body as never);
  return runtime.format('same', body as never);
}

describe('the library and the server accept and refuse the same input', () => {
  const titled = SAMPLES.map(([kind, body, accepted]) => [`${kind} ${JSON.stringify(body).slice(0, 70)} → ${accepted ? 'accepted' : 'refused'}`, kind, body, accepted] as const);
  it.each(titled)('%s', async (label, kind, body, accepted) => {
    const http = await t.post(URLS[kind], body);
    if (accepted) {
      expect(http.status, `${label}: ${http.text}`).toBe(200);
      await expect(throughLibrary(kind, body), label).resolves.toBeDefined();
    } else {
      expect(http.status, label).toBe(400);
      expect(http.json().error.code, label).toBe('INVALID_REQUEST');
      const refused = await rejection(() => throughLibrary(kind, body));
      expect(refused, label).toMatchObject({ name: 'InputError', code: 'INVALID_INPUT' });
    }
  });

  it('the library names the field, with the messages callers already know', async () => {
    const runtime = t.server.runtime!;
    expect((await rejection(() => runtime.runScript('echo', { input: { a: ['ok', ['list']] } } as never))).message)
      .toBe('input.a[1] must be a string (or a number/boolean, taken as text); got a list');
    expect((await rejection(() => runtime.runScript('echo', { input: { a: { nested: true } } } as never))).message)
      .toBe('input.a must be a string (or a number/boolean, taken as text); got an object');
    expect((await rejection(() => runtime.runScript('echo', { form: { c: { visible: 'no' } } } as never))).message).toBe('form.c.visible must be true or false');
    expect((await rejection(() => runtime.runScript('echo', { form: { c: { data: [1] } } } as never))).message).toBe('form.c.data must be an object of attribute → value');
    expect((await rejection(() => runtime.runScript('echo', { form: { c: { value: 1, label: 'x' } } } as never))).message)
      .toBe('form.c has an unknown key \'label\': a component\'s state is { "value": "…", "visible": true, "data": {} }');
    expect((await rejection(() => runtime.executeTask('close', { variables: [1] } as never))).message).toBe('variables must be an object of process variable name → value');
    expect((await rejection(() => runtime.format('same', { textToFormat: 'x', cursorPosition: -1 }))).message).toBe('cursorPosition must be a non-negative integer');
    // what only the library can be given: undefined, a BigInt, NaN — taken as JSON would carry them
    const r = await runtime.runScript('echo', { input: { u: undefined, b: 10n, n: [Number.NaN] } } as never);
    expect(r.output).toEqual([{ input: { u: [null], b: ['10'], n: ['NaN'] } }]);
  });
});
