import { describe, expect, it } from 'vitest';
import { embeddedIpv4, forbiddenReason, inCidr, parseCidr, parseIp } from './ip.ts';

describe('IP classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.1.2', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (includes the cloud metadata service 169.254.169.254)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['100.64.0.1', 'carrier-grade NAT (shared address space)'],
    ['100.127.255.255', 'carrier-grade NAT (shared address space)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved (includes broadcast)'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private (unique local)'],
    ['fd00:ec2::254', 'private (unique local)'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback, embedded in an IPv6 address'],
    ['::ffff:a9fe:a9fe', 'link-local (includes the cloud metadata service 169.254.169.254), embedded in an IPv6 address'],
    ['::10.0.0.1', 'private, embedded in an IPv6 address'],
    ['64:ff9b::192.168.0.1', 'private, embedded in an IPv6 address'],
    ['2002:7f00:1::', 'loopback, embedded in an IPv6 address'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, reason) => {
    expect(forbiddenReason(parseIp(address)!)).toBe(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '169.253.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:0808:0808::1'])(
    '%s is public',
    (address) => {
      expect(forbiddenReason(parseIp(address)!)).toBeUndefined();
    },
  );

  it('parses IPv6 forms into the same bytes', () => {
    expect(parseIp('::ffff:7f00:1')).toEqual(parseIp('::ffff:127.0.0.1'));
    expect(parseIp('0:0:0:0:0:0:0:1')).toEqual(parseIp('::1'));
    expect(Array.from(parseIp('2001:db8::8:800:200c:417a')!)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a]);
    expect(parseIp('example.com')).toBeUndefined();
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(embeddedIpv4(parseIp('::1')!)).toBeUndefined();
  });

  it('matches CIDR ranges, including IPv4 ranges against IPv4-mapped addresses', () => {
    const range = parseCidr('10.1.2.0/24')!;
    expect(inCidr(parseIp('10.1.2.200')!, range)).toBe(true);
    expect(inCidr(parseIp('10.1.3.1')!, range)).toBe(false);
    expect(inCidr(parseIp('::ffff:10.1.2.3')!, range)).toBe(true);
    expect(inCidr(parseIp('fd12::1')!, parseCidr('fd12::/16')!)).toBe(true);
    expect(inCidr(parseIp('fd13::1')!, parseCidr('fd12::/16')!)).toBe(false);
    expect(inCidr(parseIp('127.0.0.1')!, parseCidr('127.0.0.1')!)).toBe(true);
    expect(inCidr(parseIp('127.0.0.2')!, parseCidr('127.0.0.1')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/8/1')).toBeUndefined();
    expect(parseCidr('host.example')).toBeUndefined();
  });
});
