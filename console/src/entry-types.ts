// `context.` completion. Scripts do not annotate their entry point (platform
// scripts never did), so TypeScript sees `context` as `any`. The console keeps
// a hidden copy of the open script (the "shadow" model) whose entry point is
// annotated with the kind's types from types/scriptcode.d.ts, and asks the
// TypeScript worker for completions there, at the same place.
import type { Kind } from './api';

const PARAM_TYPES: Record<Kind, string[]> = {
  scriptService: ['ScriptCode.ScriptContext'],
  validationScript: ['ScriptCode.ValidatorContext'],
  scriptTask: ['ScriptCode.TaskContext', 'ScriptCode.Task'],
  formatter: ['ScriptCode.FormatterInput'],
};

const ENTRY = /((?:async\s+)?function\s+(?:callService|formatText)\s*\()([^)]*)\)/;

interface Insertion {
  offset: number;
  text: string;
}

export interface Shadow {
  /** the annotated text */
  text: string;
  /** the entry point's parameter names: completion is offered on expressions starting with one */
  params: string[];
  /** an offset in the script → the same place in the shadow text */
  map(offset: number): number;
}

/** The script's text with its entry point's parameters typed for `kind`; undefined when it has no entry point. */
export function shadowOf(text: string, kind: Kind, language: 'js' | 'ts'): Shadow | undefined {
  const match = ENTRY.exec(text);
  if (!match) return undefined;
  const types = PARAM_TYPES[kind];
  const paramsStart = match.index + match[1]!.length;
  const params: { name: string; end: number; typed: boolean }[] = [];
  let at = paramsStart;
  for (const part of match[2]!.split(',')) {
    const name = /^\s*([A-Za-z_$][\w$]*)\s*(:)?/.exec(part);
    if (name) params.push({ name: name[1]!, end: at + part.indexOf(name[1]!) + name[1]!.length, typed: Boolean(name[2]) });
    at += part.length + 1;
  }
  const insertions: Insertion[] = [];
  if (language === 'js') {
    const tags = params.slice(0, types.length).map((p, i) => `@param {${types[i]}} ${p.name}`).join(' ');
    if (tags) insertions.push({ offset: match.index, text: `/** ${tags} */ ` });
  } else {
    params.slice(0, types.length).forEach((p, i) => {
      if (!p.typed) insertions.push({ offset: p.end, text: `: ${types[i]}` });
    });
  }
  let shadow = text;
  for (const ins of [...insertions].reverse()) shadow = shadow.slice(0, ins.offset) + ins.text + shadow.slice(ins.offset);
  return {
    text: shadow,
    params: params.map((p) => p.name),
    map: (offset) => offset + insertions.filter((ins) => offset > ins.offset).reduce((n, ins) => n + ins.text.length, 0),
  };
}

/** The identifier a member access before the cursor starts from: `context.getParameters('a').` → context. */
export function accessRoot(lineBeforeCursor: string): string | undefined {
  return /([A-Za-z_$][\w$]*)(?:\s*\??\.\s*[A-Za-z_$][\w$]*(?:\([^()]*\))?)*\s*\??\.\s*[\w$]*$/.exec(lineBeforeCursor)?.[1];
}
