import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { recommendPath, type TierguardConfig } from "../review/index.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES, DEFAULT_RECOMMEND_TIMES, runRecommendation, type FlowFile, type RecommendRun } from "../run/index.js";
import type { GitHubApi, Log, RepoRef } from "./api.js";
import { readRevisionInputs } from "./revision-inputs.js";
import type { SnapshotLimits } from "./snapshot.js";

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

/** `tierguard recommend --max-rules`'s default: tierguard.yaml does not set it. */
const MAX_RULES = 20;

export async function recommendOnGitHub(req: RecommendRequest): Promise<RecommendOutcome> {
  const at = req.commit ?? (await defaultBranchTip(req.api, req.repo));
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-recommend-"));
  try {
    const inputs = await readRevisionInputs({ api: req.api, repo: req.repo, sha: at.sha, configPath: req.configPath, snapshot: req.snapshot, scratch: req.flowsOverride ? undefined : scratch, log: req.log });
    const { config, notes } = inputs;
    const bad = inputs.configFindings.find((f) => f.severity === "error");
    if (bad) return { ok: false, reason: `${bad.file}:${bad.line} at ${at.ref} has an error (${bad.code}: ${bad.message}); fix it first` };
    const error = inputs.diagnostics.find((d) => d.severity === "error");
    if (error) return { ok: false, reason: `the policies at ${at.ref} have errors (the first: ${error.file}:${error.line}: ${error.message}); fix them first, then ask again` };
    const flows = req.flowsOverride ?? inputs.flows;
    if (flows.length === 0) return { ok: false, reason: config.flows.length === 0 ? "tierguard.yaml names no flow snapshot (`flows:`), and a recommendation learns from flows" : `no flow snapshot could be read: ${notes.join(" ")}` };
    const namespaces = req.namespaces && req.namespaces.length > 0 ? req.namespaces : config.recommend.namespaces;
    const run = await runRecommendation({
      resources: inputs.resources,
      version: config.calicoVersion,
      flows,
      reader: fileFlowReader,
      inventory: inputs.inventory,
      namespaces,
      tier: config.recommend.tier,
      level: config.recommend.level,
      maxRules: MAX_RULES,
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
