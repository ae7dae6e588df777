import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "../contracts/index.js";
import type { ActionResult, ClusterWiring, ClusterWiringFactory, ControllerConfig } from "../controller/index.js";
import type { ClusterPort } from "../controller/port.js";
import type { GitHubApi } from "../github/api.js";
import type { Inventory } from "../flows/index.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { inventoryFromText } from "../io/inventory.js";
import { DEFAULT_LOAD_LIMITS, type Resource } from "../policy/index.js";
import type { OrderWrites, Provenance } from "../reconcile/index.js";
import { diffResources, loadRevision } from "../review/index.js";
import { InputError } from "./io.js";
import { prepareTransitionalCheck, type FlowFile } from "../run/index.js";
import type { RevisionPair } from "../run/revisions.js";

/**
 * The controller's cluster half, wired: the Kubernetes adapter from the configured kubeconfig (or the pod's service
 * account), the repository read through the GitHub API at each deployment's commit, and the same sync, stage and
 * unstage `tierguard sync|stage|unstage` run, with the transitional check over the snapshot tierguard.yaml names
 * at that commit. The controller never applies through a transitional gap: a deployment that would is a failure
 * whose description names the flows, for a person to decide (`tierguard sync --allow-transitional`).
 */
export const kubeWiring: ClusterWiringFactory = async ({ config, log }) => {
  const { kubeClusterPort, loadKubeConfig } = await import("../controller/index.js");
  const { controllerGitHubApi } = await import("../github/controller-client.js");
  let port: ClusterPort;
  try {
    port = kubeClusterPort(loadKubeConfig({ kubeconfig: config.kubeconfig }), { log });
  } catch (e) {
    throw new InputError(`cannot connect to the cluster: ${(e as Error).message}`);
  }
  const api = await controllerGitHubApi({ auth: config.auth, baseUrl: config.apiUrl, repo: config.repo, log });
  return controllerWiring({ config, log, port, api });
};

export interface WiringParts {
  config: ControllerConfig;
  log: Log;
  port: ClusterPort;
  api: GitHubApi;
  now?: () => number;
}

export function controllerWiring(p: WiringParts): ClusterWiring {
  const { config, log, port } = p;
  const now = p.now ?? Date.now;
  const environment = config.environment;
  const model = config.calicoVersion.model;
  const eventNamespace = process.env.POD_NAMESPACE ?? "tierguard-system";
  const provenance = (commit: string, pullRequest?: number): Provenance => ({ commit, time: new Date(now()).toISOString(), ...(pullRequest !== undefined ? { pullRequest } : {}) });
  const syncAt = async (ref: string, pull?: number): Promise<ActionResult> => {
    const pair = await readPair(p, ref, ref);
    const resources = valid(pair.head.policyFiles, pair);
    if ("failed" in resources) return resources.failed;
    const { runSync, detectDrift } = await import("../controller/index.js");
    const drift = await detectDrift(port, { resources: resources.ok, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace }).catch(() => []);
    const check = await transitionalFor(p, pair);
    if ("failed" in check) return check.failed;
    const r = await runSync(port, { resources: resources.ok, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace, orderWrites: check.orderWrites });
    return { converged: r.converged, summary: r.summary, writes: r.writes.map((w) => ({ verb: w.verb as never, kind: w.kind })), drift: drift.length, ...(r.converged ? {} : { failed: r.problems.join("; ") || "not converged" }) };
  };
  return {
    probeCluster: async () => {
      const d = await port.discover();
      if (d.calico === "absent") throw new Error("the cluster serves no projectcalico.org/v3 API (neither Calico's API server nor its v3 CRDs)");
    },
    actions: {
      promote: ({ ref, pull }) => syncAt(ref, pull),
      syncDefaultBranch: ({ ref }) => syncAt(ref),
      stage: async ({ pull, base, head }) => {
        const pair = await readPair(p, base, head);
        const before = valid(pair.base.policyFiles, pair);
        const after = valid(pair.head.policyFiles, pair);
        if ("failed" in before) return before.failed;
        if ("failed" in after) return after.failed;
        const { runStage } = await import("../controller/index.js");
        const r = await runStage(port, { changes: diffResources(before.ok, after.ok), pullRequest: pull, model, provenance: provenance(pair.head.commit, pull), environment, log, eventNamespace });
        return stageResult(r, `#${pull}: ${r.writes.length} preview write(s)`);
      },
      cleanup: async ({ pull }) => {
        const { runUnstage } = await import("../controller/index.js");
        const r = await runUnstage(port, { pullRequest: pull, provenance: provenance("", pull), environment, log, eventNamespace });
        return stageResult(r, `#${pull}: ${r.writes.length} preview(s) removed`);
      },
    },
  };
}

function stageResult(r: { converged: boolean; problems: string[]; writes: Array<{ verb: string; kind: string }> }, summary: string): ActionResult {
  return { converged: r.converged, summary, writes: r.writes.map((w) => ({ verb: w.verb as never, kind: w.kind })), ...(r.converged ? {} : { failed: r.problems.join("; ") || "not converged" }) };
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
