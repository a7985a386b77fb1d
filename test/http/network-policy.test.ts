// The address table of the network policy. Pure computation: none of these
// addresses is contacted.
import { describe, expect, it } from 'vitest';
import { isAddressAllowed, parseAllowCidrs } from '../../src/http/network-policy.js';

const strict = { allowPrivate: false, allowCidrs: [] };

describe('isAddressAllowed (default policy)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'], // cloud metadata
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'], // ipaddr.js reads this dotted form as IPv4-mapped; refused either way
    ['::7f00:1', 'ipv4Compatible:loopback'], // deprecated IPv4-compatible form
    ['::ffff:0:127.0.0.1', 'rfc6145:loopback'],
    ['64:ff9b::127.0.0.1', 'rfc6052:loopback'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052:linkLocal'],
    ['2002:7f00:1::1', '6to4:loopback'],
    ['2002:c0a8:101::1', '6to4:private'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo:loopback'], // client 127.0.0.1, obfuscated
    ['64:ff9b:1::1', 'rfc6052'], // local-use NAT64 prefix: refused outright
    ['not-an-ip', 'invalid'],
    ['127.1', 'invalid'],
  ])('refuses %s (%s)', (ip, range) => {
    expect(isAddressAllowed(ip, strict)).toEqual({ allowed: false, range });
  });

  it.each([
    ['8.8.8.8', 'unicast'],
    ['1.1.1.1', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['::ffff:8.8.8.8', 'unicast'],
    ['64:ff9b::808:808', 'rfc6052:unicast'],
    ['2002:808:808::1', '6to4:unicast'],
  ])('allows the public address %s', (ip, range) => {
    expect(isAddressAllowed(ip, strict)).toEqual({ allowed: true, range });
  });
});

describe('isAddressAllowed with exceptions', () => {
  it('allowPrivate allows everything', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isAddressAllowed(ip, { allowPrivate: true, allowCidrs: [] }).allowed).toBe(true);
    }
  });

  it('allowCidrs allows addresses inside them, and only those', () => {
    const policy = { allowPrivate: false, allowCidrs: ['10.20.0.0/16', 'fd00::/8', '127.0.0.1'] };
    expect(isAddressAllowed('10.20.3.4', policy)).toEqual({ allowed: true, range: 'private' });
    expect(isAddressAllowed('::ffff:10.20.3.4', policy).allowed).toBe(true);
    expect(isAddressAllowed('fd00::5', policy).allowed).toBe(true);
    expect(isAddressAllowed('127.0.0.1', policy).allowed).toBe(true);
    expect(isAddressAllowed('127.0.0.2', policy).allowed).toBe(false);
    expect(isAddressAllowed('10.21.0.1', policy).allowed).toBe(false);
    expect(isAddressAllowed('192.168.0.1', policy).allowed).toBe(false);
    expect(isAddressAllowed('169.254.169.254', policy).allowed).toBe(false);
    expect(isAddressAllowed('8.8.8.8', policy).allowed).toBe(true);
  });

  it('rejects a malformed CIDR, naming it', () => {
    expect(() => parseAllowCidrs(['10.0.0.0/8', 'ten-dot/8'])).toThrow(/"ten-dot\/8"/);
    expect(() => isAddressAllowed('10.0.0.1', { allowPrivate: false, allowCidrs: ['10.0.0.0/33'] })).toThrow(TypeError);
  });
});
