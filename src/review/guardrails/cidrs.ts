import type { CidrSet } from "../../engine/index.js";
import { formatCidr, type Cidr } from "../../engine/index.js";
import { IntervalSet } from "./intervals.js";

/**
 * The address dimensions of a traffic space: `nets` and `notNets` of one side as an exact set of addresses of one IP
 * family. Felix renders a rule once per family and drops it for a family when a non-empty nets field has no entry
 * of that family (calico-semantics §4.7); `familyApplies` says whether the rule exists for a family at all.
 */
export type Family = 4 | 6;

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function allAddresses(family: Family): IntervalSet {
  return IntervalSet.range(0n, (1n << BigInt(BITS[family])) - 1n);
}

export function cidrInterval(c: Cidr): [bigint, bigint] {
  const host = (1n << BigInt(BITS[c.version] - c.prefix)) - 1n;
  return [c.base, c.base | host];
}

export function cidrsToSet(cidrs: readonly Cidr[], family: Family): IntervalSet {
  return IntervalSet.of(cidrs.filter((c) => c.version === family).map(cidrInterval));
}

/** False when Felix drops the rule for this family: a nets field with entries, none of them of this family. */
export function familyApplies(family: Family, ...fields: Array<CidrSet<true> | undefined>): boolean {
  return fields.every((f) => f === undefined || f.cidrs.length === 0 || f.hasVersion(family));
}

export function netSpace(nets: CidrSet<true> | undefined, notNets: CidrSet<true> | undefined, family: Family): IntervalSet {
  let set = nets ? cidrsToSet(nets.cidrs, family) : allAddresses(family);
  if (notNets) set = set.minus(cidrsToSet(notNets.cidrs, family));
  return set;
}

/** The fewest CIDRs that exactly cover the set, in address order. */
export function setToCidrs(set: IntervalSet, family: Family): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  for (const [lo0, hi] of set.items) {
    let lo = lo0;
    while (lo <= hi) {
      let size = lo === 0n ? bits : trailingZeros(lo, bits);
      while (size > 0 && lo + (1n << BigInt(size)) - 1n > hi) size--;
      out.push(formatCidr({ version: family, base: lo, prefix: bits - size, text: "", hostBitsSet: false }));
      lo += 1n << BigInt(size);
    }
  }
  return out;
}

function trailingZeros(x: bigint, max: number): number {
  let n = 0;
  while (n < max && ((x >> BigInt(n)) & 1n) === 0n) n++;
  return n;
}

/** "10.0.0.0/8, 192.168.0.0/16", or "any address except 203.0.113.0/24" when that is shorter. */
export function describeNets(set: IntervalSet, family: Family): string {
  const all = allAddresses(family);
  if (set.covers(all)) return "any address";
  const list = (cidrs: string[]) => (cidrs.length > 6 ? `${cidrs.slice(0, 6).join(", ")}, ...` : cidrs.join(", "));
  const direct = setToCidrs(set, family);
  const missing = setToCidrs(all.minus(set), family);
  return missing.length < direct.length ? `any address except ${list(missing)}` : list(direct);
}
