import { httpStatus } from "../api.js";
import { describeError, scrub } from "./log.js";
import { formatDuration, GitHubTimeoutError } from "./timed-fetch.js";
import { DeadlineExceeded } from "./queue.js";
import { shortSha } from "../pull.js";

/**
 * Why a review could not finish, in words for the check run (STYLE.md habit 5: an exception is shown as one, not
 * as a verdict on the policies). The check run concludes `failure` whatever the cause: a policy change nobody
 * reviewed must not pass a required check, and `neutral` would.
 */
const RECHECK = "Comment `/tierguard recheck` on the pull request to run the review again.";

export interface FailureContext {
  head: { sha: string };
  /** What the review was doing when it stopped, for a deadline. */
  stage?: string;
}

export function failureSummary(error: unknown, target: FailureContext): { title: string; summary: string } {
  const head = shortSha(target.head.sha);
  const reason = error instanceof DeadlineExceeded ? deadlineReason(error, target.stage) : failureReason(error, `\`${head}\``);
  return { title: `The review of ${head} could not finish`, summary: `${reason}\n\nThe policy change was not reviewed, so this check fails. ${RECHECK}` };
}

function deadlineReason(error: DeadlineExceeded, stage: string | undefined): string {
  const doing = stage ? ` It was ${stage} when it was stopped.` : "";
  return `The review did not finish within ${formatDuration(error.deadlineMs)}, the most a review may take, and was abandoned.${doing}`;
}

/** One paragraph: what went wrong, and what it probably means. `head` names the commit, when there is one. */
export function failureReason(error: unknown, head = "of the pull request"): string {
  if (error instanceof DeadlineExceeded) return `The work did not finish within ${formatDuration(error.deadlineMs)}, the most it may take, and was abandoned.`;
  const timeout = timeoutIn(error);
  if (timeout) {
    const what =
      timeout.phase === "answer"
        ? `GitHub did not answer \`${timeout.method} ${timeout.path}\` within ${formatDuration(timeout.timeoutMs)}`
        : `GitHub stopped sending its answer to \`${timeout.method} ${timeout.path}\` for ${formatDuration(timeout.timeoutMs)}`;
    return `${what}, so the request was given up (GitHub may be degraded; see https://www.githubstatus.com).`;
  }
  const status = httpStatus(error ?? {});
  const request = requestLine(error);
  if (status === 404) {
    return `GitHub answered 404 Not Found${request}. The head branch or commit ${head} may have been deleted or force-pushed away, or the App may have lost access to the repository.`;
  }
  if (status === 401 || status === 403 || status === 429) {
    return `GitHub refused a request${request} with HTTP ${status} (${describeError(error).message}): a rate limit that outlasted the retries, or a permission the App is missing.`;
  }
  if (status !== undefined && status >= 500) return `GitHub answered HTTP ${status}${request} and kept failing after the retries.`;
  if (status !== undefined) return `GitHub answered HTTP ${status}${request}: ${describeError(error).message}.`;
  return `tierguard hit an internal error: ${describeError(error).message}. This is a bug in tierguard; please report it with this message.`;
}

/** The timeout behind an error, also when something wrapped it (as `cause`). */
function timeoutIn(error: unknown): GitHubTimeoutError | undefined {
  let e = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === "object"; depth++) {
    if (e instanceof GitHubTimeoutError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function requestLine(error: unknown): string {
  const req = (error as { request?: { method?: unknown; url?: unknown } } | undefined)?.request;
  if (!req || typeof req.url !== "string") return "";
  let path = req.url;
  try {
    path = new URL(req.url).pathname;
  } catch {
    // not absolute: keep as is
  }
  return ` to \`${typeof req.method === "string" ? `${req.method} ` : ""}${scrub(path)}\``;
}
