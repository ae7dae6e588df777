import { REVIEW_MARKER, checkRunOutput, renderReviewCommentParts, truncateMarkdown, CHECK_RUN_TEXT_LIMIT, type CheckRunOutput } from "../../report/index.js";
import type { GitHubApi } from "../api.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../review-run.js";
import { findAck } from "./ack.js";
import { CheckRunWriter } from "./checks.js";
import type { AppTiming, Clock } from "./clock.js";
import { canWrite, repoAccess } from "./commands.js";
import { listIssueComments, reviewCommentPartOf, upsertComment } from "./comment.js";
import { failureSummary } from "./failure.js";
import { cachingGitApi, policyTouch } from "./git-cache.js";
import type { AppIdentity } from "./identity.js";
import { describeError, type AppLog } from "./log.js";
import type { JobSignal, QueuedJob } from "./queue.js";
import { shortSha, type Pull } from "../pull.js";
import { fetchPull, movedOn, pullKey } from "./target.js";
import { concludeDangling, unreportedNote, type UnreportedConclusions } from "./unreported.js";

/**
 * One review of one head commit, as a background job: the check run in progress as soon as the queue lets it be
 * the newest of its pull request; then which reviewed files the pull request changes, the acknowledgement standing
 * for this head, the review itself; then, only if this head is still the pull request's head on GitHub, the check
 * run's result and the one comment. Every check run it creates is concluded: with the result; `neutral`
 * "superseded by ..." when a newer push replaced it (`cancelled` when the newer job is this head on a new base);
 * `cancelled` when GitHub says the pull request moved on (not `neutral`: with only the base changed, this is still
 * the head, and a neutral check would pass it unreviewed);
 * `failure` with the reason when the review could not finish, ran past its deadline included. A conclusion GitHub
 * would not take is concluded on the pull request's next delivery.
 *
 * Worst cases with the defaults (30 s per request, Octokit's 3 retries of a 5xx waiting 1 + 4 + 9 s, 5 tries of a
 * conclusion waiting 2 + 4 + 8 + 16 s, a 10 min deadline): an endpoint that hangs fails the review 30 s into the
 * request; a conclusion refused with 5xx is given up after about 5 x 14 + 30 = 100 s and concluded on the next
 * delivery; a conclusion endpoint that hangs, after 5 x 30 + 30 = 180 s.
 */
export interface ReviewJobDeps {
  runReview(req: GitHubReviewRequest): Promise<GitHubReviewResult>;
  identity: AppIdentity;
  clock: Clock;
  commentLimit: number;
  progressIntervalMs: number;
  timing: AppTiming;
  unreported: UnreportedConclusions;
}

export interface ReviewJobRequest {
  api: GitHubApi;
  target: Pull;
  log: AppLog;
  /** What asked for the review, for the log and the queued summary. */
  trigger: string;
}

/** Thrown from a progress callback to abandon a review a newer job has superseded, or the queue gave up on. */
class Stopped extends Error {}

export function reviewJob(deps: ReviewJobDeps, req: ReviewJobRequest): QueuedJob {
  const key = pullKey(req.target);
  const check = new CheckRunWriter({
    api: req.api,
    target: req.target,
    clock: deps.clock,
    log: req.log,
    progressIntervalMs: deps.progressIntervalMs,
    timing: deps.timing,
    unreported: { store: deps.unreported, key },
  });
  return {
    key,
    // A new base is a new review of the same head: it supersedes the running one, and is no duplicate of it.
    version: `${req.target.head.sha}@${req.target.base.sha}`,
    shown: req.target.head.sha,
    log: req.log,
    start: () => startCheck(deps, req, check, key),
    run: (signal) => runReview(deps, req, check, signal),
    supersede: (by) => check.supersede(by),
    fail: (e) => reportFailure(req, check, e),
  };
}

/** The check run, in progress; and the check runs earlier reviews of this pull request left dangling, concluded. */
async function startCheck(deps: ReviewJobDeps, req: ReviewJobRequest, check: CheckRunWriter, key: string): Promise<void> {
  const earlier = deps.unreported.take(key);
  if (earlier.length > 0) check.note = unreportedNote(earlier);
  try {
    await check.start(`Queued: ${req.trigger}.`);
  } catch (e) {
    for (const record of earlier) deps.unreported.remember(key, record);
    throw e;
  }
  await concludeDangling({ api: req.api, repo: req.target.repo, key, records: earlier, store: deps.unreported, log: req.log });
}

async function runReview(deps: ReviewJobDeps, req: ReviewJobRequest, check: CheckRunWriter, signal: JobSignal): Promise<void> {
  const { target, log } = req;
  const api = cachingGitApi(req.api);
  const touch = await policyTouch(api, target.repo, target.base.sha, target.head.sha);
  const { login: bot } = await deps.identity.get();
  if (touch.paths.length === 0) {
    await passWithoutReview(api, req, check, bot, signal);
    return;
  }
  log.info({ files: touch.paths.length }, "reviewing");
  const acknowledgedBy = await standingAck(api, req, bot);
  const progress = async (stage: string) => {
    if (signal.superseded() || signal.abandoned()) throw new Stopped();
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
    if (e instanceof Stopped && (await stopped(req, check, signal, true))) return;
    throw e;
  }
  if (await stopped(req, check, signal)) return;
  if (await stale(api, req)) return concludeStale(req, check);
  if (await stopped(req, check, signal)) return;
  const output = withAck(checkRunOutput(result.review), acknowledgedBy);
  const requests = await check.complete(output);
  const parts = renderReviewCommentParts(result.review, {}, deps.commentLimit);
  const existing = await listIssueComments(api, target.repo, target.pull);
  await upsertComment({ api, repo: target.repo, issue: target.pull, existing, bot, partOf: reviewCommentPartOf, parts, log });
  log.info({ conclusion: output.conclusion, annotations: output.annotations.length, checkRunRequests: requests, commentParts: parts.length }, "review written");
}

/**
 * True (and logged) when the queue cut this review short: abandoned at its deadline (the queue has reported that
 * on the check run), or superseded by a newer head (said here). `thrown`: the review stopped itself, so it is
 * stopped even if the newer job is no longer waiting (its creation failed and was reported).
 */
async function stopped(req: ReviewJobRequest, check: CheckRunWriter, signal: JobSignal, thrown = false): Promise<boolean> {
  if (signal.abandoned()) {
    req.log.info("not writing: the review was abandoned at its deadline, and its check run says so");
    return true;
  }
  const newer = signal.newer();
  if (newer === undefined && !thrown) return false;
  req.log.info({ newer }, "not writing: a newer push to this pull request is waiting to be reviewed");
  await check.supersede(newer ?? "a newer push");
  return true;
}

/** Nothing tierguard reviews changed: the check passes (a required check must exist on every pull request). */
async function passWithoutReview(api: GitHubApi, req: ReviewJobRequest, check: CheckRunWriter, bot: string, signal: JobSignal): Promise<void> {
  const { target, log } = req;
  log.info("no policy files, tests or tierguard.yaml changed; the check passes without a review");
  if (await stale(api, req)) return concludeStale(req, check);
  if (await stopped(req, check, signal)) return;
  await check.finish("success", "No policy changes", "This pull request changes no file tierguard reviews: no policy file, policy test or `tierguard.yaml` (as the base revision's `tierguard.yaml` names them).");
  // An earlier push may have changed policies: its review comment would now mislead, so it says there is nothing to review.
  const existing = await listIssueComments(api, target.repo, target.pull);
  const body = `${REVIEW_MARKER}\n**tierguard:** as of \`${shortSha(target.head.sha)}\` this pull request changes no policy file, policy test or \`tierguard.yaml\`; there is nothing to review.\n`;
  await upsertComment({ api, repo: target.repo, issue: target.pull, existing, bot, partOf: reviewCommentPartOf, parts: [body], log, create: false });
}

/** GitHub says the pull request moved on: this check run is concluded `cancelled` (see the file's comment for why not `neutral`). */
async function concludeStale(req: ReviewJobRequest, check: CheckRunWriter): Promise<void> {
  const head = shortSha(req.target.head.sha);
  await check.finish(
    "cancelled",
    "Superseded: the pull request moved on",
    `The pull request changed on GitHub (a newer push, or a new base branch) while \`${head}\` was being reviewed, so this review wrote nothing; the review of the pull request as it is now has its own check run.`,
  );
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
  req.log.error({ err: describeError(error), ...(check.stage ? { stage: check.stage } : {}) }, "the review could not finish");
  let moved = false;
  try {
    moved = await stale(req.api, req);
  } catch (e) {
    req.log.warn({ err: describeError(e) }, "could not tell whether the head moved on; reporting the failure on this head's check run");
  }
  if (moved) return concludeStale(req, check);
  const { title, summary } = failureSummary(error, { head: req.target.head, stage: check.stage });
  await check.finish("failure", title, summary);
}
