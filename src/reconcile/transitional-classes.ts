import { IpClassifier, type CompiledPolicy, type Direction, type Endpoint, type FlowFacts, type LabelSet, type PolicySet } from "../engine/index.js";
import type { Resolved } from "../impact/index.js";
import type { Slots } from "./transitional-state.js";

/**
 * The snapshot's tuples folded into flow classes: tuples the engine cannot tell apart in any state (same label
 * sets, same class of address under every CIDR of every version, same named ports, protocol and port) share one
 * evaluation. Each class learns which writes can change its verdict: those to a policy that applies to its source
 * (egress) or destination (ingress) in some version, to the tiers of those policies, and to network sets its
 * addresses fall in (or that it is). A class with at most one such write goes straight from old to new.
 */
export interface TransitionalTuple {
  src: Resolved;
  dst: Resolved;
  /** IANA protocol number. */
  protocol: number;
  port?: number;
  /** Flow records the tuple stands for. */
  records: number;
}

/** One endpoint in one direction: the policies (any version) that may apply to it, and their tiers. */
export interface Side {
  key: string;
  direction: Direction;
  /** Slots of those policies and tiers, ascending. */
  slots: number[];
  /** Some such policy has a rule selector that matches a network set (an address-less endpoint may be in it). */
  touchesNetworkSets: boolean;
}

export interface FlowClass {
  id: number;
  facts: FlowFacts;
  src: Resolved;
  dst: Resolved;
  records: number;
  tuples: number;
  egress?: Side;
  ingress?: Side;
  /** Network-set slots whose versions contain or are one of its endpoints, ascending; and as a key. */
  netSlots: number[];
  netKey: string;
  /** The changes that may change its verdict. */
  writes: number[];
  /**
   * An endpoint's address is missing and a relevant rule selects network sets: whether the address lies in one is
   * unknown, so its verdicts are uncertain (the engine would say so against the whole state).
   */
  addressUnknown: boolean;
}

export function buildClasses(tuples: readonly TransitionalTuple[], big: PolicySet, slots: Slots): FlowClass[] {
  const classifier = new IpClassifier(big);
  const sides = new Map<string, Side>();
  const byKey = new Map<string, FlowClass>();
  for (const t of tuples) {
    const key = `${endpointKey(t.src.endpoint, classifier)}#${endpointKey(t.dst.endpoint, classifier)}#${t.protocol}#${t.port ?? ""}`;
    const known = byKey.get(key);
    if (known) {
      known.records += t.records;
      known.tuples++;
      continue;
    }
    const cls: FlowClass = {
      id: byKey.size,
      facts: { src: t.src.endpoint, dst: t.dst.endpoint, protocol: t.protocol, dstPort: t.port },
      src: t.src,
      dst: t.dst,
      records: t.records,
      tuples: 1,
      netSlots: networkSetSlots([t.src.endpoint, t.dst.endpoint], big, slots),
      netKey: "",
      writes: [],
      addressUnknown: false,
    };
    if (t.src.endpoint.kind === "workload") cls.egress = side(t.src.endpoint.labels, "egress", big, slots, sides);
    if (t.dst.endpoint.kind === "workload") cls.ingress = side(t.dst.endpoint.labels, "ingress", big, slots, sides);
    cls.netKey = cls.netSlots.join(",");
    const writes = new Set<number>();
    // With neither end a workload no policy applies in any state: nothing to check.
    if (cls.egress || cls.ingress) for (const s of [...(cls.egress?.slots ?? []), ...(cls.ingress?.slots ?? []), ...cls.netSlots]) for (const c of slots.list[s].changes) writes.add(c);
    cls.writes = [...writes];
    const noAddress = (ep: Endpoint) => !ep.ip && ep.kind !== "networkset" && !ep.hypothetical;
    cls.addressUnknown = (noAddress(t.src.endpoint) || noAddress(t.dst.endpoint)) && !!(cls.egress?.touchesNetworkSets || cls.ingress?.touchesNetworkSets);
    byKey.set(key, cls);
  }
  return [...byKey.values()];
}

/** What the engine can tell apart about an endpoint (as the replay's memo does: src/impact/replay.ts). */
function endpointKey(ep: Endpoint, classifier: IpClassifier): string {
  const ports = ep.namedPorts === undefined ? "?" : ep.namedPorts.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(",");
  const set = ep.kind === "networkset" ? `${ep.namespace ?? ""}/${ep.name ?? ""}` : "";
  return `${ep.kind}|${ep.labels.id}|${classifier.classOf(ep.ip)}|${ports}|${set}|${ep.addressClass ?? ""}|${ep.hypothetical ? 1 : 0}`;
}

function side(labels: LabelSet, direction: Direction, big: PolicySet, slots: Slots, memo: Map<string, Side>): Side {
  const key = `${direction}|${labels.id}`;
  const known = memo.get(key);
  if (known) return known;
  const found = new Set<number>();
  let touches = false;
  for (const slice of big.relevant(labels, direction)) {
    for (const p of [...slice.enforced, ...slice.uncertain]) {
      if (p.staged) continue;
      const slot = slots.slotOfVersion.get(p.resource);
      if (slot !== undefined) found.add(slot);
      touches ||= rulesSelectNetworkSets(p, direction, big);
    }
    const tier = slots.indexOf(`Tier||${slice.tier.name}`);
    if (tier !== undefined) found.add(tier);
  }
  const s: Side = { key, direction, slots: [...found].sort((a, b) => a - b), touchesNetworkSets: touches };
  memo.set(key, s);
  return s;
}

function rulesSelectNetworkSets(p: CompiledPolicy, direction: Direction, big: PolicySet): boolean {
  if (big.networkSets.length === 0) return false;
  return (direction === "ingress" ? p.ingress : p.egress).some((r) =>
    [r.source.positive, r.source.negative, r.destination.positive, r.destination.negative].some((cs) => cs !== undefined && big.selectsSomeNetworkSet(cs)),
  );
}

/** Network sets (any version) that contain an endpoint's address or are the endpoint: they decide what it matches. */
function networkSetSlots(endpoints: Endpoint[], big: PolicySet, slots: Slots): number[] {
  const found = new Set<number>();
  for (const ep of endpoints) {
    if (ep.ip) {
      for (const ns of big.networkSetsContaining(ep.ip)) {
        const slot = slots.slotOfVersion.get(ns.resource);
        if (slot !== undefined) found.add(slot);
      }
    }
    if (ep.kind === "networkset" && ep.name !== undefined) {
      const slot = slots.indexOf(ep.namespace !== undefined ? `NetworkSet|${ep.namespace}|${ep.name}` : `GlobalNetworkSet||${ep.name}`);
      if (slot !== undefined) found.add(slot);
    }
  }
  return [...found].sort((a, b) => a - b);
}

