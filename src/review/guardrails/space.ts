import type { CompiledEntity, CompiledPolicy, CompiledRule } from "../../engine/index.js";
import type { Direction, PolicySet } from "../../engine/index.js";
import { isTrue, isUncertain, selectorOn } from "../../engine/index.js";
import type { SelectorNode } from "../../selector/index.js";
import { allAddresses, cidrsToSet, familyApplies, netSpace, type Family } from "./cidrs.js";
import { IntervalSet } from "./intervals.js";
import { ALL_PORTS, ALL_PROTOCOLS, portSpace, protocolSpace, type NamedPortSource, type PortNames } from "./ports.js";
import { KNOWN_LABEL } from "./selector-sat.js";

/**
 * A rule's traffic space, as boxes: one IP family, and per dimension a set. `local` is the endpoint the policy
 * applies to (the destination for ingress, the source for egress): the policy's rewritten selector and the rule's
 * own-side selectors. `peer` is the other end: the rule's peer-side selectors, where every known endpoint and network
 * set carries KNOWN_LABEL, so a selector never matches an address outside them (calico-semantics §1.5, §3.3).
 * Addresses, protocols and ports are exact sets. The dimensions are independent, so a box is empty exactly when one
 * of its dimensions is.
 */
export interface Box {
  family: Family;
  proto: IntervalSet;
  dport: IntervalSet;
  sport: IntervalSet;
  peerNet: IntervalSet;
  localNet: IntervalSet;
  /** Conjunctions, only ever extended by appending (so a piece's extra conditions are its tail). */
  peer: readonly SelectorNode[];
  local: readonly SelectorNode[];
  /** Rules that may decide this piece earlier but could not be compared with it (named ports nobody declares). */
  maybe?: readonly Maybe[];
}

export interface Maybe {
  /** `rule 2 of GlobalNetworkPolicy x (spec.egress[2]) may deny it first (why)`. */
  text: string;
  deny: boolean;
}

export interface SpaceContext {
  set: PolicySet;
  names: PortNames;
  ports: NamedPortSource;
}

export interface RuleSpace {
  boxes: Box[];
  /** Named ports that were resolved through known workloads. */
  resolved: string[];
}

const FAMILIES: readonly Family[] = [4, 6];
const known: SelectorNode = { op: "has", label: KNOWN_LABEL };
/**
 * The nodes the analysis builds over a rule's selectors, one per operand: normal forms and satisfiable choices are
 * memoised per node (normal-form.ts, selector-sat.ts), so a fresh wrapper per question would lose them every time.
 */
const wrappers = { not: new WeakMap<SelectorNode, SelectorNode>(), peer: new WeakMap<SelectorNode, SelectorNode>(), and: new WeakMap<readonly SelectorNode[], SelectorNode>() };
function wrap<K extends object>(memo: WeakMap<K, SelectorNode>, key: K, build: () => SelectorNode): SelectorNode {
  let node = memo.get(key);
  if (!node) memo.set(key, (node = build()));
  return node;
}
const not = (n: SelectorNode): SelectorNode => wrap(wrappers.not, n, () => ({ op: "not", operand: n }));
const peerPositive = (n: SelectorNode): SelectorNode => wrap(wrappers.peer, n, () => ({ op: "and", operands: [known, n] }));

export function sides(dir: Direction, rule: CompiledRule): { own: CompiledEntity; peer: CompiledEntity } {
  return dir === "ingress" ? { own: rule.destination, peer: rule.source } : { own: rule.source, peer: rule.destination };
}

/**
 * The traffic a rule matches at the endpoints its policy applies to. As a higher-tier rule (`widen: false`), a peer
 * selector also matches the addresses of the network sets it selects (IP-set membership), and a peer notSelector
 * excludes them; those facts only make the higher rule's space more exact.
 */
export function ruleSpace(policy: CompiledPolicy, rule: CompiledRule, dir: Direction, ctx: SpaceContext, role: "subject" | "higher"): RuleSpace {
  const { own, peer } = sides(dir, rule);
  const local: SelectorNode[] = [policy.selector.selector.root];
  if (own.positive) local.push(own.positive.selector.root);
  if (own.negative) local.push(not(own.negative.selector.root));
  const peerSel: SelectorNode[] = [];
  if (peer.positive) peerSel.push(peerPositive(peer.positive.selector.root));
  if (peer.negative) peerSel.push(not(peerPositive(peer.negative.selector.root)));
  const dport = portSpace(rule.destination.ports, rule.destination.notPorts, rule.protocol, ctx.names, ctx.ports);
  const sport = portSpace(rule.source.ports, rule.source.notPorts, rule.protocol, ctx.names, ctx.ports);
  const proto = protocolSpace(rule.protocol, rule.notProtocol);
  const boxes: Box[] = [];
  for (const family of FAMILIES) {
    if (rule.ipVersion !== undefined && rule.ipVersion !== family) continue;
    if (!familyApplies(family, rule.source.nets, rule.source.notNets, rule.destination.nets, rule.destination.notNets)) continue;
    let peerNet = netSpace(peer.nets, peer.notNets, family);
    const box: Box = { family, proto, dport: dport.set, sport: sport.set, peerNet, localNet: netSpace(own.nets, own.notNets, family), peer: peerSel, local };
    if (role === "higher") {
      if (peer.negative) peerNet = peerNet.minus(networkSetAddresses(ctx.set, peer.negative, family, false));
      boxes.push({ ...box, peerNet });
      if (peer.positive) {
        const viaSets = networkSetAddresses(ctx.set, peer.positive, family, true);
        const rest = peer.negative ? [not(peerPositive(peer.negative.selector.root))] : [];
        if (!viaSets.isEmpty()) boxes.push({ ...box, peer: rest, peerNet: peerNet.intersect(viaSets) });
      }
    } else boxes.push(box);
  }
  return { boxes: boxes.filter((b) => !isEmptyNumeric(b)), resolved: [...dport.resolved, ...sport.resolved] };
}

/** Every packet at the endpoints a policy applies to. */
export function policySpace(policy: CompiledPolicy): Box[] {
  return FAMILIES.map((family) => fullBox(family, [policy.selector.selector.root]));
}

export function fullBox(family: Family, local: readonly SelectorNode[]): Box {
  return { family, proto: ALL_PROTOCOLS, dport: ALL_PORTS, sport: ALL_PORTS, peerNet: allAddresses(family), localNet: allAddresses(family), peer: [], local };
}

/**
 * Addresses of the network sets a selector certainly matches (`certain`), or possibly matches: for a positive
 * selector only certain matches may widen the higher rule; for a notSelector every possible match is excluded.
 */
function networkSetAddresses(set: PolicySet, cs: NonNullable<CompiledEntity["positive"]>, family: Family, certain: boolean): IntervalSet {
  let out = IntervalSet.EMPTY;
  for (const ns of set.networkSets) {
    const m = selectorOn(cs, ns.labels);
    const take = certain ? isTrue(m) && !isUncertain(m) : isTrue(m) || isUncertain(m);
    if (take) out = out.union(cidrsToSet(ns.cidrs, family));
  }
  return out;
}

export function isEmptyNumeric(b: Box): boolean {
  return b.proto.isEmpty() || b.dport.isEmpty() || b.sport.isEmpty() || b.peerNet.isEmpty() || b.localNet.isEmpty();
}

/** One node for a conjunction (the analysis never changes a conjunction's array once made). */
export function andOf(conj: readonly SelectorNode[]): SelectorNode {
  return conj.length === 1 ? conj[0] : wrap(wrappers.and, conj, () => ({ op: "and", operands: conj }));
}

export { not as notNode };
