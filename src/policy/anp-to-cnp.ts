import { stringify } from "yaml";
import type { AnpPort, ClusterPolicyPeer, ClusterPolicyResource, ClusterPolicyRule, CnpProtocol } from "./types.js";

/**
 * The ClusterNetworkPolicy (v1alpha2) that replaces an AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1),
 * for the fix Calico 3.32+ users need: Calico no longer enforces the v1alpha1 kinds. AdminNetworkPolicy becomes
 * tier Admin at the same priority; BaselineAdminNetworkPolicy becomes tier Baseline at priority 1000 (Calico 3.31
 * ordered it at 1000 in its tier, so Calico policies placed in kube-baseline keep their place relative to it).
 * Allow becomes Accept; `ports` become `protocols` (portNumber → destinationPort.number, portRange →
 * destinationPort.range, namedPort → destinationNamedPort). Peers and subject carry over unchanged.
 */
export function equivalentClusterNetworkPolicy(r: ClusterPolicyResource): Record<string, unknown> {
  const baseline = r.kind === "BaselineAdminNetworkPolicy";
  const spec: Record<string, unknown> = {
    tier: baseline ? "Baseline" : "Admin",
    priority: baseline ? 1000 : r.spec.priority ?? 0,
    subject: r.spec.subject ?? {},
  };
  if (r.spec.ingress) spec.ingress = r.spec.ingress.map((rule) => convertRule(rule, "from"));
  if (r.spec.egress) spec.egress = r.spec.egress.map((rule) => convertRule(rule, "to"));
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name: r.metadata.name ?? "<unnamed>" },
    spec,
  };
}

/** The replacement as YAML, for a diagnostic's fix. */
export function equivalentClusterNetworkPolicyYaml(r: ClusterPolicyResource): string {
  return stringify(equivalentClusterNetworkPolicy(r), { lineWidth: 0 });
}

function convertRule(rule: ClusterPolicyRule, field: "from" | "to"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rule.name !== undefined) out.name = rule.name;
  out.action = rule.action === "Allow" ? "Accept" : rule.action;
  out[field] = (rule[field] ?? []).map((p: ClusterPolicyPeer) => ({ ...p }));
  if (rule.ports && rule.ports.length > 0) out.protocols = rule.ports.map(convertPort);
  return out;
}

function convertPort(p: AnpPort): CnpProtocol {
  if (p.namedPort !== undefined) return { destinationNamedPort: p.namedPort };
  const key = (protocol: string | undefined) => (protocol || "TCP").toLowerCase() as "tcp" | "udp" | "sctp";
  if (p.portRange) {
    return { [key(p.portRange.protocol)]: { destinationPort: { range: { start: p.portRange.start, end: p.portRange.end } } } };
  }
  return { [key(p.portNumber?.protocol)]: { destinationPort: { number: p.portNumber?.port } } };
}
