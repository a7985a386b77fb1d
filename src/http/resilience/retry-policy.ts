// When a failed attempt is tried again (SPEC §4.4 `retry`): on 429, 502, 503,
// 504 and connection resets, for idempotent methods unless `retry.methods`
// names others, with exponential backoff and full jitter, honouring
// Retry-After — and never past the script's remaining time.
import type { RetryConfig } from '../../services/types.js';

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(['CONNECTION_RESET']);
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

export function methodRetryable(method: string, config: RetryConfig): boolean {
  return IDEMPOTENT_METHODS.has(method) || (config.methods ?? []).includes(method);
}

/** A failed attempt that may be tried again: a status from the service or an HttpCallError code. */
export function outcomeRetryable(outcome: { status?: number; errorCode?: string }): boolean {
  if (outcome.status !== undefined) return RETRY_STATUSES.has(outcome.status);
  return outcome.errorCode !== undefined && RETRY_ERROR_CODES.has(outcome.errorCode);
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

export interface RetryDecision {
  retry: boolean;
  waitMs: number;
  /** why not, when it would otherwise have been retried */
  reason?: 'attempts' | 'method' | 'budget';
}

const NO_RETRY: RetryDecision = Object.freeze({ retry: false, waitMs: 0 });

export function decideRetry(input: {
  attempt: number;
  method: string;
  config: RetryConfig;
  status?: number;
  errorCode?: string;
  retryAfter?: string;
  remainingMs: number;
}): RetryDecision {
  if (!outcomeRetryable(input)) return NO_RETRY;
  if (input.attempt >= input.config.attempts) return { retry: false, waitMs: 0, reason: 'attempts' };
  if (!methodRetryable(input.method, input.config)) return { retry: false, waitMs: 0, reason: 'method' };
  const waitMs = parseRetryAfter(input.retryAfter) ?? backoffMs(input.attempt);
  // the next attempt needs time of its own after the wait
  if (waitMs >= input.remainingMs) return { retry: false, waitMs, reason: 'budget' };
  return { retry: true, waitMs };
}
