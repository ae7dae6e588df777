import { formatIp, type Cidr } from "../engine/index.js";

/**
 * Address intervals for nftables interval sets. nft refuses overlapping elements in an interval set, and Felix
 * livelocked on overlapping CIDRs in its IP sets (calico#12851), so every list is merged before it is printed:
 * overlapping and adjacent ranges become one, and each range is printed as the fewest CIDRs that cover it exactly.
 */
export interface Range {
  lo: bigint;
  hi: bigint;
}

export function cidrRange(c: Cidr): Range {
  const bits = BigInt(c.version === 4 ? 32 : 128);
  const size = 1n << (bits - BigInt(c.prefix));
  return { lo: c.base, hi: c.base + size - 1n };
}

/** Sorted, non-overlapping, non-adjacent ranges covering exactly the union of the input. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.hi < b.hi ? -1 : a.hi > b.hi ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) last.hi = r.hi;
    } else {
      out.push({ lo: r.lo, hi: r.hi });
    }
  }
  return out;
}

/** The fewest CIDRs whose union is exactly the range, in address order. */
export function rangeToCidrs(r: Range, version: 4 | 6): string[] {
  const bits = version === 4 ? 32 : 128;
  const out: string[] = [];
  let lo = r.lo;
  while (lo <= r.hi) {
    // The largest block aligned at `lo` that does not pass `hi`.
    let size = 0;
    while (size < bits && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= r.hi) size++;
    const ip = formatIp({ version, value: lo });
    out.push(size === 0 ? ip : `${ip}/${bits - size}`);
    lo += 1n << BigInt(size);
  }
  return out;
}

/** CIDRs (and /32 or /128 addresses) of one family merged into the printed elements of an interval set. */
export function mergedElements(cidrs: readonly Cidr[], version: 4 | 6): string[] {
  const ranges = mergeRanges(cidrs.filter((c) => c.version === version).map(cidrRange));
  return ranges.flatMap((r) => rangeToCidrs(r, version));
}

/** Port ranges merged the same way (nft refuses overlapping intervals in port sets too). */
export function mergePorts(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  return mergeRanges(ranges.map(([a, b]) => ({ lo: BigInt(a), hi: BigInt(b) }))).map((r) => [Number(r.lo), Number(r.hi)]);
}

export function formatPortRange([lo, hi]: readonly [number, number]): string {
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}
