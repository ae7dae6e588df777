import { contextApi, contextLog, type AppDeps, type EventContext } from "../deps.js";
import { pullBindings } from "../log.js";
import { pullOf } from "../../pull.js";
import { reviewable, payloadRepo } from "../target.js";
import { reviewCurrentPull } from "./current-pull.js";

/**
 * `pull_request_review` submitted or dismissed: review again, so that an owner's approval (or its withdrawal)
 * changes the ownership findings. The review reads the standing approvals from GitHub when it runs, so the newest
 * state counts even when several reviews arrive at once.
 */
export function onPullRequestReview(deps: AppDeps, ctx: EventContext): void {
  const target = pullOf(payloadRepo(ctx.payload)!, ctx.payload.pull_request);
  const log = contextLog(ctx, pullBindings(target));
  if (!reviewable(target, log)) return;
  const who = ctx.payload.review?.user?.login ?? "someone";
  reviewCurrentPull(deps, { api: contextApi(ctx), delivered: target, delivery: ctx.id, log, trigger: `review ${ctx.payload.action} by @${who}` });
}
