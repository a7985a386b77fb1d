// What an invocation can end with besides a result. The `code` strings are
// stable: callers and tests match on them.
import type { ScriptKind } from '../app/types.js';
import { ScriptCodeError } from '../errors.js';
import { describeLimit, limitKey, type LimitCode, type Limits } from './limits.js';

/** The error body of SPEC §6: `{ name, message, code?, line?, column? }` (plus `status` for REST errors). */
export interface ScriptErrorInfo {
  name: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
  status?: { code: number; message: string };
  serviceId?: string;
}

export class LimitExceededError extends ScriptCodeError {
  override readonly name = 'LimitExceededError';
  declare readonly code: LimitCode;
  constructor(code: LimitCode, limits: Limits, kind: ScriptKind) {
    const key = limitKey(code, limits);
    super(code, `${describeLimit(code, limits, kind)}; the invocation was stopped. ${
      key
        ? `If the work is legitimate, raise limits.${kind}.${key} in scriptcode.yaml or limits.${key} in the script's metadata file.`
        : 'This limit is the same for every script: return flatter data (e.g. a list of rows with ids instead of a tree, or a nested part as a JSON string).'
    }`, { registered: 'LIMIT_EXCEEDED' });
  }
  toInfo(): ScriptErrorInfo {
    return { name: this.name, message: this.message, code: this.code };
  }
}

/** Too many invocations are waiting: the caller should come back later. */
export class QueueFullError extends ScriptCodeError {
  override readonly name = 'QueueFullError';
  constructor(readonly maxQueue: number) {
    super('QUEUE_FULL', `the invocation queue is full (${maxQueue} waiting); retry later or raise pool.maxQueue / pool.maxIsolates`);
  }
}

export class RuntimeClosedError extends ScriptCodeError {
  override readonly name = 'RuntimeClosedError';
  constructor() {
    super('RUNTIME_CLOSED', 'the runtime is closed');
  }
}

/**
 * Another async-mode invocation sharing this one's isolate went over the
 * memory limit and took the isolate down: this invocation did nothing wrong
 * and can be retried at once (HTTP 503 + Retry-After).
 */
export class IsolateResetError extends ScriptCodeError {
  override readonly name = 'IsolateResetError';
  constructor(readonly invocationId: string) {
    super('ISOLATE_RESET', `invocation ${invocationId} was stopped because another invocation sharing its isolate exceeded the memory limit; retry it. ` +
      'Lower pool.asyncInvocationsPerIsolate in scriptcode.yaml to share isolates among fewer invocations.');
  }
}

/**
 * A nested call (context.callService / context.validate) found no isolate:
 * every one is busy and the pool may not grow further. Nested calls never
 * wait for one (see isolate-pool.ts): the caller gets this at once.
 */
export class PoolExhaustedError extends ScriptCodeError {
  override readonly name = 'PoolExhaustedError';
  constructor(readonly maxIsolates: number, readonly overflow: number) {
    super('POOL_EXHAUSTED', `every isolate is busy (pool.maxIsolates ${maxIsolates}, plus ${overflow} for nested calls); retry later or raise pool.maxIsolates`);
  }
}
