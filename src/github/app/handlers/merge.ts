import { postComment } from "../comment.js";
import { cleanupOnClose, deploymentPullRequest, mirrorDeploymentStatus, promoteOnMerge, type DeploymentStatusEvent } from "../deploy.js";
import { backgroundJob, contextApi, contextLog, type AppDeps, type EventContext } from "../deps.js";
import { failureReason } from "../failure.js";
import { pullBindings } from "../log.js";
import { pullOf } from "../../pull.js";
import { payloadRepo } from "../target.js";

/**
 * `pull_request` closed: merged, the promotion Deployments and the plan comment; closed without merge, the clean-up
 * Deployments. `deployment_status` created: the state mirrored into the pull request's deployment comment. Each
 * delivery is its own background job (none is coalesced away); a failure is said on the pull request.
 */
export function onPullRequestClosed(deps: AppDeps, ctx: EventContext): void {
  const repo = payloadRepo(ctx.payload)!;
  const target = pullOf(repo, ctx.payload.pull_request);
  const log = contextLog(ctx, pullBindings(target));
  const api = contextApi(ctx);
  const what = target.merged ? "promotion" : "clean-up";
  deps.queue.push(
    backgroundJob({
      key: `closed:${ctx.id}`,
      log,
      run: async () => {
        const { login: bot } = await deps.identity.get();
        await (target.merged ? promoteOnMerge : cleanupOnClose)({ api, target, log, bot });
      },
      onFailure: async (e) => {
        await postComment(api, repo, target.pull, `**tierguard** could not request the ${what} of this pull request's policies. ${failureReason(e)} Ask an administrator to look at the App's log (delivery ${ctx.id}).`);
      },
    }),
  );
}

export function onDeploymentStatus(deps: AppDeps, ctx: EventContext): void {
  const repo = payloadRepo(ctx.payload)!;
  const event = ctx.payload as DeploymentStatusEvent;
  const pull = deploymentPullRequest(event.deployment);
  const log = contextLog(ctx, { repo: `${repo.owner}/${repo.repo}`, ...(pull !== undefined ? { pr: pull } : {}), sha: event.deployment.sha, deployment: event.deployment.id, state: event.deployment_status.state });
  if (pull === undefined) {
    log.debug({ task: event.deployment.task }, "ignoring the status of a deployment tierguard did not create");
    return;
  }
  const api = contextApi(ctx);
  deps.queue.push(
    backgroundJob({
      key: `deployment-status:${ctx.id}`,
      log,
      run: async () => {
        const { login: bot } = await deps.identity.get();
        await mirrorDeploymentStatus({ api, repo, event, pull, log, bot });
      },
    }),
  );
}
