// One registry (src/errors.ts) gives every caller-facing error its code, HTTP
// status and exit code; the server, the CLI and the docs follow it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApplicationNotFoundError, ConfigError, ScriptMetadataError } from '../src/app/errors.js';
import { UsageError } from '../src/cli/read-json-option.js';
import { ERRORS, ScriptCodeError } from '../src/errors.js';
import { InputError, ScriptFailure, ScriptNotFoundError } from '../src/kinds/errors.js';
import { IsolateResetError, LimitExceededError, PoolExhaustedError, QueueFullError, RuntimeClosedError } from '../src/sandbox/errors.js';
import { resolveLimits } from '../src/sandbox/limits.js';
import { IsolatedVmUnavailableError } from '../src/sandbox/node-support.js';
import { classify, ServiceUnavailableError } from '../src/server/errors.js';
import { InitError } from '../src/tools/init.js';
import { UnknownServiceError } from '../src/tools/services-check.js';
import { NoTestsError } from '../src/tools/test-runner.js';
import { restCallBudget } from '../src/bindings/rest-v1/budget.js';

const limits = resolveLimits('scriptService', [restCallBudget]);

/** one of each caller-facing error, and the registry entry it must answer by */
const samples: [ScriptCodeError, keyof typeof ERRORS][] = [
  [new UsageError('--port must be a number'), 'USAGE'],
  [new InputError('input must be an object'), 'INVALID_INPUT'],
  [new InputError('too deep', 'INPUT_TOO_DEEP'), 'INPUT_TOO_DEEP'],
  [new ScriptNotFoundError('scriptService', 'nope', 'scripts'), 'SCRIPT_NOT_FOUND'],
  [new UnknownServiceError("there is no service 'x'"), 'UNKNOWN_SERVICE'],
  [new NoTestsError('no test files'), 'NO_TESTS'],
  [new InitError('the folder is not empty'), 'FOLDER_NOT_EMPTY'],
  [new ScriptFailure({ error: { name: 'TypeError', message: 'x is not a function' }, invocationId: 'i-1' }), 'SCRIPT_FAILED'],
  [new LimitExceededError('REST_CALL_LIMIT', limits, 'scriptService'), 'LIMIT_EXCEEDED'],
  [new ScriptMetadataError('/app/scripts/a.yaml', 'scripts/a.yaml', 'scriptService', 'a', []), 'SCRIPT_METADATA_INVALID'],
  [new QueueFullError(10), 'QUEUE_FULL'],
  [new PoolExhaustedError(4, 16), 'POOL_EXHAUSTED'],
  [new IsolateResetError('i-2'), 'ISOLATE_RESET'],
  [new RuntimeClosedError(), 'RUNTIME_CLOSED'],
  [new ServiceUnavailableError('loading', 'STARTING'), 'STARTING'],
  [new ServiceUnavailableError('draining', 'STOPPING'), 'STOPPING'],
  [new ServiceUnavailableError('a worker died', 'METRICS_UNAVAILABLE'), 'METRICS_UNAVAILABLE'],
  [new ConfigError('/app/scriptcode.yaml', [{ path: 'services', message: 'must be a mapping' }]), 'CONFIG_INVALID'],
  [new ApplicationNotFoundError('/nowhere', 'does not exist'), 'APP_NOT_FOUND'],
  [new IsolatedVmUnavailableError('unsupported-node', 'Node.js 18 is not supported'), 'ISOLATED_VM_UNAVAILABLE'],
];

describe('the error registry', () => {
  it('every caller-facing error answers by its entry: code, HTTP status, exit code', () => {
    expect(new Set(samples.map(([, entry]) => entry))).toEqual(new Set(Object.keys(ERRORS)));
    for (const [error, entry] of samples) {
      expect(error).toBeInstanceOf(ScriptCodeError);
      expect(error.registered).toBe(entry);
      expect({ status: error.status, exit: error.exitCode }).toEqual({ status: ERRORS[entry].status, exit: ERRORS[entry].exit });
    }
    // a limit keeps its own code, answered as LIMIT_EXCEEDED
    expect(samples.find(([e]) => e instanceof LimitExceededError)![0].code).toBe('REST_CALL_LIMIT');
  });

  it('refuses a code that is not registered', () => {
    expect(() => new ScriptCodeError('MADE_UP', 'x')).toThrow('MADE_UP is not in the error registry (src/errors.ts)');
  });

  it('the server answers with the registry\'s status; a 500 of ours says no more than INTERNAL', () => {
    for (const [error, entry] of samples) {
      const { status, body } = classify(error);
      const expected = ERRORS[entry].status;
      if (expected === 500) {
        expect({ status, body }).toEqual({ status: 500, body: { error: { name: 'InternalError', message: 'internal error; the server log has the details', code: 'INTERNAL' } } });
      } else if (error instanceof ScriptFailure) {
        expect({ status, body }).toEqual({ status: 422, body: error.body });
      } else {
        expect(status).toBe(expected);
        expect(body).toEqual({ error: { name: status === 404 ? 'NotFound' : error.name, message: error.message, code: error.code } });
      }
    }
  });

  it('docs/http-api.md lists every entry as the registry has it', () => {
    const doc = readFileSync(new URL('../docs/http-api.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| ([12]) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), Number(m[3]), m[4]]);
    expect(rows).toEqual(Object.entries(ERRORS).map(([code, e]) => [code, e.status, e.exit, e.means]));
  });
});
