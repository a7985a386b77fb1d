// A service's response cache (`cache: { ttlSeconds, maxEntries, maxEntryBytes }`):
// GET answers kept in this process (an LRU) and served to later calls without
// reaching the partner. What may be kept, and for how long, is HTTP's answer
// (http-cache-semantics, as a shared cache): `no-store`, `private`, `no-cache`
// and `Vary: *` answers are never kept, `max-age`/`s-maxage`/`Expires` shorten
// the service's ttlSeconds, which is the time when the partner says nothing.
// Only 200 answers without Set-Cookie, at most maxEntryBytes of body.
//
// The key is a hash of the URL sent and of the request headers the script and
// the service's settings gave — never the credentials, which the runtime adds
// after the key is taken and which are the same for every call of the service.
// With every request header in the key, an answer's `Vary` is honoured by
// construction; freshness is the entry's own ttl.
//
// With `state.redis` (shared-state.ts) an answer kept by one process serves
// every process: a miss in the process's own LRU asks Redis (the answer kept
// there with its ttl, under the service's key prefix), and a new answer goes
// to both. Redis away: the process's own LRU alone, as without it.
import { createHash } from 'node:crypto';
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';
import type { HttpResponse } from './service-client.js';
import type { SharedState } from './shared-state.js';

export interface ResponseCacheSettings {
  ttlSeconds: number;
  maxEntries: number;
  maxEntryBytes: number;
}

const FRESHNESS = /(?:^|,)\s*(?:s-maxage|max-age)\s*=/i;

export class ResponseCache {
  private readonly entries: LRUCache<string, HttpResponse>;

  constructor(readonly settings: ResponseCacheSettings, private readonly shared?: { state: SharedState; serviceId: string }) {
    this.entries = new LRUCache<string, HttpResponse>({ max: settings.maxEntries, ttl: settings.ttlSeconds * 1000, ttlAutopurge: false });
  }

  /** The key of a GET: the URL and the request headers, credentials not among them yet. */
  key(url: URL, headers: Record<string, string>): string {
    const hash = createHash('sha256').update(url.href);
    for (const name of Object.keys(headers).sort()) hash.update(`\n${name.toLowerCase()}:${headers[name]}`);
    return hash.digest('base64url');
  }

  /** A fresh answer kept for this key (here, or by another process), or undefined. */
  async get(key: string): Promise<HttpResponse | undefined> {
    const local = this.entries.get(key);
    if (local || !this.shared) return local;
    const found = await this.shared.state.valueWithTtl(this.sharedKey(key));
    if (!found || found.value === null || found.ttl <= 0) return undefined;
    try {
      const kept = JSON.parse(found.value) as { status: number; statusText: string; headers: Record<string, string>; body: string };
      const response: HttpResponse = { status: kept.status, statusText: kept.statusText, headers: kept.headers, body: Buffer.from(kept.body, 'base64'), timings: { totalMs: 0 } };
      this.entries.set(key, response, { ttl: found.ttl });
      return response;
    } catch {
      return undefined;
    }
  }

  private sharedKey(key: string): string {
    return this.shared!.state.key(`cache:${this.shared!.serviceId}:${key}`);
  }

  /** Keeps the answer if HTTP and the settings allow it; answers whether it was kept. */
  put(key: string, url: URL, headers: Record<string, string>, response: HttpResponse): boolean {
    if (response.status !== 200 || response.body.length > this.settings.maxEntryBytes || 'set-cookie' in response.headers) return false;
    const policy = new CachePolicy(asRequest(url, headers), { status: response.status, headers: response.headers }, { shared: true });
    if (!policy.storable() || /(?:^|,)\s*no-cache/i.test(response.headers['cache-control'] ?? '') || /\*/.test(response.headers.vary ?? '')) return false;
    const configured = this.settings.ttlSeconds * 1000;
    const stated = FRESHNESS.test(response.headers['cache-control'] ?? '') || response.headers.expires !== undefined;
    const ttl = stated ? Math.min(configured, policy.timeToLive()) : configured;
    if (ttl <= 0) return false;
    this.entries.set(key, response, { ttl });
    if (this.shared) {
      const value = JSON.stringify({ status: response.status, statusText: response.statusText, headers: response.headers, body: response.body.toString('base64') });
      void this.shared.state.run((redis) => redis.set(this.sharedKey(key), value, 'PX', Math.max(1, Math.floor(ttl))));
    }
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}

function asRequest(url: URL, headers: Record<string, string>): CachePolicy.Request {
  return { url: url.pathname + url.search, method: 'GET', headers: { ...lowerCased(headers), host: url.host } };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
