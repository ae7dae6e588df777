import { PolicySignatures, sideKey, type PolicySet } from "../../engine/index.js";
import type { ImpactReport } from "../../impact/index.js";
import { parseFlowProtocol } from "../../engine/index.js";
import type { ReviewContext } from "../context.js";
import { externalClasses, workloadClasses, type EndpointClass } from "./classes.js";
import { ALL_ALLOW, BASE, DirectionalTable, flips, HEAD, peerIdentities, PENDING_BASE, PENDING_HEAD, Refiner, type DirectionalVerdict, type Universe } from "./directional.js";
import { exercisedFlows } from "./exercised.js";
import { SideTable } from "./sides.js";
import { Aggregator, type Decided } from "./group.js";
import { portClasses } from "./ports.js";
import type { ConnectivityReport } from "./types.js";

/**
 * The connectivity diff: for every pair of endpoint classes (workloads known from the inventory and the snapshot,
 * regions of the address space) and every protocol and port class, the base and head verdicts through the engine,
 * enforced and pending, kept where they differ. A pair whose source's egress policies and destination's ingress
 * policies are the same in both revisions cannot change verdict, so only pairs with a changed side are evaluated;
 * each side is evaluated in its own direction only (engine `evaluateDirection`), once per class of peers and ports
 * its own rules tell apart (directional.ts), and a pair whose changed sides flip for no port costs no more.
 * `impact` gives the replayed flows that tell which changes a recorded flow exercised (exercised.ts).
 */
export function connectivityDiff(ctx: DiffContext, impact?: ImpactReport): ConnectivityReport {
  return connectivityPairs(ctx).finish(impact);
}

type DiffContext = Pick<ReviewContext, "base" | "head" | "changes" | "workloads">;

/** The diff evaluated, waiting for the replay's flows to say which changes they exercised (`finish`, once). */
export interface PendingConnectivity {
  finish(impact?: ImpactReport): ConnectivityReport;
}

/**
 * Every pair evaluated, without the snapshot's flows: the review runs this while worker threads replay, and finishes
 * it with their report (as long as the replay showed no new workload: `ctx.workloads` makes the classes).
 */
export function connectivityPairs(ctx: DiffContext): PendingConnectivity {
  const sets = { base: ctx.base.set, head: ctx.head.set };
  const both = [sets.base, sets.head];
  const { classes: workloads, classOf } = workloadClasses(ctx.workloads, both, 0);
  const classes: EndpointClass[] = [...workloads, ...externalClasses(both, workloads.length)];
  const ports = portClasses(both, namedPortNumbers(ctx.workloads));
  const u: Universe = {
    classes,
    ports,
    identities: { base: classes.map((c) => peerIdentities(sets.base, c.rep)), head: classes.map((c) => peerIdentities(sets.head, c.rep)) },
    counter: { evaluations: 0 },
    partitions: new Map(),
    selectorValues: new Map(),
    sides: new SideTable(),
    basics: {},
    refiner: new Refiner(classes.length),
  };
  // Tiers (order, default action) and network sets (which addresses a selector matches) change every verdict.
  const everything = ctx.changes.some((c) => c.meaningChanged && ["Tier", "NetworkSet", "GlobalNetworkSet"].includes((c.head ?? c.base)!.kind));
  const sigs = new PolicySignatures();
  const changed = (c: EndpointClass, dir: "ingress" | "egress") => everything || sidesDiffer(sets, c, dir, sigs);
  const eg = workloads.map((c) => changed(c, "egress"));
  const ing = workloads.map((c) => changed(c, "ingress"));
  const tables: Record<"ingress" | "egress", Array<DirectionalTable | undefined>> = { egress: [], ingress: [] };
  const table = (c: EndpointClass, dir: "ingress" | "egress") => (tables[dir][c.index] ??= new DirectionalTable(c, dir, sets, u));
  const agg = new Aggregator(classes, ports, u.sides.sides);
  const nw = workloads.length;
  // A side whose policies did not change gives the same verdicts in both revisions, so only pairs with a changed
  // side are visited, each once: first every pair whose source's egress changed, then every other pair whose
  // destination's ingress changed. Within a pair the changed side is evaluated first, the other only when needed.
  const scope: PairScope = { eg, ing, table, agg, ports: ports.length };
  for (let s = 0; s < nw; s++) if (eg[s]) for (const d of classes) visitPair(classes[s], d, scope);
  for (let d = 0; d < nw; d++) if (ing[d]) for (const s of classes) if (!(s.index < nw && eg[s.index])) visitPair(s, classes[d], scope);
  const stats = { endpointClasses: classes.length, changedClasses: workloads.filter((_, i) => eg[i] || ing[i]).length, portClasses: ports.length, evaluations: u.counter.evaluations };
  return {
    finish: (impact) => ({ ...agg.finish(exercisedFlows(impact, { ctx, classes, classOf, ports })), stats }),
  };
}

interface PairScope {
  eg: readonly boolean[];
  ing: readonly boolean[];
  table: (c: EndpointClass, dir: "ingress" | "egress") => DirectionalTable;
  agg: Aggregator;
  ports: number;
}

function visitPair(s: EndpointClass, d: EndpointClass, scope: PairScope): void {
  if (s.pods === 0 && d.pods === 0) return; // no policy applies between two outside addresses
  const sChanged = s.pods > 0 && scope.eg[s.index];
  const dChanged = d.pods > 0 && scope.ing[d.index];
  let tE = sChanged ? scope.table(s, "egress") : undefined;
  let tI = dChanged ? scope.table(d, "ingress") : undefined;
  if (!(tE && tE.rowFlips(d.index)) && !(tI && tI.rowFlips(s.index))) return;
  scope.agg.begin(s, d);
  for (let g = 0; g < scope.ports; g++) {
    let e = tE?.verdict(d.index, g);
    let i = tI?.verdict(s.index, g);
    if (!(e && flips(e.bits)) && !(i && flips(i.bits))) continue;
    if (!e && s.pods > 0) e = (tE = scope.table(s, "egress")).verdict(d.index, g);
    if (!i && d.pods > 0) i = (tI = scope.table(d, "ingress")).verdict(s.index, g);
    const both = (e?.bits ?? ALL_ALLOW) & (i?.bits ?? ALL_ALLOW);
    const enforced = flips(both) & BASE;
    if (enforced) scope.agg.add(g, decide(e, i, "enforced", (both & HEAD) !== 0));
    // A pending change is news only where it differs from the enforced one (a staged policy is involved).
    const pendingSame = ((both >> 2) & 3) === (both & 3);
    if (flips(both) & PENDING_BASE && !pendingSame) scope.agg.add(g, decide(e, i, "pending", (both & PENDING_HEAD) !== 0));
  }
}

/**
 * Who decided, before and after. Newly reachable: the side that denied at base, and the same side's allow at head.
 * Newly unreachable: the side that denies at head, and the same side's allow at base.
 */
function decide(e: DirectionalVerdict | undefined, i: DirectionalVerdict | undefined, mode: "enforced" | "pending", reachable: boolean): Decided {
  const shift = mode === "pending" ? 2 : 0;
  const allows = (v: DirectionalVerdict, bit: number) => ((v.bits >> shift) & bit) !== 0;
  const side = reachable ? (e && !allows(e, BASE) ? e : i!) : e && !allows(e, HEAD) ? e : i!;
  const uncertainOf = (v: DirectionalVerdict | undefined) => (mode === "pending" ? v?.pendingUncertain : v?.uncertain);
  const ue = uncertainOf(e);
  const ui = uncertainOf(i);
  return { mode, reachable, before: side.sides[shift], after: side.sides[shift + 1], uncertain: ue && ui ? [...ue, ...ui] : ue ?? ui };
}

/**
 * Whether the policies that apply to the class in this direction differ, in either mode (engine/side-key.ts): a
 * change to a policy's ingress rules leaves the egress of the endpoints it selects alone.
 */
function sidesDiffer(sets: { base: PolicySet; head: PolicySet }, c: EndpointClass, dir: "ingress" | "egress", sigs: PolicySignatures): boolean {
  return sideKey(sets.base, c.rep.labels, dir, sigs) !== sideKey(sets.head, c.rep.labels, dir, sigs);
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
