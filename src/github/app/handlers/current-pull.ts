import type { GitHubApi } from "../../api.js";
import type { AppDeps } from "../deps.js";
import { describeError, type AppLog } from "../log.js";
import type { QueuedJob } from "../queue.js";
import { reviewJob } from "../review-job.js";
import type { Pull } from "../../pull.js";
import { fetchPull, pullKey, reviewable } from "../target.js";

/**
 * A delivery is only a trigger: the review is of the pull request as GitHub has it when the job starts (its base
 * ref and sha, its head), never of the payload, which may be late or replayed. A delivery for a head the pull
 * request has moved on from starts nothing (the newer head's delivery reviews it). The lookup runs at once (the
 * queue's `start`, outside the concurrency bound), so the check run still appears at once.
 *
 * The lookups of one pull request run one at a time, in delivery order, and a burst is coalesced (the queue runs
 * `start` for the newest waiting job of a key only): the review queue takes reviews in the order they are pushed, so
 * an older delivery's review pushed after a newer one's (its lookup answered late, or failed and fell back to the
 * delivered state) would supersede the review of the newer head.
 */
export interface CurrentPullRequest {
  api: GitHubApi;
  /** The pull request as the delivery describes it. */
  delivered: Pull;
  delivery: string;
  log: AppLog;
  trigger: string;
}

export function reviewCurrentPull(deps: AppDeps, o: CurrentPullRequest): void {
  // The heads of the deliveries this lookup stands for: its own, and those of waiting lookups it replaced (which may
  // have arrived after it, for a newer head: deliveries are not ordered).
  const heads = new Set([o.delivered.head.sha]);
  const job: QueuedJob & { heads: Set<string> } = {
    key: `current:${pullKey(o.delivered)}`,
    // Each delivery its own version: a newer one replaces a waiting lookup, and its lookup runs after one under way.
    version: o.delivery,
    log: o.log,
    heads,
    absorb: (replaced) => {
      for (const sha of (replaced as Partial<typeof job>).heads ?? []) heads.add(sha);
    },
    start: async () => {
      const now = await fetchPull(o.api, o.delivered.repo, o.delivered.pull);
      const { log } = o;
      if (!heads.has(now.head.sha)) {
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
  };
  deps.queue.push(job);
}
