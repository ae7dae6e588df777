import { CLEANUP_TASK, parseDeploymentPayload, PROMOTE_TASK, STAGE_TASK, type DeploymentPayload, type PayloadProblem } from "../run/promotion.js";
import type { FeedDeployment } from "./feed.js";

/**
 * What one poll does with the pending deployments, decided before anything runs. Pure.
 *
 * - A payload that parseDeploymentPayload refuses is rejected, each problem named by path.
 * - Only the newest promotion runs: the default branch at a later merge holds every earlier merge, and applying an
 *   older merge after a newer one would take the newer one's policies back out. The older ones ride with it
 *   (`rides`) and get its outcome.
 * - Per pull request, only the newest of its stage and clean-up deployments runs (a newer push replaces a stage, a
 *   close replaces it, a reopen replaces the clean-up); the others are made `inactive`. A pull request merged in this
 *   batch needs no stage any more: its previews are removed after the promotion instead.
 */
export interface Rejected {
  deployment: FeedDeployment;
  problems: PayloadProblem[];
}

export interface Job {
  deployment: FeedDeployment;
  payload: DeploymentPayload;
}

export interface Superseded {
  deployment: FeedDeployment;
  /** Why it will not run, for its `inactive` status: "superseded by deployment 12 (a newer push)". */
  reason: string;
}

export interface Triage {
  rejected: Rejected[];
  /** The newest valid promotion and the older ones that ride with it. */
  promote?: Job & { rides: Job[] };
  /** Stage and clean-up jobs, oldest first, one per pull request. */
  pulls: Job[];
  superseded: Superseded[];
}

/** `merged`: pull requests an earlier poll promoted (a stage created late for one of them must not run). */
export function triage(pending: readonly FeedDeployment[], merged: ReadonlySet<number> = new Set()): Triage {
  const rejected: Rejected[] = [];
  const valid: Job[] = [];
  for (const deployment of [...pending].sort((a, b) => b.id - a.id)) {
    const { payload, problems } = parseDeploymentPayload(deployment.payload);
    if (payload) valid.push({ deployment, payload });
    else rejected.push({ deployment, problems });
  }
  const promotes = valid.filter((j) => j.deployment.task === PROMOTE_TASK);
  const promote = promotes.length > 0 ? { ...promotes[0], rides: promotes.slice(1) } : undefined;
  const mergedNow = new Map(promotes.map((j) => [j.payload.pull_request, `deployment ${j.deployment.id} promotes it`]));
  for (const pull of merged) if (!mergedNow.has(pull)) mergedNow.set(pull, "promoted already");
  const superseded: Superseded[] = [];
  const newest = new Map<number, Job>();
  for (const job of valid.filter((j) => j.deployment.task === STAGE_TASK || j.deployment.task === CLEANUP_TASK)) {
    const pull = job.payload.pull_request;
    const mergedBy = mergedNow.get(pull);
    const kept = newest.get(pull);
    if (mergedBy !== undefined && job.deployment.task === STAGE_TASK) superseded.push({ deployment: job.deployment, reason: `pull request #${pull} was merged (${mergedBy})` });
    else if (kept) superseded.push({ deployment: job.deployment, reason: `superseded by deployment ${kept.deployment.id} (${what(kept)})` });
    else newest.set(pull, job);
  }
  const pulls = [...newest.values()].sort((a, b) => a.deployment.id - b.deployment.id);
  return { rejected, ...(promote ? { promote } : {}), pulls, superseded };
}

function what(job: Job): string {
  return job.deployment.task === STAGE_TASK ? `a newer stage of #${job.payload.pull_request} at ${job.deployment.sha.slice(0, 7)}` : `#${job.payload.pull_request} was closed`;
}

/** A rejected payload's status description: the first problems, by path. */
export function rejection(r: Rejected): string {
  const shown = r.problems.slice(0, 3).map((p) => p.message);
  const more = r.problems.length > shown.length ? ` (and ${r.problems.length - shown.length} more)` : "";
  return `bad deployment payload: ${shown.join("; ")}${more}`;
}
