import { DEFAULT_LOAD_LIMITS } from "../../policy/index.js";
import type { TierguardConfig } from "../../review/index.js";
import { CLEANUP_TASK, payloadObject, planPromotion, PROMOTE_TASK, STAGE_TASK, type DeploymentPayload } from "../../run/promotion.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../api.js";
import { readPullRequestFiles } from "../repo-reader.js";
import { listIssueComments, markerPartOf, upsertComment } from "./comment.js";
import { DEPLOYMENT_MARKER, renderDeploymentComment, STAGE_MARKER, type DeploymentCommentInput, type DeploymentRow } from "./deployment-comment.js";
import { cachingGitApi, policyTouch } from "./git-cache.js";
import { describeError, type AppLog } from "./log.js";
import type { PullTarget } from "./target.js";

/**
 * Promotion on merge and clean-up on close, handed to the controller (a later issue) as GitHub Deployments: one
 * per environment of tierguard.yaml's `clusters` (the BASE revision's, so a pull request cannot redirect its own
 * deployment). On merge: `ref` the merge commit, `task: tierguard:promote`, the promotion plan as payload. On close
 * without merge: `ref` the closed head, `task: tierguard:cleanup`, so the controller removes the staged policies it
 * previewed. On open and push: `ref` the head, `task: tierguard:stage`, so the controller stages the pull request's
 * policies as previews (no comment: the review speaks for an open pull request). The App needs no contents write
 * permission for any of them. Deployment statuses the controller posts are
 * mirrored into the pull request's deployment comment, rebuilt from GitHub each time. The plan, the payload and the
 * task names are the promotion contract in src/run/promotion.ts, which the controller reads too.
 */

export interface DeployOptions {
  api: GitHubApi;
  target: PullTarget;
  log: AppLog;
  bot: string;
}

/** `clusters[].environment`, else the cluster's name; each environment once. */
export function environments(config: Pick<TierguardConfig, "clusters">): string[] {
  return [...new Set(config.clusters.map((c) => c.environment ?? c.name))];
}

export async function promoteOnMerge(o: DeployOptions): Promise<void> {
  const { target, log } = o;
  if (!target.mergeCommit) throw new Error(`pull request #${target.pull} is merged but GitHub gave no merge commit`);
  const api = cachingGitApi(o.api);
  const touch = await policyTouch(api, target.repo, target.base.sha, target.head.sha);
  if (touch.paths.length === 0) {
    log.info("merged without policy changes: no deployment");
    return;
  }
  const files = await readPullRequestFiles(api, target.repo, target.base.sha, target.head.sha, DEFAULT_LOAD_LIMITS.maxFileBytes);
  const { plan, payload, summary } = planPromotion({ pull: target.pull, baseSha: target.base.sha, headSha: target.head.sha, files, limits: DEFAULT_LOAD_LIMITS });
  const rows = await createDeployments(api, target.repo, environments(files.config), { ref: target.mergeCommit, task: PROMOTE_TASK, description: `Promote #${target.pull}: ${summary}`, payload }, log);
  await writeComment(o, { task: "promote", sha: target.mergeCommit, plan, rows });
  log.info({ deployments: rows.length, plan: summary }, "promotion requested");
}

export async function cleanupOnClose(o: DeployOptions): Promise<void> {
  const { target, log } = o;
  const touch = await policyTouch(cachingGitApi(o.api), target.repo, target.base.sha, target.head.sha);
  if (touch.paths.length === 0) {
    log.info("closed without policy changes: nothing was staged, no clean-up");
    return;
  }
  const payload: DeploymentPayload = { pull_request: target.pull, base_sha: target.base.sha, head_sha: target.head.sha };
  const rows = await createDeployments(o.api, target.repo, environments(touch.config), { ref: target.head.sha, task: CLEANUP_TASK, description: `Remove what #${target.pull} staged`, payload }, log);
  await writeComment(o, { task: "cleanup", sha: target.head.sha, rows });
  log.info({ deployments: rows.length }, "clean-up requested");
}

/** Staging of an open pull request's head; nothing when it touches no policy file. */
export async function stageOnPush(o: Omit<DeployOptions, "bot">): Promise<void> {
  const { target, log } = o;
  const touch = await policyTouch(cachingGitApi(o.api), target.repo, target.base.sha, target.head.sha);
  if (touch.paths.length === 0) {
    log.info("no policy changes: nothing to stage");
    return;
  }
  const payload: DeploymentPayload = { pull_request: target.pull, base_sha: target.base.sha, head_sha: target.head.sha };
  const rows = await createDeployments(o.api, target.repo, environments(touch.config), { ref: target.head.sha, task: STAGE_TASK, description: `Stage #${target.pull} at ${target.head.sha.slice(0, 7)}`, payload }, log);
  log.info({ deployments: rows.length }, "staging requested");
}

interface DeploymentRequest {
  ref: string;
  task: string;
  description: string;
  payload: DeploymentPayload;
}

async function createDeployments(api: GitHubApi, repo: RepoRef, envs: string[], d: DeploymentRequest, log: AppLog): Promise<DeploymentRow[]> {
  if (envs.length === 0) log.info("no clusters in tierguard.yaml: no deployment created");
  const rows: DeploymentRow[] = [];
  for (const environment of envs) {
    try {
      const { data } = await api.request<{ id: number }>("POST /repos/{owner}/{repo}/deployments", {
        owner: repo.owner,
        repo: repo.repo,
        ref: d.ref,
        task: d.task,
        environment,
        description: d.description.slice(0, 140),
        payload: d.payload,
        auto_merge: false,
        required_contexts: [],
      });
      rows.push({ environment, id: data.id, state: "requested" });
    } catch (e) {
      // One environment's refusal does not stop the others; the comment says which failed and why.
      log.error({ err: describeError(e), environment }, "could not create the deployment");
      rows.push({ environment, state: "error", error: `GitHub answered ${httpStatus(e) ?? "with an error"}: ${describeError(e).message}` });
    }
  }
  return rows;
}

async function writeComment(o: DeployOptions, input: DeploymentCommentInput): Promise<void> {
  const existing = await listIssueComments(o.api, o.target.repo, o.target.pull);
  await upsertComment({ api: o.api, repo: o.target.repo, issue: o.target.pull, existing, bot: o.bot, partOf: markerPartOf(DEPLOYMENT_MARKER), parts: [renderDeploymentComment(input)], log: o.log });
}

export interface DeploymentStatusEvent {
  deployment: { id: number; sha: string; task: string; environment: string; payload: unknown };
  deployment_status: { state: string; description?: string | null; log_url?: string | null; target_url?: string | null };
}

/** The pull request a tierguard deployment is for; undefined for another tool's deployment. */
export function deploymentPullRequest(deployment: DeploymentStatusEvent["deployment"]): number | undefined {
  if (deployment.task !== PROMOTE_TASK && deployment.task !== CLEANUP_TASK && deployment.task !== STAGE_TASK) return undefined;
  const pr = payloadObject(deployment.payload)?.pull_request;
  return typeof pr === "number" ? pr : undefined;
}

/** Mirrors a deployment status into the pull request's deployment comment, rebuilt from GitHub's Deployments. */
export async function mirrorDeploymentStatus(o: { api: GitHubApi; repo: RepoRef; event: DeploymentStatusEvent; pull: number; log: AppLog; bot: string }): Promise<void> {
  const { deployment } = o.event;
  const payload = payloadObject(deployment.payload)!;
  const all = await o.api.paginate<{ id: number; environment: string; payload: unknown }>("GET /repos/{owner}/{repo}/deployments", { ...o.repo, sha: deployment.sha, task: deployment.task, per_page: 100 });
  const newest = new Map<string, { id: number; environment: string; payload: unknown }>();
  for (const d of all) {
    if (payloadObject(d.payload)?.pull_request !== o.pull) continue;
    const seen = newest.get(d.environment);
    if (!seen || d.id > seen.id) newest.set(d.environment, d);
  }
  if (!newest.has(deployment.environment)) newest.set(deployment.environment, deployment); // the list may lag the event
  const rows: DeploymentRow[] = [];
  for (const d of [...newest.values()].sort((a, b) => (a.environment < b.environment ? -1 : 1))) {
    const s = d.id === deployment.id ? o.event.deployment_status : await latestStatus(o.api, o.repo, d.id);
    rows.push({ environment: d.environment, id: d.id, state: s?.state ?? "requested", ...(s?.description ? { description: s.description } : {}), ...(s?.log_url || s?.target_url ? { logUrl: (s.log_url || s.target_url) ?? undefined } : {}) });
  }
  const existing = await listIssueComments(o.api, o.repo, o.pull);
  const task = deployment.task === PROMOTE_TASK ? "promote" : deployment.task === STAGE_TASK ? "stage" : "cleanup";
  const body = renderDeploymentComment({ task, sha: deployment.sha, plan: payload.plan, omitted: payload.omitted, rows });
  // The preview has a comment of its own: a late stage status never replaces the promotion's or the clean-up's.
  await upsertComment({ api: o.api, repo: o.repo, issue: o.pull, existing, bot: o.bot, partOf: markerPartOf(task === "stage" ? STAGE_MARKER : DEPLOYMENT_MARKER), parts: [body], log: o.log });
}

async function latestStatus(api: GitHubApi, repo: RepoRef, id: number): Promise<DeploymentStatusEvent["deployment_status"] | undefined> {
  const { data } = await api.request<Array<DeploymentStatusEvent["deployment_status"]>>("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...repo, deployment_id: id, per_page: 1 });
  return data[0];
}
