import type { PolicyResource, Resource } from "../../policy/index.js";
import { NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from "../../engine/index.js";
import type { Direction } from "../../engine/index.js";
import { describePolicy } from "../../engine/index.js";
import { mapNode, printNode, type SelectorNode } from "../../selector/index.js";
import type { TierguardConfig } from "../config.js";
import { describeNets } from "./cidrs.js";
import { describePorts, describeProtocols, type PortNames } from "./ports.js";
import { canonicalKey, KNOWN_LABEL } from "./selector-sat.js";
import type { NaturalWorld } from "./natural.js";
import type { Box } from "./space.js";
import type { Decider } from "./walk.js";

/**
 * Words for findings: which part of a rule's traffic a piece is ("" when it differs from the rule's own traffic only
 * in ways the natural world takes for granted), who decided it, where that rule lives, and who owns
 * a tier. Selectors are shown in Calico syntax with Calico's rewriting undone where it helps a reader: the namespace
 * label reads `namespace`, a namespace label `ns:<key>`, a service-account label `sa:<key>`.
 */
export function describePiece(piece: Box, base: Box, dir: Direction, names: PortNames, natural?: NaturalWorld): string {
  const peer = dir === "ingress" ? "source" : "destination";
  const local = dir === "ingress" ? "destination" : "source";
  const parts: string[] = [];
  if (!piece.proto.equals(base.proto)) parts.push(describeProtocols(piece.proto));
  if (!piece.dport.equals(base.dport)) parts.push(`destination ${plural("port", describePorts(piece.dport, names))}`);
  if (!piece.sport.equals(base.sport)) parts.push(`source ${plural("port", describePorts(piece.sport, names))}`);
  if (!piece.peerNet.equals(base.peerNet) && !natural?.addressesImplied("peer", piece)) parts.push(`${peer} addresses ${describeNets(piece.peerNet, piece.family)}`);
  if (!piece.localNet.equals(base.localNet) && !natural?.addressesImplied("local", piece)) parts.push(`${local} addresses ${describeNets(piece.localNet, piece.family)}`);
  for (const n of piece.peer.slice(base.peer.length)) if (!natural?.implied("peer", n)) parts.push(`${peer}s ${describeCondition(n)}`);
  for (const n of piece.local.slice(base.local.length)) if (!natural?.implied("local", n)) parts.push(`${local} endpoints ${describeCondition(n)}`);
  return parts.join(", ");
}

function plural(word: string, list: string): string {
  return /[,-]|any/.test(list) ? `${word}s ${list}` : `${word} ${list}`;
}

/** `matching namespace == "kube-system"`, `not matching feed == "threats"`. */
export function describeCondition(n: SelectorNode): string {
  if (n.op === "not") {
    const inner = readable(n.operand);
    return inner === undefined ? "that are known endpoints or network sets" : `not matching ${inner}`;
  }
  const text = readable(n);
  return text === undefined ? "outside every known endpoint and network set" : `matching ${text}`;
}

function readable(n: SelectorNode): string | undefined {
  const stripped = stripKnown(n);
  if (stripped === undefined) return undefined;
  return printNode(mapNode(stripped, (x) => ("label" in x ? { ...x, label: readableKey(x.label) } : x))).replace(/^\((.*)\)$/, "$1");
}

function stripKnown(n: SelectorNode): SelectorNode | undefined {
  if (n.op === "has" && n.label === KNOWN_LABEL) return undefined;
  if (n.op === "and") {
    const rest = n.operands.filter((o) => !(o.op === "has" && o.label === KNOWN_LABEL));
    if (rest.length === 0) return undefined;
    return rest.length === 1 ? rest[0] : { op: "and", operands: rest };
  }
  return n;
}

function readableKey(key: string): string {
  const k = canonicalKey(key);
  if (k === NAMESPACE_LABEL) return "namespace";
  if (k === SERVICE_ACCOUNT_LABEL) return "serviceaccount";
  if (k.startsWith("pcns.")) return `ns:${k.slice(5)}`;
  if (k.startsWith("pcsa.")) return `sa:${k.slice(5)}`;
  return k;
}

/** Identity of a decider, for grouping the pieces it decided. */
export function deciderKey(d: Decider): string {
  return d.kind === "rule" ? `rule/${d.policy.seq}/${d.rule.path}` : `end/${d.tier.name}/${d.policy.seq}`;
}

/** `rule 0 of GlobalNetworkPolicy quarantine (tier security)`, or the end of a tier. */
export function deciderLabel(d: Decider): string {
  if (d.kind === "rule") return `rule ${d.rule.index} of ${describePolicy(d.policy.ref)} (tier ${d.policy.ref.tier})`;
  return `the end of tier ${d.tier.name} (defaultAction Deny), which applies because ${describePolicy(d.policy.ref)} selects these endpoints`;
}

/** `GlobalNetworkPolicy quarantine spec.ingress[0] at security/quarantine.yaml:21`. */
export function deciderDetail(d: Decider): string {
  if (d.kind === "rule") return `${describePolicy(d.policy.ref)} ${d.rule.path} (rule ${d.rule.index}, tier ${d.policy.ref.tier}) at ${where(d.policy.resource, d.rule.path)}`;
  const tierAt = d.tier.resource ? ` defined at ${where(d.tier.resource, "spec")}` : " (built in)";
  return `end of tier ${d.tier.name}${tierAt}; ${describePolicy(d.policy.ref)} selects the endpoints, at ${where(d.policy.resource, "spec.selector")}`;
}

export function where(r: Resource | PolicyResource, path: string): string {
  const at = r.source.at(path);
  return `${at.file}:${at.line}`;
}

/** `@acme/secops, @alice`, or a note that nobody is listed. */
export function ownersOf(config: TierguardConfig, tier: string): { text: string; list: string[] } {
  const list = config.tiers.get(tier)?.owners ?? [];
  return { list, text: list.length > 0 ? list.map((o) => `@${o}`).join(", ") : "nobody is listed in tierguard.yaml" };
}
