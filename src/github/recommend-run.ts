import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { Inventory } from "../flows/inventory.js";
import { inventoryFromText } from "../io/inventory.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { DEFAULT_LOAD_LIMITS } from "../policy/index.js";
import { policyFileFilter, recommendPath, type TierguardConfig } from "../review/index.js";
import { loadRevision } from "../review/load.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES, DEFAULT_RECOMMEND_TIMES, runRecommendation, type FlowFile, type RecommendRun } from "../run/index.js";
import type { GitHubApi, Log, RepoRef } from "./api.js";
import { scrub } from "./redact.js";
import { readBaseConfig, readBlobs, readTree, type TreeEntry } from "./repo-reader.js";
import { DEFAULT_SNAPSHOT_LIMITS, fetchFailure, fetchSnapshot, readBlobText, type SnapshotLimits } from "./snapshot.js";

/**
 * A recommendation through the GitHub API, shared by the App's `/tierguard recommend` and the Action: the
 * repository's default branch (or a given commit) is read as the review reads a base revision (tierguard.yaml,
 * the policy files it selects, the flow snapshot and inventory it names), and the run layer's pipeline learns and
 * proves. Nothing here writes: recommend-pr.ts delivers the result.
 */
export interface RecommendRequest {
  api: GitHubApi;
  repo: RepoRef;
  /** Undefined: the default branch's tip. */
  commit?: { ref: string; sha: string };
  /** Namespaces asked for; empty or undefined: tierguard.yaml's `recommend.namespaces`, else every namespace. */
  namespaces?: readonly string[];
  configPath?: string;
  /** Flow files to learn from instead of the configured snapshot (the Action's `flows` input). */
  flowsOverride?: FlowFile[];
  snapshot?: SnapshotLimits;
  log: Log;
}

export type RecommendOutcome =
  | {
      ok: true;
      run: RecommendRun;
      config: TierguardConfig;
      /** What was read: the branch and commit. */
      at: { ref: string; sha: string; tree: string };
      /** Repository paths and texts of the files to write. */
      files: Array<{ path: string; text: string }>;
      /** What the flows were (display names, credentials scrubbed). */
      flows: string[];
      notes: string[];
    }
  /** Failure, not error (STYLE.md habit 5): why nothing can be recommended, in words for a reply. */
  | { ok: false; reason: string };

export async function recommendOnGitHub(req: RecommendRequest): Promise<RecommendOutcome> {
  const at = req.commit ?? (await defaultBranchTip(req.api, req.repo));
  const tree = await readTree(req.api, req.repo, at.sha);
  const { config, findings } = await readBaseConfig(req.api, req.repo, tree, req.configPath);
  if (findings.some((f) => f.severity === "error")) {
    const f = findings.find((x) => x.severity === "error")!;
    return { ok: false, reason: `${f.file}:${f.line} at ${at.ref} has an error (${f.code}: ${f.message}); fix it first` };
  }
  const accept = policyFileFilter(config);
  const files = tree.filter((e) => accept(e.path) && e.size <= DEFAULT_LOAD_LIMITS.maxFileBytes);
  const blobs = await readBlobs(req.api, req.repo, files.map((e) => e.sha));
  const loaded = loadRevision(files.map((e) => ({ file: e.path, blob: e.sha, text: blobs.get(e.sha) ?? "" })), config, DEFAULT_LOAD_LIMITS, new Map());
  const error = loaded.diagnostics.find((d) => d.severity === "error");
  if (error) return { ok: false, reason: `the policies at ${at.ref} have errors (the first: ${error.file}:${error.line}: ${error.message}); fix them first, then ask again` };
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-recommend-"));
  try {
    const notes: string[] = [];
    const flows = req.flowsOverride ?? (await snapshots(req, tree, config, scratch, notes));
    if (flows.length === 0) return { ok: false, reason: config.flows.length === 0 ? "tierguard.yaml names no flow snapshot (`flows:`), and a recommendation learns from flows" : `no flow snapshot could be read: ${notes.join(" ")}` };
    const inventory = await inventoryOf(req, tree, config, notes);
    const namespaces = req.namespaces && req.namespaces.length > 0 ? req.namespaces : config.recommend.namespaces;
    const run = await runRecommendation({
      resources: loaded.resources,
      version: config.calicoVersion,
      flows,
      reader: fileFlowReader,
      inventory,
      namespaces,
      tier: config.recommend.tier,
      level: config.recommend.level,
      maxRules: 20,
      times: DEFAULT_RECOMMEND_TIMES,
      maxLineBytes: DEFAULT_MAX_LINE_LENGTH,
      maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES,
    });
    if (!run.proven) return { ok: false, reason: `the recommendation failed its own proof (${run.proof.newlyDenied.records} records allowed today would be denied); this is a bug in tierguard, please report it` };
    if (run.problems.length > 0) notes.push(`${run.problems.length} lines of the flow snapshot could not be read; the recommendation did not learn from them.`);
    const folder = recommendPath(config.recommend);
    const { data: commit } = await req.api.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...req.repo, commit_sha: at.sha });
    return {
      ok: true,
      run,
      config,
      at: { ...at, tree: commit.tree.sha },
      files: run.files.map((f) => ({ path: `${folder}/${f.name}`, text: f.text })),
      flows: flows.map((f) => f.display),
      notes,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function defaultBranchTip(api: GitHubApi, repo: RepoRef): Promise<{ ref: string; sha: string }> {
  const { data } = await api.request<{ default_branch: string }>("GET /repos/{owner}/{repo}", { ...repo });
  const { data: branch } = await api.request<{ commit: { sha: string } }>("GET /repos/{owner}/{repo}/branches/{branch}", { ...repo, branch: data.default_branch });
  return { ref: data.default_branch, sha: branch.commit.sha };
}

async function snapshots(req: RecommendRequest, tree: readonly TreeEntry[], config: TierguardConfig, scratch: string, notes: string[]): Promise<FlowFile[]> {
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

async function inventoryOf(req: RecommendRequest, tree: readonly TreeEntry[], config: TierguardConfig, notes: string[]): Promise<Inventory | undefined> {
  const entry = config.inventory ? tree.find((e) => e.path === config.inventory) : undefined;
  if (!config.inventory) return undefined;
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
