import type { ApplicationFunction, Probot } from "probot";
import type { GitHubApi } from "../api.js";
import { reviewPullRequest } from "../review-run.js";
import type { SnapshotLimits } from "../snapshot.js";
import { DEFAULT_TIMING, SYSTEM_CLOCK, type AppTiming, type Clock } from "./clock.js";
import { DeliveryLog } from "./deliveries.js";
import type { AppDeps, EventContext } from "./deps.js";
import { onCheckRunRerequested } from "./handlers/check-run.js";
import { onIssueComment } from "./handlers/comment-commands.js";
import { onDeploymentStatus, onPullRequestClosed } from "./handlers/merge.js";
import { onPullRequest, REVIEW_ACTIONS } from "./handlers/pull-request.js";
import { onPullRequestReview } from "./handlers/review.js";
import { AppIdentity } from "./identity.js";
import { appLog, describeError, oneNamePerLine, type PinoLike } from "./log.js";
import type { AppMetrics } from "./metrics.js";
import { JobQueue } from "./queue.js";
import { UnreportedConclusions } from "./unreported.js";
import type { ReviewJobDeps } from "./review-job.js";
import { GITHUB_COMMENT_LIMIT } from "../../report/index.js";

/**
 * The tierguard GitHub App (Probot). This folder is the GitHub adapter's App half: webhook handlers that queue
 * background jobs (handlers/), the jobs (review-job.ts, deploy.ts, commands), and what they write (checks.ts,
 * comment.ts). It builds on the shared runner (../review-run.ts) and the pure renderers (src/report/review); no
 * review logic lives here. Handlers return at once so GitHub's delivery is acknowledged; `idle()` waits for the
 * background work (tests, graceful shutdown).
 */
export interface TierguardAppOptions {
  /** The review runner; tests inject one to control timing. Default: the shared `reviewPullRequest`. */
  runReview?: ReviewJobDeps["runReview"];
  clock?: Clock;
  /** Reviews running at once per process. Default 2. */
  concurrency?: number;
  /** Characters per comment part. Default GitHub's limit. */
  commentLimit?: number;
  /** Least time between two progress updates of a check run. Default 5 s. */
  progressIntervalMs?: number;
  snapshot?: SnapshotLimits;
  /**
   * The review deadline (default 10 min) and how a check run's conclusion is retried (default 5 tries, 2 s
   * doubling). The timeout of each request to GitHub belongs to the Octokit class: `tierguardOctokit(...)`.
   */
  timing?: Partial<AppTiming>;
  /**
   * Create a `tierguard:stage` deployment per environment when a pull request touching policies is opened, reopened
   * or pushed, so the controllers preview it. Default false (the library's tests); `tierguard app` turns it on.
   */
  stage?: boolean;
  /** Reviews in flight and their durations are counted here (metrics.ts). */
  metrics?: AppMetrics;
}

export interface TierguardApp extends ApplicationFunction {
  /** Resolves when every queued job has finished. */
  idle(): Promise<void>;
}

export function tierguardApp(options: TierguardAppOptions = {}): TierguardApp {
  const queues: JobQueue[] = [];
  const fn = (app: Probot): void => {
    oneNamePerLine(app.log);
    const log = appLog(app.log as unknown as PinoLike, { name: "tierguard" });
    const timing: AppTiming = { ...DEFAULT_TIMING, ...options.timing };
    const queue = new JobQueue({ concurrency: options.concurrency ?? 2, log, deadlineMs: timing.reviewDeadlineMs });
    queues.push(queue);
    const deliveries = new DeliveryLog();
    const deps: AppDeps = {
      queue,
      runReview: options.metrics ? options.metrics.measureReview(options.runReview ?? reviewPullRequest) : (options.runReview ?? reviewPullRequest),
      identity: new AppIdentity(async () => (await app.auth()) as unknown as GitHubApi),
      clock: options.clock ?? SYSTEM_CLOCK,
      commentLimit: options.commentLimit ?? GITHUB_COMMENT_LIMIT,
      progressIntervalMs: options.progressIntervalMs ?? 5000,
      snapshot: options.snapshot,
      timing,
      unreported: new UnreportedConclusions(),
      stage: options.stage ?? false,
    };
    const on = (events: string[], handler: (deps: AppDeps, ctx: EventContext) => void) =>
      app.on(events as never, async (ctx: unknown) => {
        const { id } = ctx as EventContext;
        if (deliveries.seen(id)) {
          log.info({ delivery: id, event: (ctx as EventContext).name }, "ignoring a delivery already handled (the same delivery id): nothing is started twice");
          return;
        }
        try {
          handler(deps, ctx as EventContext);
        } catch (e) {
          // A payload the handler could not read: logged, and GitHub's delivery still succeeds (retrying it would not help).
          log.error({ err: describeError(e), delivery: (ctx as EventContext).id }, "could not handle the webhook");
        }
      });
    on(REVIEW_ACTIONS.map((a) => `pull_request.${a}`), onPullRequest);
    on(["pull_request.closed"], onPullRequestClosed);
    on(["pull_request_review.submitted", "pull_request_review.dismissed"], onPullRequestReview);
    on(["check_run.rerequested"], onCheckRunRerequested);
    on(["issue_comment.created"], onIssueComment);
    on(["deployment_status.created"], onDeploymentStatus);
  };
  return Object.assign(fn, { idle: async () => void (await Promise.all(queues.map((q) => q.idle()))) });
}

export { tierguardOctokit, DEFAULT_RATE_LIMIT_POLICY, DEFAULT_REQUEST_TIMEOUT_MS, GitHubTimeoutError, type RateLimitPolicy, type TierguardOctokitOptions } from "./octokit.js";
export type { AppTiming, Clock } from "./clock.js";
export { startAppServer, DEFAULT_WEBHOOK_PATH, type AppServer, type AppServerOptions } from "./server.js";
export { MAX_WEBHOOK_BYTES } from "./webhook-edge.js";
export { serveHandlers } from "./server.js";
export { healthz, readyz, appReadiness, SETUP_READINESS, type Readiness, type ReadyState, type ReadinessCheck } from "./health.js";
export { AppMetrics, octokitMetrics, type DeliveryOutcome } from "./metrics.js";
export { setupRoutes, startSetupServer, manifestFor, manifestConversion, writeEnv, type AppCredentials, type SetupOptions } from "./setup.js";
