// What `scriptcode check` reports, and the scripts it looks at: the same
// discovery rules as the runtime (src/app/application.ts), without needing a
// valid configuration to find them.
import { join } from 'node:path';
import { discoverScripts } from '../app/discovery.js';
import type { ConfigIssue } from '../app/errors.js';
import type { ScriptKind } from '../app/types.js';

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
  const { scripts, shadowed } = discoverScripts(appDir);
  return { scripts: scripts.map((script) => ({ ...script, absolutePath: join(appDir, script.relativePath) })), shadowed };
}
