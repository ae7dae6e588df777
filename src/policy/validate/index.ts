/**
 * Semantic validation: what Calico's validator (and, for networking.k8s.io/v1 policies, the Kubernetes API server)
 * would reject, reproduced from calico-semantics §12, with every problem reported rather than the first. Input
 * resources have passed the schema, so every field has its declared type. Each module is a small rule that writes
 * into a collector; version differences (v3.31, v3.32, and 3.33's CRD limits) are decided inside the rule that has them.
 * Pure: imports only the policy model and the selector module, and does no I/O.
 */
import type { Diagnostic } from "../../contracts/index.js";
import { SelectorParses } from "../../selector/index.js";
import type { Resource } from "../types.js";
import type { CalicoVersion } from "../version.js";
import { resourceContext, type ResourceRule } from "./context.js";
import { checkDuplicates, checkTierReferences } from "./cross-resource.js";
import { checkClusterPolicy } from "./cnp.js";
import { checkK8sPolicy } from "./k8s-networkpolicy.js";
import { checkLimits333 } from "./limits-333.js";
import { checkMetadata } from "./metadata.js";
import { checkNames } from "./names.js";
import { checkNetworkSet } from "./networkset.js";
import { checkNotEvaluated } from "./not-evaluated.js";
import { checkPolicySpec } from "./policy-spec.js";
import { checkStaged } from "./staged.js";
import { checkTier } from "./tier.js";

export interface ValidateOptions {
  /**
   * The Calico version whose rules apply where versions differ (names, built-in tiers, ports without protocol, and
   * from 3.33 the CRD size limits).
   */
  version: CalicoVersion;
  /**
   * Selector parses to share with the engine's compile (the bundle hands the same memo on), so that each distinct
   * text is parsed once per run. Undefined: a memo of this validation's own.
   */
  selectors?: SelectorParses;
}

const RESOURCE_RULES: readonly ResourceRule[] = [
  checkNames,
  checkMetadata,
  checkTier,
  checkPolicySpec,
  checkLimits333,
  checkStaged,
  checkK8sPolicy,
  checkClusterPolicy,
  checkNetworkSet,
  checkNotEvaluated,
];

/** Every semantic problem in the set, in resource order, then rule order within a resource. */
export function validateResources(resources: readonly Resource[], options: ValidateOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const selectors = options.selectors ?? new SelectorParses();
  for (const resource of resources) {
    const ctx = resourceContext(resource, options.version, out, selectors);
    for (const rule of RESOURCE_RULES) rule(resource, ctx);
  }
  checkDuplicates(resources, out);
  checkTierReferences(resources, options.version, out);
  return out;
}
