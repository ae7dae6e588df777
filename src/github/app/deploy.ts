import { DEFAULT_LOAD_LIMITS } from "../../policy/index.js";
import type { TierguardConfig } from "../../review/config.js";
import { planItemCount, planSummary, promotionPlan, type PlanItem, type PromotionPlan } from "../../review/plan.js";
import { prepareReview } from "../../review/prepare.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../api.js";
import { readPullRequestFiles } from "../repo-reader.js";
import { listIssueComments, markerPartOf, upsertComment } from "./comment.js";
import { DEPLOYMENT_MARKER, renderDeploymentComment, type DeploymentCommentInput, type DeploymentRow } from "./deployment-comment.js";
import { cachingGitApi, policyTouch } from "./git-cache.js";
import { describeError, type AppLog } from "./log.js";
import type { PullTarget } from "./target.js";

/**
 * Promotion on merge and clean-up on close, handed to the controller (a later issue) as GitHub Deployments: one
 * per environment of tierguard.yaml's `clusters` (the BASE revision's, so a pull request cannot redirect its own
 * deployment). On merge: `ref` the merge commit, `task: tierguard:promote`, the promotion plan as payload. On close
 * without merge: `ref` the closed head, `task: tierguard:cleanup`, so the controller removes the staged policies it
 * previewed; the App needs no contents write permission for either. Deployment statuses the controller posts are
 * mirrored into the pull request's deployment comment, rebuilt from GitHub each time.
 */
export const PROMOTE_TASK = "tierguard:promote";
export const CLEANUP_TASK = "tierguard:cleanup";
/** The plan is cut to fit this many characters of JSON in the deployment payload. */
export const MAX_PLAN_PAYLOAD_CHARS = 60_000;

export interface DeployOptions {
  api: GitHubApi;
  target: PullTarget;
  log: AppLog;
  bot: string;
}

export interface DeploymentPayload {
  pull_request: number;
  base_sha: string;
  head_sha: string;
  plan?: PromotionPlan;
  /** Plan items left out to fit the payload. */
  omitted?: number;
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
  const plan = promotionPlan(prepareReview(files.base, files.head, files.config, DEFAULT_LOAD_LIMITS).ctx.changes);
  const cut = budgetPlan(plan, MAX_PLAN_PAYLOAD_CHARS);
  const payload: DeploymentPayload = { pull_request: target.pull, base_sha: target.base.sha, head_sha: target.head.sha, plan: cut.plan, ...(cut.omitted > 0 ? { omitted: cut.omitted } : {}) };
  const rows = await createDeployments(api, target.repo, environments(files.config), { ref: target.mergeCommit, task: PROMOTE_TASK, description: `Promote #${target.pull}: ${planSummary(plan)}`, payload }, log);
  await writeComment(o, { task: "promote", sha: target.mergeCommit, plan, rows });
  log.info({ deployments: rows.length, plan: planSummary(plan) }, "promotion requested");
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

export interface DeploymentStatusEvent {
  deployment: { id: number; sha: string; task: string; environment: string; payload: unknown };
  deployment_status: { state: string; description?: string | null; log_url?: string | null; target_url?: string | null };
}

/** The pull request a tierguard deployment is for; undefined for another tool's deployment. */
export function deploymentPullRequest(deployment: DeploymentStatusEvent["deployment"]): number | undefined {
  if (deployment.task !== PROMOTE_TASK && deployment.task !== CLEANUP_TASK) return undefined;
  const pr = payloadOf(deployment.payload)?.pull_request;
  return typeof pr === "number" ? pr : undefined;
}

/** Mirrors a deployment status into the pull request's deployment comment, rebuilt from GitHub's Deployments. */
export async function mirrorDeploymentStatus(o: { api: GitHubApi; repo: RepoRef; event: DeploymentStatusEvent; pull: number; log: AppLog; bot: string }): Promise<void> {
  const { deployment } = o.event;
  const payload = payloadOf(deployment.payload)!;
  const all = await o.api.paginate<{ id: number; environment: string; payload: unknown }>("GET /repos/{owner}/{repo}/deployments", { ...o.repo, sha: deployment.sha, task: deployment.task, per_page: 100 });
  const newest = new Map<string, { id: number; environment: string; payload: unknown }>();
  for (const d of all) {
    if (payloadOf(d.payload)?.pull_request !== o.pull) continue;
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
  const body = renderDeploymentComment({ task: deployment.task === PROMOTE_TASK ? "promote" : "cleanup", sha: deployment.sha, plan: payload.plan, omitted: payload.omitted, rows });
  await upsertComment({ api: o.api, repo: o.repo, issue: o.pull, existing, bot: o.bot, partOf: markerPartOf(DEPLOYMENT_MARKER), parts: [body], log: o.log });
}

async function latestStatus(api: GitHubApi, repo: RepoRef, id: number): Promise<DeploymentStatusEvent["deployment_status"] | undefined> {
  const { data } = await api.request<Array<DeploymentStatusEvent["deployment_status"]>>("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...repo, deployment_id: id, per_page: 1 });
  return data[0];
}

function payloadOf(p: unknown): DeploymentPayload | undefined {
  if (typeof p === "string") {
    try {
      return payloadOf(JSON.parse(p));
    } catch {
      return undefined;
    }
  }
  return p !== null && typeof p === "object" ? (p as DeploymentPayload) : undefined;
}
