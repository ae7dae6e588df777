import { formatHits } from "../engine/index.js";
import type { CalicoModel } from "../policy/index.js";
import type { FlowRecord } from "../flows/index.js";
import type { RecordOutcome } from "./replay.js";

/**
 * `simulate --compare-recorded`: how often tierguard agrees with what the cluster itself recorded. Each record is
 * compared on its reporter's side (egress at the source for `reporter: src`, ingress at the destination for
 * `dst`): the verdict against `action`, and the trace against the recorded enforced and pending policy lists.
 */
export interface Disagreement {
  line: number;
  field: "verdict" | "enforced_policies" | "pending_policies";
  recorded: string | string[];
  computed: string | string[];
}

export interface Comparison {
  /** Records with a reporter and an action whose reporter end tierguard evaluated. */
  compared: number;
  verdictAgree: number;
  enforcedCompared: number;
  enforcedAgree: number;
  pendingCompared: number;
  pendingAgree: number;
  /** Records that carry a verdict but could not be compared, e.g. the reporter is not a workload here. */
  notComparable: number;
  /**
   * Verdicts that differ where tierguard's own verdict is uncertain (it depended on facts the inputs do not give,
   * such as namespace labels without an inventory): counted here, not listed as disagreements.
   */
  uncertainDiffer: number;
  disagreements: Disagreement[];
}

export function emptyComparison(): Comparison {
  return { compared: 0, verdictAgree: 0, enforcedCompared: 0, enforcedAgree: 0, pendingCompared: 0, pendingAgree: 0, notComparable: 0, uncertainDiffer: 0, disagreements: [] };
}

export function compareRecord(c: Comparison, record: FlowRecord, outcome: RecordOutcome, model: CalicoModel, maxListed = 100): void {
  if (!record.action || !record.reporter) return;
  const side = record.reporter === "src" ? outcome.evaluation.egress : outcome.evaluation.ingress;
  if (!side) {
    c.notComparable++;
    return;
  }
  const note = (d: Disagreement) => {
    if (c.disagreements.length < maxListed) c.disagreements.push(d);
  };
  c.compared++;
  if (side.enforced.verdict === record.action) c.verdictAgree++;
  else if (outcome.evaluation.uncertain.length > 0) c.uncertainDiffer++;
  else note({ line: record.line, field: "verdict", recorded: record.action, computed: side.enforced.verdict });
  const recordedEnforced = record.policies?.enforced;
  if (recordedEnforced) {
    c.enforcedCompared++;
    const computed = formatHits(side.enforced.hits, model);
    if (sameHits(recordedEnforced, computed)) c.enforcedAgree++;
    else note({ line: record.line, field: "enforced_policies", recorded: byIndex(recordedEnforced), computed });
  }
  const recordedPending = record.policies?.pending;
  if (recordedPending) {
    c.pendingCompared++;
    const computed = formatHits(side.pending.hits, model);
    if (sameHits(recordedPending, computed)) c.pendingAgree++;
    else note({ line: record.line, field: "pending_policies", recorded: byIndex(recordedPending), computed });
  }
}

/** The recorded lists are unordered (the index says the order). */
function byIndex(hits: readonly string[]): string[] {
  return [...hits].sort((a, b) => Number(a.split("|", 1)[0]) - Number(b.split("|", 1)[0]));
}

function sameHits(recorded: readonly string[], computed: readonly string[]): boolean {
  const r = byIndex(recorded);
  return r.length === computed.length && r.every((h, i) => h === computed[i]);
}

/** Adds `b` into `a`; `b`'s lines are shifted by `lineOffset` (a chunk's lines are numbered from its start). */
export function mergeComparisons(a: Comparison, b: Comparison, lineOffset: number, maxListed = 100): Comparison {
  a.compared += b.compared;
  a.verdictAgree += b.verdictAgree;
  a.enforcedCompared += b.enforcedCompared;
  a.enforcedAgree += b.enforcedAgree;
  a.pendingCompared += b.pendingCompared;
  a.pendingAgree += b.pendingAgree;
  a.notComparable += b.notComparable;
  a.uncertainDiffer += b.uncertainDiffer;
  for (const d of b.disagreements) {
    if (a.disagreements.length >= maxListed) break;
    a.disagreements.push({ ...d, line: d.line + lineOffset });
  }
  return a;
}
