/**
 * IPv4/IPv6 address and CIDR parsing, for validation here and for the engine (src/engine/ip.ts builds its types
 * on it), so what validates is what the engine matches. IPv4 is strict (four decimal octets, no leading zeros), as
 * Go's net.ParseIP is; IPv6 allows one "::" and an IPv4 tail; zones are rejected. The prefix is decimal digits, as
 * Go's net.ParseCIDR reads it.
 */
export interface ParsedNet {
  version: 4 | 6;
  /** The address as written. */
  address: bigint;
  /** The network address: `address` with the host bits cleared. */
  network: bigint;
  prefix: number;
  /** True when the text had no "/prefix" (a bare IP, a full-length prefix). */
  bare: boolean;
  /** True when address bits beyond the prefix are set, as in 10.0.0.1/24. */
  hostBits: boolean;
}

export function parseIpAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
}

/** A CIDR ("10.0.0.0/8") or, when `allowBare`, also a bare IP ("10.0.0.1"). */
export function parseNet(text: string, options: { allowBare: boolean }): ParsedNet | undefined {
  const slash = text.indexOf("/");
  if (slash === -1 && !options.allowBare) return undefined;
  const ip = parseIpAddress(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const network = ip.value & ~hostMask;
  return { version: ip.version, address: ip.value, network, prefix, bare: slash === -1, hostBits: network !== ip.value };
}

/** True when every address of `inner` lies in `outer` (same family). */
export function netContains(outer: ParsedNet, inner: ParsedNet): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  const bits = BigInt(outer.version === 4 ? 32 : 128);
  const shift = bits - BigInt(outer.prefix);
  return outer.address >> shift === inner.address >> shift;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1); // "a:b:1.2.3.4" → groups "a:b"
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if (!left || !right) return undefined;
  const written = left.length + right.length + tail.length;
  if (halves.length === 2 ? written > 7 : written !== 8) return undefined;
  const all = [...left, ...new Array<number>(8 - written).fill(0), ...right, ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function groups(text: string): number[] | undefined {
  if (text === "") return [];
  const out: number[] = [];
  for (const g of text.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}
