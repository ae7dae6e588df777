import type { GitHubApi } from "../../api.js";
import type { AppDeps } from "../deps.js";
import { describeError, type AppLog } from "../log.js";
import { reviewJob } from "../review-job.js";
import { reviewable, fetchPull, type PullTarget } from "../target.js";

/**
 * A delivery is only a trigger: the review is of the pull request as GitHub has it when the job starts (its base
 * ref and sha, its head), never of the payload, which may be late or replayed. A delivery for a head the pull
 * request has moved on from starts nothing (the newer head's delivery reviews it). The lookup runs at once (the
 * queue's `start`, outside the concurrency bound), so the check run still appears at once.
 */
export interface CurrentPullRequest {
  api: GitHubApi;
  /** The pull request as the delivery describes it. */
  delivered: PullTarget;
  delivery: string;
  log: AppLog;
  trigger: string;
}

export function reviewCurrentPull(deps: AppDeps, o: CurrentPullRequest): void {
  deps.queue.push({
    key: `current:${o.delivery}`,
    version: o.delivery,
    log: o.log,
    start: async () => {
      const now = await fetchPull(o.api, o.delivered.repo, o.delivered.pull);
      const { log } = o;
      if (now.head.sha !== o.delivered.head.sha) {
        log.info({ head: now.head.sha }, "not reviewing: the delivery is for a head the pull request has moved on from");
        return;
      }
      if (now.base.ref !== o.delivered.base.ref || now.base.sha !== o.delivered.base.sha) {
        log.info({ delivered: `${o.delivered.base.ref}@${o.delivered.base.sha}` }, `reviewing against the pull request's base as it is now (${now.base.ref}@${now.base.sha}), not the delivery's`);
      }
      if (reviewable(now, log)) deps.queue.push(reviewJob(deps, { api: o.api, target: now, log, trigger: o.trigger }));
    },
    run: async () => {},
    // GitHub could not say what the pull request is now: review the delivered head, so that it gets its check run;
    // that review re-reads the pull request before writing and writes nothing if the delivery was not current.
    fail: async (e) => {
      o.log.warn({ err: describeError(e) }, "could not read the pull request; reviewing the delivered state, checked again before writing");
      deps.queue.push(reviewJob(deps, { api: o.api, target: o.delivered, log: o.log, trigger: o.trigger }));
    },
  });
}
