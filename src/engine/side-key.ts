import { CidrSet } from "./cidr-set.js";
import type { CompiledPolicy } from "./compile.js";
import type { Endpoint } from "./endpoint.js";
import type { LabelSet } from "./labels.js";
import type { Direction, PolicySet } from "./policy-set.js";

/**
 * When two policy sets walk one side of a flow alike. A side (egress at the source, ingress at the destination) is
 * decided by the tier slices that apply to its endpoint's labels and by the parts of their policies for that
 * direction; the rest of a set only enters through facts both sets must share (network sets, previewed deletions,
 * the Calico version). Two sets over one `EngineUniverse` that agree on all of it give the same verdicts, traces and
 * uncertainties for every flow through that side, so the review's replay and the connectivity diff evaluate only
 * the sides a change touched.
 */

/**
 * A policy's part for one direction (where it applies, its order and tier, its rules for the direction, whether it
 * is staged) as a small number, equal for equal parts. Sets compared through one instance must share their selector
 * cache (one universe), so that equal selectors have equal ids across them.
 */
export class PolicySignatures {
  private readonly byPolicy = { ingress: new WeakMap<CompiledPolicy, number>(), egress: new WeakMap<CompiledPolicy, number>() };
  private readonly ids = new Map<string, number>();

  of(p: CompiledPolicy, dir: Direction): number {
    let id = this.byPolicy[dir].get(p);
    if (id === undefined) {
      const replacer = (key: string, v: unknown) => {
        if (key === "path") return undefined;
        if (v instanceof CidrSet) return v.cidrs.map((c) => c.text);
        if (v && typeof v === "object" && "selector" in v && "id" in v) return (v as { id: number }).id;
        return v === Infinity ? "inf" : v;
      };
      const { ref, order, selector, staged, stagedAction, outOfScope } = p;
      const text = JSON.stringify({ ref, order, selector, staged, stagedAction, outOfScope, rules: dir === "ingress" ? p.ingress : p.egress }, replacer);
      id = this.ids.get(text);
      if (id === undefined) this.ids.set(text, (id = this.ids.size));
      this.byPolicy[dir].set(p, id);
    }
    return id;
  }
}

/** What decides one side of an endpoint with these labels in this set: its tier slices and their policies' parts. */
export function sideKey(set: PolicySet, labels: LabelSet, dir: Direction, sigs: PolicySignatures): string {
  const sig = (list: readonly CompiledPolicy[]) => list.map((p) => sigs.of(p, dir)).join(",");
  return set
    .relevant(labels, dir)
    .map((s) => `${s.tier.name}|${s.tier.order}|${s.tier.defaultAction}:${sig(s.enforced)}:${sig(s.pending)}:${sig(s.uncertain)}`)
    .join(";");
}

/** The facts outside the slices that a walk reads: network sets (membership of peers), previewed deletions, version. */
export function setWideKey(set: PolicySet): string {
  const nets = set.networkSets.map((n) => `${n.kind}/${n.namespace ?? ""}/${n.name}/${n.labels.id}/${n.cidrs.map((c) => c.text).join(",")}`).sort();
  return JSON.stringify([set.version, [...set.previewDeleted].sort(), nets]);
}

/**
 * Answers, per endpoint and direction, whether `head` walks the side exactly as `base` does (memoised per label
 * set). False for every side when the sets differ outside the slices (a network set or a previewed deletion
 * changed): each is then evaluated.
 */
export class UnchangedSides {
  private readonly memo = { ingress: new WeakMap<LabelSet, boolean>(), egress: new WeakMap<LabelSet, boolean>() };
  private readonly comparable: boolean;

  constructor(
    private readonly base: PolicySet,
    private readonly head: PolicySet,
    private readonly sigs = new PolicySignatures(),
  ) {
    this.comparable = base.universe === head.universe && setWideKey(base) === setWideKey(head);
  }

  /** Non-workloads have no side to walk: always the same. */
  same(ep: Endpoint, dir: Direction): boolean {
    if (!this.comparable) return false;
    if (ep.kind !== "workload") return true;
    const memo = this.memo[dir];
    let v = memo.get(ep.labels);
    if (v === undefined) {
      v = sideKey(this.base, ep.labels, dir, this.sigs) === sideKey(this.head, ep.labels, dir, this.sigs);
      memo.set(ep.labels, v);
    }
    return v;
  }
}
