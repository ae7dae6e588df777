import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { Inventory } from "../flows/inventory.js";
import { inventoryFromText } from "../io/inventory.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { NO_PROGRESS, runReviewPipeline, type FlowFile } from "../run/index.js";
import { DEFAULT_LOAD_LIMITS } from "../policy/index.js";
import { teamsUnverifiable, type Finding, type Principal, type Review, type SnapshotProblem, type TierguardConfig } from "../review/index.js";
import type { GitHubApi, Log, RepoRef } from "./api.js";
import { approvers, configTeams, memberTeams, TeamsUnverifiable } from "./people.js";
import { apiEntry, readPullRequestFiles, type PullRequestFiles } from "./repo-reader.js";
import { scrub } from "./redact.js";
import { DEFAULT_SNAPSHOT_LIMITS, fetchFailure, readBlobText, fetchSnapshot, type SnapshotLimits } from "./snapshot.js";

/**
 * The pull-request review through the GitHub API, shared by the App and the Action: both revisions' files, the
 * configuration and snapshot from the BASE, the author's and approvers' team memberships, then the same pipeline
 * the command line runs. Returns the review and the configuration it was judged by.
 */
export interface GitHubReviewRequest {
  api: GitHubApi;
  repo: RepoRef;
  /** Reads the standing approvals when given (and `approvals` is not). */
  pull?: number;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  author: string;
  /** Approvals to use as they are (the App passes them); otherwise read from the pull request. */
  approvals?: Principal[];
  /**
   * "api": ask GitHub for team memberships; "unverifiable": the token cannot (the Action's GITHUB_TOKEN), so
   * ownership by team is reported as unverifiable rather than silently passed.
   */
  teams: "api" | "unverifiable";
  acknowledgedBy?: string;
  maxFileBytes?: number;
  snapshot?: SnapshotLimits;
  /** Where tierguard.yaml is in the base revision (the Action's `config` input). Default: tierguard.yaml at the root. */
  configPath?: string;
  /** Flow files to replay instead of the configuration's (the Action's `flows` input). */
  flowsOverride?: FlowFile[];
  log: Log;
  /** Called between stages, for a check run showing progress. */
  progress?: (stage: string) => Promise<void>;
  /** The review pipeline; tests inject one to see its input. Default: runReviewPipeline. */
  runPipeline?: typeof runReviewPipeline;
  /**
   * Called after the review, while the fetched snapshot still exists, with what it was judged on: the Action builds
   * the policy board from the same inputs (the snapshot is not fetched twice).
   */
  afterReview?: (used: { review: Review; files: PullRequestFiles; flows: FlowFile[]; inventory?: Inventory }) => Promise<void>;
}

export interface GitHubReviewResult {
  review: Review;
  config: TierguardConfig;
  files: PullRequestFiles;
}

export async function reviewPullRequest(req: GitHubReviewRequest): Promise<GitHubReviewResult> {
  const maxFileBytes = req.maxFileBytes ?? DEFAULT_LOAD_LIMITS.maxFileBytes;
  await req.progress?.("reading the base and head revisions");
  const files = await readPullRequestFiles(req.api, req.repo, req.base.sha, req.head.sha, maxFileBytes, req.configPath);
  const { config } = files;
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-gh-"));
  try {
    const notes: string[] = [];
    const extra: Finding[] = [...files.skipped];
    await req.progress?.("resolving team memberships and approvals");
    const people = await resolvePeople(req, config);
    if (!people.verified) notes.push(`Team memberships could not be read (${people.why}); ownership by team is reported as unverifiable.`);
    const inventory = await inventoryOf(req, files, notes);
    await req.progress?.("fetching the flow snapshot");
    const snapshotProblems: SnapshotProblem[] = [];
    const flows = req.flowsOverride ?? (await snapshots(req, files, scratch, snapshotProblems));
    await req.progress?.(flows.length > 0 ? "replaying the flow snapshot through base and head" : "running the checks");
    const review = await (req.runPipeline ?? runReviewPipeline)({
      config,
      configSource: files.configSource,
      configFindings: files.configFindings,
      configChanged: files.configChanged,
      base: { rev: req.base.ref, commit: files.base.commit, policyFiles: files.base.policyFiles, testFiles: files.base.testFiles },
      head: { rev: req.head.ref, commit: req.head.sha, policyFiles: files.head.policyFiles, testFiles: files.head.testFiles },
      limits: { ...DEFAULT_LOAD_LIMITS, maxFileBytes },
      author: people.author,
      approvals: people.approvals,
      acknowledgedBy: req.acknowledgedBy,
      inventory,
      flows,
      notes,
      extraFindings: extra,
      snapshotProblems,
      maxLineBytes: DEFAULT_MAX_LINE_LENGTH,
      workers: "auto",
      reader: fileFlowReader,
      progress: NO_PROGRESS,
    });
    if (!people.verified) review.findings = review.findings.map((f) => teamsUnverifiable(f, config, people.why));
    await req.afterReview?.({ review, files, flows, inventory });
    return { review, config, files };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function resolvePeople(req: GitHubReviewRequest, config: TierguardConfig): Promise<{ author: Principal; approvals: Principal[]; verified: boolean; why: string }> {
  const teams = configTeams(config);
  const logins = req.approvals ? req.approvals.map((a) => a.login) : req.pull !== undefined ? await approvers(req.api, req.repo, req.pull, req.author) : [];
  if (req.teams === "unverifiable") {
    return { author: { login: req.author, teams: [] }, approvals: logins.map((login) => ({ login, teams: [] })), verified: false, why: "the token has no access to organization teams; give the Action a teams-token" };
  }
  try {
    const author = { login: req.author, teams: await memberTeams(req.api, req.author, teams) };
    const approvals = req.approvals ?? (await Promise.all(logins.map(async (login) => ({ login, teams: await memberTeams(req.api, login, teams) }))));
    return { author, approvals, verified: true, why: "" };
  } catch (e) {
    if (!(e instanceof TeamsUnverifiable)) throw e;
    req.log.warn({ err: e.message }, "team memberships are unverifiable");
    return { author: { login: req.author, teams: [] }, approvals: logins.map((login) => ({ login, teams: [] })), verified: false, why: e.message };
  }
}

/**
 * Each snapshot tierguard.yaml names, fetched to a scratch file; one that cannot be fetched (not there, too large,
 * an HTTP error, a timeout, the network) is a problem the review reports, never a crash of the review.
 */
async function snapshots(req: GitHubReviewRequest, files: PullRequestFiles, scratch: string, problems: SnapshotProblem[]): Promise<FlowFile[]> {
  const out: FlowFile[] = [];
  for (const [i, source] of files.config.flows.entries()) {
    try {
      out.push(await fetchSnapshot(req.api, req.repo, files.baseTip.tree.map(apiEntry), source, join(scratch, `flows-${i}`), req.snapshot ?? DEFAULT_SNAPSHOT_LIMITS));
    } catch (e) {
      const reason = fetchFailure(e);
      req.log.warn({ source: scrub(source), reason }, "the flow snapshot could not be fetched");
      problems.push({ kind: "unavailable", source: scrub(source), reason });
    }
  }
  return out;
}

/** The inventory tierguard.yaml names, read from the base tip in memory (no scratch file); a note when it cannot be. */
async function inventoryOf(req: GitHubReviewRequest, files: PullRequestFiles, notes: string[]): Promise<Inventory | undefined> {
  const path = files.config.inventory;
  if (!path) return undefined;
  const entry = files.baseTip.tree.find((e) => e.path === path);
  if (!entry) {
    notes.push(`The inventory ${path} named in tierguard.yaml is not in the base revision.`);
    return undefined;
  }
  let text: string;
  try {
    text = await readBlobText(req.api, req.repo, apiEntry(entry), (req.snapshot ?? DEFAULT_SNAPSHOT_LIMITS).maxBytes);
  } catch (e) {
    notes.push(`The inventory ${path} could not be read: ${fetchFailure(e)}.`);
    return undefined;
  }
  const read = inventoryFromText(text, path);
  if (!read.inventory) {
    notes.push(`The inventory ${path} could not be read: ${read.diagnostics[0]?.message ?? "unknown error"}.`);
    return undefined;
  }
  return read.inventory;
}
