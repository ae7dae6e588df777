import { STAGE_TASK } from "../run/promotion.js";
import type { DefaultBranch, DeploymentFeed } from "./feed.js";
import { finalStatus, runAction, type JobContext } from "./loop-handle.js";
import type { Job, Triage } from "./loop-triage.js";
import type { ActionResult, ControllerActions } from "./loop-types.js";

/**
 * The promotion of the newest merge, and the stage and clean-up jobs of open and closed pull requests. A promotion
 * never moves the cluster back: when the default branch has moved on past the merge (it holds the merge and more),
 * the branch's head is promoted instead; a merge that is not on the default branch at all is refused.
 */
export interface PromoteOutcome {
  /** False when refused before anything ran. */
  ran: boolean;
  /** The default branch as last read (a merge newer than the poll's first read makes it read again). */
  head: DefaultBranch;
  /** True when the cluster now holds `head.sha`. */
  converged: boolean;
  /** Pull requests whose changes the cluster now enforces. */
  pulls: number[];
}

export async function promoteNewest(ctx: JobContext & { feed: DeploymentFeed; actions: ControllerActions }, promote: NonNullable<Triage["promote"]>, head: DefaultBranch): Promise<PromoteOutcome> {
  const { environment } = ctx.options;
  // Each merge checked against the default branch, newest first: the newest it holds runs, the others it holds ride.
  const accepted: Job[] = [];
  for (const job of [promote, ...promote.rides]) {
    const target = await promotionTarget(ctx.feed, job.deployment.sha, head);
    if ("refused" in target) {
      await ctx.reporter.post(job.deployment.id, { state: "failure", description: target.refused });
      ctx.options.metrics.handled({ environment, task: "promote", outcome: "rejected" });
      ctx.options.log.warn({ deployment: job.deployment.id, sha: job.deployment.sha, pr: job.payload.pull_request }, target.refused);
    } else {
      head = target.head;
      accepted.push(job);
    }
  }
  const [run, ...rides] = accepted;
  if (!run) return { ran: false, head, converged: false, pulls: [] };
  const pull = run.payload.pull_request;
  const moved = head.sha !== run.deployment.sha ? ` at ${head.name}'s head ${short(head.sha)}, which holds it` : "";
  const ref = head.sha;
  const result = await runAction(
    ctx,
    { task: "promote", deployment: run.deployment, starting: `promoting #${pull} (${short(run.deployment.sha)})${moved}`, bindings: bindings(run, { ref }) },
    () => ctx.actions.promote({ ref, environment, pull }),
  );
  // The older merges were applied with it (the newer commit holds them): they share its outcome.
  for (const ride of rides) await ctx.reporter.post(ride.deployment.id, finalStatus(result, `with deployment ${run.deployment.id} (${short(ref)}): `));
  if (!result.converged) return { ran: true, head, converged: false, pulls: [] };
  const pulls = [...new Set(accepted.map((j) => j.payload.pull_request))];
  // Merged: the previews staged while the pull requests were open have served; the enforced policies replace them.
  for (const p of pulls) await runAction(ctx, { task: "cleanup", starting: `removing the previews of merged #${p}`, bindings: { environment, pr: p } }, () => ctx.actions.cleanup({ pull: p }));
  return { ran: true, head, converged: true, pulls };
}

/**
 * The commit to apply for a merge: the merge itself when it is the default branch's head, the head when the branch
 * has moved on past it. A merge ahead of the head read (the branch was read a moment before the merge landed) is
 * checked against a fresh read; one the branch does not hold is refused.
 */
async function promotionTarget(feed: DeploymentFeed, ref: string, head: DefaultBranch): Promise<{ ref: string; head: DefaultBranch } | { refused: string }> {
  let relation = ref === head.sha ? "identical" : await feed.compare(ref, head.sha);
  if (relation === "behind") {
    head = await feed.defaultBranch();
    relation = ref === head.sha ? "identical" : await feed.compare(ref, head.sha);
  }
  if (relation === "identical" || relation === "ahead") return { ref: head.sha, head };
  return { refused: `not promoted: ${short(ref)} is not on the default branch ${head.name}, which is what this controller enforces` };
}

export async function runPullJob(ctx: JobContext & { actions: ControllerActions }, job: Job): Promise<ActionResult> {
  const { pull_request: pull, base_sha: base, head_sha: headSha } = job.payload;
  if (job.deployment.task === STAGE_TASK) {
    return runAction(ctx, { task: "stage", deployment: job.deployment, starting: `staging #${pull} at ${short(headSha)}`, bindings: bindings(job) }, () => ctx.actions.stage({ pull, base, head: headSha }));
  }
  return runAction(ctx, { task: "cleanup", deployment: job.deployment, starting: `removing what #${pull} staged`, bindings: bindings(job) }, () => ctx.actions.cleanup({ pull }));
}

function bindings(job: Job, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { environment: job.deployment.environment, deployment: job.deployment.id, pr: job.payload.pull_request, sha: job.deployment.sha, ...extra };
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}
