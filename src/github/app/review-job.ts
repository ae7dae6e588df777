import { REVIEW_MARKER, checkRunOutput, renderReviewCommentParts, truncateMarkdown, CHECK_RUN_TEXT_LIMIT, type CheckRunOutput } from "../../report/review/index.js";
import type { GitHubApi } from "../api.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../review-run.js";
import { findAck } from "./ack.js";
import { CheckRunWriter } from "./checks.js";
import type { Clock } from "./clock.js";
import { canWrite, repoAccess } from "./commands.js";
import { listIssueComments, reviewCommentPartOf, upsertComment } from "./comment.js";
import { failureSummary } from "./failure.js";
import { cachingGitApi, policyTouch } from "./git-cache.js";
import type { AppIdentity } from "./identity.js";
import { describeError, type AppLog } from "./log.js";
import type { JobSignal, QueuedJob } from "./queue.js";
import { fetchPull, movedOn, pullKey, shortSha, type PullTarget } from "./target.js";

/**
 * One review of one head commit, as a background job: the check run in progress at once; then which reviewed
 * files the pull request changes, the acknowledgement standing for this head, the review itself; then, only if
 * this head is still the pull request's head on GitHub, the check run's result and the one comment. A failure
 * completes the check run with the reason (unless the head moved on: then a newer review owns the result).
 */
export interface ReviewJobDeps {
  runReview(req: GitHubReviewRequest): Promise<GitHubReviewResult>;
  identity: AppIdentity;
  clock: Clock;
  commentLimit: number;
  progressIntervalMs: number;
}

export interface ReviewJobRequest {
  api: GitHubApi;
  target: PullTarget;
  log: AppLog;
  /** What asked for the review, for the log and the queued summary. */
  trigger: string;
}

/** Thrown from a progress callback to abandon a review a newer job has superseded. */
class Superseded extends Error {}

export function reviewJob(deps: ReviewJobDeps, req: ReviewJobRequest): QueuedJob {
  const check = new CheckRunWriter({ api: req.api, target: req.target, clock: deps.clock, log: req.log, progressIntervalMs: deps.progressIntervalMs });
  return {
    key: pullKey(req.target),
    version: req.target.head.sha,
    log: req.log,
    start: () => check.start(`Queued: ${req.trigger}.`),
    run: (signal) => runReview(deps, req, check, signal),
    fail: (e) => reportFailure(req, check, e),
  };
}

async function runReview(deps: ReviewJobDeps, req: ReviewJobRequest, check: CheckRunWriter, signal: JobSignal): Promise<void> {
  const { target, log } = req;
  const api = cachingGitApi(req.api);
  const touch = await policyTouch(api, target.repo, target.base.sha, target.head.sha);
  const { login: bot } = await deps.identity.get();
  if (touch.paths.length === 0) {
    await passWithoutReview(api, req, check, bot);
    return;
  }
  log.info({ files: touch.paths.length }, "reviewing");
  const acknowledgedBy = await standingAck(api, req, bot);
  const progress = async (stage: string) => {
    if (signal.superseded()) throw new Superseded();
    await check.progress(stage);
  };
  let result: GitHubReviewResult;
  try {
    result = await deps.runReview({
      api,
      repo: target.repo,
      pull: target.pull,
      base: target.base,
      head: target.head,
      author: target.author,
      teams: "api",
      acknowledgedBy,
      log,
      progress,
    });
  } catch (e) {
    if (e instanceof Superseded) {
      log.info("not writing: a newer push to this pull request is waiting to be reviewed");
      return;
    }
    throw e;
  }
  if (signal.superseded()) {
    log.info("not writing: a newer push to this pull request is waiting to be reviewed");
    return;
  }
  if (await stale(api, req)) return;
  const output = withAck(checkRunOutput(result.review), acknowledgedBy);
  const requests = await check.complete(output);
  const parts = renderReviewCommentParts(result.review, {}, deps.commentLimit);
  const existing = await listIssueComments(api, target.repo, target.pull);
  await upsertComment({ api, repo: target.repo, issue: target.pull, existing, bot, partOf: reviewCommentPartOf, parts, log });
  log.info({ conclusion: output.conclusion, annotations: output.annotations.length, checkRunRequests: requests, commentParts: parts.length }, "review written");
}

/** Nothing tierguard reviews changed: the check passes (a required check must exist on every pull request). */
async function passWithoutReview(api: GitHubApi, req: ReviewJobRequest, check: CheckRunWriter, bot: string): Promise<void> {
  const { target, log } = req;
  log.info("no policy files, tests or tierguard.yaml changed; the check passes without a review");
  if (await stale(api, req)) return;
  await check.finish("success", "No policy changes", "This pull request changes no file tierguard reviews: no policy file, policy test or `tierguard.yaml` (as the base revision's `tierguard.yaml` names them).");
  // An earlier push may have changed policies: its review comment would now mislead, so it says there is nothing to review.
  const existing = await listIssueComments(api, target.repo, target.pull);
  const body = `${REVIEW_MARKER}\n**tierguard:** as of \`${shortSha(target.head.sha)}\` this pull request changes no policy file, policy test or \`tierguard.yaml\`; there is nothing to review.\n`;
  await upsertComment({ api, repo: target.repo, issue: target.pull, existing, bot, partOf: reviewCommentPartOf, parts: [body], log, create: false });
}

/**
 * True (and logged) when the pull request on GitHub is no longer what this job reviewed: its head moved on, or its
 * base (ref or sha) is another. GitHub is the state replicas share; a replayed or late delivery never writes.
 */
async function stale(api: GitHubApi, req: ReviewJobRequest): Promise<boolean> {
  const now = await fetchPull(api, req.target.repo, req.target.pull);
  const why = movedOn(req.target, now);
  if (why === undefined) return false;
  req.log.info({ head: now.head.sha, base: now.base.ref, baseSha: now.base.sha }, `not writing: ${why}; the review of the ${now.head.sha !== req.target.head.sha ? "new head" : "pull request as it is now"} owns the check and the comment`);
  return true;
}

/** Who acknowledged this head's newly denied flows, if the acknowledgement still stands (see ack.ts). */
async function standingAck(api: GitHubApi, req: ReviewJobRequest, bot: string): Promise<string | undefined> {
  const comments = await listIssueComments(api, req.target.repo, req.target.pull);
  const ack = findAck(comments, { bot, headSha: req.target.head.sha });
  if (!ack) return undefined;
  const access = await repoAccess(api, req.target.repo, ack.by);
  if (!canWrite(access)) {
    req.log.info({ by: ack.by, permission: access.permission }, "ignoring the acknowledgement: its author no longer has write access");
    return undefined;
  }
  return ack.by;
}

function withAck(output: CheckRunOutput, by: string | undefined): CheckRunOutput {
  if (!by) return output;
  const line = `**Newly denied flows acknowledged by @${by}** (\`/tierguard ack-impact\` on this head commit).`;
  return { ...output, summary: truncateMarkdown(`${line}\n\n${output.summary}`, CHECK_RUN_TEXT_LIMIT, { note: "_The rest does not fit in the check run's summary._" }) };
}

async function reportFailure(req: ReviewJobRequest, check: CheckRunWriter, error: unknown): Promise<void> {
  req.log.error({ err: describeError(error) }, "the review could not finish");
  try {
    if (await stale(req.api, req)) return;
  } catch (e) {
    req.log.warn({ err: describeError(e) }, "could not tell whether the head moved on; reporting the failure on this head's check run");
  }
  const { title, summary } = failureSummary(error, req.target);
  await check.finish("failure", title, summary);
}
