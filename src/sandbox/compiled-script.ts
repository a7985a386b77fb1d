// A script prepared for the isolates: wrapped so that each invocation runs its
// top level afresh, keyed by content, with V8's code cache shared between
// isolates so only the first isolate pays for a full compile.
import { createHash } from 'node:crypto';
import type ivm from './isolated-vm.js';
import { entryMode, type EntryMode } from './entry-mode.js';
import type { ScriptErrorInfo } from './errors.js';
import { ENTRY_NAMES } from './isolate/entry-points.js';

export interface CompiledScript {
  /** content hash + file name: identical code in two files still reports its own file */
  readonly key: string;
  readonly filename: string;
  readonly source: string;
  /** the source as the body of a function: one call = one fresh top level */
  readonly wrapped: string;
  /** async mode when the entry function is declared `async` */
  readonly mode: EntryMode;
  /** set once the source has been checked to be a complete script on its own */
  checked: boolean;
  compileError?: ScriptErrorInfo;
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
}

// The wrapper adds one line before the source (compiled with lineOffset -1 so
// positions stay those of the file) and returns the entry points by name
// (isolate/entry-points.ts: the driver picks the one of the invocation's kind).
const PREFIX = '(function () {\n';
const SUFFIX = `\n;return { ${ENTRY_NAMES.map((name) => `${name}: typeof ${name} === "function" ? ${name} : undefined`).join(', ')} };\n})`;

export class CompiledScriptCache {
  private readonly entries = new Map<string, CompiledScript>();

  /** `hash` is the content hash the application computed when it read the file. */
  get(filename: string, source: string, hash?: string): CompiledScript {
    const key = `${(hash ?? createHash('sha256').update(source).digest('hex')).slice(0, 32)}:${filename}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { key, filename, source, wrapped: PREFIX + source + SUFFIX, mode: entryMode(source), checked: false };
      this.entries.set(key, entry);
    }
    return entry;
  }

  clear(): void {
    for (const entry of this.entries.values()) entry.cachedData?.release();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** isolated-vm reports syntax errors as `message [file:line:column]`. */
export function parseCompileError(err: unknown, filename: string): ScriptErrorInfo {
  const e = err as { name?: string; message?: string };
  const message = String(e?.message ?? err);
  const m = /^(.*) \[(.+):(\d+):(\d+)\]$/s.exec(message);
  if (m && m[2] === filename) {
    return { name: e?.name ?? 'SyntaxError', message: `${m[1]} (${filename}:${m[3]}:${m[4]})`, code: 'COMPILE_ERROR', line: Number(m[3]), column: Number(m[4]) };
  }
  return { name: e?.name ?? 'SyntaxError', message: `${message} (${filename})`, code: 'COMPILE_ERROR' };
}
