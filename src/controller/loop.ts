import type { DefaultBranch, FeedDeployment } from "./feed.js";
import { nodeFields } from "./nodes.js";
import { errorText, runAction, StatusReporter, TASK_OF, type JobContext } from "./loop-handle.js";
import { promoteNewest, runPullJob, short } from "./loop-promote.js";
import { rejection, triage } from "./loop-triage.js";
import type { Health, LoopClock, LoopOptions, TickReport } from "./loop-types.js";

export type { ActionResult, ControllerActions, Health, LoopClock, LoopOptions, TickReport } from "./loop-types.js";

/**
 * The long-running controller: every `intervalMs` one poll, which
 *
 * 1. reads the default branch and the environment's pending tierguard deployments from GitHub, and probes the
 *    cluster (readiness: both answered);
 * 2. refuses every deployment whose payload parseDeploymentPayload rejects (status `failure`, the problems named);
 * 3. promotes the newest merge (older merges ride with it), then runs each pull request's newest stage or clean-up
 *    (loop-triage.ts decides; superseded deployments become `inactive`);
 * 4. falls back on the default branch: when its head is not what the cluster last converged to (a merge whose
 *    webhook or deployment was lost), or a resync is due, it syncs the head. A failed fallback backs off, doubling
 *    from the interval up to ten intervals.
 * 5. compares the nodes' agents with what was last applied, while some were waiting after the last action
 *    (src/controller/nodes.ts): a gauge every poll, a log line when the wait changes or ends.
 *
 * Each deployment is handled once: its id is remembered, and after a restart GitHub's terminal status says it is
 * done. Polls never overlap. Nothing here talks HTTP or Kubernetes: the feed and the actions are injected.
 */
const KNOWN_IDS = 10_000;
const MAX_BACKOFF_INTERVALS = 10;

export class ControllerLoop {
  private readonly known = new Set<number>();
  private readonly merged = new Set<number>();
  private readonly reporter: StatusReporter;
  private readonly clock: LoopClock;
  private convergedSha?: string;
  private resyncAt = 0;
  private retryAt = 0;
  private fallbackFailures = 0;
  private heartbeat: number;
  private lastPoll?: { github: boolean; cluster: boolean; detail: string };
  private running = false;
  private restoreDue = false;
  private wake?: AbortController;
  /** The nodes last logged as waiting ("state names"), so a poll logs a change of the wait, not every poll. */
  private nodesSeen?: string;

  constructor(private readonly o: LoopOptions) {
    this.clock = o.clock ?? SYSTEM_CLOCK;
    this.heartbeat = this.clock.now();
    this.reporter = new StatusReporter(o.feed, { environment: o.environment, metrics: o.metrics, log: o.log, logUrl: o.logUrl });
  }

  /** Polls until `signal` aborts; resolves then (after the poll under way, if any). */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    try {
      while (!signal.aborted) {
        // A restore asked for during the poll (or the sleep) cuts the sleep short.
        this.wake = new AbortController();
        await this.tick();
        if (!signal.aborted) await this.clock.sleep(this.o.intervalMs, AbortSignal.any([signal, this.wake.signal]));
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Drift seen live (the drift watches): at the next poll, which starts at once, re-sync the commit the cluster last
   * converged to; never a newer one (that is the fallback's and the deployments' to decide).
   */
  requestRestore(): void {
    this.restoreDue = true;
    this.wake?.abort();
  }

  health(): Health {
    const now = this.clock.now();
    const alive = this.running && now - this.heartbeat < this.o.stallMs;
    const ready = this.lastPoll !== undefined && this.lastPoll.github && this.lastPoll.cluster;
    const liveness = !this.running ? "the loop is not running" : alive ? "the loop is running" : `the loop has not moved for ${Math.round((now - this.heartbeat) / 1000)} s`;
    return { alive, ready, liveness, readiness: this.lastPoll?.detail ?? "no poll has finished yet" };
  }

  /** One poll. Never throws: what fails is logged, counted and retried at the next poll. */
  async tick(): Promise<TickReport> {
    this.beat();
    const { environment, log, metrics } = this.o;
    const report: TickReport = { github: false, cluster: false, finished: [] };
    await this.reporter.flush();
    let head: DefaultBranch | undefined;
    let pending: FeedDeployment[] = [];
    try {
      head = await this.o.feed.defaultBranch();
      pending = await this.o.feed.pending(environment, this.known);
      report.github = true;
    } catch (e) {
      metrics.failed(environment, "github");
      log.warn({ environment, err: errorText(e) }, "could not read the deployments or the default branch from GitHub; trying again at the next poll");
    }
    try {
      await this.o.probeCluster();
      report.cluster = true;
    } catch (e) {
      metrics.failed(environment, "cluster");
      log.warn({ environment, err: errorText(e) }, "could not reach the cluster; trying again at the next poll");
    }
    this.lastPoll = { github: report.github, cluster: report.cluster, detail: report.github && report.cluster ? "the last poll reached GitHub and the cluster" : `the last poll could not reach ${[report.github ? "" : "GitHub", report.cluster ? "" : "the cluster"].filter(Boolean).join(" or ")}` };
    metrics.readiness(environment, report.github && report.cluster);
    if (head && report.github && report.cluster) {
      try {
        await this.handle(pending, head, report);
      } catch (e) {
        metrics.failed(environment, "github");
        log.warn({ environment, err: errorText(e) }, "the poll stopped part-way (GitHub did not answer); what is left runs at the next poll");
      }
    }
    if (report.cluster) await this.checkNodes();
    this.beat();
    return report;
  }

  /** The periodic pass over the nodes: gauges every poll, a log line when the wait changes (or ends). */
  private async checkNodes(): Promise<void> {
    const { environment, log, metrics } = this.o;
    let p;
    try {
      p = await this.o.checkNodes?.();
    } catch (e) {
      log.warn({ environment, err: errorText(e) }, "could not read the nodes' reports; trying again at the next poll");
      return;
    }
    if (!p) return;
    metrics.nodes(environment, p);
    const seen = `${p.state} ${p.waiting.map((w) => w.name).join(",")}`;
    if (seen === this.nodesSeen || p.state === "none") return;
    this.nodesSeen = seen;
    const line = { environment, nodes: nodeFields(p) };
    if (p.state === "waiting") log.warn(line, `nodes: ${p.summary}`);
    else log.info(line, `nodes: ${p.summary}`);
  }

  private async handle(pending: FeedDeployment[], head: DefaultBranch, report: TickReport): Promise<void> {
    const { environment, metrics, log } = this.o;
    const t = triage(pending, this.merged);
    for (const r of t.rejected) {
      log.warn({ environment, deployment: r.deployment.id, task: r.deployment.task, problems: r.problems }, "refusing a deployment: its payload is not tierguard's");
      await this.reporter.post(r.deployment.id, { state: "failure", description: rejection(r) });
      metrics.handled({ environment, task: TASK_OF[r.deployment.task], outcome: "rejected" });
      this.done(r.deployment.id, report);
    }
    for (const s of t.superseded) {
      await this.reporter.post(s.deployment.id, { state: "inactive", description: s.reason });
      metrics.handled({ environment, task: TASK_OF[s.deployment.task], outcome: "superseded" });
      log.info({ environment, deployment: s.deployment.id, task: s.deployment.task }, `not running: ${s.reason}`);
      this.done(s.deployment.id, report);
    }
    const ctx = this.jobContext();
    if (t.promote) {
      const outcome = await promoteNewest(ctx, t.promote, head);
      for (const j of [t.promote, ...t.promote.rides]) this.done(j.deployment.id, report);
      for (const p of outcome.pulls) remember(this.merged, p);
      head = outcome.head;
      // A promotion is a sync of the default branch: the fallback does not run it again at once, and backs off after a failure.
      if (outcome.converged) this.synced(head.sha);
      else if (outcome.ran) this.backOff();
    }
    for (const job of t.pulls) {
      await runPullJob(ctx, job);
      this.done(job.deployment.id, report);
    }
    await this.restore(ctx, head, report);
    await this.fallback(ctx, head, report);
  }

  private async restore(ctx: JobContext, head: DefaultBranch, report: TickReport): Promise<void> {
    const sha = this.convergedSha;
    if (!this.restoreDue) return;
    this.restoreDue = false;
    if (sha === undefined) return; // nothing converged yet: the fallback syncs the head now
    const action = this.o.actions.restore ?? this.o.actions.syncDefaultBranch;
    const result = await runAction(ctx, { task: "sync", starting: `restoring ${head.name} at ${short(sha)} (drift)`, bindings: { environment: this.o.environment, sha } }, () => action({ ref: sha, branch: head.name }));
    report.restored = { ref: sha, converged: result.converged };
  }

  /** The default branch, synced when the cluster is not known to hold its head, or a resync is due. */
  private async fallback(ctx: JobContext, head: DefaultBranch, report: TickReport): Promise<void> {
    const now = this.clock.now();
    const moved = head.sha !== this.convergedSha;
    const resync = this.o.resyncMs > 0 && now >= this.resyncAt;
    if ((!moved && !resync) || now < this.retryAt) return;
    const why = moved ? (this.convergedSha ? `${head.name} moved from ${short(this.convergedSha)} to ${short(head.sha)}` : `first sync of ${head.name}`) : "periodic resync";
    const result = await runAction(ctx, { task: "sync", starting: `syncing ${head.name} at ${short(head.sha)} (${why})`, bindings: { environment: this.o.environment, sha: head.sha } }, () =>
      this.o.actions.syncDefaultBranch({ ref: head.sha, branch: head.name }),
    );
    report.fallback = { ref: head.sha, converged: result.converged };
    if (result.converged) this.synced(head.sha);
    else this.backOff();
  }

  private backOff(): void {
    this.fallbackFailures++;
    this.retryAt = this.clock.now() + Math.min(this.o.intervalMs * 2 ** (this.fallbackFailures - 1), this.o.intervalMs * MAX_BACKOFF_INTERVALS);
  }

  private synced(sha: string): void {
    this.convergedSha = sha;
    this.fallbackFailures = 0;
    this.retryAt = 0;
    this.resyncAt = this.clock.now() + this.o.resyncMs;
  }

  private jobContext() {
    return { options: this.o, reporter: this.reporter, now: () => this.clock.now(), beat: () => this.beat(), feed: this.o.feed, actions: this.o.actions };
  }

  private done(id: number, report: TickReport): void {
    remember(this.known, id);
    report.finished.push(id);
  }

  private beat(): void {
    this.heartbeat = this.clock.now();
  }
}

/** Adds to an insertion-ordered set, forgetting the oldest past the bound (GitHub's terminal status still says). */
function remember(set: Set<number>, id: number): void {
  set.delete(id);
  set.add(id);
  if (set.size > KNOWN_IDS) set.delete(set.values().next().value as number);
}

export const SYSTEM_CLOCK: LoopClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};
