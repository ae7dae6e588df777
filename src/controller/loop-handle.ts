import type { Log } from "../contracts/index.js";
import type { DeploymentFeed, FeedDeployment, StatusUpdate } from "./feed.js";
import { nodeFields } from "./nodes.js";
import type { ActionResult, LoopOptions } from "./loop-types.js";
import type { ControllerMetrics, Task } from "./metrics.js";

/**
 * Running one action for a deployment, and telling GitHub: `in_progress` before, `success` or `failure` after,
 * metrics and a log line either way. A status GitHub would not take is kept and posted again at the next poll; the
 * action is never run twice for it.
 */
export class StatusReporter {
  private readonly unreported = new Map<number, StatusUpdate>();

  constructor(
    private readonly feed: DeploymentFeed,
    private readonly o: { environment: string; metrics: ControllerMetrics; log: Log; logUrl?: string },
  ) {}

  /** Posts; a failure is logged and counted, and a final status is kept for the next poll. */
  async post(id: number, status: Omit<StatusUpdate, "logUrl">): Promise<void> {
    const full: StatusUpdate = { ...status, ...(this.o.logUrl ? { logUrl: this.o.logUrl } : {}) };
    try {
      await this.feed.post(id, full);
      this.unreported.delete(id);
    } catch (e) {
      this.o.metrics.failed(this.o.environment, "status");
      this.o.log.warn({ deployment: id, state: status.state, err: errorText(e) }, "could not post the deployment status; trying again at the next poll");
      if (status.state !== "in_progress") this.unreported.set(id, full);
    }
  }

  /** The final statuses GitHub did not take before, posted again. */
  async flush(): Promise<void> {
    for (const [id, status] of [...this.unreported]) await this.post(id, status);
  }
}

export interface JobContext {
  options: Pick<LoopOptions, "environment" | "metrics" | "log">;
  reporter: StatusReporter;
  now(): number;
  /** Called while a long poll makes progress (liveness). */
  beat(): void;
}

export const TASK_OF: Record<string, Task> = { "tierguard:promote": "promote", "tierguard:stage": "stage", "tierguard:cleanup": "cleanup" };

/**
 * Runs `action` for `deployment` (undefined: the fallback sync, which has no deployment to tell) and returns what it
 * reported. A throw is an action's bug or an unreachable API: logged as an error and reported as a failure.
 */
export async function runAction(ctx: JobContext, o: { task: Task; deployment?: FeedDeployment; starting: string; bindings: Record<string, unknown> }, action: () => Promise<ActionResult>): Promise<ActionResult> {
  const { environment, metrics, log } = ctx.options;
  if (o.deployment) await ctx.reporter.post(o.deployment.id, { state: "in_progress", description: o.starting });
  log.info({ ...o.bindings, task: o.task }, o.starting);
  const started = ctx.now();
  let result: ActionResult;
  try {
    result = await action();
  } catch (e) {
    log.error({ ...o.bindings, task: o.task, err: errorText(e) }, `the ${o.task} threw instead of reporting a failure`);
    result = { converged: false, summary: `${o.task} failed`, failed: errorText(e) };
  }
  ctx.beat();
  const seconds = (ctx.now() - started) / 1000;
  metrics.handled({ environment, task: o.task, outcome: result.converged ? "converged" : "failed", seconds });
  metrics.wrote(result.writes ?? []);
  metrics.drifted(environment, result.drift ?? 0);
  if (result.converged) metrics.converged(environment, Math.floor(ctx.now() / 1000));
  else metrics.failed(environment, "action");
  if (result.nodes) metrics.nodes(environment, result.nodes);
  const nodes = result.nodes && result.nodes.state !== "none" ? result.nodes : undefined;
  const fields = { ...o.bindings, task: o.task, converged: result.converged, seconds, writes: result.writes?.length ?? 0, ...(result.drift ? { drift: result.drift } : {}), ...(result.failed ? { failed: result.failed } : {}), ...(nodes ? { nodes: nodeFields(nodes) } : {}) };
  if (result.converged) log.info(fields, nodes ? `${result.summary}; ${nodes.summary}` : result.summary);
  else log.warn(fields, `${o.task} did not converge: ${failure(result)}`);
  if (o.deployment) await ctx.reporter.post(o.deployment.id, finalStatus(result));
  return result;
}

/** A success names the nodes too ("…; waiting on 1 of 3 nodes (node-b) for 4 s"), unless no node runs an agent. */
export function finalStatus(r: ActionResult, prefix = ""): Omit<StatusUpdate, "logUrl"> {
  const nodes = r.nodes && r.nodes.state !== "none" ? `; ${r.nodes.summary}` : "";
  return r.converged ? { state: "success", description: `${prefix}${r.summary}${nodes}` } : { state: "failure", description: `${prefix}failed: ${failure(r)}` };
}

function failure(r: ActionResult): string {
  return r.failed ?? r.summary;
}

/** An error as one line: its message only (never a request object, which can hold a token). */
export function errorText(e: unknown): string {
  const m = (e as { message?: unknown })?.message;
  return typeof m === "string" ? m : String(e);
}
