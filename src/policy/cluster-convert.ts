import { selectorToCalico } from "./k8s-convert.js";
import {
  policyTier,
  type AnpPort,
  type CalicoPolicySpec,
  type ClusterPolicyPeer,
  type ClusterPolicyResource,
  type ClusterPolicyRule,
  type CnpPort,
  type CnpProtocol,
  type EntityRule,
  type Rule,
} from "./types.js";

/**
 * ClusterNetworkPolicy (and, for Calico 3.31, AdminNetworkPolicy / BaselineAdminNetworkPolicy) → the
 * GlobalNetworkPolicy Calico builds from it (libcalico-go conversion/clusternetworkpolicy.go at v3.32; the v1alpha1
 * kinds in conversion.go at v3.31):
 * - tier kube-admin / kube-baseline (v1alpha1: adminnetworkpolicy / baselineadminnetworkpolicy), order = priority
 *   (a BaselineAdminNetworkPolicy has none: order 1000);
 * - subject `namespaces` → namespaceSelector, with the pod selector restricted to Kubernetes pods; `pods` → both;
 * - Accept → Allow, Deny and Pass as written; one rule per protocol (sorted, "" first) per peer;
 * - a rule Calico cannot convert (a peer with only `nodes` or `domainNames`, an unparsable network) fails closed:
 *   Deny and Pass rules become a deny-all rule, Accept/Allow rules are dropped;
 * - types from which rule lists are non-empty; with neither, the backend's empty types mean both directions.
 */
export const BANP_ORDER = 1000;

export interface ConvertedClusterPolicy {
  spec: CalicoPolicySpec;
  ingressOrigins: string[];
  egressOrigins: string[];
  /** Rules Calico could not convert, by path, with what Calico did instead. */
  failed: Array<{ path: string; reason: string }>;
}

type PortsByProtocol = Map<string, Array<number | string> | undefined>;

export function convertClusterPolicy(resource: ClusterPolicyResource): ConvertedClusterPolicy {
  const spec = resource.spec;
  const v1alpha1 = resource.kind !== "ClusterNetworkPolicy";
  const out: ConvertedClusterPolicy = { spec: {}, ingressOrigins: [], egressOrigins: [], failed: [] };
  const ingress: Rule[] = [];
  const egress: Rule[] = [];
  (spec.ingress ?? []).forEach((r, i) => ingress.push(...convertRule(r, "ingress", `spec.ingress[${i}]`, v1alpha1, out)));
  (spec.egress ?? []).forEach((r, i) => egress.push(...convertRule(r, "egress", `spec.egress[${i}]`, v1alpha1, out)));
  const types = [ingress.length > 0 ? "Ingress" : "", egress.length > 0 ? "Egress" : ""].filter(Boolean);
  const subject = spec.subject ?? {};
  const namespaces = subject.namespaces ?? (subject.pods ? subject.pods.namespaceSelector ?? {} : undefined);
  out.spec = {
    tier: policyTier(resource),
    order: resource.kind === "BaselineAdminNetworkPolicy" ? BANP_ORDER : spec.priority ?? 0,
    // A subject Calico cannot read makes the policy a tombstone: it selects nothing.
    selector: namespaces === undefined ? "!all()" : selectorToCalico(subject.namespaces ? undefined : subject.pods?.podSelector ?? {}, "pod"),
    namespaceSelector: namespaces === undefined ? undefined : selectorToCalico(namespaces, "namespace"),
    types: types.length > 0 ? types : ["Ingress", "Egress"],
    ingress,
    egress,
  };
  return out;
}

function convertRule(
  rule: ClusterPolicyRule,
  direction: "ingress" | "egress",
  path: string,
  v1alpha1: boolean,
  out: ConvertedClusterPolicy,
): Rule[] {
  const origins = direction === "ingress" ? out.ingressOrigins : out.egressOrigins;
  const action = rule.action === "Accept" || rule.action === "Allow" ? "Allow" : rule.action === "Pass" ? "Pass" : "Deny";
  const peers = (direction === "ingress" ? rule.from : rule.to) ?? [];
  const peerField = direction === "ingress" ? "from" : "to";
  const byProtocol = v1alpha1 ? anpPorts(rule.ports) : cnpPorts(rule.protocols);
  const rules: Rule[] = [];
  const rulePaths: string[] = [];
  for (const protocol of [...byProtocol.keys()].sort()) {
    const ports = byProtocol.get(protocol);
    for (let p = 0; p < peers.length; p++) {
      const peer = peerFields(peers[p], direction);
      if (typeof peer === "string") return failClosed(action, path, `${peerField}[${p}]: ${peer}`, origins, out);
      const r: Rule = { action };
      if (protocol !== "") r.protocol = protocol;
      const portField: EntityRule = ports ? { ports } : {};
      if (direction === "ingress") {
        r.source = peer;
        r.destination = portField;
      } else {
        r.destination = { ...portField, ...peer };
      }
      rules.push(r);
      rulePaths.push(`${path}.${peerField}[${p}]`);
    }
  }
  origins.push(...rulePaths);
  return rules;
}

function failClosed(action: string, path: string, reason: string, origins: string[], out: ConvertedClusterPolicy): Rule[] {
  const denies = action !== "Allow";
  out.failed.push({ path, reason: `${reason}; Calico ${denies ? "replaces the rule with one that denies all traffic" : "drops the rule"}` });
  if (!denies) return [];
  origins.push(path);
  return [{ action: "Deny" }];
}

/** A peer's match fields, or why Calico cannot convert it. */
function peerFields(peer: ClusterPolicyPeer, direction: "ingress" | "egress"): EntityRule | string {
  if (peer.namespaces) return { namespaceSelector: selectorToCalico(peer.namespaces, "namespace") };
  if (peer.pods) {
    return {
      selector: selectorToCalico(peer.pods.podSelector ?? {}, "pod"),
      namespaceSelector: selectorToCalico(peer.pods.namespaceSelector ?? {}, "namespace"),
    };
  }
  if (direction === "egress" && peer.networks && peer.networks.length > 0) return { nets: [...peer.networks] };
  const which = peer.nodes ? "a nodes peer" : peer.domainNames ? "a domainNames peer" : "an empty peer";
  return `${which} is not supported by Calico`;
}

/** v1alpha2 `protocols` (unpackCNPProtocols): an empty entry, or no list, means all traffic. */
function cnpPorts(protocols: CnpProtocol[] | undefined): PortsByProtocol {
  const out: PortsByProtocol = new Map();
  for (const p of protocols && protocols.length > 0 ? protocols : [{}]) {
    const [protocol, port] = cnpEntry(p);
    if (protocol === undefined) return new Map([["", undefined]]);
    addPort(out, protocol, port);
  }
  return out;
}

function cnpEntry(p: CnpProtocol): [string | undefined, number | string | undefined] {
  const numbered = (name: string, dp: CnpPort | undefined): [string, number | string | undefined] => [
    name,
    dp?.number ? dp.number : dp?.range ? `${dp.range.start}:${dp.range.end}` : undefined,
  ];
  if (p.tcp) return numbered("TCP", p.tcp.destinationPort);
  if (p.udp) return numbered("UDP", p.udp.destinationPort);
  if (p.sctp) return numbered("SCTP", p.sctp.destinationPort);
  if (p.destinationNamedPort) return ["", p.destinationNamedPort];
  return [undefined, undefined];
}

/**
 * v1alpha1 `ports` (unpackANPPorts at v3.31): a missing protocol is TCP. Calico 3.31 does not implement named
 * ports: a `namedPort` entry converts to nothing, which reads as "all traffic" and ends the list.
 */
function anpPorts(ports: AnpPort[] | undefined): PortsByProtocol {
  const out: PortsByProtocol = new Map();
  for (const p of ports && ports.length > 0 ? ports : [{}]) {
    if (p.portNumber) addPort(out, p.portNumber.protocol || "TCP", p.portNumber.port);
    else if (p.portRange) addPort(out, p.portRange.protocol || "TCP", `${p.portRange.start}:${p.portRange.end}`);
    else return new Map([["", undefined]]);
  }
  return out;
}

/** `undefined` ports means every port of the protocol, and is never narrowed by a later entry. */
function addPort(out: PortsByProtocol, protocol: string, port: number | string | undefined): void {
  if (port === undefined) {
    out.set(protocol, undefined);
    return;
  }
  if (out.has(protocol) && out.get(protocol) === undefined) return;
  out.set(protocol, [...(out.get(protocol) ?? []), port]);
}
