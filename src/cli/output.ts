// How commands talk: JSON on stdout, problems on stderr with exit code 2.
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
