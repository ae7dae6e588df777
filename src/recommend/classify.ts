import { describePolicy, type DirectionTrace, type PolicyHit } from "../engine/index.js";
import { decidingHit, hitTier, type Replayer } from "../impact/index.js";
import { connections, type FlowTuple } from "./observe.js";

/**
 * Which flows a recommendation may learn from. A recommendation lives in its own tier, so it only ever sees traffic
 * that the tiers above it neither allowed nor denied: a flow those tiers decide is left out (else the recommendation
 * would restate, or contradict, a guard rail). A flow the current policies deny further down is left out too:
 * learning it would turn the recommendation into an allow-list for traffic the repository refuses today.
 *
 * Each flow is judged per direction: egress at its source for the source namespace's policy, ingress at its
 * destination for the destination namespace's.
 */
export type LearnDirection = "ingress" | "egress";

export interface Learned {
  tuple: FlowTuple;
  direction: LearnDirection;
  /** The namespace whose policy learns the flow. */
  namespace: string;
}

export interface Exclusion {
  direction: LearnDirection;
  reason: string;
  records: number;
  connections: number;
}

export interface Classification {
  learned: Learned[];
  /** Sorted by direction, then reason. */
  excluded: Exclusion[];
  /** Tuples whose verdict depended on facts the flows do not give (aggregated labels, unknown namespaces). */
  uncertain: number;
}

export interface ClassifyInput {
  tuples: readonly FlowTuple[];
  /** The tiers above the recommendation tier only. */
  higher: Replayer;
  /** Every policy of the repository: today's verdicts. */
  current: Replayer;
  /** Whether a namespace gets a recommendation. */
  wanted(namespace: string): boolean;
}

export function classify(input: ClassifyInput): Classification {
  const learned: Learned[] = [];
  const excluded = new Map<string, Exclusion>();
  let uncertain = 0;
  const exclude = (direction: LearnDirection, reason: string, t: FlowTuple) => {
    const key = `${direction}\u0000${reason}`;
    const e = excluded.get(key) ?? { direction, reason, records: 0, connections: 0 };
    e.records += t.records;
    e.connections += connections(t);
    excluded.set(key, e);
  };
  for (const t of input.tuples) {
    const srcNs = workloadNamespace(t.src.endpoint);
    const dstNs = workloadNamespace(t.dst.endpoint);
    const egress = srcNs !== undefined && input.wanted(srcNs);
    const ingress = dstNs !== undefined && input.wanted(dstNs);
    if (!egress && !ingress) continue;
    const higher = input.higher.outcome(t.src, t.dst, t.protocol, t.port, undefined).evaluation;
    const current = input.current.outcome(t.src, t.dst, t.protocol, t.port, undefined).evaluation;
    if (current.uncertain.length > 0 || higher.uncertain.length > 0) uncertain++;
    for (const direction of ["egress", "ingress"] as const) {
      if (direction === "egress" ? !egress : !ingress) continue;
      const own = higher[direction]?.enforced;
      const other = higher[direction === "egress" ? "ingress" : "egress"]?.enforced;
      const reason = !own ? undefined : ownDecision(own) ?? otherDenial(other, direction) ?? currentDenial(current.verdict, decidingHit(current));
      if (reason) exclude(direction, reason, t);
      else learned.push({ tuple: t, direction, namespace: (direction === "egress" ? srcNs : dstNs)! });
    }
  }
  const list = [...excluded.values()].sort((a, b) => cmp(a.direction, b.direction) || cmp(a.reason, b.reason));
  return { learned, excluded: list, uncertain };
}

function workloadNamespace(ep: { kind: string; namespace?: string }): string | undefined {
  return ep.kind === "workload" ? ep.namespace : undefined;
}

/** Why a higher tier already decided this side; undefined when the walk went past every higher tier. */
function ownDecision(trace: DirectionTrace): string | undefined {
  const hit = trace.hits[trace.hits.length - 1];
  if (!hit || hit.type === "profile") return undefined;
  return `${hit.action === "allow" ? "allowed" : "denied"} by a higher tier: ${describeHit(hit)}`;
}

/** A higher tier denying the other end means the flow never gets through, whatever this side says. */
function otherDenial(trace: DirectionTrace | undefined, direction: LearnDirection): string | undefined {
  if (!trace || trace.verdict !== "deny") return undefined;
  const hit = trace.hits[trace.hits.length - 1];
  return `denied by a higher tier at the ${direction === "egress" ? "destination" : "source"}: ${describeHit(hit)}`;
}

function currentDenial(verdict: "allow" | "deny", hit: PolicyHit | undefined): string | undefined {
  if (verdict === "allow") return undefined;
  return `denied today below the recommendation tier (${hit ? describeHit(hit) : "no policy"}): not learned, so it stays denied`;
}

function describeHit(hit: PolicyHit): string {
  switch (hit.type) {
    case "rule":
      return `tier ${hitTier(hit)}, ${describePolicy(hit.policy)} rule ${hit.ruleIndex}`;
    case "end-of-tier":
      return `end of tier ${hit.tier}`;
    case "profile":
      return `namespace profile`;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
