// `<name>.ts` scripts: types are stripped at load, and every error position
// still points into the .ts file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../helpers/app.js';
import { stripTypes } from '../../src/tools/strip-types.js';
import { rejection } from '../helpers/expect.js';

const TYPED = `interface Customer {
  name: string;
  tags?: string[];
}
type Row = { name: string };
function label<T extends { name: string }>(c: T, prefix: string = 'Mr'): string {
  return prefix + ' ' + c.name;
}
function callService(context: ScriptCode.ScriptContext): Row[] {
  const who = context.getFirstParameter('who') as string;
  const customer: Customer = { name: who! };
  if (who === 'boom') throw new Error('no ' + (customer satisfies Customer).name);
  return [{ name: label<Customer>(customer) }];
}
`;

describe('stripTypes', () => {
  it('blanks types with spaces: same length, same lines, every token at its column', () => {
    const { code, exact, unerasable } = stripTypes(TYPED, 'scripts/typed.ts');
    expect(exact).toBe(true);
    expect(unerasable).toEqual([]);
    expect(code).toHaveLength(TYPED.length);
    expect(code.split('\n').length).toBe(TYPED.split('\n').length);
    expect(code).not.toMatch(/interface|: string|as string|satisfies/);
    const line = (text: string, n: number) => text.split('\n')[n - 1]!;
    expect(line(code, 12).indexOf('throw new Error')).toBe(line(TYPED, 12).indexOf('throw new Error'));
  });

  it('compiles non-erasable TypeScript (enum) with the TypeScript compiler and says where it is', () => {
    const r = stripTypes('const a = 1;\n  enum Color { Red, Green }\nfunction callService(): any[] { return [Color.Green]; }\n', 'scripts/e.ts');
    expect(r.exact).toBe(false);
    expect(r.unerasable).toEqual([{ line: 2, column: 3, what: 'an enum' }]);
    expect(r.code).not.toContain('enum Color');
    expect(r.code).toContain('function callService()');
    // a classic script, as V8 runs it: no module syntax added, the entry point a global function
    expect(r.code).not.toMatch(/export|import|sourceMappingURL/);
    expect(new Function(`${r.code}; return callService();`)()).toEqual([1]);
  });

  it('compiles every other non-erasable construct too, naming each', () => {
    const source = [
      'class P { constructor(private x: number) {} get() { return this.x; } }',
      'namespace N { export const v = 2; }',
      'const a = <number>(3 as any);',
      'function callService(): any[] { return [new P(1).get(), N.v, a]; }',
      '',
    ].join('\n');
    const r = stripTypes(source, 'scripts/all.ts');
    expect(r.unerasable.map((u) => u.what)).toEqual([
      'a constructor parameter property', 'a namespace with values', 'a <Type>value assertion (write `value as Type`)',
    ]);
    expect(new Function(`${r.code}; return callService();`)()).toEqual([1, 2, 3]);
  });

  it('keeps a TypeScript syntax error that blanking would swallow, so the script still fails to compile', () => {
    const source = 'function callService(a: number {\n  return [];\n}\n';
    expect(stripTypes(source, 'scripts/s.ts')).toEqual({ code: source, exact: false, unerasable: [] });
    // an ordinary syntax error survives blanking at its own position
    const other = stripTypes('function callService(a: number) {\n  return [1 +];\n}\n', 'scripts/o.ts');
    expect(other.code).toContain('return [1 +];');
    expect(other.exact).toBe(true);
  });
});

describe('.ts scripts in the runtime', () => {
  let t: TestRuntime;

  beforeAll(async () => {
    t = await startRuntime({
      'scripts/typed.ts': TYPED,
      'scripts/badjs.ts': 'function callService(context: any): any[] {\n  const x: number = 1;\n  return [x +];\n}\n',
      'scripts/recovered.ts': 'function callService(a: number {\n  return [];\n}\n',
      'scripts/both.js': 'function callService() { return [{ from: "js" }]; }\n',
      'scripts/both.ts': 'function callService(): any[] { return [{ from: "ts" }]; }\n',
      'scripts/enum.ts': 'enum Color { Red, Green }\nfunction callService(): any[] { return [{ c: Color.Green }]; }\n',
      'validators/typed.ts': "function callService(context: ScriptCode.ValidatorContext): ScriptCode.ValidationError[] {\n  return context.getFirstParameter('x') ? [] : [{ key: 'x.missing' }];\n}\n",
      'tasks/typed.ts': "function callService(context: ScriptCode.TaskContext, task: ScriptCode.Task): void {\n  context.complete({ doubled: (task.getVariable('n') as number) * 2 });\n}\n",
      'formatters/typed.ts': 'function formatText(input: ScriptCode.FormatterInput): ScriptCode.FormatterResult {\n  return { formattedText: input.textToFormat.trim() };\n}\n',
    });
  }, 60_000);

  afterAll(() => t?.close());

  it('runs with its types stripped; the loader keeps language: ts', async () => {
    expect((await t.runtime.runScript('typed', { input: { who: 'Ada' } })).output).toEqual([{ name: 'Mr Ada' }]);
    expect(await t.runtime.app.get('scriptService', 'typed')).toMatchObject({ language: 'ts', relativePath: 'scripts/typed.ts' });
    expect(t.runtime.app.list('scriptService').find((s) => s.name === 'typed')?.relativePath).toBe('scripts/typed.ts');
  });

  it('every kind can be written in TypeScript', async () => {
    expect((await t.runtime.validate('typed', { input: {} })).errors).toEqual([{ key: 'x.missing', message: 'x.missing', parameters: [] }]);
    expect(await t.runtime.executeTask('typed', { variables: { n: 21 } })).toMatchObject({ outcome: 'complete', variables: { doubled: 42 } });
    expect(await t.runtime.format('typed', { textToFormat: '  a  ', locale: 'pl', cursorPosition: 0 })).toMatchObject({ formattedText: 'a' });
  });

  it('a thrown error points at its line and column in the .ts file', async () => {
    const e = await rejection(() => t.runtime.runScript('typed', { input: { who: 'boom' } }));
    // line 12: `  if (who === 'boom') throw new Error(…)`: V8 reports where `new Error` is
    const column = TYPED.split('\n')[11]!.indexOf('new Error') + 1;
    expect(column).toBe(29);
    expect(e.body.error).toEqual({ name: 'Error', message: 'no boom', line: 12, column });
  });

  it('a compile error points into the .ts file', async () => {
    const e = await rejection(() => t.runtime.runScript('badjs'));
    expect(e.body.error).toMatchObject({ name: 'SyntaxError', code: 'COMPILE_ERROR', line: 3, column: 14 });
    expect(e.body.error.message).toContain('scripts/badjs.ts:3:14');
    const recovered = await rejection(() => t.runtime.runScript('recovered'));
    expect(recovered.body.error).toMatchObject({ name: 'SyntaxError', code: 'COMPILE_ERROR', line: 1 });
  });

  it('.js wins over .ts of the same name; non-erasable TypeScript still runs', async () => {
    expect((await t.runtime.runScript('both')).output).toEqual([{ from: 'js' }]);
    expect((await t.runtime.runScript('enum')).output).toEqual([{ c: 1 }]);
  });
});
