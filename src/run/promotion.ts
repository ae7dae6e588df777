import { DEFAULT_LOAD_LIMITS, type LoadLimits } from "../policy/index.js";
import type { TierguardConfig } from "../review/index.js";
import { prepareReview, type RevisionFiles } from "../review/index.js";
import { planSummary, promotionPayload, promotionPlan, type DeploymentPayload, type PromotionPlan } from "../review/index.js";

/**
 * A promotion, composed for the adapters: both revisions' files in (read by whichever revision source the adapter
 * has), the plan and the deployment payload out. The App writes the payload as a GitHub Deployment; the controller
 * reads it back with `parseDeploymentPayload`. Both import this module and never each other. Pure.
 */
export * from "../review/index.js";

export interface PlannedPromotion {
  plan: PromotionPlan;
  payload: DeploymentPayload;
  /** The plan in one line, for the deployment's description and the log. */
  summary: string;
}

export interface PromotionInput {
  /** The pull request and the commits the payload names: the base branch's tip, not the merge base read. */
  pull: number;
  baseSha: string;
  headSha: string;
  /** Both revisions as read (base is the merge base) and the base tip's tierguard.yaml. */
  files: { base: RevisionFiles; head: RevisionFiles; config: TierguardConfig };
  /** Undefined: DEFAULT_LOAD_LIMITS. */
  limits?: LoadLimits;
}

export function planPromotion(input: PromotionInput): PlannedPromotion {
  const { base, head, config } = input.files;
  const prepared = prepareReview(base, head, config, input.limits ?? DEFAULT_LOAD_LIMITS);
  const plan = promotionPlan(prepared.ctx.changes);
  const payload = promotionPayload(input, plan);
  return { plan, payload, summary: planSummary(plan) };
}
