import { SILENT_LOG, type Log } from "../contracts/index.js";
import { MANAGED_LABEL, MANAGED_VALUE, ROLE_LABEL, type ClusterKind, type ClusterObject, type DriftFinding } from "../reconcile/index.js";
import type { DriftTracker } from "./drift-watch-track.js";
import type { WatchHandlers } from "./kube/watch.js";
import type { ControllerMetrics } from "./metrics.js";
import type { ClusterPort } from "./port.js";

/**
 * Drift, live: a watch on each managed kind (enforced objects only: a pull request's previews are restaged by
 * their own deployments) reports an edit or deletion by hand as it happens (the drift counter, a Warning Event
 * "Drift" on the object, a JSON log line naming the field) and, unless `mode` is "report", asks the loop for a
 * restore: once, after `debounceMs` without new drift, so a burst of hand edits costs one sync. The loop re-syncs
 * the commit it last converged to, never a newer one. tierguard's own writes are told apart by the DriftTracker.
 */
export type DriftMode = "report" | "restore";

/** The watches, restarted on any error (RestartableWatch in production). */
export type DriftWatchFactory = (kind: ClusterKind, handlers: WatchHandlers, labelSelector: string) => { start(): Promise<void>; stop(): void };

export interface DriftWatchOptions {
  kinds: readonly ClusterKind[];
  watch: DriftWatchFactory;
  tracker: DriftTracker;
  /** For the Events. */
  port: ClusterPort;
  mode: DriftMode;
  /** Asks the loop to restore Git's version (the last converged commit). */
  requestRestore(): void;
  environment: string;
  metrics?: ControllerMetrics;
  log?: Log;
  /** Namespace of Events about cluster-wide objects. */
  eventNamespace: string;
  /** Default DEFAULT_DRIFT_DEBOUNCE_MS. */
  debounceMs?: number;
}

export const DEFAULT_DRIFT_DEBOUNCE_MS = 2_000;
/** The enforced objects tierguard manages. */
export const DRIFT_SELECTOR = `${MANAGED_LABEL}=${MANAGED_VALUE},${ROLE_LABEL}=enforced`;

/** Starts a watch per kind; resolves once each has listed; stops them all when `signal` aborts. */
export async function watchDrift(o: DriftWatchOptions, signal: AbortSignal): Promise<void> {
  const log = o.log ?? SILENT_LOG;
  let timer: NodeJS.Timeout | undefined;
  const restoreSoon = () => {
    if (o.mode === "report" || signal.aborted) return;
    clearTimeout(timer);
    timer = setTimeout(() => o.requestRestore(), o.debounceMs ?? DEFAULT_DRIFT_DEBOUNCE_MS);
  };
  const found = (f: DriftFinding | undefined) => {
    if (!f) return;
    void report(o, log, f);
    restoreSoon();
  };
  const handlers: WatchHandlers = {
    add: (obj: ClusterObject) => o.tracker.seen(obj),
    update: (obj: ClusterObject) => found(o.tracker.modified(obj)),
    delete: (obj: ClusterObject) => found(o.tracker.removed(obj)),
  };
  const watches = o.kinds.map((k) => o.watch(k, handlers, DRIFT_SELECTOR));
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    for (const w of watches) w.stop();
  }, { once: true });
  await Promise.all(watches.map((w) => w.start()));
  log.info({ environment: o.environment, kinds: o.kinds, mode: o.mode }, `drift: watching ${o.kinds.length} kind(s); drift is ${o.mode === "report" ? "reported only" : "reported and restored"}`);
}

async function report(o: DriftWatchOptions, log: Log, f: DriftFinding): Promise<void> {
  const { ref } = f;
  o.metrics?.drifted(o.environment, 1);
  const then = o.mode === "report" ? "reported only (--drift report)" : "restoring Git's version";
  log.warn(
    { drift: f.drift, environment: o.environment, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, path: f.path ?? null, expected: f.expected, actual: f.actual, mode: o.mode },
    `${f.message}; ${then}`,
  );
  await o.port.event({ regarding: ref, type: "Warning", reason: "Drift", message: `${f.message}; ${then}`.slice(0, 1024), namespace: ref.namespace ?? o.eventNamespace });
}
