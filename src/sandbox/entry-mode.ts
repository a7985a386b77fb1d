// Whether a script runs in async mode (SPEC §4.1): its entry function is
// declared `async`. Decided from the source before it runs, because the mode
// picks the isolate pool and decides what `api.rest.v1` returns even in the
// script's top-level code.
import { parse, type Node } from 'acorn';
import { ENTRY_NAMES as ENTRY_NAME_LIST } from './isolate/entry-points.js';

export type EntryMode = 'sync' | 'async';

const ENTRY_NAMES: ReadonlySet<string> = new Set(ENTRY_NAME_LIST);

function isAsyncFunction(node: Node | null | undefined): boolean {
  return !!node && (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') && (node as { async?: boolean }).async === true;
}

/** 'async' when a top-level `async function callService` (or `callService = async …`) declares the entry point. */
export function entryMode(source: string): EntryMode {
  let program;
  try {
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  } catch {
    // V8 reports the syntax error itself, with its position, when the script is compiled
    return 'sync';
  }
  let mode: EntryMode = 'sync';
  for (const statement of program.body) {
    if (statement.type === 'FunctionDeclaration' && statement.id && ENTRY_NAMES.has(statement.id.name)) {
      mode = statement.async ? 'async' : 'sync';
    } else if (statement.type === 'VariableDeclaration') {
      for (const d of statement.declarations) {
        if (d.id.type === 'Identifier' && ENTRY_NAMES.has(d.id.name) && d.init) mode = isAsyncFunction(d.init) ? 'async' : 'sync';
      }
    } else if (statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression') {
      const { left, right } = statement.expression;
      if (left.type === 'Identifier' && ENTRY_NAMES.has(left.name)) mode = isAsyncFunction(right) ? 'async' : 'sync';
    }
  }
  return mode;
}
