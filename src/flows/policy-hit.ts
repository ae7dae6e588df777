import { INVALID, isAbsent, isObject, readInt, readName, show, type JsonObject } from "./fields.js";

/**
 * Goldmane `PolicyHit` objects (goldmane/proto/api.proto) rendered as the v3.32 flow-log policy strings
 * `<policy_index>|<tier>|<kind>:<ns>/<name>|<action>|<rule_index>` (calico-semantics §10.2), so that both flow formats
 * hand the replay plain strings and the engine's `formatHit` output compares directly.
 *
 * PolicyKind enum names, from api.proto at several commits: 1 CalicoNetworkPolicy, 2 GlobalNetworkPolicy,
 * 3 StagedNetworkPolicy, 4 StagedGlobalNetworkPolicy, 5 StagedKubernetesNetworkPolicy, 6 NetworkPolicy (the native
 * Kubernetes kind), 7/8 the cluster-scoped Kubernetes kinds (named AdminNetworkPolicy/BaselineAdminNetworkPolicy in
 * v3.30, later ClusterNetworkPolicyAdminTier/ClusterNetworkPolicyBaselineTier, and ClusterNetworkPolicy), 9 Profile,
 * 10 EndOfTier. Short names are Felix's (`felix/types/policy_id.go`): np gnp snp sgnp sknp knp kcnp pro.
 */
const KIND_SHORT: Readonly<Record<string, string>> = {
  CalicoNetworkPolicy: "np",
  GlobalNetworkPolicy: "gnp",
  StagedNetworkPolicy: "snp",
  StagedGlobalNetworkPolicy: "sgnp",
  StagedKubernetesNetworkPolicy: "sknp",
  NetworkPolicy: "knp",
  KubernetesNetworkPolicy: "knp",
  AdminNetworkPolicy: "kcnp",
  BaselineAdminNetworkPolicy: "kcnp",
  ClusterNetworkPolicy: "kcnp",
  ClusterNetworkPolicyAdminTier: "kcnp",
  ClusterNetworkPolicyBaselineTier: "kcnp",
  Profile: "pro",
};

/** Enum numbers, for JSON written with enums as integers. 7 and 8 changed names across releases but not meaning. */
const KIND_BY_NUMBER: readonly (string | undefined)[] = [
  undefined,
  "CalicoNetworkPolicy",
  "GlobalNetworkPolicy",
  "StagedNetworkPolicy",
  "StagedGlobalNetworkPolicy",
  "StagedKubernetesNetworkPolicy",
  "NetworkPolicy",
  "ClusterNetworkPolicyAdminTier",
  "ClusterNetworkPolicyBaselineTier",
  "Profile",
  "EndOfTier",
];

const END_OF_TIER = "EndOfTier";
const PROFILE_TIER = "__PROFILE__";

/** Goldmane's `Action` enum (1 Allow, 2 Deny, 3 Pass) as the lower-case word flow logs use; undefined otherwise. */
export function actionWord(raw: unknown): "allow" | "deny" | "pass" | undefined {
  const byNumber = ["", "allow", "deny", "pass"] as const;
  if (typeof raw === "number") return byNumber[raw] || undefined;
  if (typeof raw !== "string") return undefined;
  const word = raw.toLowerCase();
  return word === "allow" || word === "deny" || word === "pass" ? word : undefined;
}

/** A proto3 JSON field by its proto name or its lowerCamelCase JSON name. */
export function pick(obj: JsonObject, protoName: string): unknown {
  if (obj[protoName] !== undefined) return obj[protoName];
  return obj[protoName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())];
}

export type HitResult = { text: string } | { error: string };

/** One PolicyHit as a policy string, or why it cannot be one. */
export function formatPolicyHit(raw: unknown): HitResult {
  if (!isObject(raw)) return { error: `expected a PolicyHit object, found ${show(raw)}` };
  const kind = kindName(pick(raw, "kind"));
  if (!kind) return { error: `kind ${show(pick(raw, "kind"))} is not a PolicyKind` };
  const action = actionWord(pick(raw, "action"));
  if (!action) return { error: `action ${show(pick(raw, "action"))} is not Allow, Deny or Pass` };
  // proto3 JSON omits zero values, so a missing index is index 0.
  const policyIndex = readInt(pick(raw, "policy_index"));
  const ruleIndex = readInt(pick(raw, "rule_index"));
  if (policyIndex === INVALID) return { error: `policy_index ${show(pick(raw, "policy_index"))} is not an integer` };
  if (ruleIndex === INVALID) return { error: `rule_index ${show(pick(raw, "rule_index"))} is not an integer` };

  let named: JsonObject = raw;
  let namedKind = kind;
  if (kind === END_OF_TIER) {
    // End of tier is written under the policy that brought the flow into the tier (Goldmane `ToString`).
    const trigger = pick(raw, "trigger");
    if (!isObject(trigger)) return { error: "an EndOfTier hit has no trigger policy" };
    const triggerKind = kindName(pick(trigger, "kind"));
    if (!triggerKind || triggerKind === END_OF_TIER) {
      return { error: `trigger kind ${show(pick(trigger, "kind"))} is not a policy kind` };
    }
    named = trigger;
    namedKind = triggerKind;
  }
  const namePart = policyName(named, namedKind);
  if ("error" in namePart) return namePart;

  const tierRaw = readName(pick(raw, "tier")) ?? (named !== raw ? readName(pick(named, "tier")) : undefined);
  const tier = kind === "Profile" ? PROFILE_TIER : tierRaw;
  if (tier === undefined || tier === INVALID) return { error: `tier ${show(pick(raw, "tier"))} is not a tier name` };
  return { text: `${policyIndex ?? 0}|${tier}|${namePart.text}|${action}|${ruleIndex ?? 0}` };
}

function kindName(raw: unknown): string | undefined {
  if (typeof raw === "number") return KIND_BY_NUMBER[raw];
  if (typeof raw !== "string") return undefined;
  if (raw === END_OF_TIER || Object.prototype.hasOwnProperty.call(KIND_SHORT, raw)) return raw;
  return undefined;
}

/** `<kind>:<ns>/<name>` for a namespaced policy, `<kind>:<name>` otherwise (Felix `setFlowLogPolicyName`). */
function policyName(hit: JsonObject, kind: string): HitResult {
  const name = readName(pick(hit, "name"));
  if (name === undefined || name === INVALID) return { error: `name ${show(pick(hit, "name"))} is not a policy name` };
  const ns = pick(hit, "namespace");
  if (!isAbsent(ns) && typeof ns !== "string") return { error: `namespace ${show(ns)} is not a string` };
  const short = KIND_SHORT[kind];
  return { text: isAbsent(ns) ? `${short}:${name}` : `${short}:${ns as string}/${name}` };
}
