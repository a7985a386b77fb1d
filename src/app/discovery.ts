// Which scripts an application folder holds: files directly in the kind
// folders (not in subfolders) named <name>.js or <name>.ts. When both exist
// the `.js` wins (it is what a build step would have made of the `.ts`); the
// `.ts` is then reported as shadowed. The runtime (Application.list) and
// `scriptcode check` both ask here.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { KIND_FOLDERS, SCRIPT_KINDS, type ScriptKind } from './types.js';

/** What a script's name may be: its file name without the extension. */
export const SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export type ScriptLanguage = 'js' | 'ts';

export interface DiscoveredScript {
  kind: ScriptKind;
  name: string;
  /** e.g. 'scripts/greeting.js' */
  relativePath: string;
  language: ScriptLanguage;
}

export function isScriptName(name: string, language: ScriptLanguage): boolean {
  return SCRIPT_NAME.test(name) && !(language === 'ts' && name.endsWith('.d'));
}

function isScriptFile(path: string, entry: Dirent): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isFile();
  } catch {
    return false; // dangling link
  }
}

/** The scripts of `kinds` in the folder, by kind order and then by name, and the `.ts` files a `.js` shadows. */
export function discoverScripts(dir: string, kinds: readonly ScriptKind[] = SCRIPT_KINDS): { scripts: DiscoveredScript[]; shadowed: string[] } {
  const scripts: DiscoveredScript[] = [];
  const shadowed: string[] = [];
  for (const kind of kinds) {
    const folder = KIND_FOLDERS[kind];
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, folder), { withFileTypes: true });
    } catch {
      continue; // a kind the application does not use
    }
    const found = new Map<string, ScriptLanguage>();
    for (const entry of entries) {
      const match = /^(.+)\.(js|ts)$/.exec(entry.name);
      if (!match || !isScriptFile(join(dir, folder, entry.name), entry)) continue;
      const [, name, language] = match as unknown as [string, string, ScriptLanguage];
      if (!isScriptName(name, language)) continue;
      if (found.has(name)) shadowed.push(`${folder}/${name}.ts`);
      if (language === 'js' || !found.has(name)) found.set(name, language);
    }
    for (const name of [...found.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const language = found.get(name)!;
      scripts.push({ kind, name, relativePath: `${folder}/${name}.${language}`, language });
    }
  }
  return { scripts, shadowed: shadowed.sort() };
}
