import type { Resource } from "../types.js";
import type { ValidationContext } from "./context.js";

/**
 * Staged policies with stagedAction Delete only name the enforced policy to delete, so their spec must otherwise
 * be empty: StagedNetworkPolicy and StagedGlobalNetworkPolicy may keep tier; StagedKubernetesNetworkPolicy keeps
 * nothing (calico-semantics §7, §12 "Staged policies"; validator.go validateStaged*NetworkPolicy). Other
 * stagedAction values are rejected by the schema.
 */
export function isStagedDelete(resource: Resource): boolean {
  return (
    (resource.kind === "StagedNetworkPolicy" ||
      resource.kind === "StagedGlobalNetworkPolicy" ||
      resource.kind === "StagedKubernetesNetworkPolicy") &&
    resource.spec.stagedAction === "Delete"
  );
}

export function checkStaged(resource: Resource, ctx: ValidationContext): void {
  if (!isStagedDelete(resource)) return;
  const kept = resource.kind === "StagedKubernetesNetworkPolicy" ? ["stagedAction"] : ["stagedAction", "tier"];
  for (const [field, value] of Object.entries(resource.spec as Record<string, unknown>)) {
    if (kept.includes(field) || isZero(value)) continue;
    ctx.report("staged/delete-with-spec", `spec.${field}`,
      `a staged Delete only names the policy to delete, so spec.${field} must be empty; remove it` +
        (resource.kind === "StagedKubernetesNetworkPolicy" ? "" : " (only tier may stay)"),
      { at: "key" });
  }
}

/**
 * Go's reflect.DeepEqual against an empty spec: "", false and absent are zero; a written list is not, even when
 * empty (a decoded [] is not nil); order is a pointer, so any written number is not; an empty map is a zero struct.
 */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return true;
  if (typeof value === "object" && !Array.isArray(value)) return Object.keys(value).length === 0;
  return false;
}
