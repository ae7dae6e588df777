/**
 * The shared vocabulary of reconciliation: objects as the Kubernetes API holds them, references to them, the
 * writes that turn one cluster state into another, and the marks that say tierguard manages an object. Pure types
 * and constants: the planner (this folder) and the Kubernetes adapter (src/controller) both speak them.
 */

/**
 * The kinds the controller reads and writes, in tierguard's names. "KubernetesNetworkPolicy" is the Kubernetes
 * `networking.k8s.io/v1` NetworkPolicy (its API kind is "NetworkPolicy"); "ClusterNetworkPolicy" is `policy.networking.k8s.io/v1alpha2`; every other kind is `projectcalico.org/v3`.
 */
export type ClusterKind =
  | "Tier"
  | "GlobalNetworkSet"
  | "NetworkSet"
  | "GlobalNetworkPolicy"
  | "NetworkPolicy"
  | "KubernetesNetworkPolicy"
  | "ClusterNetworkPolicy"
  | "StagedGlobalNetworkPolicy"
  | "StagedNetworkPolicy"
  | "StagedKubernetesNetworkPolicy";

export interface KindInfo {
  kind: ClusterKind;
  /** The API group ("" for core), version and plural of its REST path. */
  group: string;
  version: string;
  plural: string;
  /** The `kind` field the API server writes. */
  apiKind: string;
  namespaced: boolean;
}

const calico = (kind: ClusterKind, plural: string, namespaced: boolean): KindInfo => ({ kind, group: "projectcalico.org", version: "v3", plural, apiKind: kind, namespaced });

/** Every managed kind, in the order a promotion writes them: tiers, then sets, then the policies that use them. */
export const CLUSTER_KINDS: readonly KindInfo[] = [
  calico("Tier", "tiers", false),
  calico("GlobalNetworkSet", "globalnetworksets", false),
  calico("NetworkSet", "networksets", true),
  calico("GlobalNetworkPolicy", "globalnetworkpolicies", false),
  calico("NetworkPolicy", "networkpolicies", true),
  { kind: "KubernetesNetworkPolicy", group: "networking.k8s.io", version: "v1", plural: "networkpolicies", apiKind: "NetworkPolicy", namespaced: true },
  // Calico 3.32+ enforces it in the kube-admin / kube-baseline tiers, which exist in every cluster (built in).
  { kind: "ClusterNetworkPolicy", group: "policy.networking.k8s.io", version: "v1alpha2", plural: "clusternetworkpolicies", apiKind: "ClusterNetworkPolicy", namespaced: false },
  calico("StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies", false),
  calico("StagedNetworkPolicy", "stagednetworkpolicies", true),
  calico("StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies", true),
];

export function kindInfo(kind: ClusterKind): KindInfo {
  return CLUSTER_KINDS.find((k) => k.kind === kind)!;
}

/** An object's identity in the cluster. `name` is the name the API holds (after the name model). */
export interface ObjectRef {
  kind: ClusterKind;
  /** Undefined for cluster-wide kinds. */
  namespace?: string;
  name: string;
}

export interface ObjectMetaLive {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set by the server; sent back on update for optimistic concurrency. */
  resourceVersion?: string;
  uid?: string;
}

/** An object as the API holds it (plain JSON: never passed through the client's typed models). */
export interface ClusterObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetaLive;
  spec: Record<string, unknown>;
}

export type WriteVerb = "create" | "update" | "patch" | "delete";

/** One API write, as `tierguard sync --output json` lists them: `{verb, kind, namespace, name}`. */
export interface Write {
  verb: WriteVerb;
  kind: ClusterKind;
  /** null for cluster-wide kinds (the JSON shape the issue fixes). */
  namespace: string | null;
  name: string;
  /** The object to create or update (or the merge patch's body); undefined for delete. */
  object?: ClusterObject;
  /** Why, in the words of the plan: "enforce NetworkPolicy shop/allow-web", "remove staged twin", "restore". */
  reason: string;
}

/** tierguard's marks on what it manages. An object without MANAGED_LABEL is never changed or deleted. */
export const MANAGED_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_VALUE = "tierguard";
/** On staged previews: the pull request they preview. Unstage deletes exactly the managed objects with this label. */
export const PR_LABEL = "tierguard.dev/pull-request";
/** "enforced" for what the default branch promoted; "preview" for a pull request's staged copies. */
export const ROLE_LABEL = "tierguard.dev/role";
export const ANNOTATIONS = {
  commit: "tierguard.dev/commit",
  pullRequest: "tierguard.dev/pull-request",
  author: "tierguard.dev/author",
  time: "tierguard.dev/applied-at",
  /** The repository file (and line) that defines it. */
  source: "tierguard.dev/source",
  /** A hash of what tierguard wrote (spec, and its own labels): equal hash and covering spec mean nothing to do. */
  hash: "tierguard.dev/spec-hash",
} as const;

/** Who and what a write is for: recorded on every object and in every audit record. */
export interface Provenance {
  commit: string;
  pullRequest?: number;
  author?: string;
  /** ISO time the caller supplies (the core has no clock). */
  time: string;
}

/**
 * The transitional check's view of one write: the repository resource the object held before it and holds after
 * it (undefined: absent). The planner builds these from the diff; the check replays the snapshot through the states
 * they pass through. `Resource` is the policy model's (src/policy), so the engine evaluates them as the review did.
 */
export interface StateChange<R = unknown> {
  write: Write;
  before?: R;
  after?: R;
}

/** A write that must come before another (index into the changes): a tier before its policies, a create before the
 * delete of the staged twin it replaces, and so on. The orderer never breaks one. */
export type OrderConstraint = readonly [before: number, after: number];
