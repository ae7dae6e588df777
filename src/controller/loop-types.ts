import type { Log } from "../contracts/index.js";
import type { NodeProgramming } from "../reconcile/index.js";
import type { ControllerConfig } from "./config.js";
import type { DeploymentFeed } from "./feed.js";
import type { ControllerMetrics, WriteCount } from "./metrics.js";

/**
 * What the loop is given: the GitHub port, the actions that change the cluster (the integrator wires them to the
 * real sync, stage and unstage; tests to fakes), a probe of the cluster, metrics, a log and a clock.
 */

/** What an action reports. Failure is not error: `converged: false` with `failed` saying what, never a throw. */
export interface ActionResult {
  converged: boolean;
  /** One line in the plan's words: "2 policies enforced, 1 deleted" (the deployment status's description). */
  summary: string;
  /** What failed, when not converged: "create NetworkPolicy shop/allow-web: 403 tiered RBAC refused ...". */
  failed?: string;
  /** The API writes made (metrics count them by verb and kind). Undefined: none reported. */
  writes?: readonly WriteCount[];
  /** Managed objects found edited or deleted by hand (restored unless report-only). Undefined: none. */
  drift?: number;
  /**
   * The nodes' agents against what the cluster holds after the action (src/controller/nodes.ts). Undefined: not
   * checked (a failure, or a port that cannot read Nodes); state "none": no node runs an agent (Felix enforces).
   */
  nodes?: NodeProgramming;
}

export interface ControllerActions {
  /** Reconcile the environment to the repository at `ref` (a commit of the default branch) for pull request `pull`. */
  promote(o: { ref: string; environment: string; pull: number }): Promise<ActionResult>;
  /** Stage the pull request's changes between `base` and `head` as previews labelled with it. */
  stage(o: { pull: number; base: string; head: string }): Promise<ActionResult>;
  /** Remove exactly what the pull request staged (absent: nothing to do, converged). */
  cleanup(o: { pull: number }): Promise<ActionResult>;
  /** The fallback: reconcile the environment to the default branch at `ref` (no deployment asked for it). */
  syncDefaultBranch(o: { ref: string; branch: string }): Promise<ActionResult>;
  /** Drift seen live: re-sync `ref`, the commit last converged to (its drift already reported). Undefined: syncDefaultBranch. */
  restore?(o: { ref: string; branch: string }): Promise<ActionResult>;
}

export interface LoopClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface LoopOptions {
  environment: string;
  feed: DeploymentFeed;
  actions: ControllerActions;
  /** Throws when the cluster cannot be reached (the integrator: the ClusterPort's `discover()`). */
  probeCluster(): Promise<void>;
  metrics: ControllerMetrics;
  log: Log;
  /** Between two polls. */
  intervalMs: number;
  /** A full sync of the default branch this often even when its head has not moved (drift). 0: never. */
  resyncMs: number;
  /** The loop counts as dead (liveness fails) when it has not moved for this long, a tick included. */
  stallMs: number;
  /** Linked from every deployment status. Undefined: none. */
  logUrl?: string;
  /** Undefined: the system clock and setTimeout. */
  clock?: LoopClock;
  /**
   * At each poll: the nodes compared again with what was last applied, while some were waiting (the integrator: the
   * wiring's `nodes`). Undefined result: nothing to check. Undefined: nodes are reported only after actions.
   */
  checkNodes?(): Promise<NodeProgramming | undefined>;
}

/** What one poll did: for the log, and for tests. */
export interface TickReport {
  github: boolean;
  cluster: boolean;
  /** Deployment ids given a final status (success, failure or inactive) in this poll. */
  finished: number[];
  /** The default branch commit synced by the fallback in this poll, when it ran. */
  fallback?: { ref: string; converged: boolean };
  /** The commit re-synced to restore drift seen live, when it ran. */
  restored?: { ref: string; converged: boolean };
}

export interface Health {
  /** The loop is running and has moved within `stallMs`. */
  alive: boolean;
  /** The last poll reached GitHub and the cluster. */
  ready: boolean;
  /** The liveness probe's line: "the loop has not moved for 901 s". */
  liveness: string;
  /** The readiness probe's line: "the last poll could not reach the cluster". */
  readiness: string;
}

/**
 * The Kubernetes half, built by the integrator from the configuration: the actions over the real sync, stage and
 * unstage (src/controller/sync.ts, stage.ts, over the ClusterPort of src/controller/kube), and the probe.
 */
export interface ClusterWiring {
  actions: ControllerActions;
  probeCluster(): Promise<void>;
  /** Starts what runs beside the loop (the drift watches), until `signal` aborts; resolves once started. Undefined: nothing. */
  start?(o: { signal: AbortSignal; requestRestore(): void }): Promise<void>;
  /** The nodes again, while some were waiting after the last action (a Node list only). Undefined: not supported. */
  nodes?(): Promise<NodeProgramming | undefined>;
  /** Stops watches and closes connections at shutdown. Undefined: nothing to close. */
  close?(): Promise<void>;
}

export type ClusterWiringFactory = (input: { config: ControllerConfig; log: Log; metrics: ControllerMetrics }) => Promise<ClusterWiring>;
