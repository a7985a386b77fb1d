// `scriptcode init DIR`: writes the application of init-templates.ts into a
// new (or empty) folder, with a copy of the shipped typings and the JSON
// Schemas of scriptcode.yaml and of test files for editors.
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { INIT_FILES, INIT_SCHEMAS_DIR, INIT_TYPINGS } from './init-templates.js';
import { jsonSchemaFiles } from './json-schemas.js';
import { TYPINGS_FILE } from './typings.js';
import { ScriptCodeError } from '../errors.js';

/** The folder is not empty: init never overwrites anything. */
export class InitError extends ScriptCodeError {
  override readonly name = 'InitError';
  constructor(message: string) {
    super('FOLDER_NOT_EMPTY', message);
  }
}

/** Returns the files written, relative to the folder. */
export async function initApplication(dir: string): Promise<string[]> {
  const root = resolve(dir);
  const existing = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new InitError(`${root} is a file, not a folder`);
    throw error;
  });
  if (existing.length > 0) {
    throw new InitError(`${root} is not empty; scriptcode init only writes into a new or empty folder, so nothing is overwritten`);
  }
  const written: string[] = [];
  for (const [path, content] of Object.entries(INIT_FILES)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content, { flag: 'wx' });
    written.push(path);
  }
  await mkdir(dirname(join(root, INIT_TYPINGS)), { recursive: true });
  await copyFile(TYPINGS_FILE, join(root, INIT_TYPINGS));
  written.push(INIT_TYPINGS);
  // generated, not copied: the same text as the package's schemas/ (a test keeps those in sync), for this very version
  await mkdir(join(root, INIT_SCHEMAS_DIR), { recursive: true });
  for (const [name, text] of Object.entries(jsonSchemaFiles())) {
    await writeFile(join(root, INIT_SCHEMAS_DIR, name), text, { flag: 'wx' });
    written.push(`${INIT_SCHEMAS_DIR}/${name}`);
  }
  return written.sort();
}
