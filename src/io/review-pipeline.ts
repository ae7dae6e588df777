import type { Inventory } from "../flows/inventory.js";
import { Replayer } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { ImpactComparer } from "../impact/revisions.js";
import type { ImpactReport } from "../impact/types.js";
import type { LoadLimits } from "../policy/index.js";
import type { TierguardConfig } from "../review/config.js";
import type { TextFile } from "../review/context.js";
import { checkGuardrails } from "../review/guardrails/index.js";
import { checkLint } from "../review/lint/index.js";
import type { RevisionFile } from "../review/load.js";
import type { Principal } from "../review/ownership.js";
import { checkPolicyTests, testTiers } from "../review/policy-tests/index.js";
import { prepareReview } from "../review/prepare.js";
import { buildReview } from "../review/run.js";
import type { SnapshotProblem } from "../review/snapshot-problems.js";
import type { Finding, Review } from "../review/types.js";
import { replayFlowFile, type FlowFile, type Progress } from "./replay-files.js";

/**
 * One review from both revisions' files, wherever they were read from (git for the command line, the GitHub API
 * for the App and the Action): prepare, replay the snapshot through base and head (worker threads for a large
 * uncompressed file), run every check, assemble. The callers fetch the files and render the result.
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
  /** Where the inventory was read from, for worker threads (which read it again). */
  inventoryPath?: string;
  /** Flow snapshots already fetched to local files. */
  flows: FlowFile[];
  /** Problems the caller found while fetching snapshots (an unreachable URL); the replay adds those it finds. */
  snapshotProblems?: SnapshotProblem[];
  /** Notes and findings the caller gathered (files too large, a snapshot that could not be fetched). */
  notes: string[];
  extraFindings: Finding[];
  maxLineBytes: number;
  workers: string;
  cwd: string;
  progress: Progress;
}

export async function runReviewPipeline(input: PipelineInput): Promise<Review> {
  const { config } = input;
  const prepared = prepareReview(input.base, input.head, config, input.limits, input.inventory);
  const { ctx } = prepared;
  let impact: ImpactReport | undefined;
  if (input.flows.length > 0) {
    const resolver = new EndpointResolver(ctx.universe, input.inventory);
    const head = new Replayer(ctx.head.set, resolver);
    const comparer = new ImpactComparer(new Replayer(ctx.base.set, resolver, { raw: head.raw }), head, config.calicoVersion.model);
    const setup = { config, limits: input.limits, base: input.base.policyFiles, head: input.head.policyFiles, inventoryPath: input.inventoryPath, cwd: input.cwd };
    for (const f of input.flows) await replayFlowFile(f, comparer, { maxLineBytes: input.maxLineBytes, workers: input.workers }, input.progress, setup);
    impact = comparer.finish(input.flows.map((f) => f.display), config.impact.maxListed);
    // Workloads seen in the snapshot join the inventory's as what the checks fall back on.
    const known = new Set(ctx.workloads.map((w) => w.endpoint.labels.id));
    for (const w of resolver.workloads()) if (!known.has(w.endpoint.labels.id)) ctx.workloads.push({ ...w, source: "flows" });
  }
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
    checks: [checkGuardrails, checkPolicyTests, checkLint],
    testTiers: (file, c) => testTiers(file, c),
    impact,
    acknowledgedBy: input.acknowledgedBy,
    extraFindings: input.extraFindings,
    notes: input.notes,
  });
}
