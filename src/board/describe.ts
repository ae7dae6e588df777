import type { CompiledPolicy } from "../engine/index.js";
import { convertK8sPolicy } from "../policy/index.js";
import type { CalicoPolicyResource, CalicoPolicySpec, EntityRule, K8sPolicyResource, Rule } from "../policy/index.js";

/**
 * A policy in words for the board's detail view: where it applies, then one sentence per rule in evaluation
 * order, then what happens to traffic no rule matched. Kubernetes policies are described through the same
 * conversion the engine evaluates, so the words say what tierguard (and Calico) will do with them.
 */
export function calicoSpecOf(p: CompiledPolicy): CalicoPolicySpec {
  const r = p.resource;
  if (r.kind === "KubernetesNetworkPolicy" || r.kind === "StagedKubernetesNetworkPolicy") return convertK8sPolicy(r as K8sPolicyResource).spec;
  return (r as CalicoPolicyResource).spec;
}

/**
 * With `rules: false`, only what precedes the rules (where it applies, its tier, staged notes): the board sends each
 * rule's sentence once, with its counts, and its page adds the rule lines and the end of each direction itself.
 */
export function explainPolicy(p: CompiledPolicy, tierDefault: string, options: { rules?: boolean } = {}): string[] {
  const spec = calicoSpecOf(p);
  const where = p.namespace !== undefined ? `in namespace ${p.namespace}` : spec.namespaceSelector ? `in namespaces matching ${spec.namespaceSelector}` : "in every namespace and on hosts";
  const dirs = [p.ingressApplies ? "incoming" : "", p.egressApplies ? "outgoing" : ""].filter(Boolean).join(" and ");
  const lines = [
    `${p.staged ? "Staged (reported, not enforced): applies" : "Applies"} to endpoints matching ${spec.selector?.trim() || "all()"} ${where}${spec.serviceAccountSelector ? ` with service accounts matching ${spec.serviceAccountSelector}` : ""}, for their ${dirs || "no"} traffic.`,
    `Tier ${p.ref.tier}, order ${Number.isFinite(p.order) ? p.order : "none (last in its tier)"}.`,
  ];
  if (p.staged && p.stagedAction !== "Set") lines.push(`stagedAction ${p.stagedAction}: ${p.stagedAction === "Delete" ? "previews deleting its enforced twin" : "not evaluated as a rule set"}.`);
  if (p.outOfScope) lines.push(`${p.outOfScope}: evaluated before normal policy; tierguard does not replay it.`);
  if (options.rules === false) return lines;
  for (const [dir, rules] of [["ingress", spec.ingress ?? []], ["egress", spec.egress ?? []]] as const) {
    if (!(dir === "ingress" ? p.ingressApplies : p.egressApplies)) continue;
    rules.forEach((r, i) => lines.push(`${dir === "ingress" ? "Ingress" : "Egress"} rule ${i}: ${ruleSentence(r, dir)}.`));
    lines.push(endOfRules(dir, tierDefault));
  }
  return lines;
}

export function endOfRules(dir: "ingress" | "egress", tierDefault: string): string {
  const end = tierDefault === "Pass" ? "passes to the next tier" : "is denied at the end of the tier (unless a later policy of the tier matches it)";
  return `${dir === "ingress" ? "Incoming" : "Outgoing"} traffic no rule matched ${end}.`;
}

export function ruleSentence(r: Rule, dir: "ingress" | "egress"): string {
  const verb = { Allow: "allow", Deny: "deny", Pass: "pass to the next tier", Log: "log (and continue)" }[r.action ?? "Deny"] ?? (r.action ?? "deny").toLowerCase();
  const parts = [verb];
  parts.push(r.protocol !== undefined ? `${r.protocol}` : "any protocol");
  if (r.notProtocol !== undefined) parts.push(`except ${r.notProtocol}`);
  // The selected endpoint is the destination of incoming traffic and the source of outgoing traffic: an empty
  // constraint on that side says nothing, on the peer's side it means anywhere.
  const src = entityWords(r.source);
  const dst = entityWords(r.destination);
  if (src || dir === "ingress") parts.push(src ? `from ${src}` : "from anywhere");
  if (dst || dir === "egress") parts.push(dst ? `to ${dst}` : "to anywhere");
  if (r.http) parts.push("(HTTP match: not evaluated by tierguard)");
  return parts.join(" ");
}

function entityWords(e: EntityRule | undefined): string {
  if (!e) return "";
  const bits: string[] = [];
  if (e.selector) bits.push(`endpoints matching ${e.selector}`);
  if (e.notSelector) bits.push(`not matching ${e.notSelector}`);
  if (e.namespaceSelector) bits.push(`in namespaces matching ${e.namespaceSelector}`);
  if (e.serviceAccounts) bits.push(`with service accounts ${JSON.stringify(e.serviceAccounts)}`);
  if (e.nets?.length) bits.push(`addresses ${e.nets.join(", ")}`);
  if (e.notNets?.length) bits.push(`not addresses ${e.notNets.join(", ")}`);
  if (e.domains?.length) bits.push(`domains ${e.domains.join(", ")}`);
  if (e.services) bits.push(`service ${e.services.namespace ? `${e.services.namespace}/` : ""}${e.services.name}`);
  if (e.ports?.length) bits.push(`port${e.ports.length > 1 ? "s" : ""} ${e.ports.join(", ")}`);
  if (e.notPorts?.length) bits.push(`not ports ${e.notPorts.join(", ")}`);
  return bits.join(", ");
}
