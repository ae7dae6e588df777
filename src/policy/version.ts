/**
 * The Calico version model. v3.32 changed policy identity (calico-semantics §9, §8.1, §10.2): no `<tier>.` name
 * prefix rule, no `knp.default.` prefix, built-in tiers renamed, kind-prefixed flow-log policy strings, and a
 * different tie-break between equally ordered policies. Everything version-dependent asks this module.
 */
export type CalicoModel = "v3.31" | "v3.32";

export interface CalicoVersion {
  /** "v3.31" covers releases up to and including 3.31; "v3.32" covers 3.32 and later. */
  model: CalicoModel;
  /** As the user wrote it, e.g. "3.30" or "v3.32.1". */
  text: string;
  /**
   * The minor release (33 for "3.33.1"), for the few behaviours that changed inside a model (see `calicoMinor`).
   * Undefined in hand-built versions: it then means the model's own release, 31 or 32.
   */
  minor?: number;
}

export const DEFAULT_CALICO_VERSION: CalicoVersion = { model: "v3.32", text: "3.32", minor: 32 };

/**
 * Calico 3.33 moved validation into CEL rules and schema limits on the v3 CRDs (rule counts, list sizes, selector
 * lengths: validate/limits-333.ts), and its flow logs never give a flow's verdict to a staged policy
 * (impact/compare.ts). Both keep the v3.32 model otherwise.
 */
export const CALICO_333 = 33;

/** The minor release a version stands for (undefined `minor`: the model's own release). */
export function calicoMinor(version: CalicoVersion): number {
  return version.minor ?? (version.model === "v3.31" ? 31 : 32);
}

export interface BuiltinTier {
  name: string;
  order: number;
  defaultAction: "Deny" | "Pass";
  /**
   * Who holds the tier to its order and default action: "api" (Calico's CEL rules and validator reject a change),
   * or "operator" (the Tigera Operator creates the tier and resets a change; the API accepts it).
   */
  fixedBy: "api" | "operator";
}

const BUILTIN_TIERS: Record<CalicoModel, readonly BuiltinTier[]> = {
  "v3.31": [
    { name: "adminnetworkpolicy", order: 1000, defaultAction: "Pass", fixedBy: "api" },
    { name: "default", order: 1_000_000, defaultAction: "Deny", fixedBy: "api" },
    { name: "baselineadminnetworkpolicy", order: 10_000_000, defaultAction: "Pass", fixedBy: "api" },
  ],
  // 3.32 renamed the cluster-admin tiers (libcalico-go names/policy.go, api/.../v3/tier.go) and the operator's
  // allow-tigera tier to calico-system (tigera/operator pkg/render/tiers/tiers.go: order 100, default Deny).
  "v3.32": [
    { name: "calico-system", order: 100, defaultAction: "Deny", fixedBy: "operator" },
    { name: "kube-admin", order: 1000, defaultAction: "Pass", fixedBy: "api" },
    { name: "default", order: 1_000_000, defaultAction: "Deny", fixedBy: "api" },
    { name: "kube-baseline", order: 10_000_000, defaultAction: "Pass", fixedBy: "api" },
  ],
};

export function builtinTiers(version: CalicoVersion): readonly BuiltinTier[] {
  return BUILTIN_TIERS[version.model];
}

/** Parses "3.31", "v3.32.1", "3.34" ... Returns an error message for anything else. */
export function parseCalicoVersion(text: string): CalicoVersion | { error: string } {
  const m = /^v?3\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  if (!m) return { error: `"${text}" is not a Calico version; write it as 3.31, 3.32 or v3.32.1` };
  const minor = Number(m[1]);
  if (minor < 29) {
    return { error: `Calico ${text} has no Tier API in open source (tiers arrived in 3.29); use 3.29 or later` };
  }
  return { model: minor <= 31 ? "v3.31" : "v3.32", text: text.trim(), minor };
}
