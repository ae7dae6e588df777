import { EngineUniverse, evaluateFlow, PolicySet } from "../../src/engine/index.js";
import { EndpointResolver, type Resolved } from "../../src/impact/index.js";
import { DEFAULT_CALICO_VERSION, describeResource, type Resource } from "../../src/policy/index.js";
import { transitionalOrderer, type TransitionalResult, type TransitionalTuple } from "../../src/reconcile/index.js";
import type { ClusterKind, OrderConstraint, StateChange, WriteVerb } from "../../src/reconcile/index.js";
import { resources } from "../helpers/engine.js";

/** Scenarios for the transitional check: YAML resources, changes between them, and flow tuples between pods. */
export const universe = new EngineUniverse();
const resolver = new EndpointResolver(universe);

export function one(yaml: string): Resource {
  const [r] = resources(yaml);
  return r;
}

/** A pod endpoint; `partial`: the labels are only those shared by an aggregate (others may be set). */
export function pod(ns: string, name: string, labels: Record<string, string>, o: { ip?: string; partial?: boolean } = {}): Resolved {
  return resolver.resolve({ type: "wep", namespace: ns, name, nameAggr: name, ip: o.ip, labels, labelsAggregated: o.partial ?? false });
}

/** An address outside the cluster (a flow log's `net` endpoint). */
export function external(ip: string): Resolved {
  return resolver.resolve({ type: "net", ip, nameAggr: "pub", labelsAggregated: false });
}

export function tuple(src: Resolved, dst: Resolved, port: number, records = 1): TransitionalTuple {
  return { src, dst, protocol: 6, port, records };
}

function verbOf(before?: Resource, after?: Resource): WriteVerb {
  return !before ? "create" : !after ? "delete" : "update";
}

export function change(before: Resource | undefined, after: Resource | undefined): StateChange<Resource> {
  const r = (after ?? before)!;
  return {
    write: { verb: verbOf(before, after), kind: r.kind as ClusterKind, namespace: r.metadata.namespace ?? null, name: r.metadata.name ?? "", reason: describeResource(r) },
    before,
    after,
  };
}

export const create = (r: Resource) => change(undefined, r);
export const remove = (r: Resource) => change(r, undefined);

export function order(current: Resource[], tuples: TransitionalTuple[], changes: StateChange<Resource>[], constraints: OrderConstraint[] = [], maxEvaluations?: number): TransitionalResult {
  return transitionalOrderer({ current, tuples, version: DEFAULT_CALICO_VERSION, universe, maxEvaluations })(changes, constraints);
}

/** The enforced verdict of each tuple in the full state after the first `k` writes of `order` (the engine's own). */
export function fullVerdicts(current: Resource[], changes: StateChange<Resource>[], sequence: number[], k: number, tuples: TransitionalTuple[]): string[] {
  const key = (r: Resource) => `${r.kind}|${r.metadata.namespace ?? ""}|${r.metadata.name}`;
  const state = new Map(current.map((r) => [key(r), r]));
  for (const i of sequence.slice(0, k)) {
    const c = changes[i];
    const r = (c.before ?? c.after)!;
    if (c.after) state.set(key(r), c.after);
    else state.delete(key(r));
  }
  const set = new PolicySet([...state.values()], { universe });
  return tuples.map((t) => evaluateFlow(set, { src: t.src.endpoint, dst: t.dst.endpoint, protocol: t.protocol, dstPort: t.port }).verdict);
}
