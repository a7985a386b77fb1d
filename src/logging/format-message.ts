// Logger.info('Customer {} has {} orders', id, n): `{}` placeholders are filled
// in order; every argument goes through the sensitive renderer unless the
// script wrapped it in nonsensitive().
import type { SensitiveRenderer } from './sensitive.js';

/** One argument as it crosses from the isolate: `s` = sensitive, `v` = text. */
export interface LogArg {
  s: boolean;
  v: string;
}

export function formatMessage(template: string, args: readonly LogArg[], renderer: SensitiveRenderer): string {
  let next = 0;
  const render = (arg: LogArg) => (arg.s ? renderer.render(arg.v) : arg.v);
  const filled = template.replace(/\{\}/g, (placeholder) => (next < args.length ? render(args[next++]) : placeholder));
  const rest = args.slice(next).map(render);
  return rest.length ? `${filled} ${rest.join(' ')}` : filled;
}
