// The JSON Schemas for editors (schemas/*.schema.json): in sync with the zod
// schemas they are generated from, and right about real files — the demo
// application's scriptcode.yaml and everything `scriptcode init` writes are
// valid, typical mistakes are not. Validated with ajv (the validator Fastify
// ships), as an editor's YAML language server would.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { INIT_FILES, INIT_SCHEMAS_DIR } from '../../src/tools/init-templates.js';
import { initApplication } from '../../src/tools/init.js';
import { CONFIG_SCHEMA_FILE, jsonSchemaFiles, TEST_CASE_SCHEMA_FILE } from '../../src/tools/json-schemas.js';

const root = new URL('../../', import.meta.url);
const committed = (name: string) => readFile(new URL(`schemas/${name}`, root), 'utf8');
const generated = jsonSchemaFiles();
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const config: ValidateFunction = ajv.compile(JSON.parse(generated[CONFIG_SCHEMA_FILE]!));
const testFile: ValidateFunction = ajv.compile(JSON.parse(generated[TEST_CASE_SCHEMA_FILE]!));

function errorsOf(validate: ValidateFunction, text: string): string[] {
  return validate(parse(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('JSON Schemas for editors', () => {
  it('the committed schemas/ files are what the zod schemas generate (npx tsx scripts/gen-schemas.ts)', async () => {
    expect(Object.keys(generated).sort()).toEqual([CONFIG_SCHEMA_FILE, TEST_CASE_SCHEMA_FILE]);
    for (const [name, text] of Object.entries(generated)) expect(await committed(name), `schemas/${name} is stale: run npx tsx scripts/gen-schemas.ts`).toBe(text);
  });

  it("the demo application's scriptcode.yaml is valid", async () => {
    const text = await readFile(new URL('examples/demo/scriptcode.yaml', root), 'utf8');
    expect(errorsOf(config, text)).toEqual([]);
  });

  it('what scriptcode init writes is valid, points at its own copy of the schemas, and that copy is the committed one', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'scriptcode-schemas-'));
    dirs.push(parent);
    const dir = join(parent, 'app');
    const written = await initApplication(dir);
    expect(written).toEqual(expect.arrayContaining([`${INIT_SCHEMAS_DIR}/${CONFIG_SCHEMA_FILE}`, `${INIT_SCHEMAS_DIR}/${TEST_CASE_SCHEMA_FILE}`]));
    for (const name of [CONFIG_SCHEMA_FILE, TEST_CASE_SCHEMA_FILE]) expect(await readFile(join(dir, INIT_SCHEMAS_DIR, name), 'utf8')).toBe(await committed(name));

    const yaml = await readFile(join(dir, 'scriptcode.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toBe(`# yaml-language-server: $schema=./${INIT_SCHEMAS_DIR}/${CONFIG_SCHEMA_FILE}`);
    expect(errorsOf(config, yaml)).toEqual([]);
    const tests = (await readdir(join(dir, 'tests'))).filter((f) => f.endsWith('.test.yaml'));
    expect(tests).toHaveLength(Object.keys(INIT_FILES).filter((f) => f.startsWith('tests/')).length);
    for (const file of tests) {
      const text = await readFile(join(dir, 'tests', file), 'utf8');
      expect(text.split('\n')[0], file).toBe(`# yaml-language-server: $schema=../${INIT_SCHEMAS_DIR}/${TEST_CASE_SCHEMA_FILE}`);
      expect(errorsOf(testFile, text), file).toEqual([]);
    }
  });

  it('scriptcode.yaml: typos and wrong types are flagged; references stand in for numbers and words', () => {
    expect(errorsOf(config, 'logging:\n  levle: debug\n')).toEqual(['/logging must NOT have additional properties']);
    expect(errorsOf(config, 'pool:\n  maxQueue: lots\n').length).toBeGreaterThan(0);
    expect(errorsOf(config, 'services:\n  crm:\n    auth: { type: bearer, token: x }\n')).toContain("/services/crm must have required property 'url'");
    expect(errorsOf(config, 'services:\n  crm:\n    url: https://crm.example.com\n    auth: { type: oauth2, tokenUrl: https://login.example.com/token, clientId: a }\n').length).toBeGreaterThan(0);
    expect(errorsOf(config, [
      'pool: { maxQueue: "${env:QUEUE}", maxIsolates: auto }',
      'logging: { level: "${env:LOG_LEVEL}" }',
      'server: { port: "${env:PORT}", auth: { tokens: ["${env:API_TOKEN}"] } }',
      'serviceDefaults: { timeouts: { connectTimeout: 2000 }, network: { allowPrivate: "${env:PRIVATE}" } }',
      'services:',
      '  crm:',
      '    url: https://crm.example.com/api',
      '    healthPath: /health',
      '    auth: { type: basic, username: forms, password: "${file:/run/secrets/crm}" }',
      '    retry: { attempts: 3, methods: [post] }',
      'scriptservice:',
      '  api:',
      '    - { serviceId: geo, url: "https://geo.example.com", authorization: { type: basic, encodedCredentials: "${env:GEO}" } }',
    ].join('\n'))).toEqual([]);
  });

  it('test files: an unknown key, a missing name and a bad status are flagged', () => {
    expect(errorsOf(testFile, 'script: a\ncases:\n  - name: x\n    expect: { outptu: [] }\n')).toEqual(['/cases/0/expect must NOT have additional properties']);
    expect(errorsOf(testFile, 'script: a\ncases:\n  - input: {}\n')).toEqual(["/cases/0 must have required property 'name'"]);
    expect(errorsOf(testFile, 'script: a\ncases:\n  - name: x\n    calls: [{ service: crm, response: { status: 999 } }]\n')).toEqual(['/cases/0/calls/0/response/status must be <= 599']);
  });
});
