// OAuth2 tokens shared by every process and machine through Redis
// (shared-state.ts): one token request for a client across all of them, and a
// token a 401 proved bad dropped for all.
//
// One key per client (the same cache key as oauth2.ts: tokenUrl, client id,
// scope, audience, a digest of the secret), hashed. Its value is the token
// encrypted with AES-256-GCM under a key derived (HKDF-SHA-256) from the
// client secret, so Redis holds nothing usable without the secret; before it,
// the SHA-256 of the token, so a process can drop exactly the token it saw
// fail without decrypting anything. The key expires when the token is due
// for refresh. A process that finds no token takes a lock (SET NX with an
// expiry) and fetches; the others wait for the token to land, and fetch by
// themselves only if the lock holder gives up or their time runs out.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { SharedState } from '../shared-state.js';

const POLL_MS = 50;
const DROP_IF_SAME = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 64) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface SharedToken {
  token: string;
  /** ms until it is due for refresh */
  dueInMs: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class SharedTokens {
  constructor(private readonly state: SharedState) {}

  private keyOf(cacheKey: string): string {
    return this.state.key(`oauth2:${sha256(cacheKey)}`);
  }

  private cipherKey(cacheKey: string, secret: string): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, 'scriptcode/oauth2-token', cacheKey, 32));
  }

  /**
   * A token another process fetched, once one lands, or undefined: this
   * process must fetch (it holds the lock then, or Redis is away, or `signal`
   * aborted while it waited).
   */
  async obtain(cacheKey: string, secret: string, lockMs: () => number, signal: AbortSignal): Promise<SharedToken | undefined> {
    const key = this.keyOf(cacheKey);
    for (;;) {
      const found = await this.read(key, cacheKey, secret);
      if (found === undefined) return undefined;
      if (found) return found;
      const locked = await this.state.run((redis) => redis.set(`${key}:lock`, '1', 'PX', Math.max(1_000, Math.ceil(lockMs())), 'NX'));
      if (locked === undefined) return undefined; // Redis is away
      if (locked !== null) {
        // Ours to fetch — unless the holder published and let go between our read and our lock
        // (publish sets the token and frees the lock at once): then its token is there now.
        const landed = await this.read(key, cacheKey, secret);
        if (!landed) return undefined;
        await this.release(cacheKey);
        return landed;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (signal.aborted) return undefined;
    }
  }

  /** The token this process fetched, for the others until `dueInMs`; releases the lock. */
  async publish(cacheKey: string, secret: string, token: string, dueInMs: number): Promise<void> {
    const key = this.keyOf(cacheKey);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.cipherKey(cacheKey, secret), iv);
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const value = `${sha256(token)}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
    await this.state.run((redis) => {
      const tx = redis.multi();
      if (dueInMs >= 1) tx.set(key, value, 'PX', Math.floor(dueInMs));
      return tx.del(`${key}:lock`).exec();
    });
  }

  /** The fetch failed: let another process try. */
  async release(cacheKey: string): Promise<void> {
    await this.state.run((redis) => redis.del(`${this.keyOf(cacheKey)}:lock`));
  }

  /** A 401 proved `token` bad: drop it for everyone, unless another process has already replaced it. */
  async drop(cacheKey: string, token: string): Promise<void> {
    await this.state.run((redis) => redis.eval(DROP_IF_SAME, 1, this.keyOf(cacheKey), sha256(token)));
  }

  /** The shared token, null when there is none, undefined when Redis is away (or the value cannot be opened). */
  private async read(key: string, cacheKey: string, secret: string): Promise<SharedToken | null | undefined> {
    const got = await this.state.valueWithTtl(key);
    if (!got) return undefined;
    if (got.value === null || got.ttl <= 0) return null;
    try {
      const raw = Buffer.from(got.value.slice(65), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.cipherKey(cacheKey, secret), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const token = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return { token, dueInMs: got.ttl };
    } catch {
      // sealed under another secret (rotated) or damaged: this process fetches its own
      return undefined;
    }
  }
}
