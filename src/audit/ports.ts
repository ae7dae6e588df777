/**
 * Port lists as Calico writes them (numbers, "from:to" ranges, named ports) and what they cover, so a change can
 * be called widened (the old ports are all still matched) or narrowed.
 */
export type PortList = ReadonlyArray<number | string>;

export class PortCoverage {
  constructor(
    readonly ranges: Array<[number, number]>,
    readonly names: Set<string>,
  ) {}

  subsetOf(other: PortCoverage): boolean {
    for (const n of this.names) if (!other.names.has(n)) return false;
    return this.ranges.every(([lo, hi]) => other.covers(lo, hi));
  }

  private covers(lo: number, hi: number): boolean {
    // The ranges are merged and sorted, so one range must hold the whole interval.
    return this.ranges.some(([a, b]) => a <= lo && hi <= b);
  }
}

export function portCoverage(list: PortList): PortCoverage {
  const ranges: Array<[number, number]> = [];
  const names = new Set<string>();
  for (const p of list) {
    if (typeof p === "number") ranges.push([p, p]);
    else if (/^\d+$/.test(p)) ranges.push([Number(p), Number(p)]);
    else if (/^\d+:\d+$/.test(p)) {
      const [a, b] = p.split(":").map(Number);
      ranges.push([Math.min(a, b), Math.max(a, b)]);
    } else names.add(p);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return new PortCoverage(merged, names);
}

export function describePorts(list: PortList): string {
  return list.map(String).join(", ");
}
