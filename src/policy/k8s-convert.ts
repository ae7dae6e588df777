import type {
  CalicoPolicySpec,
  EntityRule,
  K8sPeer,
  K8sPolicyResource,
  K8sPolicySpec,
  K8sPort,
  LabelSelector,
  Rule,
} from "./types.js";

/**
 * Kubernetes NetworkPolicy → Calico NetworkPolicy, as libcalico-go's K8sNetworkPolicyToCalico does it
 * (calico-semantics §8): default tier, order 1000, every rule Allow, one rule per protocol per peer with protocols
 * in sorted order outside and peers inside, `{}` namespaceSelector meaning all namespaces, and the policy selector
 * restricted to Kubernetes pods.
 *
 * `networking.k8s.io/v1` objects first get the API server's defaulting (a stored object always has policyTypes and
 * port protocols); StagedKubernetesNetworkPolicy is a Calico resource and is converted as written.
 */
export const K8S_POLICY_ORDER = 1000;
export const ORCHESTRATOR_SELECTOR = "projectcalico.org/orchestrator == 'k8s'";

export interface ConvertedK8sPolicy {
  spec: CalicoPolicySpec;
  /** For each converted rule, the path of the Kubernetes rule, peer and port it came from (for messages). */
  ingressOrigins: string[];
  egressOrigins: string[];
  /** True when egress rules exist but the types say Ingress only, so Calico ignores them. */
  egressIgnored: boolean;
}

/** The API server's defaulting of a NetworkPolicy spec (pkg/apis/networking/v1/defaults.go). */
export function defaultK8sSpec(spec: K8sPolicySpec): K8sPolicySpec {
  const policyTypes =
    spec.policyTypes && spec.policyTypes.length > 0
      ? spec.policyTypes
      : spec.egress && spec.egress.length > 0
        ? ["Ingress", "Egress"]
        : ["Ingress"];
  const withTcp = (ports?: K8sPort[]) => ports?.map((p) => ({ ...p, protocol: p.protocol ?? "TCP" }));
  return {
    ...spec,
    policyTypes,
    ingress: spec.ingress?.map((r) => ({ ...r, ports: withTcp(r.ports) })),
    egress: spec.egress?.map((r) => ({ ...r, ports: withTcp(r.ports) })),
  };
}

export function convertK8sPolicy(resource: K8sPolicyResource): ConvertedK8sPolicy {
  const raw = resource.spec;
  const spec = resource.kind === "KubernetesNetworkPolicy" ? defaultK8sSpec(raw) : raw;
  const types = (spec.policyTypes ?? []).filter((t) => t === "Ingress" || t === "Egress");
  const effectiveTypes = types.length > 0 ? types : ["Ingress"];
  const ingressOrigins: string[] = [];
  const egressOrigins: string[] = [];
  const ingress: Rule[] = [];
  const egress: Rule[] = [];
  (spec.ingress ?? []).forEach((r, i) =>
    ingress.push(...convertRule(r.from, r.ports, true, `spec.ingress[${i}]`, ingressOrigins)),
  );
  (spec.egress ?? []).forEach((r, i) =>
    egress.push(...convertRule(r.to, r.ports, false, `spec.egress[${i}]`, egressOrigins)),
  );
  const podSel = selectorToCalico(spec.podSelector, "pod");
  return {
    spec: {
      tier: "default",
      order: K8S_POLICY_ORDER,
      selector: podSel,
      types: effectiveTypes,
      ingress,
      egress,
      stagedAction: spec.stagedAction,
    },
    ingressOrigins,
    egressOrigins,
    egressIgnored: (spec.egress?.length ?? 0) > 0 && !effectiveTypes.includes("Egress"),
  };
}

function convertRule(
  peers: K8sPeer[] | undefined,
  ports: K8sPort[] | undefined,
  ingress: boolean,
  path: string,
  origins: string[],
): Rule[] {
  const peerList: Array<K8sPeer | undefined> = peers && peers.length > 0 ? peers : [undefined];
  const byProtocol = groupPorts(ports);
  const rules: Rule[] = [];
  for (const protocol of [...byProtocol.keys()].sort()) {
    const portList = byProtocol.get(protocol);
    for (let p = 0; p < peerList.length; p++) {
      const peer = peerFields(peerList[p]);
      const rule: Rule = { action: "Allow" };
      if (protocol !== "") rule.protocol = protocol;
      const portField: EntityRule = portList ? { ports: portList } : {};
      if (ingress) {
        rule.source = peer;
        rule.destination = portField;
      } else {
        rule.destination = { ...portField, ...peer };
      }
      rules.push(rule);
      origins.push(peerList[p] ? `${path}.${ingress ? "from" : "to"}[${p}]` : path);
    }
  }
  return rules;
}

/**
 * Ports grouped by protocol. A `undefined` entry means all ports of that protocol; the "" protocol (no ports list
 * at all) means all traffic. An entry without a port overrides specific ports of the same protocol.
 */
function groupPorts(ports: K8sPort[] | undefined): Map<string, Array<number | string> | undefined> {
  const out = new Map<string, Array<number | string> | undefined>();
  if (!ports || ports.length === 0) {
    out.set("", undefined);
    return out;
  }
  for (const port of ports) {
    const protocol = port.protocol ?? "TCP";
    if (port.port === undefined) {
      out.set(protocol, undefined);
      continue;
    }
    if (out.has(protocol) && out.get(protocol) === undefined) continue;
    const value: number | string =
      port.endPort !== undefined ? `${port.port}:${port.endPort}` : port.port;
    out.set(protocol, [...(out.get(protocol) ?? []), value]);
  }
  return out;
}

function peerFields(peer: K8sPeer | undefined): EntityRule {
  if (!peer) return {};
  if (peer.ipBlock) {
    const out: EntityRule = { nets: [peer.ipBlock.cidr ?? ""] };
    if (peer.ipBlock.except && peer.ipBlock.except.length > 0) out.notNets = [...peer.ipBlock.except];
    return out;
  }
  const out: EntityRule = { selector: selectorToCalico(peer.podSelector, "pod") };
  const ns = selectorToCalico(peer.namespaceSelector, "namespace");
  if (ns !== "") out.namespaceSelector = ns;
  return out;
}

/**
 * k8sSelectorToCalico: matchLabels sorted by key, then matchExpressions in order. A pod selector always starts
 * with the orchestrator term; an empty namespace selector `{}` is all(), an absent one is "" (this namespace).
 */
export function selectorToCalico(sel: LabelSelector | undefined, kind: "pod" | "namespace"): string {
  const terms: string[] = kind === "pod" ? [ORCHESTRATOR_SELECTOR] : [];
  if (sel === undefined) return terms.join(" && ");
  const q = (v: string) => (v.includes("'") ? `"${v}"` : `'${v}'`);
  for (const key of Object.keys(sel.matchLabels ?? {}).sort()) {
    terms.push(`${key} == ${q(sel.matchLabels![key])}`);
  }
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).map(q).join(", ");
    switch (e.operator) {
      case "In":
        terms.push(`${e.key} in { ${values} }`);
        break;
      case "NotIn":
        terms.push(`${e.key} not in { ${values} }`);
        break;
      case "Exists":
        terms.push(`has(${e.key})`);
        break;
      case "DoesNotExist":
        terms.push(`! has(${e.key})`);
        break;
    }
  }
  if (kind === "namespace" && terms.length === 0) return "all()";
  return terms.join(" && ");
}
