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
import { createHash } from 'node:crypto';
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';
import type { HttpResponse } from './service-client.js';

export interface ResponseCacheSettings {
  ttlSeconds: number;
  maxEntries: number;
  maxEntryBytes: number;
}

const FRESHNESS = /(?:^|,)\s*(?:s-maxage|max-age)\s*=/i;

export class ResponseCache {
  private readonly entries: LRUCache<string, HttpResponse>;

  constructor(readonly settings: ResponseCacheSettings) {
    this.entries = new LRUCache<string, HttpResponse>({ max: settings.maxEntries, ttl: settings.ttlSeconds * 1000, ttlAutopurge: false });
  }

  /** The key of a GET: the URL and the request headers, credentials not among them yet. */
  key(url: URL, headers: Record<string, string>): string {
    const hash = createHash('sha256').update(url.href);
    for (const name of Object.keys(headers).sort()) hash.update(`\n${name.toLowerCase()}:${headers[name]}`);
    return hash.digest('base64url');
  }

  /** A fresh answer kept for this key, or undefined. */
  get(key: string): HttpResponse | undefined {
    return this.entries.get(key);
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
