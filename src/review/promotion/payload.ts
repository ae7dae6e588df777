import { planItemCount, type PlanAction, type PlanItem, type PromotionPlan } from "./plan.js";

/**
 * The promotion contract between the App and the controller: the App writes a GitHub Deployment whose `task` is
 * PROMOTE_TASK (on merge), CLEANUP_TASK (on close without merge) or STAGE_TASK (on open and push), and whose
 * `payload` is a `DeploymentPayload`; the controller reads it back with `parseDeploymentPayload`. Both import this
 * module (through src/run/promotion.ts) and never each other. Pure.
 */
export const PROMOTE_TASK = "tierguard:promote";
export const CLEANUP_TASK = "tierguard:cleanup";
/** Stage the pull request's head as previews (`Staged*` kinds labelled with the pull request); no plan is carried. */
export const STAGE_TASK = "tierguard:stage";
/** Every task tierguard's deployments carry. */
export const TIERGUARD_TASKS = [PROMOTE_TASK, CLEANUP_TASK, STAGE_TASK] as const;
export type TierguardTask = (typeof TIERGUARD_TASKS)[number];
/** The plan is cut to fit this many characters of JSON in the deployment payload. */
export const MAX_PLAN_PAYLOAD_CHARS = 60_000;

export interface DeploymentPayload {
  pull_request: number;
  base_sha: string;
  head_sha: string;
  /** Undefined for a clean-up or a stage (the controller removes, or stages, what the pull request changes). */
  plan?: PromotionPlan;
  /** Plan items left out to fit the payload. Undefined: none. */
  omitted?: number;
}

/** The plan with its lists cut, longest first, until its JSON fits `maxChars`; and how many items were left out. */
export function budgetPlan(plan: PromotionPlan, maxChars: number): { plan: PromotionPlan; omitted: number } {
  const out: PromotionPlan = { ...plan, enforce: [...plan.enforce], stage: [...plan.stage], apply: [...plan.apply], delete: [...plan.delete] };
  const lists = (): PlanItem[][] => [out.enforce, out.stage, out.apply, out.delete];
  while (JSON.stringify(out).length > maxChars && planItemCount(out) > 0) {
    const longest = lists().reduce((a, b) => (b.length > a.length ? b : a));
    longest.splice(Math.floor(longest.length / 2));
  }
  return { plan: out, omitted: planItemCount(plan) - planItemCount(out) };
}

/** The payload of a promotion: the plan cut to the payload budget, with how much was left out. */
export function promotionPayload(pr: { pull: number; baseSha: string; headSha: string }, plan: PromotionPlan): DeploymentPayload {
  const cut = budgetPlan(plan, MAX_PLAN_PAYLOAD_CHARS);
  return { pull_request: pr.pull, base_sha: pr.baseSha, head_sha: pr.headSha, plan: cut.plan, ...(cut.omitted > 0 ? { omitted: cut.omitted } : {}) };
}

/**
 * A deployment's payload as an object, unchecked: GitHub hands it back as the object written or as its JSON text.
 * Undefined when it is neither (another tool's deployment).
 */
export function payloadObject(p: unknown): Partial<DeploymentPayload> | undefined {
  if (typeof p === "string") {
    try {
      return payloadObject(JSON.parse(p));
    } catch {
      return undefined;
    }
  }
  return p !== null && typeof p === "object" ? (p as Partial<DeploymentPayload>) : undefined;
}

/** A field of the payload that is missing or of the wrong type: `path` as in the diagnostic family. */
export interface PayloadProblem {
  code: "promotion/bad-payload";
  path: string;
  message: string;
}

const ACTIONS: readonly PlanAction[] = ["create", "update", "delete"];
const LISTS = ["enforce", "stage", "apply", "delete"] as const;

/** Checks a payload field by field, as the controller must before acting on it; every problem is reported. */
export function parseDeploymentPayload(p: unknown): { payload?: DeploymentPayload; problems: PayloadProblem[] } {
  const o = payloadObject(p) as Record<string, unknown> | undefined;
  const problems: PayloadProblem[] = [];
  const bad = (path: string, want: string): void => void problems.push({ code: "promotion/bad-payload", path, message: `${path || "payload"} must be ${want}` });
  if (!o) return bad("", "an object or its JSON text"), { problems };
  if (!Number.isInteger(o.pull_request)) bad("pull_request", "a pull-request number");
  for (const k of ["base_sha", "head_sha"]) if (typeof o[k] !== "string" || !/^[0-9a-f]{7,64}$/.test(o[k] as string)) bad(k, "a commit SHA");
  if (o.omitted !== undefined && !(Number.isInteger(o.omitted) && (o.omitted as number) >= 0)) bad("omitted", "a count");
  if (o.plan !== undefined) checkPlan(o.plan, bad);
  return problems.length > 0 ? { problems } : { payload: o as unknown as DeploymentPayload, problems };
}

function checkPlan(plan: unknown, bad: (path: string, want: string) => void): void {
  if (plan === null || typeof plan !== "object") return bad("plan", "an object");
  const p = plan as Record<string, unknown>;
  if (!Number.isInteger(p.unchanged)) bad("plan.unchanged", "a count");
  for (const list of LISTS) {
    const items = p[list];
    if (!Array.isArray(items)) {
      bad(`plan.${list}`, "a list");
      continue;
    }
    items.forEach((it: Record<string, unknown> | null, i) => {
      const at = `plan.${list}[${i}]`;
      if (it === null || typeof it !== "object") return bad(at, "an object");
      if (!ACTIONS.includes(it.action as PlanAction)) bad(`${at}.action`, `one of ${ACTIONS.join(", ")}`);
      for (const k of ["kind", "name", "file"]) if (typeof it[k] !== "string" || it[k] === "") bad(`${at}.${k}`, "a non-empty string");
      for (const k of ["namespace", "tier", "replacesStaged", "stagedAction"]) if (it[k] !== undefined && typeof it[k] !== "string") bad(`${at}.${k}`, "a string");
    });
  }
}
