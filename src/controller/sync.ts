import { SILENT_LOG, type Log } from "../contracts/index.js";
import type { CalicoModel, Resource } from "../policy/index.js";
import { planSummary, type PlanItem } from "../review/index.js";
import {
  desiredObjects,
  diffCluster,
  editedBehindGit,
  emptyingRefusal,
  fromClusterObject,
  keepsConstraints,
  noGapOrder,
  orderChanges,
  orderConstraints,
  planItems,
  planOf,
  type ClusterObject,
  type Conflict,
  type DriftFinding,
  type OrderWrites,
  type PlannedChange,
  type Provenance,
} from "../reconcile/index.js";
import { executeChanges, type ExecuteResult } from "./execute.js";
import type { ClusterPort } from "./port.js";
import { observeCluster } from "./sync-observe.js";

/**
 * `tierguard sync` (and the controller's promotion): reconcile one cluster to the repository at a commit. Plans
 * with the pure core (src/reconcile), asks the transitional orderer for a write order, refuses what is unsafe
 * (conflicts with unmanaged objects, emptying the environment, a transitional outage without
 * --allow-transitional), then applies through the ClusterPort. A dry run returns the plan and writes nothing.
 */
export interface SyncInput {
  /** The repository's resources at the commit (validated, no errors). */
  resources: readonly Resource[];
  model: CalicoModel;
  provenance: Provenance;
  environment: string;
  dryRun?: boolean;
  allowTransitional?: boolean;
  adopt?: boolean;
  /** Confirms a sync that deletes every managed policy, or more than `maxDeleteShare` of them. */
  allowEmpty?: boolean;
  /** Undefined: DEFAULT_MAX_DELETE_SHARE (0.5). */
  maxDeleteShare?: number;
  /** The transitional orderer (injected); undefined: the no-gap order, nothing transitional checked. */
  orderWrites?: OrderWrites;
  log?: Log;
  /** Namespace for Events about cluster-wide objects; default "default". */
  eventNamespace?: string;
  conflictRetries?: number;
  /** False: drift is not logged here, because the caller reports it itself (the controller's drift check and watch). */
  logDrift?: boolean;
}

/** Exactly what `--output json` prints. */
export interface SyncReport {
  plan: PlanItem[];
  writes: Array<{ verb: string; kind: string; namespace: string | null; name: string }>;
  converged: boolean;
  transitional: unknown[];
}

export interface SyncResult extends SyncReport {
  /** The plan in one line, in the PR comment's words. */
  summary: string;
  planned: PlannedChange[];
  conflicts: Conflict[];
  /** Why nothing was applied (refused), or what failed; undefined when converged or a clean dry run. */
  problems: string[];
  /** Objects edited by hand in the cluster that this sync's updates restore (each also a warning log line). */
  drift: DriftFinding[];
  execution?: ExecuteResult;
}

export async function runSync(port: ClusterPort, input: SyncInput): Promise<SyncResult> {
  const drift: DriftFinding[] = [];
  const result = await syncOnce(port, input, drift);
  return { ...result, drift };
}

async function syncOnce(port: ClusterPort, input: SyncInput, found: DriftFinding[]): Promise<Omit<SyncResult, "drift">> {
  const log = input.log ?? SILENT_LOG;
  const observed = await observeCluster(port, input.resources);
  if ("problem" in observed) return refused([], [], [], [observed.problem]);
  const desired = desiredObjects(input.resources, { model: input.model, provenance: input.provenance });
  const diff = diffCluster({ desired, observed: observed.objects, adopt: input.adopt, pullRequest: input.provenance.pullRequest });
  const ordered = orderChanges(diff.changes);
  found.push(...reportDrift(ordered, input, log));
  const constraints = orderConstraints(ordered);
  const orderer = input.orderWrites ?? noGapOrder;
  const unchanged = lazyResources(diff.untouched);
  // Nothing to write, nothing to order: the check would only convert and replay the whole cluster for nothing.
  const chosen = ordered.length === 0 ? noGapOrder(ordered, constraints) : orderer(ordered, constraints, { get unchanged() { return unchanged(); } });
  if (!keepsConstraints(chosen.order, ordered.length, constraints)) {
    return refused(ordered, diff.conflicts, chosen.transitional, ["internal: the write order breaks a no-gap constraint; nothing applied"]);
  }
  const planned = chosen.order.map((i) => ordered[i]);
  const problems = diff.conflicts.map((c) => `conflict: ${c.message} (${c.file}:${c.line})`);
  const emptying = input.allowEmpty ? undefined : emptyingRefusal(observed.objects, planned, input.maxDeleteShare);
  if (emptying) problems.push(emptying.message);
  if (!chosen.safe && !input.allowTransitional) {
    problems.push(`refused: no write order avoids a transitional outage or exposure (${chosen.transitional.length} flow(s)); run with --allow-transitional to apply anyway`);
  }
  if (problems.length > 0) return refused(planned, diff.conflicts, chosen.transitional, problems);
  if (input.dryRun || planned.length === 0) return report(planned, diff.conflicts, chosen.transitional, planned.length === 0, []);
  log.info({ environment: input.environment, commit: input.provenance.commit, writes: planned.length }, `sync: ${planSummary(planOf(planned))}`);
  const execution = await executeChanges(port, planned, {
    port,
    log,
    provenance: input.provenance,
    environment: input.environment,
    eventNamespace: input.eventNamespace ?? "default",
    conflictRetries: input.conflictRetries,
    reasonOf: (c) => (c.write.verb === "delete" ? "Deleted" : "Promoted"),
  });
  const failed = execution.failure
    ? [`failed: ${execution.failure.write.verb} ${execution.failure.write.kind} ${execution.failure.write.namespace ? `${execution.failure.write.namespace}/` : ""}${execution.failure.write.name}: ${execution.failure.message}; ` +
        (execution.restored ? "every change of this run was restored" : `could not restore: ${execution.restoreFailures.join("; ")}`)]
    : [];
  const result = report(planned, diff.conflicts, chosen.transitional, !execution.failure, failed, execution.writes);
  result.execution = execution;
  return result;
}

/** Edits by hand this sync's updates undo: a warning naming the field each (the controller also runs detectDrift). */
function reportDrift(ordered: readonly PlannedChange[], input: SyncInput, log: Log): DriftFinding[] {
  const drift = editedBehindGit(ordered);
  for (const f of input.logDrift === false ? [] : drift) {
    const { ref } = f;
    const then = input.dryRun ? "a sync restores Git's version" : "restoring Git's version";
    log.warn({ drift: f.drift, environment: input.environment, commit: input.provenance.commit, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, path: f.path ?? null, expected: f.expected, actual: f.actual }, `${f.message}; ${then}`);
  }
  return drift;
}

function report(planned: PlannedChange[], conflicts: Conflict[], transitional: unknown[], converged: boolean, problems: string[], done?: ExecuteResult["writes"]): Omit<SyncResult, "drift"> {
  const writes = (done ?? planned.map((c) => c.write)).map((w) => ({ verb: w.verb, kind: w.kind, namespace: w.namespace, name: w.name }));
  return { plan: planItems(planned), writes, converged, transitional, summary: planSummary(planOf(planned)), planned, conflicts, problems };
}

/** Nothing applied: the plan is still shown, the writes list is empty. */
function refused(planned: PlannedChange[], conflicts: Conflict[], transitional: unknown[], problems: string[]): Omit<SyncResult, "drift"> {
  return report(planned, conflicts, transitional, false, problems, []);
}

/** The objects no write touches, as Resources, converted once and only when the orderer asks. */
function lazyResources(objects: readonly ClusterObject[]): () => Resource[] {
  let cached: Resource[] | undefined;
  return () => (cached ??= objects.map(fromClusterObject).filter((r): r is Resource => r !== undefined));
}
