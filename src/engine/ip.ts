/**
 * IPv4 and IPv6 addresses and CIDRs. Addresses are bigints so one containment test serves both families; IPv4
 * parsing is strict (four decimal octets, no leading zeros beyond "0"), as Go's net.ParseIP is.
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
  if (text.includes(":")) {
    const v = parseIpv6(text);
    return v === undefined ? undefined : { version: 6, value: v };
  }
  const v = parseIpv4(text);
  return v === undefined ? undefined : { version: 4, value: v };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes("%")) return undefined; // zones are not addresses a policy can name
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + "0:0"; // placeholder groups, replaced below
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups = s.split(":");
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses `a.b.c.d/n`, `x::/n`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const base = ip.value & ~hostMask;
  return { version: ip.version, base, prefix, text, hostBitsSet: base !== ip.value };
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
