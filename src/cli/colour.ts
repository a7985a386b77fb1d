// Colour in the human-readable output (`test`, `check`): only when the stream
// is a terminal, never when NO_COLOR is set (https://no-color.org: any
// non-empty value), nor for TERM=dumb or NODE_DISABLE_COLORS (Node's own rules,
// through tty.WriteStream#hasColors). Pipes, files and CI logs get plain text.

export interface Paint {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

interface MaybeTty {
  isTTY?: boolean;
  hasColors?: (env?: Record<string, string | undefined>) => boolean;
}

export function colourEnabled(stream: MaybeTty, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (stream.isTTY !== true) return false;
  return typeof stream.hasColors === 'function' ? stream.hasColors(env) : env.TERM !== 'dumb';
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const identity = (text: string) => text;

export const PLAIN: Paint = { red: identity, green: identity, yellow: identity, dim: identity };
const COLOURED: Paint = { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), dim: sgr(2, 22) };

/** Colours for text written to `stream` (plain functions when it must stay uncoloured). */
export function paint(stream: MaybeTty, env: Record<string, string | undefined> = process.env): Paint {
  return colourEnabled(stream, env) ? COLOURED : PLAIN;
}
