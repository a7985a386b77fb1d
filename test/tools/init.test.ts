// `scriptcode init`: a fresh folder on which `test` and `check` pass at once,
// and whose jsconfig.json gives editors the typings.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TYPINGS_FILE } from '../../src/tools/typings.js';

let parent: string;
let dir: string;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'scriptcode-init-'));
  dir = join(parent, 'my-app');
});

afterAll(() => rm(parent, { recursive: true, force: true }));

/** A TypeScript language service over the application as an editor opens it (its jsconfig.json). */
function editor(root: string, extra: Record<string, string> = {}): ts.LanguageService {
  const configPath = join(root, 'jsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  expect(read.error).toBeUndefined();
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  expect(parsed.errors).toEqual([]);
  const files = [...parsed.fileNames, ...Object.keys(extra)];
  return ts.createLanguageService({
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      const text = extra[name] ?? ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (name) => name in extra || ts.sys.fileExists(name),
    readFile: (name) => extra[name] ?? ts.sys.readFile(name),
  });
}

describe('scriptcode init', () => {
  it('writes a working application into a new folder', async () => {
    const r = await runCli(['init', dir]);
    expect(r.code).toBe(0);
    for (const file of ['scriptcode.yaml', 'scripts/customer.js', 'validators/customerId.js', 'validators/customerId.yaml', 'tasks/openCase.js',
      'formatters/phone.js', 'tests/customer.test.yaml', 'tests/customerId.test.yaml', 'tests/openCase.test.yaml', 'tests/phone.test.yaml',
      'jsconfig.json', 'typings/scriptcode.d.ts']) {
      expect(r.stdout).toContain(`  ${file}\n`);
    }
    expect(await readFile(join(dir, 'typings/scriptcode.d.ts'), 'utf8')).toBe(await readFile(TYPINGS_FILE, 'utf8'));
  }, 30_000);

  it('scriptcode test passes on it at once, offline', async () => {
    const r = await runCli(['test', '--app', dir]);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('11 passed, 0 failed');
    expect(r.stdout).not.toContain('✗');
    expect(r.code).toBe(0);
  }, 30_000);

  it('scriptcode check passes on it at once', async () => {
    const r = await runCli(['check', '--app', dir]);
    expect(r.stdout).toBe('ok: 4 scripts and 4 test files checked, no problems found\n');
    expect(r.code).toBe(0);
  }, 30_000);

  it('jsconfig.json gives editors the typings: no errors, completion of api.rest.v1 and context, errors on misuse', () => {
    const scratch = join(dir, 'scripts/scratch.js');
    const text = '/** @param {ScriptCode.ScriptContext} context */\nfunction callService(context) {\n  api.rest.v1.x;\n  context.y;\n  api.rest.v1.gett("crm");\n}\n';
    const service = editor(dir, { [scratch]: text });
    const program = service.getProgram()!;
    const mine = program.getSourceFiles().filter((f) => f.fileName.startsWith(dir) && f.fileName !== scratch);
    expect(mine.map((f) => f.fileName.slice(dir.length + 1)).sort()).toEqual([
      'formatters/phone.js', 'scripts/customer.js', 'tasks/openCase.js', 'typings/scriptcode.d.ts', 'validators/customerId.js',
    ]);
    for (const file of mine) expect(ts.getPreEmitDiagnostics(program, file).map((d) => d.messageText)).toEqual([]);

    const names = (marker: string) => service.getCompletionsAtPosition(scratch, text.indexOf(marker) + marker.length, {})!.entries.map((e) => e.name);
    expect(names('api.rest.v1.')).toEqual(expect.arrayContaining(['get', 'post', 'put', 'patch', 'delete', 'request', 'RestResponseError']));
    expect(names('  context.')).toEqual(expect.arrayContaining(['getFirstParameter', 'getParameters', 'getValue', 'setValue']));
    const errors = service.getSemanticDiagnostics(scratch).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    expect(errors).toContain("Property 'gett' does not exist on type 'RestV1'. Did you mean 'get'?");
  });

  it('refuses a folder that is not empty (exit 2), and writes nothing', async () => {
    const busy = join(parent, 'busy');
    await runCli(['init', busy]);
    await writeFile(join(busy, 'scripts/customer.js'), '// mine');
    const r = await runCli(['init', busy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty; scriptcode init only writes into a new or empty folder');
    expect(await readFile(join(busy, 'scripts/customer.js'), 'utf8')).toBe('// mine');
  }, 30_000);
});
