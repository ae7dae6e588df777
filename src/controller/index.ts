/**
 * The controller's Kubernetes adapter: the ClusterPort (port.ts) over @kubernetes/client-node (kube/: plain objects
 * through CustomObjectsApi, discovery of how Calico is served, server-side apply with the calico#12841 fallback,
 * bounded retries of 429 and 5xx, Events), the kubeconfig, and a watch that restarts on any error. Planning,
 * ordering and the safety checks are pure and live in src/reconcile; this folder does the I/O. May import io, run
 * and the core (reconcile included) and @kubernetes/client-node; no other adapter imports it.
 */
export { KubeError, type ClusterEvent, type ClusterPort, type Discovery } from "./port.js";
export { KubeClusterPort, kubeClusterPort, type KubePortOptions } from "./kube/adapter.js";
export { loadKubeConfig } from "./kube/config.js";
export { isTransient, toKubeError } from "./kube/errors.js";
export { DEFAULT_RETRY, retryDelay, withRetry, type RetryPolicy } from "./kube/retry.js";
export { RestartableWatch, type RestartableWatchOptions, type WatchHandlers } from "./kube/watch.js";
export { runSync, type SyncInput, type SyncReport, type SyncResult } from "./sync.js";
export { runStage, runUnstage, type StageResult, type StageRunInput, type UnstageRunInput } from "./stage.js";
export { stageSummary, stagedDeletions } from "./stage-summary.js";
export { detectDrift, type DriftInput } from "./sync-drift.js";
export { DRIFT_SELECTOR, DEFAULT_DRIFT_DEBOUNCE_MS, watchDrift, type DriftMode, type DriftWatchFactory, type DriftWatchOptions } from "./drift-watch.js";
export { DriftTracker, trackingPort } from "./drift-watch-track.js";
export { ControllerLoop, SYSTEM_CLOCK, type ActionResult, type ControllerActions, type Health, type LoopOptions, type TickReport } from "./loop.js";
export type { ClusterWiring, ClusterWiringFactory } from "./loop-types.js";
export { parseControllerConfig, type ControllerConfig, type ControllerFlags } from "./config.js";
export { ControllerMetrics, type WriteCount } from "./metrics.js";
export { startControllerServer } from "./server.js";
export { clusterDigest, nodeFields, NodeTracker } from "./nodes.js";
export { CONTROLLER_API_CALLS, isPermitted, apiCallKey, type ApiCall } from "./rbac.js";
export type { DeploymentFeed, FeedDeployment, StatusUpdate } from "./feed.js";
