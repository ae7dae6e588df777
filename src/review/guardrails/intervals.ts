/**
 * Sets of integers as sorted, disjoint, inclusive intervals. One representation serves every numeric dimension of a
 * traffic space: protocols (0-255), ports (0-65535, plus named-port atoms above), and IPv4/IPv6 addresses as bigints.
 * Every operation is exact.
 */
export type Interval = readonly [bigint, bigint];

export class IntervalSet {
  private constructor(readonly items: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);

  static range(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([[lo, hi]]);
  }

  /** Any intervals, in any order, overlapping or not. */
  static of(items: Iterable<Interval>): IntervalSet {
    const sorted = [...items].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: Array<[bigint, bigint]> = [];
    for (const [lo, hi] of sorted) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1n) {
        if (hi > last[1]) last[1] = hi;
      } else out.push([lo, hi]);
    }
    return new IntervalSet(out);
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  equals(o: IntervalSet): boolean {
    return this.items.length === o.items.length && this.items.every(([lo, hi], i) => lo === o.items[i][0] && hi === o.items[i][1]);
  }

  union(o: IntervalSet): IntervalSet {
    return IntervalSet.of([...this.items, ...o.items]);
  }

  intersect(o: IntervalSet): IntervalSet {
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < this.items.length && j < o.items.length) {
      const [alo, ahi] = this.items[i];
      const [blo, bhi] = o.items[j];
      const lo = alo > blo ? alo : blo;
      const hi = ahi < bhi ? ahi : bhi;
      if (lo <= hi) out.push([lo, hi]);
      if (ahi < bhi) i++;
      else j++;
    }
    return new IntervalSet(out);
  }

  minus(o: IntervalSet): IntervalSet {
    const out: Interval[] = [];
    let j = 0;
    for (const [lo0, hi] of this.items) {
      let lo = lo0;
      while (j < o.items.length && o.items[j][1] < lo) j++;
      let k = j;
      while (k < o.items.length && o.items[k][0] <= hi) {
        const [blo, bhi] = o.items[k];
        if (blo > lo) out.push([lo, blo - 1n]);
        lo = bhi + 1n;
        if (lo > hi) break;
        k++;
      }
      if (lo <= hi) out.push([lo, hi]);
    }
    return new IntervalSet(out);
  }

  /** True when every member of `o` is a member of this set. */
  covers(o: IntervalSet): boolean {
    return o.minus(this).isEmpty();
  }

  overlaps(o: IntervalSet): boolean {
    return !this.intersect(o).isEmpty();
  }

  /** Number of members (for messages that say "ports 80-84 and 86-90"). */
  size(): bigint {
    return this.items.reduce((n, [lo, hi]) => n + hi - lo + 1n, 0n);
  }
}
