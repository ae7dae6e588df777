import { inventoryNamespaceLabels } from "../../flows/index.js";
import type { CompiledRule } from "../../engine/index.js";
import type { Direction, LabelSet, PolicySet } from "../../engine/index.js";
import { F, selectorOn } from "../../engine/index.js";
import type { ReviewContext } from "../context.js";
import type { Budget } from "./budget.js";
import { cidrsToSet, type Family } from "./cidrs.js";
import type { IntervalSet } from "./intervals.js";
import { KnownEndpoints } from "./known.js";
import { namedAddresses, type NaturalSet } from "./natural.js";
import { EXTERNAL_IDENTITY, knownIdentity, SelectorOracle, type Identity } from "./oracle.js";
import { PortNames, type NamedPortSource } from "./ports.js";
import { sides, type SpaceContext } from "./space.js";
import { Walker } from "./walk.js";

/**
 * What one analysis run shares across its subjects: the head policy set, the selector oracle with the identities
 * known from the inventory and the flow snapshot, named-port resolution through them, and the walker.
 */
export interface Analysis {
  set: PolicySet;
  names: PortNames;
  spaceCtx: SpaceContext;
  oracle: SelectorOracle;
  walker: Walker;
  /** Every address a rule or network set names, per family (natural.ts). */
  named: Record<Family, IntervalSet>;
  known: Record<"local" | "peer", KnownEndpoints>;
}

export function setUp(ctx: ReviewContext, budget: Budget): Analysis {
  const set = ctx.head.set;
  const names = new PortNames();
  // Replicas share labels (interned: one object per set) and named ports: each question is asked per label set.
  const peerOf = new Map<LabelSet, Identity>();
  const peers = ctx.workloads.map((w) => {
    let id = peerOf.get(w.endpoint.labels);
    if (!id) peerOf.set(w.endpoint.labels, (id = knownIdentity(w.endpoint.labels, w.name)));
    return id;
  });
  const local = [...new Map(ctx.workloads.map((w) => [w.endpoint.labels, { labels: w.endpoint.labels, name: w.name }])).values()];
  const oracle = new SelectorOracle(
    budget,
    {
      local,
      peer: [...peerOf.values(), ...set.networkSets.map((n) => knownIdentity(n.labels, `${n.kind} ${n.namespace ? `${n.namespace}/` : ""}${n.name}`)), EXTERNAL_IDENTITY],
    },
    inventoryNamespaceLabels(ctx.inventory),
  );
  const spaceCtx: SpaceContext = { set, names, ports: namedPortSource(ctx) };
  return {
    set,
    names,
    spaceCtx,
    oracle,
    walker: new Walker(set, spaceCtx, oracle, budget),
    named: namedAddresses(set),
    known: {
      local: new KnownEndpoints(ctx.workloads.map((w) => ({ labels: w.endpoint.labels, ip: w.endpoint.ip }))),
      peer: new KnownEndpoints(ctx.workloads.map((w, i) => ({ labels: peers[i].labels, ip: w.endpoint.ip }))),
    },
  };
}

/**
 * Named ports through the known workloads, each (name, protocol) resolved once per analysis: the answer is a set of
 * port numbers (order and repeats do not matter to it), asked for every rule that names the port.
 */
function namedPortSource(ctx: ReviewContext): NamedPortSource {
  const memo = new Map<string, number[]>();
  return {
    resolve(name, protocol) {
      const key = `${name}\u0000${protocol ?? ""}`;
      let ports = memo.get(key);
      if (!ports) {
        const found = new Set<number>();
        for (const w of ctx.workloads) for (const p of w.endpoint.namedPorts ?? []) if (p.name === name && (protocol === undefined || p.protocol === protocol)) found.add(p.port);
        memo.set(key, (ports = [...found]));
      }
      return ports;
    },
  };
}

/** The network sets a rule's peer selector may match: in the natural world its peer is a pod or one of these. */
export function peerSets(set: PolicySet, rule: CompiledRule, dir: Direction): NaturalSet[] {
  const positive = sides(dir, rule).peer.positive;
  if (!positive) return [];
  return set.networkSets
    .filter((n) => selectorOn(positive, n.labels) !== F)
    .map((n) => ({ labels: knownIdentity(n.labels, n.name).labels, name: `${n.kind} ${n.namespace ? `${n.namespace}/` : ""}${n.name}`, cidrs: { 4: cidrsToSet(n.cidrs, 4), 6: cidrsToSet(n.cidrs, 6) } }));
}

/** Appended to a finding when known workloads decided part of it. */
export function fallbackNote(ctx: ReviewContext, reasons: string[]): string {
  if (reasons.length === 0) return "";
  const n = ctx.workloads.length;
  const sources = [...new Set(ctx.workloads.map((w) => (w.source === "inventory" ? "inventory" : "flow snapshot")))].join(" and ") || "inventory";
  return ` Part of this was decided from the ${n} workload${n === 1 ? "" : "s"} known from the ${sources}, not from the policies alone ` +
    `(${[...new Set(reasons)].join("; ")}); a workload not among them may be treated differently.`;
}
