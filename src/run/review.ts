import type { Inventory } from "../flows/inventory.js";
import type { ImpactReport } from "../impact/types.js";
import type { DocumentValue, LoadLimits } from "../policy/index.js";
import { REVIEW_CHECKS, reviewTestTiers } from "../review/checks.js";
import type { TierguardConfig } from "../review/config.js";
import type { ReviewContext, TextFile } from "../review/context.js";
import { parseKey, type ParseCache, type RevisionFile } from "../review/load.js";
import type { Principal } from "../review/ownership.js";
import { connectivityDiff, connectivityPairs, type PendingConnectivity } from "../review/connectivity/index.js";
import { prepareReview } from "../review/prepare.js";
import { buildReview } from "../review/run.js";
import { snapshotFindings, snapshotProblemOf, type SnapshotProblem } from "../review/snapshot-problems.js";
import type { Finding, Review } from "../review/types.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES, type FlowFile, type FlowReader, type Progress } from "./flow-lines.js";
import { impactComparer, ImpactSink, type ImpactSinkSpec } from "./replay-impact.js";
import { replayFile, withReplayThreads, type ReplayThreads } from "./runner.js";

/**
 * One review from both revisions' files, wherever they were read from (git for the command line, the GitHub API
 * for the App and the Action): prepare, replay the snapshot through base and head (the replay runner), run every
 * check of the registry, assemble. The callers fetch the files and render the result.
 */
export interface PipelineRevision {
  rev: string;
  commit: string;
  policyFiles: RevisionFile[];
  testFiles: TextFile[];
}

export interface PipelineInput {
  config: TierguardConfig;
  configSource: "base" | "default";
  configFindings: Finding[];
  configChanged: boolean;
  base: PipelineRevision;
  head: PipelineRevision;
  limits: LoadLimits;
  author: Principal;
  approvals: Principal[];
  acknowledgedBy?: string;
  inventory?: Inventory;
  /** Flow snapshots already fetched to local files. */
  flows: FlowFile[];
  /** Problems the caller found while fetching snapshots (an unreachable URL); the replay adds those it finds. */
  snapshotProblems?: SnapshotProblem[];
  /** Notes and findings the caller gathered (files too large, a snapshot that could not be fetched). */
  notes: string[];
  extraFindings: Finding[];
  maxLineBytes: number;
  /** Most bytes of (decompressed) text read from one snapshot; DEFAULT_MAX_SNAPSHOT_BYTES when undefined. */
  maxSnapshotBytes?: number;
  workers: "auto" | number;
  /** How the snapshots are read (the adapter's port: local files for the command line and the App). */
  reader: FlowReader;
  progress: Progress;
}

export async function runReviewPipeline(input: PipelineInput): Promise<Review> {
  // The first snapshot's worker threads load their code (0.3-0.5 s each) while this thread prepares the review.
  return withReplayThreads(input.flows[0], { workers: input.workers, reader: input.reader, thisThread: false }, (threads) => reviewWith(input, threads));
}

async function reviewWith(input: PipelineInput, threads: ReplayThreads | undefined): Promise<Review> {
  const { config } = input;
  const prepared = prepareReview(input.base, input.head, config, input.limits, input.inventory);
  const { ctx } = prepared;
  const snapshotProblems = [...(input.snapshotProblems ?? [])];
  let impact: ImpactReport | undefined;
  let early: { checked: Finding[][]; connectivity: PendingConnectivity } | undefined;
  if (input.flows.length > 0) {
    const run = { ...input, maxBytes: input.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES, threads };
    const replay = { ...input, parsed: prepared.parsed };
    const meanwhile = () => ({ checked: REVIEW_CHECKS.map((check) => check(ctx)), connectivity: connectivityPairs(ctx) });
    const replayed = await overlapReplay(ctx, meanwhile, (workersStarted) => replayImpact(ctx, replay, { ...run, workersStarted }));
    impact = replayed.impact;
    early = replayed.early;
    snapshotProblems.push(...replayed.problems);
  }
  // After the replay, so the workloads the snapshot showed are endpoint classes too.
  const connectivity = early ? early.connectivity.finish(impact) : connectivityDiff(ctx, impact);
  return buildReview({
    ctx,
    base: { rev: input.base.rev, commit: input.base.commit },
    head: { rev: input.head.rev, commit: input.head.commit },
    author: input.author,
    approvals: input.approvals,
    configSource: input.configSource,
    configFindings: input.configFindings,
    configChanged: input.configChanged,
    headDiagnostics: prepared.headDiagnostics,
    unchangedFiles: prepared.unchangedFiles,
    checks: early ? early.checked.map((findings) => () => findings) : REVIEW_CHECKS,
    testTiers: (file, c) => reviewTestTiers(file, c),
    impact,
    connectivity,
    acknowledgedBy: input.acknowledgedBy,
    extraFindings: [...input.extraFindings, ...snapshotFindings(snapshotProblems, config.impact.snapshotProblems)],
    notes: input.notes,
  });
}

/**
 * Does the review's own work (its checks, the connectivity pairs) in this thread while worker threads replay (this
 * thread would only wait), and keeps it unless the replay showed workloads it did not know: the work reads
 * `ctx.workloads`, which the replay extends, so it is then done again and the review is the one a replay in this
 * thread gives. `early` is undefined when there was nothing to overlap (the file replayed in this thread).
 */
export async function overlapReplay<T, W>(ctx: ReviewContext, work: () => W, replay: (workersStarted: () => void) => Promise<T>): Promise<T & { early?: W }> {
  let started!: () => void;
  const workersRunning = new Promise<boolean>((resolve) => (started = () => resolve(true)));
  const known = ctx.workloads.length;
  const replaying = replay(started);
  const finished = replaying.then(
    () => false,
    () => false,
  );
  let early: W | undefined;
  if (await Promise.race([workersRunning, finished])) {
    try {
      early = work();
    } catch (e) {
      await replaying.catch(() => undefined); // let the workers finish before failing
      throw e;
    }
  }
  const replayed = await replaying;
  if (early !== undefined && ctx.workloads.length !== known) early = work();
  return { ...replayed, early };
}

export interface ImpactReplayInput {
  config: TierguardConfig;
  limits: LoadLimits;
  base: { policyFiles: RevisionFile[] };
  head: { policyFiles: RevisionFile[] };
  inventory?: Inventory;
  flows: FlowFile[];
  /** The files as prepareReview parsed them: worker threads rebuild the sets from these instead of parsing again. */
  parsed?: ParseCache;
}

/**
 * The review's impact: every snapshot replayed through the prepared base and head sets (the `review` command, the
 * App, and the board's change view all call this). Workloads seen in the snapshot join the context's.
 */
export async function replayImpact(
  ctx: ReviewContext,
  input: ImpactReplayInput,
  run: {
    maxLineBytes: number;
    maxBytes: number;
    workers: "auto" | number;
    reader: FlowReader;
    progress: Progress;
    workersStarted?: () => void;
    /** Threads started ahead (`startReplay`) for the first snapshot. */
    threads?: ReplayThreads;
  },
): Promise<{ impact: ImpactReport; problems: SnapshotProblem[] }> {
  const { config, inventory } = input;
  const { comparer, resolver } = impactComparer({ base: ctx.base.set, head: ctx.head.set }, ctx.universe, config, inventory);
  const sink = new ImpactSink(comparer, run.reader, { maxLineBytes: run.maxLineBytes, maxBytes: run.maxBytes });
  const spec = () => impactSinkSpec(input);
  const problems: SnapshotProblem[] = [];
  for (const [i, f] of input.flows.entries()) {
    const limits = { maxLineBytes: run.maxLineBytes, maxBytes: run.maxBytes };
    const threads = i === 0 ? run.threads : undefined;
    const outcome = await replayFile(sink, f, { spec, workers: run.workers, limits, reader: run.reader, progress: run.progress, workersStarted: run.workersStarted, threads });
    const problem = snapshotProblemOf(f.source ?? f.display, outcome);
    if (problem) problems.push(problem);
  }
  const impact = comparer.finish(input.flows.map((f) => f.display), config.impact.maxListed);
  // Workloads seen in the snapshot join the inventory's as what the checks fall back on.
  const known = new Set(ctx.workloads.map((w) => w.endpoint.labels.id));
  for (const w of resolver.workloads()) if (!known.has(w.endpoint.labels.id)) ctx.workloads.push({ ...w, source: "flows" });
  return { impact, problems };
}

/**
 * What a worker thread rebuilds the review's comparer from: both revisions' files, with the documents prepareReview
 * parsed (by `parseKey`) when given, so that the worker parses no YAML.
 */
export function impactSinkSpec(input: ImpactReplayInput): ImpactSinkSpec {
  let documents: Map<string, DocumentValue[]> | undefined;
  if (input.parsed) {
    documents = new Map();
    for (const f of [...input.base.policyFiles, ...input.head.policyFiles]) {
      const key = parseKey(f);
      const values = input.parsed.get(key)?.documents;
      if (values) documents.set(key, values);
    }
  }
  const { config, limits, inventory } = input;
  return { kind: "impact", config, limits, base: input.base.policyFiles, head: input.head.policyFiles, inventory, documents };
}
