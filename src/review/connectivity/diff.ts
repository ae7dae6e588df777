import { CidrSet, type CompiledPolicy, type PolicySet } from "../../engine/index.js";
import type { ImpactReport } from "../../impact/index.js";
import { parseFlowProtocol } from "../../engine/index.js";
import type { ReviewContext } from "../context.js";
import { externalClasses, workloadClasses, type EndpointClass } from "./classes.js";
import { DirectionalTable, peerIdentities, relevantPolicies, type DirectionalVerdict, type Universe } from "./directional.js";
import { Aggregator } from "./group.js";
import { ephemeralSourcePort, portClasses } from "./ports.js";
import type { ConnectivityReport } from "./types.js";

/**
 * The connectivity diff: for every pair of endpoint classes (workloads known from the inventory and the snapshot,
 * regions of the address space) and every protocol and port class, the base and head verdicts through the engine,
 * kept where they differ. A pair whose source's egress policies and destination's ingress policies are the same in
 * both revisions cannot change verdict, so only pairs with a changed side are evaluated; each side is evaluated once
 * per class of peers and ports its own rules tell apart (directional.ts).
 */
export function connectivityDiff(ctx: Pick<ReviewContext, "base" | "head" | "changes" | "workloads">, impact?: ImpactReport): ConnectivityReport {
  const sets = { base: ctx.base.set, head: ctx.head.set };
  const both = [sets.base, sets.head];
  const workloads = workloadClasses(ctx.workloads, both, 0);
  const classes: EndpointClass[] = [...workloads, ...externalClasses(both, workloads.length)];
  const ports = portClasses(both, namedPortNumbers(ctx.workloads));
  const u: Universe = {
    classes,
    ports,
    srcPort: ephemeralSourcePort(both),
    identities: { base: classes.map((c) => peerIdentities(sets.base, c.rep)), head: classes.map((c) => peerIdentities(sets.head, c.rep)) },
    counter: { evaluations: 0 },
    partitions: new Map(),
    selectorValues: new Map(),
  };
  // Tiers (order, default action) and network sets (which addresses a selector matches) change every verdict.
  const everything = ctx.changes.some((c) => c.meaningChanged && ["Tier", "NetworkSet", "GlobalNetworkSet"].includes((c.head ?? c.base)!.kind));
  const changed = (c: EndpointClass, dir: "ingress" | "egress") => everything || sidesDiffer(sets.base, sets.head, c, dir);
  const eg = workloads.map((c) => changed(c, "egress"));
  const ing = workloads.map((c) => changed(c, "ingress"));
  const tables = { egress: new Map<number, DirectionalTable>(), ingress: new Map<number, DirectionalTable>() };
  const table = (c: EndpointClass, dir: "ingress" | "egress") => {
    let t = tables[dir].get(c.index);
    if (!t) tables[dir].set(c.index, (t = new DirectionalTable(c, dir, sets, u)));
    return t;
  };
  const agg = new Aggregator(classes, ports, impact);
  // A side whose policies did not change gives the same verdict in both revisions, so the pair can change only
  // where a changed side's verdict does: that side is evaluated first, the other only when needed.
  const pair = (s: EndpointClass, d: EndpointClass) => {
    if (s.pods === 0 && d.pods === 0) return; // no policy applies between two outside addresses
    const sChanged = s.pods > 0 && eg[s.index];
    const dChanged = d.pods > 0 && ing[d.index];
    for (let g = 0; g < ports.length; g++) {
      let e = sChanged ? table(s, "egress").verdict(d.index, g) : undefined;
      let i = dChanged ? table(d, "ingress").verdict(s.index, g) : undefined;
      if (!(e && e.base !== e.head) && !(i && i.base !== i.head)) continue;
      if (!e && s.pods > 0) e = table(s, "egress").verdict(d.index, g);
      if (!i && d.pods > 0) i = table(d, "ingress").verdict(s.index, g);
      const before = (e?.base ?? true) && (i?.base ?? true);
      const after = (e?.head ?? true) && (i?.head ?? true);
      if (before !== after) agg.add(s, d, g, deciders(e, i, after));
    }
  };
  const nw = workloads.length;
  for (let s = 0; s < nw; s++) if (eg[s]) for (const d of classes) pair(classes[s], d);
  for (let d = 0; d < nw; d++) if (ing[d]) for (const s of classes) if (!(s.index < nw && eg[s.index])) pair(s, classes[d]);
  const { newlyReachable, newlyUnreachable } = agg.finish();
  return {
    newlyReachable,
    newlyUnreachable,
    stats: { endpointClasses: classes.length, changedClasses: workloads.filter((_, i) => eg[i] || ing[i]).length, portClasses: ports.length, evaluations: u.counter.evaluations },
  };
}

/**
 * Who decided, before and after. Newly reachable: the side that denied at base, and the same side's allow at head.
 * Newly unreachable: the side that denies at head, and the same side's allow at base.
 */
function deciders(e: DirectionalVerdict | undefined, i: DirectionalVerdict | undefined, reachable: boolean) {
  const side = reachable ? (e && !e.base ? e : i!) : e && !e.head ? e : i!;
  const uncertain = [...new Set([...(e?.uncertain ?? []), ...(i?.uncertain ?? [])])];
  return { before: side.baseSide, after: side.headSide, reachable, uncertain };
}

/**
 * Whether the policies that apply to the class in this direction differ: another list, or a policy whose part for
 * this direction (where it applies, its order and tier, its rules for the direction) changed. A change to a policy's
 * ingress rules leaves the egress of the endpoints it selects alone.
 */
function sidesDiffer(base: PolicySet, head: PolicySet, c: EndpointClass, dir: "ingress" | "egress"): boolean {
  const b = relevantPolicies(base, c.rep.labels, dir);
  const h = relevantPolicies(head, c.rep.labels, dir);
  if (b.length !== h.length) return true;
  for (let k = 0; k < b.length; k++) if (directionSignature(b[k], dir) !== directionSignature(h[k], dir)) return true;
  return false;
}

const signatures = { ingress: new WeakMap<CompiledPolicy, string>(), egress: new WeakMap<CompiledPolicy, string>() };

/** Both revisions' policy sets share one selector cache, so equal selectors have equal ids across them. */
function directionSignature(p: CompiledPolicy, dir: "ingress" | "egress"): string {
  let sig = signatures[dir].get(p);
  if (sig === undefined) {
    const replacer = (key: string, v: unknown) => {
      if (key === "path") return undefined;
      if (v instanceof CidrSet) return v.cidrs.map((c) => c.text);
      if (v && typeof v === "object" && "selector" in v && "id" in v) return (v as { id: number }).id;
      return v === Infinity ? "inf" : v;
    };
    const { ref, order, selector, staged, stagedAction, outOfScope } = p;
    sig = JSON.stringify({ ref, order, selector, staged, stagedAction, outOfScope, rules: dir === "ingress" ? p.ingress : p.egress }, replacer);
    signatures[dir].set(p, sig);
  }
  return sig;
}

/** Port numbers of the named ports known workloads declare, by protocol. */
function namedPortNumbers(workloads: ReviewContext["workloads"]): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const w of workloads) {
    for (const np of w.endpoint.namedPorts ?? []) {
      const proto = parseFlowProtocol(np.protocol) ?? np.protocol;
      let s = out.get(proto);
      if (!s) out.set(proto, (s = new Set()));
      s.add(np.port);
    }
  }
  return out;
}
