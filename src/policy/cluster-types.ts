/**
 * Kubernetes label selectors, and the specs of policy.networking.k8s.io ClusterNetworkPolicy (v1alpha2) and its
 * v1alpha1 predecessors (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, apis/v1alpha1/*_types.go).
 * Absent fields mean "not set"; the API's one-of and count rules are checked in validate/cnp.ts.
 */
export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

/** Kubernetes LabelSelector: absent matches nothing in some contexts and everything in others; see conversion. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** policy.networking.k8s.io ClusterNetworkPolicy (v1alpha2), AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1). */
export type ClusterPolicyKind = "ClusterNetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy";

export interface NamespacedPod {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}

/** Exactly one field is set (the API's MinProperties/MaxProperties 1). */
export interface ClusterPolicySubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
}

/** A peer: exactly one field. `networks` (egress), `nodes` and `domainNames` (egress, experimental). */
export interface ClusterPolicyPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPod;
  networks?: string[];
  nodes?: LabelSelector;
  domainNames?: string[];
}

/** v1alpha2 Port: exactly one of number or range. */
export interface CnpPort {
  number?: number;
  range?: { start?: number; end?: number };
}

/** v1alpha2 protocols entry: exactly one of tcp, udp, sctp or destinationNamedPort. */
export interface CnpProtocol {
  tcp?: { destinationPort?: CnpPort };
  udp?: { destinationPort?: CnpPort };
  sctp?: { destinationPort?: CnpPort };
  destinationNamedPort?: string;
}

/** v1alpha1 ports entry: exactly one of portNumber, namedPort or portRange; protocol absent means TCP. */
export interface AnpPort {
  portNumber?: { protocol?: string; port?: number };
  namedPort?: string;
  portRange?: { protocol?: string; start?: number; end?: number };
}

export interface ClusterPolicyRule {
  name?: string;
  /** CNP: Accept | Deny | Pass; ANP: Allow | Deny | Pass; BANP: Allow | Deny. */
  action?: string;
  /** Ingress rules only. */
  from?: ClusterPolicyPeer[];
  /** Egress rules only. */
  to?: ClusterPolicyPeer[];
  /** v1alpha2 (ClusterNetworkPolicy); absent means all traffic. */
  protocols?: CnpProtocol[];
  /** v1alpha1 (AdminNetworkPolicy, BaselineAdminNetworkPolicy); absent means all traffic. */
  ports?: AnpPort[];
}

export interface ClusterPolicySpec {
  /** ClusterNetworkPolicy only: Admin | Baseline (required). */
  tier?: string;
  /** 0–1000; lower runs first. Required on ClusterNetworkPolicy and AdminNetworkPolicy; BaselineAdminNetworkPolicy has none. */
  priority?: number;
  subject?: ClusterPolicySubject;
  ingress?: ClusterPolicyRule[];
  egress?: ClusterPolicyRule[];
  /** These kinds have no staged form; declared so code reading any policy's stagedAction type-checks. */
  stagedAction?: undefined;
}

