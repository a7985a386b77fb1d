// TypeScript scripts (SPEC §2: `<name>.ts`, types stripped at load).
//
// ts-blank-space rather than a compiler: it replaces every type annotation
// with spaces (and keeps every newline), so the JavaScript has the SAME line
// and column for every token as the .ts file. V8 compiles that text with the
// script's own file name, so compile errors and stack positions point into the
// .ts file without source maps. A compiler reprints the code, which moves lines.
//
// The few TypeScript constructs that are not erasable (enum, namespace with
// values, constructor parameter properties, `<T>x` assertions, `import =`)
// are compiled with the TypeScript compiler's transpileModule instead: the
// script works, but its error positions may be off; `scriptcode check` warns
// about each such construct.
//
// This module loads the TypeScript compiler (about a second): it is imported
// only when a .ts script is loaded (src/app/application.ts) or checked.
import { blankSourceFile } from 'ts-blank-space';
import ts from 'typescript';

export interface UnerasableSyntax {
  /** 1-based */
  line: number;
  column: number;
  what: string;
}

export interface StrippedScript {
  /** JavaScript for V8 */
  code: string;
  /** true when every position in `code` is the position in the .ts file */
  exact: boolean;
  /** constructs that needed the compiler (empty when exact) */
  unerasable: UnerasableSyntax[];
}

const KIND_NAMES: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.EnumDeclaration]: 'an enum',
  [ts.SyntaxKind.ModuleDeclaration]: 'a namespace with values',
  [ts.SyntaxKind.Parameter]: 'a constructor parameter property',
  // ts-blank-space reports a parameter property by its modifier
  [ts.SyntaxKind.PublicKeyword]: 'a constructor parameter property',
  [ts.SyntaxKind.PrivateKeyword]: 'a constructor parameter property',
  [ts.SyntaxKind.ProtectedKeyword]: 'a constructor parameter property',
  [ts.SyntaxKind.ReadonlyKeyword]: 'a constructor parameter property',
  [ts.SyntaxKind.TypeAssertionExpression]: 'a <Type>value assertion (write `value as Type`)',
  [ts.SyntaxKind.ImportEqualsDeclaration]: 'an `import x = …` declaration',
};

/** `filename` is the script's path as shown in errors, e.g. 'scripts/customer.ts'. */
export function stripTypes(source: string, filename: string): StrippedScript {
  const file = ts.createSourceFile(filename, source, { languageVersion: ts.ScriptTarget.ESNext, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, ts.ScriptKind.TS);
  const unerasable: UnerasableSyntax[] = [];
  const code = blankSourceFile(file, (node) => {
    const start = node.getStart(file);
    const { line, character } = file.getLineAndCharacterOfPosition(start);
    unerasable.push({ line: line + 1, column: character + 1, what: KIND_NAMES[node.kind] ?? ts.SyntaxKind[node.kind] });
  });

  const syntaxErrors = (file as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (syntaxErrors.length > 0) {
    // The erroneous text normally survives blanking and V8 reports it at the
    // same position. When the parser's recovery made blanking swallow it
    // (e.g. `function f(a: T {` read as a body-less overload), V8 would
    // accept the rest: keep the source as written so it still fails to
    // compile. `check` reports TypeScript's exact message either way.
    const at = syntaxErrors[0]!.start ?? 0;
    const swallowed = at < source.length && /\S/.test(source[at]!) && !/\S/.test(code[at] ?? '');
    return { code: swallowed ? source : code, exact: !swallowed, unerasable: [] };
  }
  if (unerasable.length === 0) return { code, exact: true, unerasable };
  return { code: transpile(source, filename), exact: false, unerasable };
}

/**
 * The script as plain JavaScript, for V8 (a classic script, not a module: the
 * entry point stays a global function). Comments and the order of statements
 * are kept; lines may move.
 */
function transpile(source: string, filename: string): string {
  return ts.transpileModule(source, {
    fileName: filename,
    reportDiagnostics: false,
    compilerOptions: {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.Preserve,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
      useDefineForClassFields: true,
      verbatimModuleSyntax: false,
      isolatedModules: true,
      removeComments: false,
      sourceMap: false,
      inlineSourceMap: false,
      importHelpers: false,
    },
  }).outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
}
