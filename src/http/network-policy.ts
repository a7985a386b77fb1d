// Which IP addresses a service may be dialled at (SPEC §4.4 "Network policy").
//
// A script chooses paths and sometimes whole hosts (redirects, chained
// services); without this check it could reach the metadata service of the
// cloud (169.254.169.254), the runtime's own admin ports on loopback, or the
// internal network. The check runs on the address actually dialled, after DNS
// (see connector.ts), so names that resolve to private addresses are caught.
//
// Default: only addresses ipaddr.js calls `unicast` (i.e. public) pass. IPv6
// forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo, SIIT) are
// judged by the embedded address, so `::ffff:127.0.0.1` is loopback.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface NetworkPolicy {
  /** allow every address (loopback, private, link-local, ...) */
  allowPrivate: boolean;
  /** CIDRs (or single addresses) allowed even though they are not public */
  allowCidrs: string[];
}

export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range name of the address (`unicast`, `loopback`, `private`, ...), or the embedding and the embedded range (`6to4:private`) */
  range?: string;
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses `allowCidrs`; a bare address counts as a single-address CIDR. Throws a TypeError naming a bad entry. */
export function parseAllowCidrs(cidrs: readonly string[]): [Addr, number][] {
  return cidrs.map((entry) => {
    const text = entry.trim();
    try {
      if (text.includes('/')) return ipaddr.parseCIDR(text);
      if (isIP(text) === 0) throw new Error('not an address');
      const addr = ipaddr.parse(text);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new TypeError(`network.allowCidrs: "${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
    }
  });
}

function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * The IPv4 addresses an IPv6 address stands for, or undefined when it embeds
 * none. `null` means "an embedding we cannot judge" and is refused.
 */
function embeddedIPv4(addr: ipaddr.IPv6): { via: string; v4: ipaddr.IPv4[] } | null | undefined {
  const p = addr.parts;
  switch (addr.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
      return { via: 'ipv4Mapped', v4: [addr.toIPv4Address()] };
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return { via: 'rfc6145', v4: [v4FromParts(p[6], p[7])] };
    case 'rfc6052': // NAT64: only the well-known /96 has the address in the last 32 bits
      return p[1] === 0xff9b && p[2] === 0 ? { via: 'rfc6052', v4: [v4FromParts(p[6], p[7])] } : null;
    case '6to4': // 2002:AABB:CCDD::/48
      return { via: '6to4', v4: [v4FromParts(p[1], p[2])] };
    case 'teredo': // 2001:0:server:server:flags:port:~client:~client
      return { via: 'teredo', v4: [v4FromParts(p[2], p[3]), v4FromParts(~p[6] & 0xffff, ~p[7] & 0xffff)] };
  }
  // Deprecated IPv4-compatible form ::a.b.c.d: ipaddr.js calls it unicast, but
  // some stacks route it as IPv4, so judge it by the IPv4 inside.
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1)) {
    return { via: 'ipv4Compatible', v4: [v4FromParts(p[6], p[7])] };
  }
  return undefined;
}

function inCidrs(addrs: Addr[], cidrs: [Addr, number][]): boolean {
  return addrs.some((a) => cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits)));
}

/**
 * May a connection be made to `ip`? `ip` must be a literal address (as
 * returned by DNS); anything else is refused as `invalid`.
 */
export function isAddressAllowed(ip: string, policy: NetworkPolicy): AddressVerdict {
  const cidrs = parseAllowCidrs(policy.allowCidrs);
  if (isIP(ip) === 0) return { allowed: false, range: 'invalid' };
  let addr: Addr;
  try {
    addr = ipaddr.parse(ip);
  } catch {
    return { allowed: false, range: 'invalid' };
  }

  // Classify, following IPv4 embedded in IPv6.
  let range: string = addr.range();
  let publicAddress = range === 'unicast';
  const candidates: Addr[] = [addr];
  if (addr.kind() === 'ipv6') {
    const embedded = embeddedIPv4(addr as ipaddr.IPv6);
    if (embedded === null) {
      publicAddress = false;
    } else if (embedded) {
      candidates.push(...embedded.v4);
      const ranges = embedded.v4.map((v4) => v4.range());
      const bad = ranges.find((r) => r !== 'unicast');
      publicAddress = bad === undefined;
      // `::ffff:127.0.0.1` reads best as plain `loopback`; other embeddings keep their name.
      const inner = bad ?? 'unicast';
      range = embedded.via === 'ipv4Mapped' ? inner : `${embedded.via}:${inner}`;
    }
  }

  if (publicAddress || policy.allowPrivate) return { allowed: true, range };
  if (inCidrs(candidates, cidrs)) return { allowed: true, range };
  return { allowed: false, range };
}
