import type { OrderConstraint } from "./types.js";

/**
 * Write orders and the two repairs the transitional check tries on a gap: move the write that closes it (with what
 * must precede it) to just before the write that opens it, or move the opener (with what must follow it) to just
 * after the closer. Neither ever breaks a constraint: a repair that would is refused, and every order is checked
 * against all constraints before it is used.
 */
export class OrderGraph {
  private readonly preds: number[][];
  private readonly succs: number[][];

  constructor(
    readonly size: number,
    readonly constraints: readonly OrderConstraint[],
  ) {
    this.preds = Array.from({ length: size }, () => []);
    this.succs = Array.from({ length: size }, () => []);
    for (const [a, b] of constraints) {
      if (a < 0 || b < 0 || a >= size || b >= size || a === b) continue;
      this.preds[b].push(a);
      this.succs[a].push(b);
    }
  }

  /** True when every constraint holds in the order. */
  valid(pos: Int32Array): boolean {
    return this.constraints.every(([a, b]) => a < 0 || b < 0 || a >= this.size || b >= this.size || a === b || pos[a] < pos[b]);
  }

  /** `closer` and what must precede it (between the two) moved to just before `opener`; undefined if impossible. */
  moveBefore(order: readonly number[], pos: Int32Array, closer: number, opener: number): number[] | undefined {
    const lo = pos[opener];
    const hi = pos[closer];
    if (hi <= lo) return undefined;
    const block = this.closure(closer, this.preds, (x) => pos[x] > lo && pos[x] < hi, opener);
    if (!block) return undefined;
    const moving = order.filter((x) => block.has(x));
    const rest = order.filter((x) => !block.has(x));
    const at = rest.indexOf(opener);
    return [...rest.slice(0, at), ...moving, ...rest.slice(at)];
  }

  /** `opener` and what must follow it (between the two) moved to just after `closer`; undefined if impossible. */
  moveAfter(order: readonly number[], pos: Int32Array, opener: number, closer: number): number[] | undefined {
    const lo = pos[opener];
    const hi = pos[closer];
    if (hi <= lo) return undefined;
    const block = this.closure(opener, this.succs, (x) => pos[x] > lo && pos[x] < hi, closer);
    if (!block) return undefined;
    const moving = order.filter((x) => block.has(x));
    const rest = order.filter((x) => !block.has(x));
    const at = rest.indexOf(closer) + 1;
    return [...rest.slice(0, at), ...moving, ...rest.slice(at)];
  }

  /** `start` and its transitive neighbours inside the range; undefined when `forbidden` is among them. */
  private closure(start: number, edges: number[][], inRange: (x: number) => boolean, forbidden: number): Set<number> | undefined {
    const block = new Set([start]);
    const stack = [start];
    while (stack.length > 0) {
      const x = stack.pop()!;
      for (const y of edges[x]) {
        if (y === forbidden) return undefined;
        if (block.has(y) || !inRange(y)) continue;
        block.add(y);
        stack.push(y);
      }
    }
    return block;
  }
}

export function positions(order: readonly number[]): Int32Array {
  const pos = new Int32Array(order.length);
  order.forEach((c, i) => (pos[c] = i));
  return pos;
}
