import { ORCHESTRATOR_LABEL } from "../../engine/index.js";
import type { PolicySet } from "../../engine/index.js";
import { evaluateNode, labelKeys, type Labels, type SelectorNode } from "../../selector/index.js";
import { allAddresses, cidrsToSet, type Family } from "./cidrs.js";
import { IntervalSet } from "./intervals.js";
import type { Side } from "./oracle.js";
import type { Budget } from "./budget.js";
import type { KnownEndpoints } from "./known.js";
import { canonicalKey, KNOWN_LABEL, satisfiableWith } from "./selector-sat.js";
import type { Box } from "./space.js";

/**
 * The "natural world" of a subject rule: what its author may take for granted about the traffic it names. Exact
 * reasoning finds overlaps that only exist in corners the author never meant: a frontend pod that also carries a
 * quarantine label, a peer picked by pod selector whose address happens to lie in a threat feed, a network set
 * (not a pod) that carries the selected labels. Those overlaps are real, and a walk keeps them, but a finding about
 * part of a rule's traffic should not rest on them, and a description should not be cluttered by them.
 *
 * In the natural world: pod labels the subject never mentions are absent; a peer picked by a selector that matches
 * no network set of the policy set is a pod; and where the subject picks an endpoint by selector without naming
 * addresses, its address is one no policy names (a pod address), not one inside a CIDR some rule or set lists.
 */
export interface NaturalSet {
  /** The set's labels as a rule peer sees them (KNOWN_LABEL included). */
  labels: Labels;
  /** `GlobalNetworkSet llm-api`, for findings that name it. */
  name?: string;
  cidrs: Record<Family, IntervalSet>;
}

export class NaturalWorld {
  private readonly keys: Record<Side, Set<string>>;
  private readonly ipDontCare: Record<Side, boolean>;
  private readonly peerIdentified: boolean;

  constructor(
    private readonly subject: Box,
    private readonly budget: Budget,
    private readonly named: Record<Family, IntervalSet>,
    /** Network sets the subject's peer selector may match: there, the peer is that set, at its addresses. */
    private readonly peerSets: readonly NaturalSet[],
    /** Workloads known from the inventory and the flow snapshot; peers carry KNOWN_LABEL. */
    private readonly known: Record<Side, KnownEndpoints>,
  ) {
    this.keys = { local: plainKeys(subject.local), peer: plainKeys(subject.peer) };
    this.peerIdentified = identified(subject.peer);
    const full = (s: IntervalSet) => s.covers(allAddresses(subject.family));
    this.ipDontCare = { local: full(subject.localNet), peer: this.peerIdentified && full(subject.peerNet) };
  }

  /**
   * True when the piece holds some traffic of the natural world, or traffic of a workload known from the inventory
   * or the flow snapshot (a pod that does carry quarantine=true is no corner). Undecidable questions count as natural.
   */
  contains(piece: Box): boolean {
    return this.localNatural(piece) && this.peerNatural(piece);
  }

  private localNatural(piece: Box): boolean {
    const conds = this.conditions("local", piece.local);
    const ips = this.podAddresses("local", piece.family);
    const assumed = (conds.length === 0 || !this.quietEmpty(piece.local, conds)) && (!ips || ips.isEmpty() || piece.localNet.overlaps(ips));
    return assumed || this.known.local.inPiece(piece.local, piece.localNet, piece.family, ips);
  }

  private peerNatural(piece: Box): boolean {
    const pods = this.podAddresses("peer", piece.family);
    if (this.known.peer.inPiece(piece.peer, piece.peerNet, piece.family, pods)) return true;
    const conds = this.conditions("peer", piece.peer);
    if (!this.peerIdentified) return conds.length === 0 || !this.quietEmpty(piece.peer, conds);
    const ips = this.podAddresses("peer", piece.family);
    const asPod = !this.quietEmpty(piece.peer, [...conds, POD]) && (!ips || ips.isEmpty() || piece.peerNet.overlaps(ips));
    return asPod || this.peerSets.some((ns) => piece.peer.every((n) => evaluateNode(n, ns.labels)) && piece.peerNet.overlaps(ns.cidrs[piece.family]));
  }

  /**
   * What the subject's peer names concretely (the network sets its selector matches, the known workloads in its
   * space) and which of them lie only in `denied` pieces, never in a `reaching` one: how much of what a rule names it
   * can act on. An endpoint in neither (outside the subject's space) is not counted.
   */
  namedPeers(reaching: readonly Box[], denied: readonly Box[]): { named: number; denied: string[] } {
    const pods = (family: Family) => this.podAddresses("peer", family);
    const candidates: Array<{ name: string; in: (b: Box) => boolean }> = [
      ...this.peerSets.map((ns, i) => ({ name: ns.name ?? `network set ${i + 1}`, in: (b: Box) => b.peer.every((n) => evaluateNode(n, ns.labels)) && b.peerNet.overlaps(ns.cidrs[b.family]) })),
      ...this.known.peer.all.map((_, i) => ({ name: `known workload ${i + 1}`, in: (b: Box) => this.known.peer.endpointInPiece(i, b.peer, b.peerNet, b.family, pods(b.family)) })),
    ];
    let named = 0;
    const deniedOnly: string[] = [];
    for (const c of candidates) {
      const reaches = reaching.some(c.in);
      const isDenied = denied.some(c.in);
      if (reaches || isDenied) named++;
      if (isDenied && !reaches) deniedOnly.push(c.name);
    }
    return { named, denied: deniedOnly };
  }

  /** True when a condition the walk added to a piece holds throughout the natural world: not worth printing. */
  implied(side: Side, node: SelectorNode): boolean {
    const base = this.subject[side];
    const pod = side === "peer" && this.peerIdentified ? [POD] : [];
    if (!this.quietEmpty(base, [...this.conditions(side, [...base, node]), ...pod, { op: "not", operand: node }])) return false;
    const answer = this.known[side].answer(node);
    if (this.known[side].some(base, (_, i) => answer[i] === 0)) return false;
    return side === "local" || !this.peerIdentified || this.peerSets.every((ns) => evaluateNode(node, ns.labels));
  }

  /** True when an address restriction on the piece leaves every natural address in: not worth printing. */
  addressesImplied(side: Side, piece: Box): boolean {
    const pods = this.podAddresses(side, piece.family);
    if (!pods) return false;
    const net = piece[side === "local" ? "localNet" : "peerNet"];
    return net.covers(pods) && (side === "local" || this.peerSets.every((ns) => net.covers(ns.cidrs[piece.family])));
  }

  /** Where the subject leaves an endpoint's address open: the addresses no policy names. */
  private podAddresses(side: Side, family: Family): IntervalSet | undefined {
    if (!this.ipDontCare[side]) return undefined;
    return (this.unnamed[family] ??= allAddresses(family).minus(this.named[family]));
  }

  private readonly unnamed: Partial<Record<Family, IntervalSet>> = {};

  private conditions(side: Side, conj: readonly SelectorNode[]): SelectorNode[] {
    const out: SelectorNode[] = [];
    for (const k of plainKeys(conj)) if (!this.keys[side].has(k)) out.push(this.absent(k));
    return out;
  }

  /** `!has(k)`, one node per key (normal forms are memoised per node). */
  private absent(k: string): SelectorNode {
    let node = this.absentNodes.get(k);
    if (!node) this.absentNodes.set(k, (node = { op: "not", operand: { op: "has", label: k } }));
    return node;
  }

  private readonly absentNodes = new Map<string, SelectorNode>();

  /** Without falling back to known workloads: a description must not depend on them. */
  private quietEmpty(base: readonly SelectorNode[], extra: readonly SelectorNode[]): boolean {
    const r = satisfiableWith(base, extra, this.budget.sat);
    this.budget.satDone(r.terms);
    return r.result === "unsat";
  }
}

const POD: SelectorNode = { op: "eq", label: ORCHESTRATOR_LABEL, value: "k8s" };

/** Every address any rule or network set of the policy set names, per family. */
export function namedAddresses(set: PolicySet): Record<Family, IntervalSet> {
  const cidrs = [
    ...set.networkSets.flatMap((n) => n.cidrs),
    ...set.policies.flatMap((p) => [...p.ingress, ...p.egress].flatMap((r) => [r.source, r.destination]).flatMap((e) => [...(e.nets?.cidrs ?? []), ...(e.notNets?.cidrs ?? [])])),
  ];
  return { 4: cidrsToSet(cidrs, 4), 6: cidrsToSet(cidrs, 6) };
}

/** A peer side picked by a positive selector (only known endpoints and network sets), not by addresses alone. */
export function identified(peer: readonly SelectorNode[]): boolean {
  return peer.some((n) => n.op === "and" && n.operands[0].op === "has" && n.operands[0].label === KNOWN_LABEL);
}

/** Pod labels a selector reads: not the implicit namespace, service-account and Calico labels. */
export function plainKeys(conj: readonly SelectorNode[]): Set<string> {
  const keys = new Set<string>();
  for (const n of conj) labelKeys(n, keys);
  return new Set(
    [...keys]
      .map(canonicalKey)
      .filter((k) => k !== KNOWN_LABEL && !k.startsWith("projectcalico.org/") && !k.startsWith("pcns.") && !k.startsWith("pcsa.")),
  );
}
