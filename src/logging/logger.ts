// The runtime's own structured JSON log (pino). Script log lines go through it
// too, already rendered by the sensitive-data policy.
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from '../app/types.js';

export type RuntimeLogger = Logger;

export interface RuntimeLoggerOptions {
  level?: LogLevel;
  /** a stream, or a file descriptor (1 = stdout, 2 = stderr); default stdout */
  destination?: DestinationStream | number;
}

/**
 * Keys that may carry credentials are censored in every line as a second line
 * of defence; the code never logs them on purpose.
 */
const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'password', '*.password', 'clientSecret', '*.clientSecret', 'token', '*.token',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'hashKey', '*.hashKey',
];

export function createRuntimeLogger(options: RuntimeLoggerOptions = {}): RuntimeLogger {
  const dest = options.destination ?? 1;
  const stream = typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'scriptcode' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    stream,
  );
}
