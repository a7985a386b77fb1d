// Which proxy a call goes through: the service's `proxy` setting (a URL or
// 'env'), HTTPS_PROXY/HTTP_PROXY and NO_PROXY. See proxy.ts for the rules.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A proxy to dial. Everything but `authorization` is safe to print. */
export interface ProxyEndpoint {
  protocol: 'http:' | 'https:';
  /** host name or IP literal, without brackets */
  host: string;
  port: number;
  /** `http://proxy.corp:3128`: never the credentials */
  label: string;
  /** where it was configured, for messages: `the service's proxy setting` or `HTTPS_PROXY` */
  source: string;
  /** `Basic …` when the proxy URL has user info */
  authorization?: string;
}

export interface ProxyRouter {
  /** The proxy for a target, or undefined to connect directly. `host` may be bracketed (IPv6). */
  route(protocol: string, host: string, port: number): ProxyEndpoint | undefined;
}

/** The proxy for a request URL, or undefined for a direct connection. */
export function proxyFor(router: ProxyRouter | undefined, url: URL): ProxyEndpoint | undefined {
  if (!router) return undefined;
  return router.route(url.protocol, url.hostname, Number(url.port) || defaultPort(url.protocol));
}

export const defaultPort = (protocol: string) => (protocol === 'https:' ? 443 : 80);
export const unbracket = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
export const authority = (host: string, port: number | string) => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/**
 * Parses a proxy URL. Throws a TypeError naming `source` — never the value,
 * which may hold a password.
 */
export function parseProxyUrl(serviceId: string, text: string, source: string): ProxyEndpoint {
  const bad = (why: string) => new TypeError(`service "${serviceId}": ${source} ${why}`);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw bad('is not a valid proxy URL; use http://host:port or https://host:port');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad(`must be an http:// or https:// proxy URL, not ${url.protocol}//`);
  }
  if (!url.hostname) throw bad('has no host name');
  const protocol = url.protocol;
  const host = unbracket(url.hostname);
  const port = Number(url.port) || defaultPort(protocol);
  let authorization: string | undefined;
  if (url.username || url.password) {
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    } catch {
      throw bad('has a user name or password that is not valid percent-encoding');
    }
    authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  return { protocol, host, port, label: `${protocol}//${authority(host, port)}`, source, authorization };
}

export type NoProxyRule = { all: true } | { all?: false; name: string; port: number } | { all?: false; cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]; port: number };

/** Parses a NO_PROXY value (see the top of this file). Unparsable entries are ignored. */
export function parseNoProxy(value: string): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return [{ all: true }];
    let port = 0;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const withPort = /^([^:]+):(\d+)$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      port = Number(bracketed[2] ?? 0);
    } else if (withPort) {
      entry = withPort[1];
      port = Number(withPort[2]);
    }
    try {
      if (entry.includes('/')) {
        rules.push({ cidr: ipaddr.parseCIDR(entry), port });
        continue;
      }
      if (isIP(entry) !== 0) {
        const addr = ipaddr.process(entry);
        rules.push({ cidr: [addr, addr.kind() === 'ipv4' ? 32 : 128], port });
        continue;
      }
    } catch {
      continue;
    }
    const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name) rules.push({ name, port });
  }
  return rules;
}

/** Does a NO_PROXY rule list exempt this target? */
export function matchesNoProxy(rules: readonly NoProxyRule[], host: string, port: number): boolean {
  const h = unbracket(host).toLowerCase().replace(/\.$/, '');
  const ip = isIP(h) !== 0 ? ipaddr.process(h) : undefined;
  return rules.some((rule) => {
    if (rule.all) return true;
    if (rule.port && rule.port !== port) return false;
    if ('cidr' in rule) return ip !== undefined && ip.kind() === rule.cidr[0].kind() && ip.match(rule.cidr);
    return h === rule.name || h.endsWith(`.${rule.name}`);
  });
}

/** Builds the router for a service's `proxy` setting: a URL, or 'env'. Throws a TypeError for a bad URL. */
export function createProxyRouter(serviceId: string, setting: string, env: NodeJS.ProcessEnv = process.env): ProxyRouter {
  if (setting !== 'env') {
    const endpoint = parseProxyUrl(serviceId, setting, "the service's proxy setting");
    return { route: () => endpoint };
  }
  const read = (lower: string, upper: string): [string, string] | undefined => {
    const name = env[lower] !== undefined ? lower : upper;
    const value = env[name]?.trim();
    return value ? [name, value] : undefined;
  };
  const endpoint = (lower: string, upper: string) => {
    const found = read(lower, upper);
    return found && parseProxyUrl(serviceId, found[1], `the environment variable ${found[0]}`);
  };
  const httpsProxy = endpoint('https_proxy', 'HTTPS_PROXY');
  const httpProxy = endpoint('http_proxy', 'HTTP_PROXY');
  const noProxy = parseNoProxy(read('no_proxy', 'NO_PROXY')?.[1] ?? '');
  return {
    route(protocol, host, port) {
      const endpoint = protocol === 'https:' ? httpsProxy : protocol === 'http:' ? httpProxy : undefined;
      if (!endpoint || matchesNoProxy(noProxy, host, port)) return undefined;
      return endpoint;
    },
  };
}
