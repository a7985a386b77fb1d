// The log lines one invocation writes: rendered once by the sensitive-data
// policy, written to the runtime log and kept for the `trace` answer.
import type { RuntimeLogger } from './logger.js';
import { formatMessage, type LogArg } from './format-message.js';
import type { SensitiveRenderer } from './sensitive.js';

export type ScriptLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error']);

export interface ScriptLogLine {
  time: string;
  level: ScriptLogLevel;
  message: string;
}

export class InvocationLog {
  private readonly kept: ScriptLogLine[] = [];
  private written = 0;
  private dropped = 0;

  constructor(
    private readonly logger: RuntimeLogger,
    private readonly renderer: SensitiveRenderer,
    private readonly maxLines: number,
  ) {}

  /** A line from the script's Logger/console; `payload` is the JSON the isolate sent. */
  addFromScript(level: string, payload: string): void {
    let parsed: { m?: unknown; a?: unknown };
    try {
      parsed = JSON.parse(payload) as { m?: unknown; a?: unknown };
    } catch {
      return;
    }
    const args = Array.isArray(parsed.a) ? (parsed.a as unknown[]).filter(isLogArg) : [];
    const template = typeof parsed.m === 'string' ? parsed.m : '';
    this.add(LEVELS.has(level) ? (level as ScriptLogLevel) : 'info', formatMessage(template, args, this.renderer));
  }

  add(level: ScriptLogLevel, message: string): void {
    if (this.written >= this.maxLines) {
      this.dropped++;
      return;
    }
    this.written++;
    const line: ScriptLogLine = { time: new Date().toISOString(), level, message };
    this.kept.push(line);
    this.logger[level]({ source: 'script' }, message);
  }

  /** Closes the log: reports dropped lines once. */
  finish(): void {
    if (this.dropped > 0) {
      const message = `${this.dropped} log lines dropped: the limit is ${this.maxLines} per invocation (logging.maxLinesPerInvocation)`;
      this.kept.push({ time: new Date().toISOString(), level: 'warn', message });
      this.logger.warn({ source: 'runtime' }, message);
      this.dropped = 0;
    }
  }

  lines(): ScriptLogLine[] {
    return this.kept;
  }
}

function isLogArg(value: unknown): value is LogArg {
  return typeof value === 'object' && value !== null &&
    typeof (value as LogArg).s === 'boolean' && typeof (value as LogArg).v === 'string';
}
