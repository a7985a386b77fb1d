// Compiles scripts exactly as the sandbox does (src/sandbox/script-context.ts:
// the source on its own, then wrapped as a function body), in one small
// isolate that never runs them. So `check` reports what V8 — not some other
// parser — would refuse, at the same file:line:column the runtime reports.
import ivm from '../sandbox/isolated-vm.js';
import { CompiledScriptCache, parseCompileError } from '../sandbox/compiled-script.js';
import type { ScriptErrorInfo } from '../sandbox/errors.js';

export class CompileChecker {
  private readonly isolate = new ivm.Isolate({ memoryLimit: 32 });
  private readonly wrapper = new CompiledScriptCache();

  /** The compile error of `code` (named `filename` in positions), or undefined. */
  check(filename: string, code: string): ScriptErrorInfo | undefined {
    for (const [text, lineOffset] of [[code, 0], [this.wrapper.get(filename, code).wrapped, -1]] as const) {
      try {
        this.isolate.compileScriptSync(text, { filename, lineOffset }).release();
      } catch (error) {
        const info = parseCompileError(error, filename);
        // the finding shows the position itself
        return { ...info, message: info.message.replace(/ \([^()]*\)$/, '') };
      }
    }
    return undefined;
  }

  dispose(): void {
    this.wrapper.clear();
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}
