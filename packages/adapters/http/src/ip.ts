import { isIP } from 'node:net';

/** An IP address as 4 (IPv4) or 16 (IPv6) bytes, so that ranges compare by prefix. */
export type IpBytes = Uint8Array;

export interface Cidr {
  readonly bytes: IpBytes;
  readonly prefix: number;
}

function parseIpv4(text: string): IpBytes {
  return Uint8Array.from(text.split('.').map(Number));
}

function parseIpv6(text: string): IpBytes {
  let rest = text.replace(/%.*$/, '');
  const bytes = new Uint8Array(16);
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (dotted) {
    tail = [...parseIpv4(dotted[1]!)];
    rest = rest.slice(0, -dotted[1]!.length);
    // "::1.2.3.4" leaves "::", "::ffff:1.2.3.4" leaves "::ffff:"; trim the separator but keep "::".
    if (rest.endsWith(':') && !rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const toBytes = (part: string): number[] =>
    part === '' ? [] : part.split(':').flatMap((group) => {
      const value = parseInt(group, 16);
      return [value >> 8, value & 0xff];
    });
  const [head = '', after] = rest.split('::');
  const front = toBytes(head);
  const back = [...(after === undefined ? [] : toBytes(after)), ...tail];
  bytes.set(front, 0);
  bytes.set(back, 16 - back.length);
  return bytes;
}

/** Parses an IPv4 or IPv6 literal (brackets and zone ids allowed); undefined when it is not one. */
export function parseIp(text: string): IpBytes | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  switch (isIP(bare.replace(/%.*$/, ''))) {
    case 4:
      return parseIpv4(bare);
    case 6:
      return parseIpv6(bare);
    default:
      return undefined;
  }
}

/** "10.0.0.0/8", "fc00::/7", or a bare address (a single-address range). */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, ...extra] = text.trim().split('/');
  const bytes = parseIp(address);
  if (!bytes || extra.length > 0) return undefined;
  const bits = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: bits };
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > bits) return undefined;
  return { bytes, prefix };
}

export function inCidr(address: IpBytes, cidr: Cidr): boolean {
  const candidate = address.length === cidr.bytes.length ? address : embeddedIpv4(address);
  if (!candidate || candidate.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> bit % 8;
    if ((candidate[bit >> 3]! & mask) !== (cidr.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

function startsWith(bytes: IpBytes, prefix: readonly number[]): boolean {
  return prefix.every((value, i) => bytes[i] === value);
}

/**
 * The IPv4 address an IPv6 address carries and routes to: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48).
 * Each of them can reach an IPv4 host, so each must pass the IPv4 checks.
 */
export function embeddedIpv4(bytes: IpBytes): IpBytes | undefined {
  if (bytes.length !== 16) return undefined;
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff])) return bytes.slice(12);
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) return bytes.slice(12);
  if (startsWith(bytes, [0x20, 0x02])) return bytes.slice(2, 6);
  if (startsWith(bytes, zeros(12))) {
    const v4 = bytes.slice(12);
    // :: and ::1 are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
    if (v4[0]! | v4[1]! | v4[2]! || v4[3]! > 1) return v4;
  }
  return undefined;
}

const RANGES: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (shared address space)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (includes the cloud metadata service 169.254.169.254)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved (benchmarking)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (includes broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved (discard-only)'],
  ['fc00::/7', 'private (unique local)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private (site-local)'],
  ['ff00::/8', 'multicast'],
];

const FORBIDDEN = RANGES.map(([cidr, reason]) => ({ cidr: parseCidr(cidr)!, reason }));

/** Why an address must not be reached on a user's say-so, or undefined for a public address. */
export function forbiddenReason(address: IpBytes): string | undefined {
  const v4 = embeddedIpv4(address);
  if (v4) {
    const inner = forbiddenReason(v4);
    return inner === undefined ? undefined : `${inner}, embedded in an IPv6 address`;
  }
  return FORBIDDEN.find(({ cidr }) => cidr.bytes.length === address.length && inCidr(address, cidr))?.reason;
}
