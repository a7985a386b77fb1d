// The application folder a command works on (`--app DIR`, default the working
// folder). `run`, `test`, `record` and `check` refuse a folder without
// scriptcode.yaml (exit 2): run in the wrong folder, they would otherwise find
// nothing and say so in a confusing way, or — `check` — report "ok".
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './read-json-option.js';

const CONFIG_FILE = 'scriptcode.yaml';

/** The folder's absolute path; a UsageError when it is not an application folder. */
export function requireApplication(dir: string): string {
  const absolute = resolve(dir);
  const folder = statSync(absolute, { throwIfNoEntry: false });
  if (!folder) throw new UsageError(`no such folder: ${absolute}; pass the application folder with --app DIR`);
  if (!folder.isDirectory()) throw new UsageError(`${absolute} is not a folder; pass the application folder with --app DIR`);
  if (!statSync(join(absolute, CONFIG_FILE), { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(`no ${CONFIG_FILE} in ${absolute}: run scriptcode in an application folder or pass --app DIR ` +
      '(create one with: scriptcode init my-app)');
  }
  return absolute;
}
