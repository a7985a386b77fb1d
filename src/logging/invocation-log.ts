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
  /** the called script that wrote the line ('validators/pesel'), when it was not the invoked one */
  script?: string;
}

/** What an invocation and the scripts it calls share: one list of lines, one cap. */
interface SharedLines {
  kept: ScriptLogLine[];
  written: number;
  dropped: number;
}

export class InvocationLog {
  private shared: SharedLines = { kept: [], written: 0, dropped: 0 };
  /** set on the log of a called script (context.callService): its lines say so */
  private script?: string;

  private child?: RuntimeLogger;

  /**
   * `fields` (invocation id, script, kind) go on every line; the child logger
   * that carries them is made only when a line is written at an enabled level.
   */
  constructor(
    private readonly logger: RuntimeLogger,
    private readonly fields: Record<string, unknown> | undefined,
    private readonly renderer: SensitiveRenderer,
    private readonly maxLines: number,
  ) {}

  private out(level: ScriptLogLevel): RuntimeLogger | undefined {
    if (!this.logger.isLevelEnabled(level)) return undefined;
    this.child ??= this.fields ? this.logger.child(this.fields) : this.logger;
    return this.child;
  }

  /** Would a line at `level` be written? Callers skip building fields for lines that would not. */
  isEnabled(level: ScriptLogLevel): boolean {
    return this.logger.isLevelEnabled(level);
  }

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

  /**
   * The log of a script this invocation's script calls (context.callService):
   * its lines join this invocation's (the same list, the same cap), marked with
   * `script`; in the runtime log they carry `fields` (the called script's name
   * and kind, with the invocation id of the whole chain).
   */
  nested(fields: Record<string, unknown>, script: string): InvocationLog {
    const log = new InvocationLog(this.logger, fields, this.renderer, this.maxLines);
    log.shared = this.shared;
    log.script = script;
    return log;
  }

  add(level: ScriptLogLevel, message: string): void {
    const shared = this.shared;
    if (shared.written >= this.maxLines) {
      shared.dropped++;
      return;
    }
    shared.written++;
    const line: ScriptLogLine = this.script === undefined
      ? { time: new Date().toISOString(), level, message }
      : { time: new Date().toISOString(), level, message, script: this.script };
    shared.kept.push(line);
    this.out(level)?.[level]({ source: 'script' }, message);
  }

  /** A line the runtime writes about this invocation (a REST call, say): not the script's, not capped. */
  event(level: ScriptLogLevel, fields: Record<string, unknown>, message: string, tagged = true): void {
    this.out(level)?.[level](tagged ? { source: 'runtime', ...fields } : fields, message);
  }

  /** Closes the log: reports dropped lines once. */
  finish(): void {
    // the invoked script's log reports for the scripts it called too
    if (this.script !== undefined) return;
    const shared = this.shared;
    if (shared.dropped > 0) {
      const message = `${shared.dropped} log lines dropped: the limit is ${this.maxLines} per invocation (logging.maxLinesPerInvocation)`;
      shared.kept.push({ time: new Date().toISOString(), level: 'warn', message });
      this.out('warn')?.warn({ source: 'runtime' }, message);
      shared.dropped = 0;
    }
  }

  lines(): ScriptLogLine[] {
    return this.shared.kept;
  }
}

function isLogArg(value: unknown): value is LogArg {
  return typeof value === 'object' && value !== null &&
    typeof (value as LogArg).s === 'boolean' && typeof (value as LogArg).v === 'string';
}
