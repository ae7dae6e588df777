import type { Ip } from "./ip.js";
import {
  K8S_NAMESPACE_NAME_LABEL,
  NAME_LABEL,
  NAMESPACE_LABEL,
  NAMESPACE_PREFIX,
  ORCHESTRATOR_LABEL,
  SERVICE_ACCOUNT_LABEL,
  SERVICE_ACCOUNT_PREFIX,
  UNKNOWN_NAMESPACE_LABELS,
  UNKNOWN_POD_LABELS,
  UNKNOWN_SERVICE_ACCOUNT,
  UNKNOWN_SERVICE_ACCOUNT_LABELS,
  type LabelInterner,
  type LabelSet,
} from "./labels.js";

/**
 * The two ends of a flow. A workload is a Kubernetes pod (policies apply to it); a network set and an external
 * address are only ever sources or destinations. calico-semantics §2 gives the implicit labels built here.
 */
export type EndpointKind = "workload" | "networkset" | "external";

export interface NamedPort {
  name: string;
  /** IANA protocol number. */
  protocol: number;
  port: number;
}

export interface Endpoint {
  kind: EndpointKind;
  /** Namespace of a workload or namespaced network set. */
  namespace?: string;
  /** Pod name, aggregated name (`frontend-7d9c-*`), or network-set name; for messages and identity. */
  name?: string;
  /** All labels a selector sees, implicit ones included. Empty for external addresses. */
  labels: LabelSet;
  /** Absent when the flow record does not carry it (aggregated records). */
  ip?: Ip;
  /** Named container ports; undefined when not known (no pod spec in the inventory). */
  namedPorts?: readonly NamedPort[];
  /** For an external address whose IP was aggregated away: `pvt` (RFC 1918) or `pub`. */
  addressClass?: "pvt" | "pub";
  /**
   * A hypothetical workload (a policy test, `explain --from-labels`): it has no address, so no CIDR and no network
   * set contains it, and that is certain rather than unknown.
   */
  hypothetical?: boolean;
}

export interface WorkloadFacts {
  namespace: string;
  name?: string;
  /** The pod's own labels; undefined when the record aggregated them away. */
  podLabels?: Readonly<Record<string, string>>;
  /**
   * True when `podLabels` are only those shared by several pods (Goldmane aggregates by intersection): they are
   * present, and other labels may be present on some of the pods.
   */
  podLabelsPartial?: boolean;
  hypothetical?: boolean;
  /** undefined when unknown. */
  serviceAccount?: string;
  serviceAccountLabels?: Readonly<Record<string, string>>;
  /** undefined when the namespace is not in the inventory. */
  namespaceLabels?: Readonly<Record<string, string>>;
  ip?: Ip;
  namedPorts?: readonly NamedPort[];
}

/** Calico's SA label is set only for names shorter than 63 characters (workload_endpoint_default.go). */
const MAX_SERVICE_ACCOUNT_LABEL_LENGTH = 63;

export function workloadEndpoint(facts: WorkloadFacts, interner: LabelInterner): Endpoint {
  const labels = new Map<string, string>(Object.entries(facts.podLabels ?? {}));
  labels.set(NAMESPACE_LABEL, facts.namespace);
  labels.set(ORCHESTRATOR_LABEL, "k8s");
  let unknown = facts.podLabels === undefined || facts.podLabelsPartial ? UNKNOWN_POD_LABELS : 0;
  if (facts.serviceAccount !== undefined && facts.serviceAccount.length < MAX_SERVICE_ACCOUNT_LABEL_LENGTH) {
    labels.set(SERVICE_ACCOUNT_LABEL, facts.serviceAccount);
  }
  // Profile labels come after the endpoint's own: the endpoint's label wins (label_inheritance_index.go).
  const inherit = (key: string, value: string) => {
    if (!labels.has(key)) labels.set(key, value);
  };
  for (const [k, v] of Object.entries(facts.namespaceLabels ?? {})) inherit(NAMESPACE_PREFIX + k, v);
  inherit(NAMESPACE_PREFIX + NAME_LABEL, facts.namespace);
  if (facts.namespaceLabels === undefined) {
    // The API server sets this label on every namespace (Kubernetes 1.21+), so it is known even without inventory.
    inherit(NAMESPACE_PREFIX + K8S_NAMESPACE_NAME_LABEL, facts.namespace);
    unknown |= UNKNOWN_NAMESPACE_LABELS;
  }
  if (facts.serviceAccount === undefined) {
    unknown |= UNKNOWN_SERVICE_ACCOUNT;
  } else {
    for (const [k, v] of Object.entries(facts.serviceAccountLabels ?? {})) inherit(SERVICE_ACCOUNT_PREFIX + k, v);
    inherit(SERVICE_ACCOUNT_PREFIX + NAME_LABEL, facts.serviceAccount);
    if (facts.serviceAccountLabels === undefined) unknown |= UNKNOWN_SERVICE_ACCOUNT_LABELS;
  }
  return {
    kind: "workload",
    namespace: facts.namespace,
    name: facts.name,
    labels: interner.intern(labels, unknown),
    ip: facts.ip,
    namedPorts: facts.namedPorts,
    ...(facts.hypothetical ? { hypothetical: true } : {}),
  };
}

/** Labels of a network set: its own, plus the namespace label and namespace profile labels when namespaced. */
export function networkSetLabels(
  own: Readonly<Record<string, string>>,
  namespace: string | undefined,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
  interner: LabelInterner,
): LabelSet {
  const labels = new Map<string, string>(Object.entries(own));
  let unknown = 0;
  if (namespace !== undefined) {
    labels.set(NAMESPACE_LABEL, namespace);
    const inherit = (key: string, value: string) => {
      if (!labels.has(key)) labels.set(key, value);
    };
    for (const [k, v] of Object.entries(namespaceLabels ?? {})) inherit(NAMESPACE_PREFIX + k, v);
    inherit(NAMESPACE_PREFIX + NAME_LABEL, namespace);
    if (namespaceLabels === undefined) {
      inherit(NAMESPACE_PREFIX + K8S_NAMESPACE_NAME_LABEL, namespace);
      unknown |= UNKNOWN_NAMESPACE_LABELS;
    }
  }
  return interner.intern(labels, unknown);
}

export function describeEndpoint(ep: Endpoint): string {
  switch (ep.kind) {
    case "workload":
      return `${ep.namespace}/${ep.name ?? "<pod>"}`;
    case "networkset":
      return ep.namespace ? `networkset ${ep.namespace}/${ep.name}` : `globalnetworkset ${ep.name}`;
    case "external":
      return ep.ip ? formatIpShort(ep) : ep.addressClass === "pvt" ? "private address" : "public address";
  }
}

function formatIpShort(ep: Endpoint): string {
  return ep.name ?? "external address";
}
