// `--input '{"a":1}'` or `--input @file.json`: JSON given inline or from a file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScriptCodeError } from '../errors.js';

export class UsageError extends ScriptCodeError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

export function readJsonOption(option: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  let text = value;
  let where = `--${option}`;
  if (value.startsWith('@')) {
    const file = resolve(value.slice(1));
    where = `--${option} file ${file}`;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${where}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where} is not valid JSON (${(err as Error).message}); example: --${option} '{"pesel": ["44051401458"]}' or --${option} @input.json`);
  }
}
