import { stageOnPush } from "../deploy.js";
import { backgroundJob, contextApi, contextLog, type AppDeps, type EventContext } from "../deps.js";
import { pullBindings } from "../log.js";
import { pullOf } from "../../pull.js";
import { payloadRepo, reviewable } from "../target.js";
import { reviewCurrentPull } from "./current-pull.js";

/**
 * `pull_request` opened, synchronize, reopened, ready_for_review, and edited when the base branch changed (the
 * configuration and the diff come from the base): queue a review of the head and return, so the delivery is
 * acknowledged at once. Closed and draft pull requests are not reviewed (a draft is, once ready). The review is of
 * the pull request as GitHub has it when the job starts (current-pull.ts), the delivery being only the trigger.
 * Opened, reopened and synchronize also ask the controllers to stage the head (a `tierguard:stage` deployment per
 * environment, deploy.ts), in a job of its own: neither the acknowledgement nor the review waits for it.
 */
export const REVIEW_ACTIONS = ["opened", "synchronize", "reopened", "ready_for_review", "edited"] as const;
export const STAGE_ACTIONS: readonly string[] = ["opened", "synchronize", "reopened"];

export function onPullRequest(deps: AppDeps, ctx: EventContext): void {
  const repo = payloadRepo(ctx.payload)!;
  const target = pullOf(repo, ctx.payload.pull_request);
  const log = contextLog(ctx, pullBindings(target));
  if (ctx.payload.action === "edited" && !ctx.payload.changes?.base) {
    log.debug("not reviewing: only the title or description changed");
    return;
  }
  if (deps.stage && STAGE_ACTIONS.includes(ctx.payload.action) && target.state === "open") {
    const api = contextApi(ctx);
    deps.queue.push(backgroundJob({ key: `stage:${ctx.id}`, log, run: () => stageOnPush({ api, target, log }) }));
  }
  if (!reviewable(target, log)) return;
  reviewCurrentPull(deps, { api: contextApi(ctx), delivered: target, delivery: ctx.id, log, trigger: `pull_request ${ctx.payload.action}` });
}
