// `rateLimit` across every process and machine sharing a Redis (shared-state.ts):
// the same sliding window as rate-limiter.ts, kept in one sorted set per
// service (the slots handed out, scored by time) and reserved atomically by a
// Lua script on Redis's own clock, so the machines' clocks do not matter.
// When Redis fails or is slow, the process's own limiter answers instead.
import { randomUUID } from 'node:crypto';
import type { SharedState } from '../shared-state.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

// KEYS[1]: the service's slots; ARGV: requests, window ms, longest wait ms, a unique member.
// Answers the wait in ms, or -1 when the slot is further away than the caller may wait.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local slot = now
if count >= n then
  local oldest = redis.call('ZRANGE', KEYS[1], count - n, count - n, 'WITHSCORES')
  slot = math.max(now, tonumber(oldest[2]) + window)
end
if slot - now > tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], slot, ARGV[4])
redis.call('PEXPIRE', KEYS[1], slot - now + window + 1000)
return slot - now
`;

export class SharedRateLimiter {
  private readonly local: RateLimiter;
  private readonly key: string;

  constructor(readonly limit: RateLimit, serviceId: string, private readonly state: SharedState) {
    this.local = new RateLimiter(limit);
    this.key = state.key(`ratelimit:${serviceId}`);
  }

  /** As RateLimiter.reserve, across every process sharing the Redis; this process's own limiter while Redis is away. */
  async reserve(maxWaitMs: number): Promise<number | undefined> {
    const windowMs = Math.round(this.limit.perSeconds * 1000);
    const wait = await this.state.run((redis) =>
      redis.eval(RESERVE, 1, this.key, this.limit.requests, windowMs, Math.floor(maxWaitMs), randomUUID()) as Promise<number>);
    if (wait === undefined) return this.local.reserve(maxWaitMs);
    return wait < 0 ? undefined : wait;
  }
}
