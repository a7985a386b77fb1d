// How sensitive values appear in log lines (SPEC §7).
import { createHmac, randomBytes } from 'node:crypto';
import type { SensitivePolicy } from '../app/types.js';

export interface SensitiveRenderer {
  readonly policy: SensitivePolicy;
  render(value: string): string;
}

export const MASK = '*****';
export const MARKER_START = '_SENSITIVE_DATA_START_';
export const MARKER_STOP = '_SENSITIVE_DATA_STOP_';

/**
 * `hashKey` keys the `hash` policy so that equal values correlate across log
 * lines without being guessable from a dictionary. Without a configured key a
 * random per-process key is used: correlation then holds within one process.
 */
export function createSensitiveRenderer(policy: SensitivePolicy, hashKey?: string): SensitiveRenderer {
  switch (policy) {
    case 'mask':
      return { policy, render: () => MASK };
    case 'markers':
      return { policy, render: (value) => `${MARKER_START}${value}${MARKER_STOP}` };
    case 'plain':
      return { policy, render: (value) => value };
    case 'hash': {
      const key = hashKey ?? randomBytes(32);
      return {
        policy,
        render: (value) => `#${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}`,
      };
    }
    default:
      throw new Error(`unknown logging.sensitive policy '${String(policy)}': use mask, hash, markers or plain`);
  }
}
