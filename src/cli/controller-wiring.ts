import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "../contracts/index.js";
import type { ActionResult, ClusterWiring, ClusterWiringFactory, ControllerConfig } from "../controller/index.js";
import type { ClusterPort } from "../controller/port.js";
import type { ControllerMetrics } from "../controller/metrics.js";
import { DriftTracker, trackingPort } from "../controller/drift-watch-track.js";
import { NodeTracker } from "../controller/nodes.js";
import type { DriftWatchFactory } from "../controller/drift-watch.js";
import type { GitHubApi } from "../github/api.js";
import type { Inventory } from "../flows/index.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { inventoryFromText } from "../io/inventory.js";
import { DEFAULT_LOAD_LIMITS, type Resource } from "../policy/index.js";
import type { NodeProgramming, OrderWrites, Provenance } from "../reconcile/index.js";
import { diffResources, loadRevision } from "../review/index.js";
import { InputError } from "./io.js";
import type { FlowFile } from "../run/flow-lines.js";
import { prepareTransitionalCheck } from "../run/transitional.js";
import type { RevisionPair } from "../run/revisions.js";

/**
 * The controller's cluster half, wired: the Kubernetes adapter from the configured kubeconfig (or the pod's service
 * account), the repository read through the GitHub API at each deployment's commit, and the same sync, stage and
 * unstage `tierguard sync|stage|unstage` run, with the transitional check over the snapshot tierguard.yaml names
 * at that commit. The controller never applies through a transitional gap: a deployment that would is a failure
 * whose description names the flows, for a person to decide (`tierguard sync --allow-transitional`).
 */
export const kubeWiring: ClusterWiringFactory = async ({ config, log, metrics }) => {
  const { kubeClusterPort, loadKubeConfig, RestartableWatch } = await import("../controller/index.js");
  const { controllerGitHubApi } = await import("../github/controller-client.js");
  let port: ClusterPort;
  let watch: DriftWatchFactory;
  try {
    const kc = loadKubeConfig({ kubeconfig: config.kubeconfig });
    port = kubeClusterPort(kc, { log });
    watch = (kind, handlers, labelSelector) => new RestartableWatch(kc, kind, handlers, { labelSelector, log });
  } catch (e) {
    throw new InputError(`cannot connect to the cluster: ${(e as Error).message}`);
  }
  const api = await controllerGitHubApi({ auth: config.auth, baseUrl: config.apiUrl, repo: config.repo, log });
  return controllerWiring({ config, log, port, api, watch, metrics });
};

export interface WiringParts {
  config: ControllerConfig;
  log: Log;
  port: ClusterPort;
  api: GitHubApi;
  now?: () => number;
  /** The drift watches' source; undefined: no live drift watch (drift is found at the periodic resync). */
  watch?: DriftWatchFactory;
  metrics?: ControllerMetrics;
  /** Default DEFAULT_DRIFT_DEBOUNCE_MS. */
  driftDebounceMs?: number;
}

export function controllerWiring(p: WiringParts): ClusterWiring {
  const { config, log } = p;
  // Every write goes through the tracker, so the drift watches know tierguard's own writes from edits by hand.
  const tracker = new DriftTracker();
  const port = trackingPort(p.port, tracker);
  const reportOnly = config.drift === "report";
  let converged: string | undefined;
  const now = p.now ?? Date.now;
  const nodes = nodeReports(port, now, log);
  const environment = config.environment;
  const model = config.calicoVersion.model;
  const eventNamespace = process.env.POD_NAMESPACE ?? "tierguard-system";
  const provenance = (commit: string, pullRequest?: number): Provenance => ({ commit, time: new Date(now()).toISOString(), ...(pullRequest !== undefined ? { pullRequest } : {}) });
  /** `detect`: report drift first (not when restoring drift the watches already reported); `restore` false: only that. */
  const syncAt = async (ref: string, pull?: number, o: { detect?: boolean; restore?: boolean } = {}): Promise<ActionResult> => {
    const pair = await readPair(p, ref, ref);
    const resources = valid(pair.head.policyFiles, pair);
    if ("failed" in resources) return resources.failed;
    const { runSync, detectDrift } = await import("../controller/index.js");
    // Drift is measured against the commit last converged to: against a new commit, its changes are not drift.
    const detect = o.detect !== false && ref === converged;
    const drift = !detect ? [] : await detectDrift(port, { resources: resources.ok, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace }).catch(() => []);
    if (o.restore === false) return { converged: true, summary: `${drift.length} drifted object(s) reported, not restored (--drift report)`, writes: [], drift: drift.length };
    const check = await transitionalFor(p, pair);
    if ("failed" in check) return check.failed;
    const r = await runSync(port, { resources: resources.ok, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace, orderWrites: check.orderWrites, logDrift: false });
    if (r.converged) converged = ref;
    const programming = r.converged ? await nodes.afterApply() : undefined;
    return { converged: r.converged, summary: r.summary, writes: r.writes.map((w) => ({ verb: w.verb as never, kind: w.kind })), drift: drift.length, ...(r.converged ? {} : { failed: r.problems.join("; ") || "not converged" }), ...(programming ? { nodes: programming } : {}) };
  };
  return {
    start: async ({ signal, requestRestore }) => {
      if (!p.watch) return;
      const { watchDrift } = await import("../controller/index.js");
      const { kinds } = await port.discover();
      await watchDrift({ kinds, watch: p.watch, tracker, port, mode: reportOnly ? "report" : "restore", requestRestore, environment, metrics: p.metrics, log, eventNamespace, debounceMs: p.driftDebounceMs }, signal);
    },
    nodes: () => nodes.whileWaiting(),
    probeCluster: async () => {
      const d = await port.discover();
      if (d.calico === "absent") throw new Error("the cluster serves no projectcalico.org/v3 API (neither Calico's API server nor its v3 CRDs)");
    },
    actions: {
      promote: ({ ref, pull }) => syncAt(ref, pull),
      // Report only: the periodic resync of what the cluster already converged to reports drift and leaves it.
      syncDefaultBranch: ({ ref }) => syncAt(ref, undefined, { restore: !(reportOnly && ref === converged) }),
      restore: ({ ref }) => syncAt(ref, undefined, { detect: false }),
      stage: async ({ pull, base, head }) => {
        const pair = await readPair(p, base, head);
        const before = valid(pair.base.policyFiles, pair);
        const after = valid(pair.head.policyFiles, pair);
        if ("failed" in before) return before.failed;
        if ("failed" in after) return after.failed;
        const { runStage, stageSummary } = await import("../controller/index.js");
        const r = await runStage(port, { changes: diffResources(before.ok, after.ok), pullRequest: pull, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace });
        return stageResult(r, stageSummary(pull, r), r.converged ? await nodes.afterApply() : undefined);
      },
      cleanup: async ({ pull }) => {
        const { runUnstage } = await import("../controller/index.js");
        const r = await runUnstage(port, { pullRequest: pull, provenance: provenance("", pull), environment, log, eventNamespace });
        return stageResult(r, `#${pull}: ${r.writes.length} preview(s) removed`, r.converged ? await nodes.afterApply() : undefined);
      },
    },
  };
}

function stageResult(r: { converged: boolean; problems: string[]; writes: Array<{ verb: string; kind: string }> }, summary: string, nodes?: NodeProgramming): ActionResult {
  return { converged: r.converged, summary, writes: r.writes.map((w) => ({ verb: w.verb as never, kind: w.kind })), ...(r.converged ? {} : { failed: r.problems.join("; ") || "not converged" }), ...(nodes ? { nodes } : {}) };
}

/**
 * The nodes after each action that converged, and at each poll while some were waiting. A failure to read them is
 * logged and leaves the action's outcome alone: the policies are applied either way.
 */
function nodeReports(port: ClusterPort, now: () => number, log: Log): { afterApply(): Promise<NodeProgramming | undefined>; whileWaiting(): Promise<NodeProgramming | undefined> } {
  const tracker = new NodeTracker(port, now);
  let waiting = false;
  const guarded = async (read: () => Promise<NodeProgramming | undefined>): Promise<NodeProgramming | undefined> => {
    try {
      const p = await read();
      waiting = p?.state === "waiting";
      return p;
    } catch (e) {
      log.warn({ err: (e as Error).message }, "could not compare the nodes with what was applied; trying again later");
      return undefined;
    }
  };
  return { afterApply: () => guarded(() => tracker.afterApply()), whileWaiting: () => (waiting ? guarded(() => tracker.check()) : Promise.resolve(undefined)) };
}

async function readPair(p: WiringParts, base: string, head: string): Promise<RevisionPair> {
  const { readPullRequestFiles } = await import("../github/repo-reader.js");
  return readPullRequestFiles(p.api, p.config.repo, base, head, DEFAULT_LOAD_LIMITS.maxFileBytes);
}

function valid(files: RevisionPair["head"]["policyFiles"], pair: RevisionPair): { ok: Resource[] } | { failed: ActionResult } {
  const { resources, diagnostics } = loadRevision(files, pair.config, DEFAULT_LOAD_LIMITS, new Map());
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return { ok: resources };
  const first = errors.slice(0, 3).map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`).join(", ");
  return { failed: { converged: false, summary: "refused: the repository has policy errors", failed: `${errors.length} policy error(s) at ${pair.head.rev.slice(0, 12)} (${first}); nothing applied` } };
}

/** The snapshot and inventory tierguard.yaml names at the commit, fetched from GitHub, folded for the check. */
async function transitionalFor(p: WiringParts, pair: RevisionPair): Promise<{ orderWrites?: OrderWrites } | { failed: ActionResult }> {
  if (pair.config.flows.length === 0) return {};
  const { fetchSnapshot, readBlobText, DEFAULT_SNAPSHOT_LIMITS } = await import("../github/snapshot.js");
  const { apiEntry } = await import("../github/repo-reader.js");
  const tree = pair.baseTip.tree.map(apiEntry);
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-controller-"));
  const fail = (why: string) => ({ failed: { converged: false, summary: "refused: the transitional check cannot run", failed: why } });
  try {
    const files: FlowFile[] = [];
    for (const [i, source] of pair.config.flows.entries()) {
      try {
        files.push(await fetchSnapshot(p.api, p.config.repo, tree, source, join(scratch, `flows-${i}`), DEFAULT_SNAPSHOT_LIMITS));
      } catch (e) {
        return fail(`the flow snapshot ${source} cannot be read: ${(e as Error).message}`);
      }
    }
    let inventory: Inventory | undefined;
    const named = pair.config.inventory && tree.find((e) => e.path === pair.config.inventory);
    if (named) inventory = inventoryFromText(await readBlobText(p.api, p.config.repo, named, DEFAULT_LOAD_LIMITS.maxFileBytes), named.path).inventory;
    const check = await prepareTransitionalCheck({ files, reader: fileFlowReader, inventory, version: p.config.calicoVersion });
    if (check.problems.length > 0) return fail(`the flow snapshot cannot be read whole: ${check.problems.join("; ")}`);
    p.log.info({ transitional: "checked", records: check.records, tuples: check.tuples }, "transitional check ready");
    return { orderWrites: check.orderWrites };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
