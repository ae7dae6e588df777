import type { Cidr, Ip } from "./ip.js";

/**
 * A set of CIDRs answering "which entries contain this address" in one map lookup per distinct prefix length,
 * instead of a walk over every CIDR. Used for rule nets with many entries and for network-set membership.
 */
export class CidrSet<T> {
  private readonly byVersion: Record<4 | 6, Map<number, Map<bigint, T[]>>> = { 4: new Map(), 6: new Map() };
  private prefixes: Record<4 | 6, number[]> = { 4: [], 6: [] };
  private count = 0;
  /** Every CIDR added, in order. */
  readonly cidrs: Cidr[] = [];

  add(cidr: Cidr, payload: T): void {
    this.cidrs.push(cidr);
    const table = this.byVersion[cidr.version];
    let byBase = table.get(cidr.prefix);
    if (!byBase) {
      byBase = new Map();
      table.set(cidr.prefix, byBase);
      this.prefixes[cidr.version] = [...table.keys()].sort((a, b) => b - a);
    }
    const list = byBase.get(cidr.base);
    if (list) list.push(payload);
    else byBase.set(cidr.base, [payload]);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Payloads of every CIDR containing `ip`, longest prefix first. */
  lookup(ip: Ip): T[] {
    const out: T[] = [];
    const bits = ip.version === 4 ? 32 : 128;
    const table = this.byVersion[ip.version];
    for (const prefix of this.prefixes[ip.version]) {
      const shift = BigInt(bits - prefix);
      const base = (ip.value >> shift) << shift;
      const hit = table.get(prefix)!.get(base);
      if (hit) out.push(...hit);
    }
    return out;
  }

  contains(ip: Ip): boolean {
    const bits = ip.version === 4 ? 32 : 128;
    const table = this.byVersion[ip.version];
    for (const prefix of this.prefixes[ip.version]) {
      const shift = BigInt(bits - prefix);
      if (table.get(prefix)!.has((ip.value >> shift) << shift)) return true;
    }
    return false;
  }

  hasVersion(version: 4 | 6): boolean {
    return this.prefixes[version].length > 0;
  }
}
