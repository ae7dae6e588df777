import { createHash } from "node:crypto";
import type { CalicoModel, Resource } from "../policy/index.js";

/**
 * The names objects get in the cluster. Calico up to 3.31 requires `<tier>.<name>` for a Calico policy outside the
 * default tier (names.ValidateTieredPolicyName, calico-semantics §9); 3.32 dropped the rule, so the name is the one
 * the repository writes. Kubernetes NetworkPolicies and StagedKubernetesNetworkPolicies are never prefixed: the
 * `knp.default.` form is only how Calico 3.31 names the converted policy internally, not the object's name.
 */
export const MAX_NAME_LENGTH = 253;

const CALICO_POLICY_KINDS = new Set(["NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy"]);
/** Names Calico generates, exempt from the 3.31 prefix rule (as src/policy/validate/names.ts). */
const GENERATED_PREFIXES = ["knp.default.", "kanp.adminnetworkpolicy.", "kbanp.baselineadminnetworkpolicy.", "ossg."];

/** The tier of a Calico policy ("default" when it names none); undefined for every other kind. */
export function tierOf(r: Pick<Resource, "kind" | "spec">): string | undefined {
  if (!CALICO_POLICY_KINDS.has(r.kind)) return undefined;
  return (r.spec as { tier?: string }).tier || "default";
}

/** The name a repository resource has in a cluster of the given name model. */
export function clusterName(r: Pick<Resource, "kind" | "spec" | "metadata">, model: CalicoModel): string {
  const name = r.metadata.name ?? "";
  const tier = tierOf(r);
  if (model !== "v3.31" || tier === undefined || tier === "default") return name;
  if (name.startsWith(`${tier}.`) || GENERATED_PREFIXES.some((p) => name.startsWith(p))) return name;
  // A name written for another tier ("a.x" in tier b) keeps only its last part: Calico allows one dot.
  const bare = name.includes(".") ? name.slice(name.indexOf(".") + 1) : name;
  return `${tier}.${bare}`;
}

/**
 * The name of pull request `pr`'s staged preview of an object named `name` (its cluster name, so a 3.31 prefix
 * stays in front): `<name>-pr<N>`, distinct per pull request. Past 253 characters the name is cut and a short hash
 * of the whole name keeps two long names apart. No dot is added (policy names allow at most one), and every part
 * still starts and ends with a letter or digit.
 */
export function previewName(name: string, pr: number): string {
  const suffix = `-pr${pr}`;
  const full = `${name}${suffix}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 10);
  const keep = MAX_NAME_LENGTH - suffix.length - hash.length - 1;
  let cut = name.slice(0, keep);
  while (cut.length > 0 && (cut.endsWith("-") || cut.endsWith("."))) cut = cut.slice(0, -1);
  return `${cut}-${hash}${suffix}`;
}
