// `scriptcode check`: everything that can be known about an application
// without running a script —
//  1. scriptcode.yaml is valid and every secret reference resolves here;
//  2. every script compiles (V8) and defines its entry point; .ts scripts parse;
//  3. every literal service id given to api.rest.v1 is declared;
//  4. every script type-checks against the shipped typings;
//  5. metadata files and tests/*.test.yaml are valid and name existing
//     scripts and services;
//  6. every literal name given to context.callService / context.validate is
//     a script / validator of the application.
// Each problem is a finding with file:line:column; checking goes on after one.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationNotFoundError, ConfigError, ScriptMetadataError } from '../app/errors.js';
import { CONFIG_FILE, loadConfig } from '../app/load-config.js';
import { loadScriptMetadata } from '../app/metadata.js';
import { closest } from '../app/yaml-source.js';
import { KIND_FOLDERS, type AppConfig } from '../app/types.js';
import { resolveServices } from '../services/resolve-services.js';
import { CompileChecker } from './compile-check.js';
import { issueFindings, scanScripts, sortFindings, type Finding, type ScannedScript } from './findings.js';
import { offlineConfig } from './offline-config.js';
import { analyzeScript, ENTRY_POINTS, type ScriptCallUse } from './script-analysis.js';
import { stripTypes } from './strip-types.js';
import { readTestFile } from './test-file.js';
import { listTestFiles } from './test-runner.js';
import { tsSyntaxErrors, typeCheck } from './type-check.js';
import { extraTypings } from './typings.js';
import type { BindingDefinition } from '../bindings/binding.js';

export interface CheckOptions {
  app: string;
  /** type-check scripts against the typings (default true) */
  types?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** the runtime's bindings, when an embedder adds its own: their sections, budgets and typings are known (default: the built-in ones) */
  bindings?: readonly BindingDefinition[];
  /** check only this script (its relative path, 'scripts/customer.js'): no other script and no test files (the web console) */
  only?: string;
  /** text to check instead of the file's, by relative path (an editor's unsaved text) */
  sources?: Readonly<Record<string, string>>;
}

export interface CheckReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  scripts: number;
  testFiles: number;
}

/** The configuration, or its findings plus (when only secrets are missing) the configuration with placeholders. */
async function checkConfig(appDir: string, env: CheckOptions['env'], bindings: CheckOptions['bindings']): Promise<{ findings: Finding[]; config?: AppConfig }> {
  try {
    return { findings: [], config: await loadConfig(appDir, { env, bindings }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const findings = issueFindings(CONFIG_FILE, error.issues);
    try {
      const offline = await offlineConfig(appDir, env);
      return { findings, config: await loadConfig(appDir, { env, overrides: offline.overrides, bindings }) };
    } catch {
      return { findings };
    }
  }
}

function serviceFinding(file: string, id: string, known: string[], line?: number, column?: number): Finding {
  const guess = closest(id, known);
  const hint = guess ? ` — did you mean '${guess}'?` : '';
  const declared = known.length ? `declared services: ${known.join(', ')}` : 'no services are declared in scriptcode.yaml';
  return { file, line, column, severity: 'error', message: `unknown service id '${id}'${hint} (${declared})` };
}

/** An unknown name in context.callService('…') / context.validate('…'). */
function scriptCallFinding(file: string, use: ScriptCallUse, scripts: readonly ScannedScript[]): Finding | undefined {
  const kind = use.method === 'callService' ? 'scriptService' : 'validationScript';
  const known = scripts.filter((s) => s.kind === kind).map((s) => s.name);
  if (known.includes(use.name)) return undefined;
  const what = use.method === 'callService' ? 'scriptService' : 'validator';
  const guess = closest(use.name, known);
  const hint = guess ? ` — did you mean '${guess}'?` : '';
  const listed = known.length ? `${what}s: ${known.join(', ')}` : `the application has no ${what}s`;
  return { file, line: use.line, column: use.column, severity: 'error',
    message: `context.${use.method}('${use.name}'): no ${what} named '${use.name}'${hint} (${listed}; expected ${KIND_FOLDERS[kind]}/${use.name}.js)` };
}

interface ScriptChecks {
  compiler: CompileChecker;
  /** declared service ids, when the configuration could be read */
  services: string[] | undefined;
  /** type-check, with these typings beyond the shipped ones; false: no type check */
  types: false | { extra: string };
  scripts: readonly ScannedScript[];
  bindings: CheckOptions['bindings'];
}

/** `given`: the text to check instead of the file's (an editor's unsaved text) */
async function checkScript(appDir: string, script: ScannedScript, { compiler, services, types, scripts, bindings }: ScriptChecks, given?: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const { relativePath: file } = script;
  try {
    const metadata = `${KIND_FOLDERS[script.kind]}/${script.name}.yaml`;
    await loadScriptMetadata({ file: join(appDir, metadata), relativePath: metadata, kind: script.kind, name: script.name, bindings });
  } catch (error) {
    if (!(error instanceof ScriptMetadataError)) throw error;
    findings.push(...issueFindings(error.relativePath, error.issues));
  }
  let text = given ?? await readFile(script.absolutePath, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let code = text;
  if (script.language === 'ts') {
    // the first one: the others are usually the parser recovering from it
    const syntax = tsSyntaxErrors(script.absolutePath, file, text);
    if (syntax.length) return [...findings, syntax[0]!];
    const stripped = stripTypes(text, file);
    code = stripped.code;
    for (const u of stripped.unerasable) {
      findings.push({ file, line: u.line, column: u.column, severity: 'warning',
        message: `${u.what} is not plain type syntax: the script is compiled with the TypeScript compiler instead, so error positions in it may be off; use erasable TypeScript (types, interfaces, \`as\`) to keep them exact` });
    }
  }
  const compileError = compiler.check(file, code);
  if (compileError) {
    return [...findings, { file, line: compileError.line, column: compileError.column, severity: 'error', message: `${compileError.name}: ${compileError.message}` }];
  }
  const analysis = analyzeScript(text, file, script.language);
  const entry = ENTRY_POINTS[script.kind];
  const entryName = entry.slice(0, entry.indexOf('('));
  if (!analysis.topLevel.has(entryName)) {
    findings.push({ file, line: 1, column: 1, severity: 'error', message: `no entry point: a ${script.kind} must define function ${entry} { … } at its top level` });
  }
  if (services) {
    for (const use of analysis.serviceIds) {
      if (!services.includes(use.id)) findings.push(serviceFinding(file, use.id, services, use.line, use.column));
    }
  }
  for (const use of analysis.scriptCalls) {
    const finding = scriptCallFinding(file, use, scripts);
    if (finding) findings.push(finding);
  }
  if (types) findings.push(...typeCheck(script.absolutePath, file, text, script.language, types.extra));
  return findings;
}

async function checkTests(appDir: string, scripts: ScannedScript[], services: string[] | undefined): Promise<{ findings: Finding[]; files: number }> {
  const findings: Finding[] = [];
  const names = await listTestFiles(appDir);
  for (const name of names) {
    const parsed = await readTestFile(join(appDir, name), name);
    findings.push(...issueFindings(name, parsed.issues));
    for (const testCase of parsed.cases) {
      if (!scripts.some((s) => s.kind === testCase.kind && s.name === testCase.script)) {
        findings.push({ file: name, line: testCase.line, severity: 'error', message: `case '${testCase.name}': there is no ${testCase.target} named '${testCase.script}'` });
      }
      if (!services) continue;
      for (const call of testCase.calls) {
        if (!services.includes(call.service)) findings.push(serviceFinding(name, call.service, services, call.line));
      }
    }
  }
  return { findings, files: names.length };
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  const appDir = resolve(options.app);
  const stats = await stat(appDir).catch(() => undefined);
  if (!stats?.isDirectory()) throw new ApplicationNotFoundError(appDir, stats ? 'is not a folder' : 'does not exist');
  const env = options.env ?? process.env;

  const { bindings } = options;
  const { findings, config } = await checkConfig(appDir, env, bindings);
  let services: string[] | undefined;
  if (config) {
    try {
      services = [...resolveServices(config).keys()];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      findings.push(...issueFindings(CONFIG_FILE, error.issues));
    }
  }

  if (!services) {
    findings.push({ file: CONFIG_FILE, severity: 'warning', message: 'service ids used in scripts and tests were not checked: fix the configuration first' });
  }
  const { scripts, shadowed } = scanScripts(appDir);
  for (const file of shadowed) {
    findings.push({ file, severity: 'warning', message: `ignored: ${file.replace(/\.ts$/, '.js')} has the same name and wins` });
  }
  const compiler = new CompileChecker();
  const checked = options.only === undefined ? scripts : scripts.filter((s) => s.relativePath === options.only);
  try {
    const checks: ScriptChecks = { compiler, services, types: options.types !== false && { extra: extraTypings(bindings ?? []) }, scripts, bindings };
    for (const script of checked) {
      const given = options.sources && Object.hasOwn(options.sources, script.relativePath) ? options.sources[script.relativePath] : undefined;
      findings.push(...await checkScript(appDir, script, checks, given));
    }
  } finally {
    compiler.dispose();
  }
  const tests = options.only === undefined ? await checkTests(appDir, scripts, services) : { findings: [], files: 0 };
  findings.push(...tests.findings);

  const sorted = sortFindings(findings);
  const errors = sorted.filter((f) => f.severity === 'error').length;
  return { findings: sorted, errors, warnings: sorted.length - errors, scripts: checked.length, testFiles: tests.files };
}
