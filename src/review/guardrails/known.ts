import type { Ip } from "../../engine/index.js";
import { evaluateNode, type Labels, type SelectorNode } from "../../selector/index.js";
import type { Family } from "./cidrs.js";
import { IntervalSet } from "./intervals.js";

/**
 * The workloads known from the inventory and the flow snapshot, as the natural world asks about them: a selector
 * question is a question about labels, and the replicas of a workload share theirs, so the endpoints are grouped by
 * label set (one class per set) and each question is asked once per class; only the addresses stay per endpoint,
 * folded into one set per class. Ten thousand pods of a thousand workloads are a thousand questions, not ten thousand.
 */
export interface KnownEndpoint {
  labels: Labels;
  ip?: Ip;
}

export interface KnownClass {
  labels: Labels;
  /** True when some member's address in the family is not known: it is taken to be a pod address. */
  unaddressed: Record<Family, boolean>;
}

interface ClassEntry extends KnownClass {
  /** Known member addresses per family; folded into a set on first use (most classes are never asked). */
  points: Record<Family, bigint[]>;
  sets: Partial<Record<Family, IntervalSet>>;
}

/**
 * The endpoints and their classes. A selector node's answer on every class is computed once and kept (nodes are
 * shared by the pieces a walk splits and by the subjects of one analysis), so a question about a piece reads bits.
 */
export class KnownEndpoints {
  /** One per distinct `labels` object (label sets are interned: equal sets are one object). */
  readonly classes: readonly ClassEntry[];
  private readonly answers = new WeakMap<SelectorNode, Uint8Array>();
  private readonly columns = new Map<string, ReadonlyArray<string | undefined>>();
  /** The class of each endpoint of `all`. */
  private readonly classOf: Uint32Array;

  /** `all`: every endpoint, in order (findings number them). */
  constructor(readonly all: readonly KnownEndpoint[]) {
    const byLabels = new Map<Labels, number>();
    const classes: ClassEntry[] = [];
    this.classOf = new Uint32Array(all.length);
    all.forEach((w, i) => {
      let c = byLabels.get(w.labels);
      if (c === undefined) {
        byLabels.set(w.labels, (c = classes.length));
        classes.push({ labels: w.labels, points: { 4: [], 6: [] }, sets: {}, unaddressed: { 4: false, 6: false } });
      }
      this.classOf[i] = c;
      const entry = classes[c];
      if (w.ip) entry.points[w.ip.version].push(w.ip.value);
      // An address is known in its own family only.
      for (const family of [4, 6] as const) if (!w.ip || w.ip.version !== family) entry.unaddressed[family] = true;
    });
    this.classes = classes;
  }

  /** True when some class matches every node of `conj` and passes `also` (given the class and its index). */
  some(conj: readonly SelectorNode[], also: (c: KnownClass, i: number) => boolean = () => true): boolean {
    const bits = conj.map((n) => this.answer(n));
    for (let i = 0; i < this.classes.length; i++) {
      if (bits.every((b) => b[i] === 1) && also(this.classes[i], i)) return true;
    }
    return false;
  }

  /** Some endpoint in the piece: `matchesKnown` of any endpoint, asked once per class. */
  inPiece(conj: readonly SelectorNode[], net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
    return this.some(conj, (_, i) => {
      const c = this.classes[i];
      if (c.unaddressed[family] && podAddressIn(net, pods)) return true;
      if (c.points[family].length === 0) return false;
      return net.overlaps((c.sets[family] ??= IntervalSet.of(c.points[family].map((v) => [v, v] as const))));
    });
  }

  /** `matchesKnown` of the endpoint `all[i]`, its labels answered by its class. */
  endpointInPiece(i: number, conj: readonly SelectorNode[], net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
    const w = this.all[i];
    const c = this.classOf[i];
    return addressIn(w, net, family, pods) && conj.every((n) => this.answer(n)[c] === 1);
  }

  /** The node's answer on every class (1: matches). */
  answer(node: SelectorNode): Uint8Array {
    let a = this.answers.get(node);
    if (!a) {
      a = this.compute(node);
      this.answers.set(node, a);
    }
    return a;
  }

  /**
   * A leaf reads its label's column, so each class's labels are looked up once per key rather than once per question,
   * and is decided by evaluateNode (the reference) over that one value; `and`, `or` and `not` combine the answers of
   * their operands, which are kept too (operands recur across the questions of an analysis).
   */
  private compute(node: SelectorNode): Uint8Array {
    const n = this.classes.length;
    const a = new Uint8Array(n);
    switch (node.op) {
      case "all":
      case "global":
        return a.fill(1);
      case "not": {
        const x = this.answer(node.operand);
        for (let i = 0; i < n; i++) a[i] = 1 - x[i];
        return a;
      }
      case "and":
      case "or": {
        const and = node.op === "and";
        a.fill(and ? 1 : 0);
        for (const operand of node.operands) {
          const x = this.answer(operand);
          for (let i = 0; i < n; i++) a[i] = and ? a[i] & x[i] : a[i] | x[i];
        }
        return a;
      }
      default: {
        const column = this.column(node.label);
        // The leaf reads only its own label: a view that answers every key with the class's value of that label.
        const view = { value: undefined as string | undefined, get: () => view.value };
        for (let i = 0; i < n; i++) {
          view.value = column[i];
          a[i] = evaluateNode(node, view) ? 1 : 0;
        }
        return a;
      }
    }
  }

  /** Each class's value of a label (undefined: absent), built on the first question about it. */
  private column(key: string): ReadonlyArray<string | undefined> {
    let column = this.columns.get(key);
    if (!column) {
      column = this.classes.map((c) => c.labels.get(key));
      this.columns.set(key, column);
    }
    return column;
  }
}

/**
 * A known endpoint in the piece. Its address is known in its own family only; in the other (a dual-stack pod), or
 * when not known, it is taken to be a pod address like any other (`pods`, when the subject leaves addresses open).
 */
export function matchesKnown(w: KnownEndpoint, conj: readonly SelectorNode[], net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
  return addressIn(w, net, family, pods) && conj.every((n) => evaluateNode(n, w.labels));
}

function addressIn(w: KnownEndpoint, net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
  return w.ip && w.ip.version === family ? net.overlaps(IntervalSet.range(w.ip.value, w.ip.value)) : podAddressIn(net, pods);
}

function podAddressIn(net: IntervalSet, pods: IntervalSet | undefined): boolean {
  return !pods || pods.isEmpty() || net.overlaps(pods);
}
