import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { NodeProgramming, WriteVerb } from "../reconcile/index.js";

/**
 * The controller's Prometheus metrics, in a Registry of its own (never prom-client's global one, so two loops in
 * one process, and tests, never share counters). Names start `tierguard_controller_`.
 */
export type Task = "promote" | "stage" | "cleanup" | "sync";
/** converged: the cluster holds what Git says; failed: it does not (the action said what); rejected: bad payload. */
export type Outcome = "converged" | "failed" | "rejected" | "superseded";
/** Where a poll failed: reading GitHub, reaching the cluster, posting a status, or inside an action. */
export type FailureStage = "github" | "cluster" | "status" | "action";

export interface WriteCount {
  verb: WriteVerb;
  kind: string;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly syncs: Counter<"environment" | "task" | "outcome">;
  private readonly writes: Counter<"verb" | "kind">;
  private readonly failures: Counter<"environment" | "stage">;
  private readonly drift: Counter<"environment">;
  private readonly lastSuccess: Gauge<"environment">;
  private readonly duration: Histogram<"environment" | "task" | "outcome">;
  private readonly ready: Gauge<"environment">;
  private readonly nodeStates: Gauge<"environment" | "state">;

  /** `processMetrics`: also Node's default process metrics (the running controller; off in tests, it starts timers). */
  constructor(o: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.syncs = new Counter({ name: "tierguard_controller_syncs_total", help: "Promotions, stages, clean-ups and default-branch syncs, by outcome.", labelNames: ["environment", "task", "outcome"], registers });
    this.writes = new Counter({ name: "tierguard_controller_writes_total", help: "Kubernetes API writes the controller made, by verb and kind.", labelNames: ["verb", "kind"], registers });
    this.failures = new Counter({ name: "tierguard_controller_failures_total", help: "Failures, by where they happened: github, cluster, status, action.", labelNames: ["environment", "stage"], registers });
    this.drift = new Counter({ name: "tierguard_controller_drift_total", help: "Managed objects found changed or deleted by hand.", labelNames: ["environment"], registers });
    this.lastSuccess = new Gauge({ name: "tierguard_controller_last_success_timestamp_seconds", help: "When the environment last converged (Unix seconds).", labelNames: ["environment"], registers });
    this.duration = new Histogram({
      name: "tierguard_controller_deployment_duration_seconds",
      help: "How long handling one deployment (or one default-branch sync) took.",
      labelNames: ["environment", "task", "outcome"],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.ready = new Gauge({ name: "tierguard_controller_ready", help: "1 when the last poll reached GitHub and the cluster.", labelNames: ["environment"], registers });
    this.nodeStates = new Gauge({
      name: "tierguard_controller_nodes",
      help: "Nodes by what their tierguard agent reports against the policies last applied: programmed, waiting (another digest), not_reported (no agent annotation).",
      labelNames: ["environment", "state"],
      registers,
    });
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tierguard_controller_" });
  }

  handled(o: { environment: string; task: Task; outcome: Outcome; seconds?: number }): void {
    this.syncs.inc({ environment: o.environment, task: o.task, outcome: o.outcome });
    if (o.seconds !== undefined) this.duration.observe({ environment: o.environment, task: o.task, outcome: o.outcome }, o.seconds);
  }

  wrote(writes: readonly WriteCount[]): void {
    for (const w of writes) this.writes.inc({ verb: w.verb, kind: w.kind });
  }

  failed(environment: string, stage: FailureStage): void {
    this.failures.inc({ environment, stage });
  }

  drifted(environment: string, count: number): void {
    if (count > 0) this.drift.inc({ environment }, count);
  }

  converged(environment: string, unixSeconds: number): void {
    this.lastSuccess.set({ environment }, unixSeconds);
  }

  readiness(environment: string, ready: boolean): void {
    this.ready.set({ environment }, ready ? 1 : 0);
  }

  /** The last comparison of the nodes' reports; "none" (no agent anywhere) sets every state to 0 but not_reported. */
  nodes(environment: string, p: NodeProgramming): void {
    this.nodeStates.set({ environment, state: "programmed" }, p.programmed.length);
    this.nodeStates.set({ environment, state: "waiting" }, p.waiting.length);
    this.nodeStates.set({ environment, state: "not_reported" }, p.notReported.length);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
