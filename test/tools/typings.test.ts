// types/scriptcode.d.ts: every global a script sees, checked with TypeScript
// the way `scriptcode check` and editors use it.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { generateTypings, TYPINGS_FILE } from '../../src/tools/typings.js';

/** Errors of `text` (a .js or .ts script) checked against the typings; strict for .ts. */
function errorsOf(text: string, language: 'js' | 'ts', strict = false): string[] {
  const name = `/virtual/script.${language}`;
  const options: ts.CompilerOptions = {
    allowJs: true, checkJs: true, noEmit: true, strict, target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts'], types: [], skipLibCheck: false,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, version, ...rest) => (file === name ? ts.createSourceFile(file, text, version, true) : getSourceFile(file, version, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === name || fileExists(file);
  const program = ts.createProgram({ rootNames: [name, TYPINGS_FILE], options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName === name ? 'script' : d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

const EVERY_GLOBAL = `
function callService(context: ScriptCode.ScriptContext): ScriptCode.Rows {
  const pesel: string | null = context.getFirstParameter('pesel');
  const fallback: string = context.getFirstParameter('x', 'none');
  const all: ScriptCode.JavaList<string> = context.getParameters('tags');
  const n: number = all.size() + context.getInputParameters().keySet().size();
  const first: string | null = all.get(0);
  context.setValue('amount', 5);
  const visible: 'true' | 'false' = context.isVisible('amount');
  Logger.info('{} tags, visible {}', nonsensitive(n), visible);
  console.log('first', first, fallback);
  const encoded: string = btoa('a') + atob('YQ==');
  try {
    const r = api.rest.v1.get<{ name: string }>('crm', { path: 'customers/{id}', pathParams: { id: 42 }, queryParams: { tag: ['a', 'b'], none: null }, timeouts: { readTimeout: 500 } }, { 'X-Request-Id': 'r1' });
    const code: number = r.status.code;
    const type: string | undefined = r.headers['content-type'];
    const name: string = r.body.name;
    api.rest.v1.post('crm', { path: 'cases' }, { pesel }, { 'Content-Type': 'application/json' });
    api.rest.v1.put('crm', null, 'raw text');
    api.rest.v1.patch('crm', { path: 'x' }, { file: { filename: 'a.pdf', contentType: 'application/pdf', base64: 'JVBERi0=' } });
    api.rest.v1.delete('crm', { path: 'x' });
    api.rest.v1.request({ method: 'get', serviceId: 'crm', path: 'x', headers: { a: 'b' }, body: null });
    return [{ name, code, type, encoded }];
  } catch (e) {
    if (e instanceof api.rest.v1.RestResponseError) {
      const status: number = e.status.code;
      const body: string | null = e.body;
      return [{ status, body, service: e.serviceId, code: e.code }];
    }
    if (e instanceof api.rest.v1.RestTimeoutError && e.name === 'RestTimeoutError') return null;
    throw e;
  }
}

function validate(context: ScriptCode.ValidatorContext): ScriptCode.ValidationResult {
  return context.getValue('x') ? [] : [{ key: 'x.missing', parameters: ['a', 1] }];
}

function task(context: ScriptCode.TaskContext, t: ScriptCode.Task): void {
  const id: string | null = t.getProcessInstanceId() ?? context.getProcessIntanceId();
  const vars = context.getAllVariables();
  if (vars.containsKey('x')) context.complete({ id }, { model: 1 });
  else if (id) context.handleBpmnError('E', new Error('x'));
  else context.handleFailure('no id');
}

function formatText(input: ScriptCode.FormatterInput): ScriptCode.FormatterResult {
  return { formattedText: input.textToFormat.toUpperCase(), cursorPosition: input.cursorPosition };
}

const entries: [ScriptCode.ScriptEntry, ScriptCode.ValidatorEntry, ScriptCode.TaskEntry, ScriptCode.FormatterEntry] = [callService, validate, task, formatText];
`;

describe('types/scriptcode.d.ts', () => {
  it('types every global a script sees; a script using all of them checks clean under strict TypeScript', () => {
    expect(errorsOf(EVERY_GLOBAL, 'ts', true)).toEqual([]);
  });

  it('declares exactly the script globals: api, Logger, nonsensitive, console, atob, btoa — no DOM, no Node', () => {
    const errors = errorsOf('setTimeout(() => {}, 1);\nvar t = document.title;\nBuffer.from("a");\nprocess.exit(1);\nfetch("x");\n', 'js');
    expect(errors).toEqual([
      "script:1: Cannot find name 'setTimeout'.",
      expect.stringMatching(/^script:2: Cannot find name 'document'/),
      expect.stringMatching(/^script:3: Cannot find name 'Buffer'/),
      expect.stringMatching(/^script:4: Cannot find name 'process'/),
      "script:5: Cannot find name 'fetch'.",
    ]);
  });

  it('catches the usual mistakes in plain JavaScript with JSDoc (checkJs)', () => {
    const errors = errorsOf(`/** @param {ScriptCode.TaskContext} context */
function callService(context) {
  context.getVaraible('x');
  api.rest.v1.get('crm', { path: 'x', query: { a: 1 } });
  api.rest.v1.get(42);
  api.rest.v1.request({ serviceId: 'crm' });
  Logger.log('x');
  context.handleBpmnError();
}
`, 'js');
    expect(errors).toEqual([
      "script:3: Property 'getVaraible' does not exist on type 'TaskContext'. Did you mean 'getVariable'?",
      expect.stringMatching(/^script:4: Object literal may only specify known properties, and 'query' does not exist in type 'RestParams'/),
      "script:5: Argument of type 'number' is not assignable to parameter of type 'string'.",
      expect.stringMatching(/^script:6: .*Property 'method' is missing/),
      "script:7: Property 'log' does not exist on type 'ScriptLogger'.",
      'script:8: Expected 1-2 arguments, but got 0.',
    ]);
  });

  it('Java-style collections, isVisible as text and getFirstParameter with a default check clean in an ES5 script', () => {
    const errors = errorsOf(`/** @param {ScriptCode.ScriptContext} context */
function callService(context) {
  var rows = context.getParameters('inputFromRepeatableSection').toArray();
  var it = context.getParameters('names').iterator();
  var names = '';
  while (it.hasNext()) names = names + it.next().toUpperCase() + ';';
  var all = context.getInputParameters();
  var keys = all.keySet();
  var entries = all.entrySet().iterator();
  var text = '';
  while (entries.hasNext()) { var e = entries.next(); text = text + e.getKey() + '=' + e.getValue().get(0); }
  var list = context.getParameters('names');
  return [{ n: rows.length, names: names, text: text, keys: '' + keys, k: keys.contains('a') && keys.toArray().length,
    v: all.values().size(), cv: all.containsValue(['a']), i: list.indexOf('a'), c: list.contains('b'), e: list.isEmpty() || keys.isEmpty(),
    s: list.toString() + all.toString(), f: context.getFirstParameter('x', 'dflt').length, visible: context.isVisible('x') == "true" }];
}
`, 'js');
    expect(errors).toEqual([]);
  });

  it('isVisible returns text: comparing it with a boolean is flagged', () => {
    const errors = errorsOf(`/** @param {ScriptCode.ScriptContext} context */
function callService(context) { return [{ v: context.isVisible('a') == true }]; }
`, 'js');
    expect(errors).toEqual([expect.stringMatching(/^script:2: This comparison appears to be unintentional because the types '[^']+' and 'boolean' have no overlap/)]);
  });

  it('validators have no setValue; tasks have no form access', () => {
    const errors = errorsOf(`/** @param {ScriptCode.ValidatorContext} v @param {ScriptCode.TaskContext} t */
function f(v, t) { v.setValue('a', 1); t.getValue('a'); }
`, 'js');
    expect(errors).toEqual([
      expect.stringMatching(/^script:2: Property 'setValue' does not exist on type 'ValidatorContext'/),
      "script:2: Property 'getValue' does not exist on type 'TaskContext'.",
    ]);
  });

  it('is what src/runtime/script-typings.d.ts and the built-in bindings\' typings make (npx tsx scripts/gen-typings.ts)', () => {
    expect(readFileSync(TYPINGS_FILE, 'utf8'), 'types/scriptcode.d.ts is stale: run npx tsx scripts/gen-typings.ts').toBe(generateTypings());
  });

  it('is shipped in the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('types');
    expect(TYPINGS_FILE.endsWith('/types/scriptcode.d.ts')).toBe(true);
  });
});
