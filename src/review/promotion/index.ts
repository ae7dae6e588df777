/**
 * Promotion, the pure half: the plan of a merged pull request (what the controller does in each cluster) and the
 * deployment payload that carries it from the App to the controller. Imports the review model and policy types only.
 */
export { planItemCount, planSummary, promotionPlan, stagedTwinKind, type PlanAction, type PlanItem, type PromotionPlan } from "./plan.js";
export {
  budgetPlan,
  CLEANUP_TASK,
  MAX_PLAN_PAYLOAD_CHARS,
  parseDeploymentPayload,
  payloadObject,
  PROMOTE_TASK,
  STAGE_TASK,
  TIERGUARD_TASKS,
  type TierguardTask,
  promotionPayload,
  type DeploymentPayload,
  type PayloadProblem,
} from "./payload.js";
