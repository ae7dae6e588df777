import type { ClusterPolicyKind, ClusterPolicySpec, LabelSelector } from "./cluster-types.js";
import type { SourceMap } from "./source.js";

// The Kubernetes label selector and the cluster-admin kinds' spec live in cluster-types.ts (kept under 300 lines).
export type * from "./cluster-types.js";

/**
 * The resource model, after the schema check: every field has its declared type or is absent. Field names and
 * meanings are those of the Calico v3 API (api/pkg/apis/projectcalico/v3) and Kubernetes networking.k8s.io/v1;
 * an absent field means "not set" and takes the API default described on it.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  /** Absent on a namespaced kind means the namespace given by --namespace or "default". */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface IcmpFields {
  type?: number;
  code?: number;
}

export interface ServiceAccountMatch {
  names?: string[];
  selector?: string;
}

export interface ServiceMatch {
  name?: string;
  namespace?: string;
}

/** A rule's source or destination. Absent fields do not constrain the match. */
export interface EntityRule {
  nets?: string[];
  notNets?: string[];
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  /** Port numbers, "lo:hi" ranges (also as strings such as "80"), or named ports. */
  ports?: Array<number | string>;
  notPorts?: Array<number | string>;
  serviceAccounts?: ServiceAccountMatch;
  services?: ServiceMatch;
  /** Calico Enterprise: egress destination domain names. */
  domains?: string[];
}

export interface HttpPath {
  exact?: string;
  prefix?: string;
}

export interface HttpMatch {
  methods?: string[];
  paths?: HttpPath[];
  headers?: unknown[];
}

export interface Rule {
  /** Required: Allow | Deny | Log | Pass (validated case-sensitively). */
  action?: string;
  ipVersion?: number;
  protocol?: number | string;
  notProtocol?: number | string;
  icmp?: IcmpFields;
  notICMP?: IcmpFields;
  source?: EntityRule;
  destination?: EntityRule;
  http?: HttpMatch;
  metadata?: { annotations?: Record<string, string> };
}

export interface CalicoPolicySpec {
  /** Absent means "default". */
  tier?: string;
  /** Absent means last (+Inf) within the tier. */
  order?: number;
  /** Absent or empty means all(). */
  selector?: string;
  /** GlobalNetworkPolicy only. */
  namespaceSelector?: string;
  serviceAccountSelector?: string;
  /** Absent or empty is defaulted from the rules (calico-semantics §4.6). */
  types?: string[];
  ingress?: Rule[];
  egress?: Rule[];
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
  performanceHints?: string[];
  /** Staged kinds only; absent means Set. */
  stagedAction?: string;
}

export interface TierSpec {
  /** Absent means last. */
  order?: number;
  /** Absent means Deny. */
  defaultAction?: string;
}

export interface NetworkSetSpec {
  nets?: string[];
  /** Calico Enterprise. */
  allowedEgressDomains?: string[];
}

export interface IpBlock {
  cidr?: string;
  except?: string[];
}

export interface K8sPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IpBlock;
}

export interface K8sPort {
  /** Absent means TCP (API server defaulting). */
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface K8sIngressRule {
  from?: K8sPeer[];
  ports?: K8sPort[];
}

export interface K8sEgressRule {
  to?: K8sPeer[];
  ports?: K8sPort[];
}

export interface K8sPolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: K8sIngressRule[];
  egress?: K8sEgressRule[];
  /** StagedKubernetesNetworkPolicy only. */
  stagedAction?: string;
}

export type CalicoPolicyKind =
  | "NetworkPolicy"
  | "GlobalNetworkPolicy"
  | "StagedNetworkPolicy"
  | "StagedGlobalNetworkPolicy";

/** `KubernetesNetworkPolicy` is networking.k8s.io/v1 NetworkPolicy, renamed so kinds are unique across groups. */
export type K8sPolicyKind = "KubernetesNetworkPolicy" | "StagedKubernetesNetworkPolicy";

export type NetworkSetKind = "NetworkSet" | "GlobalNetworkSet";

interface ResourceBase<K extends string, S> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
  source: SourceMap;
  /** True when metadata.namespace was not in the file and the default namespace was filled in. */
  namespaceDefaulted?: boolean;
}

export type TierResource = ResourceBase<"Tier", TierSpec>;
export type CalicoPolicyResource = ResourceBase<CalicoPolicyKind, CalicoPolicySpec>;
export type K8sPolicyResource = ResourceBase<K8sPolicyKind, K8sPolicySpec>;
export type NetworkSetResource = ResourceBase<NetworkSetKind, NetworkSetSpec>;

export type ClusterPolicyResource = ResourceBase<ClusterPolicyKind, ClusterPolicySpec>;

export type PolicyResource = CalicoPolicyResource | K8sPolicyResource | ClusterPolicyResource;

export function isClusterPolicy(r: { kind: string }): r is ClusterPolicyResource {
  return r.kind === "ClusterNetworkPolicy" || r.kind === "AdminNetworkPolicy" || r.kind === "BaselineAdminNetworkPolicy";
}

/** The built-in tiers the cluster-admin kinds live in (calico-semantics §8.1). */
export const KUBE_ADMIN_TIER = "kube-admin";
export const KUBE_BASELINE_TIER = "kube-baseline";
export const ANP_TIER = "adminnetworkpolicy";
export const BANP_TIER = "baselineadminnetworkpolicy";

/**
 * The tier a policy resource is evaluated in: `spec.tier` (default "default") for Calico kinds, "default" for
 * Kubernetes NetworkPolicy, kube-admin/kube-baseline for a ClusterNetworkPolicy (its `spec.tier` is Admin or
 * Baseline, not a tier name), and the 3.31 tiers for AdminNetworkPolicy and BaselineAdminNetworkPolicy.
 */
export function policyTier(r: PolicyResource): string {
  switch (r.kind) {
    case "KubernetesNetworkPolicy":
    case "StagedKubernetesNetworkPolicy":
      return "default";
    case "ClusterNetworkPolicy":
      return r.spec.tier === "Baseline" ? KUBE_BASELINE_TIER : KUBE_ADMIN_TIER;
    case "AdminNetworkPolicy":
      return ANP_TIER;
    case "BaselineAdminNetworkPolicy":
      return BANP_TIER;
    default:
      return r.spec.tier || "default";
  }
}

/** Calico policy kinds (not Kubernetes NetworkPolicy), whose rules are written in Calico's form. */
export function isCalicoPolicy(r: Resource): r is CalicoPolicyResource {
  return r.kind === "NetworkPolicy" || r.kind === "GlobalNetworkPolicy" || r.kind === "StagedNetworkPolicy" || r.kind === "StagedGlobalNetworkPolicy";
}
export type Resource = TierResource | PolicyResource | NetworkSetResource;
export type ResourceKind = Resource["kind"];

export function isPolicy(r: Resource): r is PolicyResource {
  return r.kind !== "Tier" && r.kind !== "NetworkSet" && r.kind !== "GlobalNetworkSet";
}

export function isStagedKind(kind: ResourceKind): boolean {
  return kind.startsWith("Staged");
}

export function isNamespacedKind(kind: ResourceKind): boolean {
  return (
    kind === "NetworkPolicy" ||
    kind === "StagedNetworkPolicy" ||
    kind === "KubernetesNetworkPolicy" ||
    kind === "StagedKubernetesNetworkPolicy" ||
    kind === "NetworkSet"
  );
}

/** `Kind namespace/name` (or `Kind name`), for messages. */
export function describeResource(r: { kind: string; metadata: ObjectMeta }): string {
  const name = r.metadata.name ?? "<unnamed>";
  return r.metadata.namespace ? `${r.kind} ${r.metadata.namespace}/${name}` : `${r.kind} ${name}`;
}
