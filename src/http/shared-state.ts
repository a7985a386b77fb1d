// State shared by every process and machine serving an application, through
// Redis (`state: { redis: { url, keyPrefix, timeoutMs } }`, SPEC §9; ioredis).
//
// Redis trouble never fails an invocation: a command that errs, or takes
// longer than timeoutMs, answers `undefined` and the caller goes on with its
// own in-process state. The first failure is logged (once, until Redis is
// back) and reported (`scriptcode_state_backend_up` 0); the first success
// after it likewise. While disconnected, commands fail at once (no offline
// queue) and ioredis keeps reconnecting in the background.
import { Redis } from 'ioredis';
import type { RuntimeLogger } from '../logging/logger.js';
import { notify, type RuntimeObserver } from '../runtime/observer.js';

export interface SharedStateSettings {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
}

class TimedOut extends Error {}

export class SharedState {
  private readonly redis: Redis;
  private up: boolean | undefined;
  private closed = false;

  constructor(readonly settings: SharedStateSettings, private readonly logger: RuntimeLogger, private readonly observer?: RuntimeObserver) {
    if (!/^rediss?:\/\//i.test(settings.url)) {
      throw new TypeError('state.redis.url must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 or "${env:REDIS_URL}" (the value is not shown: it may hold a password)');
    }
    this.redis = new Redis(settings.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.max(1_000, settings.timeoutMs * 4),
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
      lazyConnect: false,
    });
    // connection errors surface through the commands; the client must not crash the process
    this.redis.on('error', () => undefined);
  }

  /** `prefix` + name: every key this application writes */
  key(name: string): string {
    return `${this.settings.keyPrefix}${name}`;
  }

  /** Runs a command; `undefined` when Redis failed or was slow (the caller uses its own state then). */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        this.firstConnection().then(() => command(this.redis)),
        new Promise<never>((_, reject) => {
          // Decided after the event loop's poll phase: when the loop was busy (a burst of invocations), a
          // reply that arrived meanwhile is read first, rather than a stalled loop counting as a slow Redis.
          timer = setTimeout(() => setImmediate(() => reject(new TimedOut())), this.settings.timeoutMs);
        }),
      ]);
      this.mark(true);
      return result;
    } catch (err) {
      this.mark(false, err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Right after start the connection is still being made, and without an
   * offline queue a command would fail at once: the first commands wait for
   * it (within their timeout). Later, a lost connection fails commands at once.
   */
  private firstConnection(): Promise<void> {
    const status = this.redis.status;
    if (this.up !== undefined || !(status === 'wait' || status === 'connecting' || status === 'connect')) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.redis.off('ready', done);
        this.redis.off('error', done);
        resolve();
      };
      this.redis.once('ready', done);
      this.redis.once('error', done);
    });
  }

  private mark(up: boolean, err?: unknown): void {
    if (this.up === up) return;
    const wasKnown = this.up !== undefined;
    this.up = up;
    notify(this.observer, 'stateBackendChanged', { backend: 'redis', up });
    // never the URL: it may hold a password
    if (!up) {
      const reason = err instanceof TimedOut ? `no answer within ${this.settings.timeoutMs} ms` : String((err as Error)?.message ?? err);
      this.logger.warn({ backend: 'redis', reason }, 'shared state unavailable: each process goes on with its own (rate limits hold per process) until Redis answers again');
    } else if (wasKnown) {
      this.logger.info({ backend: 'redis' }, 'shared state available again');
    }
  }

  /** A key's value and its ms to live (value null and ttl negative when there is none); undefined when Redis failed. */
  valueWithTtl(key: string): Promise<{ value: string | null; ttl: number } | undefined> {
    return this.run(async (redis) => {
      const [[, value], [, ttl]] = (await redis.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
      return { value, ttl };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.redis.disconnect();
  }
}
