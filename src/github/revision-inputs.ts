import { join } from "node:path";
import type { Inventory } from "../flows/inventory.js";
import { inventoryFromText } from "../io/inventory.js";
import { DEFAULT_LOAD_LIMITS, type Diagnostic, type Resource } from "../policy/index.js";
import { policyFileFilter, type Finding, type TierguardConfig } from "../review/index.js";
import { loadRevision } from "../review/load.js";
import type { FlowFile } from "../run/index.js";
import type { GitHubApi, Log, RepoRef } from "./api.js";
import { scrub } from "./redact.js";
import { readBaseConfig, readBlobs, readTree, type TreeEntry } from "./repo-reader.js";
import { DEFAULT_SNAPSHOT_LIMITS, fetchFailure, fetchSnapshot, readBlobText, type SnapshotLimits } from "./snapshot.js";

/**
 * One revision of a repository as a command reads it through the API (a recommendation, the App's board): the
 * tree, tierguard.yaml, the policy files it selects (loaded and validated), the inventory it names (in memory) and
 * the flow snapshots it names (fetched to `scratch`). What cannot be fetched becomes a note in words (credentials
 * scrubbed), never a crash: the caller decides whether it can go on without it.
 */
export interface RevisionInputs {
  tree: TreeEntry[];
  config: TierguardConfig;
  configFindings: Finding[];
  resources: Resource[];
  diagnostics: Diagnostic[];
  flows: FlowFile[];
  inventory?: Inventory;
  notes: string[];
}

export interface RevisionInputsRequest {
  api: GitHubApi;
  repo: RepoRef;
  sha: string;
  configPath?: string;
  snapshot?: SnapshotLimits;
  /** Where snapshots are written; undefined: no snapshot is fetched. */
  scratch?: string;
  log: Log;
}

export async function readRevisionInputs(req: RevisionInputsRequest): Promise<RevisionInputs> {
  const tree = await readTree(req.api, req.repo, req.sha);
  const { config, findings } = await readBaseConfig(req.api, req.repo, tree, req.configPath);
  const accept = policyFileFilter(config);
  const files = tree.filter((e) => accept(e.path) && e.size <= DEFAULT_LOAD_LIMITS.maxFileBytes);
  const blobs = await readBlobs(req.api, req.repo, files.map((e) => e.sha));
  const loaded = loadRevision(files.map((e) => ({ file: e.path, blob: e.sha, text: blobs.get(e.sha) ?? "" })), config, DEFAULT_LOAD_LIMITS, new Map());
  const notes: string[] = [];
  const inventory = await inventoryOf(req, tree, config, notes);
  const flows = req.scratch === undefined ? [] : await snapshots(req, req.scratch, tree, config, notes);
  return { tree, config, configFindings: findings, resources: loaded.resources, diagnostics: loaded.diagnostics, flows, inventory, notes };
}

async function snapshots(req: RevisionInputsRequest, scratch: string, tree: readonly TreeEntry[], config: TierguardConfig, notes: string[]): Promise<FlowFile[]> {
  const out: FlowFile[] = [];
  for (const [i, source] of config.flows.entries()) {
    try {
      out.push(await fetchSnapshot(req.api, req.repo, tree, source, join(scratch, `flows-${i}`), req.snapshot ?? DEFAULT_SNAPSHOT_LIMITS));
    } catch (e) {
      const reason = fetchFailure(e);
      req.log.warn({ source: scrub(source), reason }, "the flow snapshot could not be fetched");
      notes.push(`The flow snapshot ${scrub(source)} could not be fetched: ${reason}.`);
    }
  }
  return out;
}

async function inventoryOf(req: RevisionInputsRequest, tree: readonly TreeEntry[], config: TierguardConfig, notes: string[]): Promise<Inventory | undefined> {
  if (!config.inventory) return undefined;
  const entry = tree.find((e) => e.path === config.inventory);
  if (!entry) return void notes.push(`The inventory ${config.inventory} named in tierguard.yaml is not in the repository.`);
  try {
    const read = inventoryFromText(await readBlobText(req.api, req.repo, entry, (req.snapshot ?? DEFAULT_SNAPSHOT_LIMITS).maxBytes), config.inventory);
    if (!read.inventory) notes.push(`The inventory ${config.inventory} could not be read: ${read.diagnostics[0]?.message ?? "unknown error"}.`);
    return read.inventory;
  } catch (e) {
    notes.push(`The inventory ${config.inventory} could not be read: ${fetchFailure(e)}.`);
    return undefined;
  }
}
