import type { GitHubApi } from "../api.js";
import type { SnapshotLimits } from "../snapshot.js";
import { appLog, describeError, type AppLog, type PinoLike } from "./log.js";
import type { JobQueue, QueuedJob } from "./queue.js";
import type { ReviewJobDeps } from "./review-job.js";

/**
 * What every handler gets: the queue, the review runner, clock and timing, who the App is, the conclusions GitHub
 * did not take. Handlers hold no state of their
 * own (STYLE.md: no global singletons): one `tierguardApp(...)` call makes one set.
 */
export interface AppDeps extends ReviewJobDeps {
  queue: JobQueue;
  snapshot?: SnapshotLimits;
  /** Ask the controllers to stage open pull requests (`tierguard:stage` deployments). Undefined: no. */
  stage?: boolean;
}

/** The parts of Probot's Context a handler reads (Probot's own type is generic over every event). */
export interface EventContext {
  id: string;
  name: string;
  payload: any;
  octokit: unknown;
  log: PinoLike;
}

export function contextApi(ctx: EventContext): GitHubApi {
  return ctx.octokit as GitHubApi;
}

export function contextLog(ctx: EventContext, bindings: Record<string, unknown>): AppLog {
  const action = typeof ctx.payload?.action === "string" ? `.${ctx.payload.action}` : "";
  return appLog(ctx.log, { event: `${ctx.name}${action}`, delivery: ctx.id, ...bindings });
}

/**
 * Work that is not a review but must not hold up the webhook either (a command, a deployment). Each has its own
 * key, so none is coalesced away; a failure is logged and handed to `onFailure` (a reply on the pull request).
 */
export function backgroundJob(o: { key: string; log: AppLog; run(): Promise<void>; onFailure?(e: unknown): Promise<void> }): QueuedJob {
  return {
    key: o.key,
    version: o.key,
    log: o.log,
    run: () => o.run(),
    fail: async (e) => {
      o.log.error({ err: describeError(e) }, "background work failed");
      await o.onFailure?.(e);
    },
  };
}
