import { SILENT_LOG, type Log } from "../contracts/index.js";
import type { CalicoModel } from "../policy/index.js";
import type { ResourceChange } from "../review/index.js";
import { planStage, planUnstage, sharedPreviews, type Conflict, type PlannedChange, type Provenance, type StageSkip } from "../reconcile/index.js";
import { executeChanges, type ExecuteResult } from "./execute.js";
import type { ClusterPort } from "./port.js";
import { observeCluster } from "./sync-observe.js";

/**
 * `tierguard stage` and `tierguard unstage`: a pull request's staged previews written while it is open, and removed
 * when it closes. Enforced objects are never touched: the plan (src/reconcile/stage.ts) writes only the pull
 * request's own previews, and unstaging deletes exactly the managed objects labelled with it.
 */
export interface StageRunInput {
  changes: readonly ResourceChange[];
  pullRequest: number;
  model: CalicoModel;
  provenance: Provenance;
  environment: string;
  log?: Log;
  eventNamespace?: string;
  dryRun?: boolean;
}

export interface StageResult {
  writes: Array<{ verb: string; kind: string; namespace: string | null; name: string }>;
  /** What the pull request changes that has no preview, and why. */
  skipped: StageSkip[];
  /** Policies this pull request previews that other open pull requests preview too (for the PR comment). */
  shared: Array<{ policy: string; pullRequests: number[] }>;
  conflicts: Conflict[];
  converged: boolean;
  problems: string[];
  planned: PlannedChange[];
  execution?: ExecuteResult;
}

export async function runStage(port: ClusterPort, input: StageRunInput): Promise<StageResult> {
  const observed = await observeCluster(port, []);
  if ("problem" in observed) return result([], [], [], [], [observed.problem]);
  const plan = planStage({ changes: input.changes, observed: observed.objects, pullRequest: input.pullRequest, model: input.model, provenance: input.provenance });
  const shared = sharedPreviews(observed.objects, plan.previews, input.pullRequest);
  const problems = plan.conflicts.map((c) => `conflict: ${c.message} (${c.file}:${c.line})`);
  const base = (execution?: ExecuteResult) => result(plan.changes, plan.skipped, shared, plan.conflicts, [...problems, ...failureOf(execution)], execution);
  if (input.dryRun || plan.changes.length === 0) return base();
  const execution = await executeChanges(port, plan.changes, context(port, input, () => "Staged"));
  return base(execution);
}

export interface UnstageRunInput {
  pullRequest: number;
  provenance: Provenance;
  environment: string;
  log?: Log;
  eventNamespace?: string;
  dryRun?: boolean;
}

export async function runUnstage(port: ClusterPort, input: UnstageRunInput): Promise<StageResult> {
  const observed = await observeCluster(port, []);
  if ("problem" in observed) return result([], [], [], [], [observed.problem]);
  const changes = planUnstage(observed.objects, input.pullRequest);
  if (input.dryRun || changes.length === 0) return result(changes, [], [], [], []);
  const execution = await executeChanges(port, changes, context(port, input, () => "Unstaged"));
  return result(changes, [], [], [], failureOf(execution), execution);
}

function context(port: ClusterPort, input: { provenance: Provenance; environment: string; log?: Log; eventNamespace?: string }, reason: () => "Staged" | "Unstaged") {
  return { port, log: input.log ?? SILENT_LOG, provenance: input.provenance, environment: input.environment, eventNamespace: input.eventNamespace ?? "default", reasonOf: reason };
}

function failureOf(execution: ExecuteResult | undefined): string[] {
  if (!execution?.failure) return [];
  const w = execution.failure.write;
  const restored = execution.restored ? "every change of this run was restored" : `could not restore: ${execution.restoreFailures.join("; ")}`;
  return [`failed: ${w.verb} ${w.kind} ${w.namespace ? `${w.namespace}/` : ""}${w.name}: ${execution.failure.message}; ${restored}`];
}

function result(planned: PlannedChange[], skipped: StageSkip[], shared: StageResult["shared"], conflicts: Conflict[], problems: string[], execution?: ExecuteResult): StageResult {
  const writes = (execution ? execution.writes : planned.map((c) => c.write)).map((w) => ({ verb: w.verb, kind: w.kind, namespace: w.namespace, name: w.name }));
  const converged = problems.length === 0 && (execution ? !execution.failure : planned.length === 0);
  return { writes, skipped, shared, conflicts, converged, problems, planned, ...(execution ? { execution } : {}) };
}
