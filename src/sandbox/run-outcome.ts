// What one run produced, before the kind turns it into an answer.
import type { ScriptErrorInfo } from './errors.js';
import type { LimitCode } from './limits.js';
import type { TurnAnswer } from './isolate/turn-messages.js';

export type RunOutcome =
  | { type: 'value'; value: Record<string, unknown> }
  | { type: 'scriptError'; error: ScriptErrorInfo }
  | { type: 'limit'; code: LimitCode }
  /** another invocation sharing the isolate exhausted its memory: this one was stopped through no fault of its own */
  | { type: 'isolateReset' };

/** The end of one turn of isolate code, as the host saw it. */
export type TurnResult =
  /** the turn ended: an answer's JSON text, or its messages (isolate/outbox.ts) */
  | { type: 'answer'; answer: TurnAnswer }
  /** the turn was stopped by a limit (its context is half-way through something and is dropped) */
  | { type: 'limit'; code: LimitCode }
  /** the isolate died while another run's turn was running */
  | { type: 'isolateReset' }
  | { type: 'failed'; error: unknown };
