// Errors of the application loader. Both carry the full list of problems so an
// administrator can fix a file in one pass instead of one restart per typo.
// Messages name keys, references and positions — never configuration values,
// because any value may be a resolved secret.
import { basename } from 'node:path';
import { ScriptCodeError } from '../errors.js';
import type { ScriptKind } from './types.js';

export interface ConfigIssue {
  /** key path, e.g. `services.crm.auth.clientSecret`; empty for problems of the whole file (syntax errors) */
  path: string;
  message: string;
  /** 1-based position in the YAML file when it is known */
  line?: number;
  column?: number;
}

/** One `<label>: <path>: <message>` line per issue. */
export function renderIssues(label: string, issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => {
      const at = issue.line === undefined ? undefined : `line ${issue.line}${issue.column === undefined ? '' : `, column ${issue.column}`}`;
      if (!issue.path) return `${label}: ${at ? `${at}: ` : ''}${issue.message}`;
      return `${label}: ${issue.path}: ${issue.message}${at ? ` (${at})` : ''}`;
    })
    .join('\n');
}

/** In file order, so the list reads top to bottom; issues without a position (overrides) go last. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const at = (issue: ConfigIssue) => (issue.line ?? Number.MAX_SAFE_INTEGER) * 100_000 + (issue.column ?? 0);
  return [...issues].sort((a, b) => at(a) - at(b));
}

const DEFAULT_CONFIG_HINT =
  'Hint: correct the keys listed above in scriptcode.yaml (or in the configuration overrides given to the runtime) and start again; ' +
  'every key is described in docs/configuration.md (services under "Services").';

/** `scriptcode.yaml` (or the in-memory overrides merged over it) cannot be used; the application does not start. */
export class ConfigError extends ScriptCodeError {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[], hint: string = DEFAULT_CONFIG_HINT) {
    issues = sortIssues(issues);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('CONFIG_INVALID', `invalid configuration in ${file} (${count}):\n${renderIssues(basename(file), issues)}\n${hint}`);
    this.file = file;
    this.issues = issues;
  }
}

/**
 * A broken `<kind>/<name>.yaml`. Only that script fails (its `get` rejects with
 * this error); the application and every other script keep working.
 */
export class ScriptMetadataError extends ScriptCodeError {
  override readonly name = 'ScriptMetadataError';
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(
    file: string,
    readonly relativePath: string,
    readonly kind: ScriptKind,
    readonly scriptName: string,
    issues: ConfigIssue[],
  ) {
    issues = sortIssues(issues);
    super(
      'SCRIPT_METADATA_INVALID',
      `invalid metadata for ${kind} '${scriptName}':\n${renderIssues(relativePath, issues)}\n` +
        `Hint: fix ${relativePath} (allowed keys: description, inputs, outputs, messages, limits; see docs/script-api.md, "Metadata files"); ` +
        'this script cannot run until then, every other script is unaffected.',
    );
    this.file = file;
    this.issues = issues;
  }
}

/** The folder given as the application does not exist or is not a folder. */
export class ApplicationNotFoundError extends ScriptCodeError {
  override readonly name = 'ApplicationNotFoundError';
  constructor(readonly dir: string, reason: string) {
    super('APP_NOT_FOUND', `application folder ${dir} ${reason}; pass the folder that contains scriptcode.yaml and the scripts/, validators/, tasks/, formatters/ folders`);
  }
}
