import { parseIpAddress, parseNet } from "../policy/index.js";

/**
 * IPv4 and IPv6 addresses and CIDRs. Addresses are bigints so one containment test serves both families. Parsing
 * is the validator's (src/policy/validate/cidr.ts): strict IPv4 octets, as Go's net.ParseIP is.
 */
export interface Ip {
  version: 4 | 6;
  value: bigint;
}

export interface Cidr {
  version: 4 | 6;
  /** The network address with host bits cleared. */
  base: bigint;
  prefix: number;
  /** As written, for messages. */
  text: string;
  /** True when the text had host bits set (10.0.0.1/24), which rule nets reject and network sets allow. */
  hostBitsSet: boolean;
}

export function parseIp(text: string): Ip | undefined {
  return parseIpAddress(text);
}

/** Parses `a.b.c.d/n`, `x::/n`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const net = parseNet(text, { allowBare: true });
  return net && { version: net.version, base: net.network, prefix: net.prefix, text, hostBitsSet: net.hostBits };
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.version !== ip.version) return false;
  const bits = cidr.version === 4 ? 32 : 128;
  return ip.value >> BigInt(bits - cidr.prefix) === cidr.base >> BigInt(bits - cidr.prefix);
}

export function isCatchAll(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}

/** Canonical text of a CIDR (the network address), as Go's IPNet.String() prints it. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ version: cidr.version, value: cidr.base })}/${cidr.prefix}`;
}

export function formatIp(ip: Ip): string {
  if (ip.version === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of two or more zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLen).join(":")}`;
}

/** RFC 1918 private IPv4 ranges, which Calico flow logs aggregate as `pvt`. */
export const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(
  (t) => parseCidr(t)!,
);
