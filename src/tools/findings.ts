// What `scriptcode check` reports, and the scripts it looks at: the same
// discovery rules as the runtime (src/app/application.ts), without needing a
// valid configuration to find them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SCRIPT_NAME } from '../app/application.js';
import type { ConfigIssue } from '../app/errors.js';
import { KIND_FOLDERS, SCRIPT_KINDS, type ScriptKind } from '../app/types.js';

export interface Finding {
  /** relative to the application folder, e.g. 'scripts/customer.js' */
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

export function renderFinding(f: Finding): string {
  const at = f.line === undefined ? '' : `:${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
  return `${f.file}${at}: ${f.severity}: ${f.message}`;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Issues of a YAML file (configuration, metadata, tests) as findings. */
export function issueFindings(file: string, issues: readonly ConfigIssue[]): Finding[] {
  return issues.map((issue) => ({
    file,
    line: issue.line,
    column: issue.column,
    severity: 'error',
    message: issue.path ? `${issue.path}: ${issue.message}` : issue.message,
  }));
}

export interface ScannedScript {
  kind: ScriptKind;
  name: string;
  /** 'scripts/customer.ts' */
  relativePath: string;
  absolutePath: string;
  language: 'js' | 'ts';
}

/** Scripts the runtime would load, and `.ts` files it ignores because a `.js` of the same name wins. */
export function scanScripts(appDir: string): { scripts: ScannedScript[]; shadowed: string[] } {
  const scripts: ScannedScript[] = [];
  const shadowed: string[] = [];
  for (const kind of SCRIPT_KINDS) {
    const folder = KIND_FOLDERS[kind];
    let names: string[];
    try {
      names = readdirSync(join(appDir, folder)).sort();
    } catch {
      continue;
    }
    const found = new Map<string, 'js' | 'ts'>();
    for (const file of names) {
      const m = /^(.+)\.(js|ts)$/.exec(file);
      if (!m || !SCRIPT_NAME.test(m[1]!) || (m[2] === 'ts' && m[1]!.endsWith('.d'))) continue;
      try {
        if (!statSync(join(appDir, folder, file)).isFile()) continue;
      } catch {
        continue;
      }
      const language = m[2] as 'js' | 'ts';
      if (found.has(m[1]!)) shadowed.push(`${folder}/${m[1]}.ts`);
      if (language === 'js' || !found.has(m[1]!)) found.set(m[1]!, language);
    }
    for (const [name, language] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const relativePath = `${folder}/${name}.${language}`;
      scripts.push({ kind, name, relativePath, absolutePath: join(appDir, relativePath), language });
    }
  }
  return { scripts, shadowed };
}
