// Type-checks scripts against the shipped typings with TypeScript (`checkJs`
// for .js files). Each script gets a program of its own: scripts are separate
// scopes at run time, so one script's top-level functions must neither clash
// with nor be visible from another's. Parsed library files are shared between
// the programs, which keeps this at a few ms per script.
//
// Options follow what the runtime does, not what TypeScript would like:
// sloppy-mode scripts (no strict checks, implicit any allowed), ES2023
// built-ins only (no DOM, no Node). Syntax is V8's business (see
// compile-check.ts), so TypeScript's own grammar complaints about JavaScript
// files (1xxx codes, e.g. legacy octal literals V8 accepts) are left out.
// `// @ts-nocheck` at the top of a script turns the type check off for it.
import ts from 'typescript';
import type { Finding } from './findings.js';
import { TYPINGS_FILE } from './typings.js';

const OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  types: [],
  strict: false,
  noImplicitAny: false,
  skipLibCheck: true,
  allowUnreachableCode: true,
  allowUnusedLabels: true,
};

const shared = new Map<string, ts.SourceFile>();
const baseHost = ts.createCompilerHost(OPTIONS, true);
/** where the typings of bindings an embedder added appear to TypeScript */
const EXTRA_TYPINGS_FILE = '/scriptcode/extra-bindings.d.ts';
let extraFile: ts.SourceFile | undefined;

/** A host that parses library files and the typings once per process. */
function hostFor(scriptPath: string, text: string, extraTypings: string): ts.CompilerHost {
  return {
    ...baseHost,
    readFile: (name) => (name === scriptPath ? text : name === EXTRA_TYPINGS_FILE ? extraTypings : baseHost.readFile(name)),
    fileExists: (name) => name === scriptPath || name === EXTRA_TYPINGS_FILE || baseHost.fileExists(name),
    getSourceFile(name, languageVersion, onError) {
      if (name === scriptPath) return ts.createSourceFile(name, text, languageVersion, true);
      if (name === EXTRA_TYPINGS_FILE) {
        if (extraFile?.text !== extraTypings) extraFile = ts.createSourceFile(name, extraTypings, languageVersion, true);
        return extraFile;
      }
      let file = shared.get(name);
      if (!file) {
        file = baseHost.getSourceFile(name, languageVersion, onError);
        if (file) shared.set(name, file);
      }
      return file;
    },
  };
}

function toFinding(diagnostic: ts.Diagnostic, relativePath: string): Finding {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ');
  if (!diagnostic.file || diagnostic.start === undefined) return { file: relativePath, severity: 'error', message: `${message} (TS${diagnostic.code})` };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return { file: relativePath, line: line + 1, column: character + 1, severity: 'error', message: `${message} (TS${diagnostic.code})` };
}

/**
 * Type errors of one script; `absolutePath` is how TypeScript names the file, `relativePath` how findings do.
 * `extraTypings`: the typings of bindings an embedder added (tools/typings.ts extraTypings).
 */
export function typeCheck(absolutePath: string, relativePath: string, text: string, language: 'js' | 'ts', extraTypings = ''): Finding[] {
  const rootNames = extraTypings ? [absolutePath, TYPINGS_FILE, EXTRA_TYPINGS_FILE] : [absolutePath, TYPINGS_FILE];
  const program = ts.createProgram({ rootNames, options: OPTIONS, host: hostFor(absolutePath, text, extraTypings) });
  const file = program.getSourceFile(absolutePath);
  if (!file) return [{ file: relativePath, severity: 'error', message: 'TypeScript could not read the file' }];
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .filter((d) => language === 'ts' || d.code >= 2000);
  const global = program.getGlobalDiagnostics().filter((d) => d.category === ts.DiagnosticCategory.Error);
  return [...diagnostics, ...global].map((d) => toFinding(d, relativePath));
}

/** TypeScript's syntax errors in a .ts script (reported instead of V8's, which sees the stripped code). */
export function tsSyntaxErrors(absolutePath: string, relativePath: string, text: string): Finding[] {
  const file = ts.createSourceFile(absolutePath, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (file as ts.SourceFile & { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => toFinding({ ...d, file }, relativePath));
}
