import { CHECK_NAME } from "../checks.js";
import { backgroundJob, contextApi, contextLog, type AppDeps, type EventContext } from "../deps.js";
import { pullBindings } from "../log.js";
import { reviewJob } from "../review-job.js";
import { reviewable, fetchPull, payloadRepo } from "../target.js";

/**
 * `check_run` rerequested ("Re-run" in GitHub's UI) on a tierguard check run: review the pull request again, as
 * it is now. The lookups run in the background, like everything that calls GitHub.
 */
export function onCheckRunRerequested(deps: AppDeps, ctx: EventContext): void {
  const repo = payloadRepo(ctx.payload)!;
  const run = ctx.payload.check_run as { id: number; name: string; head_sha: string; app?: { id: number }; pull_requests?: Array<{ number: number }> };
  const log = contextLog(ctx, { repo: `${repo.owner}/${repo.repo}`, sha: run.head_sha, checkRun: run.id });
  if (run.name !== CHECK_NAME) {
    log.info({ name: run.name }, "not re-running: the check run is not tierguard's");
    return;
  }
  const pulls = run.pull_requests ?? [];
  if (pulls.length === 0) {
    log.info("not re-running: GitHub lists no pull request of this repository for the check run (a fork's head, or a closed pull request)");
    return;
  }
  const api = contextApi(ctx);
  deps.queue.push(
    backgroundJob({
      key: `rerequest:${ctx.id}`,
      log,
      run: async () => {
        const me = await deps.identity.get();
        if (run.app && run.app.id !== me.id) {
          log.info({ app: run.app.id }, "not re-running: another app's check run named tierguard");
          return;
        }
        for (const { number } of pulls) {
          const target = await fetchPull(api, repo, number);
          const plog = log.child(pullBindings(target));
          if (!reviewable(target, plog)) continue;
          deps.queue.push(reviewJob(deps, { api, target, log: plog, trigger: "re-run requested" }));
        }
      },
    }),
  );
}
