import type { CalicoModel } from "../policy/index.js";

/**
 * What decided a verdict, and how Calico's flow logs would name it (calico-semantics §10). v3.32+ writes
 * `<idx>|<tier>|<kind>:<ns>/<name>|<action>|<ruleIdx>`; up to v3.31 the Enterprise form
 * `<idx>|<tier>|<ns>/<tier>.<name>|<action>|<ruleIdx>` with `staged:` and `knp.default.` prefixes.
 */
export type PolicyKind =
  | "NetworkPolicy"
  | "GlobalNetworkPolicy"
  | "StagedNetworkPolicy"
  | "StagedGlobalNetworkPolicy"
  | "StagedKubernetesNetworkPolicy"
  | "KubernetesNetworkPolicy"
  | "ClusterNetworkPolicy"
  | "AdminNetworkPolicy"
  | "BaselineAdminNetworkPolicy";

export interface PolicyRef {
  kind: PolicyKind;
  /** Set for namespaced kinds. */
  namespace?: string;
  name: string;
  tier: string;
}

export type HitAction = "allow" | "deny" | "pass";

/** One entry of a trace, in the order the policies were hit. */
export type PolicyHit =
  | { type: "rule"; policy: PolicyRef; action: HitAction; ruleIndex: number }
  /**
   * End of tier: the tier's default action. Enforced traces attribute it to the last non-staged policy that selected
   * the endpoint (Felix's dataplane lookup); pending traces to the first policy of the tier (the checker, §10.2).
   */
  | { type: "end-of-tier"; tier: string; policy: PolicyRef; action: "deny" | "pass" }
  /** The namespace profile `kns.<ns>` (its rule 0 allows everything). */
  | { type: "profile"; namespace: string; action: "allow" };

export const KIND_SHORT: Readonly<Record<PolicyKind, string>> = {
  NetworkPolicy: "np",
  GlobalNetworkPolicy: "gnp",
  StagedNetworkPolicy: "snp",
  StagedGlobalNetworkPolicy: "sgnp",
  StagedKubernetesNetworkPolicy: "sknp",
  KubernetesNetworkPolicy: "knp",
  // Felix names every cluster-admin policy kcnp (felix/types/policy_id.go); the v1alpha1 kinds only ever reach a
  // 3.31 trace, whose names carry the kanp./kbanp. prefixes instead (legacyName).
  ClusterNetworkPolicy: "kcnp",
  AdminNetworkPolicy: "kcnp",
  BaselineAdminNetworkPolicy: "kcnp",
};

/**
 * The GlobalNetworkPolicy name Calico 3.31 gave a converted v1alpha1 policy (names.K8sAdminNetworkPolicyNamePrefix,
 * K8sBaselineAdminNetworkPolicyNamePrefix); undefined for other kinds.
 */
export function legacyName(ref: PolicyRef): string | undefined {
  if (ref.kind === "AdminNetworkPolicy") return `kanp.adminnetworkpolicy.${ref.name}`;
  if (ref.kind === "BaselineAdminNetworkPolicy") return `kbanp.baselineadminnetworkpolicy.${ref.name}`;
  return undefined;
}

/** The policy's name as the chosen version's flow logs print it. */
export function flowLogPolicyName(ref: PolicyRef, model: CalicoModel): string {
  if (model === "v3.32") {
    const kind = KIND_SHORT[ref.kind];
    return ref.namespace !== undefined ? `${kind}:${ref.namespace}/${ref.name}` : `${kind}:${ref.name}`;
  }
  const legacy = legacyName(ref);
  if (legacy !== undefined) return legacy;
  const staged = ref.kind.startsWith("Staged") ? "staged:" : "";
  const isK8s = ref.kind === "KubernetesNetworkPolicy" || ref.kind === "StagedKubernetesNetworkPolicy";
  const base = isK8s ? `knp.default.${stripPrefix(ref.name, "knp.default.")}` : `${ref.tier}.${stripPrefix(ref.name, `${ref.tier}.`)}`;
  return ref.namespace !== undefined ? `${ref.namespace}/${staged}${base}` : `${staged}${base}`;
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** One hit as a flow-log policy string. */
export function formatHit(hit: PolicyHit, index: number, model: CalicoModel): string {
  switch (hit.type) {
    case "rule":
      return `${index}|${hit.policy.tier}|${flowLogPolicyName(hit.policy, model)}|${hit.action}|${hit.ruleIndex}`;
    case "end-of-tier":
      return `${index}|${hit.tier}|${flowLogPolicyName(hit.policy, model)}|${hit.action}|-1`;
    case "profile": {
      const name = model === "v3.32" ? `pro:kns.${hit.namespace}` : `__PROFILE__.kns.${hit.namespace}`;
      return `${index}|__PROFILE__|${name}|allow|0`;
    }
  }
}

export function formatHits(hits: readonly PolicyHit[], model: CalicoModel): string[] {
  return hits.map((h, i) => formatHit(h, i, model));
}

/** `Kind ns/name` for messages. */
export function describePolicy(ref: PolicyRef): string {
  return ref.namespace !== undefined ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** Identity of a policy regardless of staging: a staged policy and its enforced twin share it. */
export function twinKey(ref: PolicyRef): string {
  const base =
    ref.kind === "StagedNetworkPolicy" ? "NetworkPolicy"
    : ref.kind === "StagedGlobalNetworkPolicy" ? "GlobalNetworkPolicy"
    : ref.kind === "StagedKubernetesNetworkPolicy" ? "KubernetesNetworkPolicy"
    : ref.kind;
  return `${base}/${ref.namespace ?? ""}/${ref.name}`;
}
