import { formatHits, type PolicyHit } from "../engine/index.js";
import { CALICO_333, calicoMinor, type CalicoModel, type CalicoVersion } from "../policy/index.js";
import type { FlowRecord } from "../flows/index.js";
import type { RecordOutcome } from "./replay.js";

/**
 * `simulate --compare-recorded`: how often tierguard agrees with what the cluster itself recorded. Each record is
 * compared on its reporter's side (egress at the source for `reporter: src`, ingress at the destination for
 * `dst`): the verdict against `action`, and the trace against the recorded enforced and pending policy lists.
 * The recorded verdict is always compared with tierguard's enforced verdict, never its pending one.
 *
 * Calico 3.33: a flow log's verdict never comes from a staged policy. Up to v3.32.1, Felix's flow-log collector
 * tested staged-ness on the policy name instead of its kind when a flow's rule match changed mid-flow
 * (`felix/collector/stats.go` `replaceRuleID`), so a staged policy's hit could become the recorded verdict, with the
 * staged hit dropped from the enforced list. projectcalico/calico#13410 (commit e7705060f7, "stop staged policies
 * becoming the flow-log verdict") fixed it on the 3.33 line; #13724 cherry-picked it to release-v3.32 after v3.32.1,
 * so a later 3.32 patch release may behave like 3.33 (tierguard cannot tell which, and keeps 3.32 as it was).
 * Under 3.33 a record whose own traces show that pattern holds a staged policy's verdict, not the enforced one: it
 * is set aside (`stagedVerdict`), its verdict and enforced trace not compared.
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
  /**
   * Calico 3.33 and later only (undefined before): records whose own traces give the verdict to a staged policy (the
   * pending trace ends at a staged policy with the recorded action, the enforced trace does not reach it). Not
   * counted in `compared`; only their pending traces are compared.
   */
  stagedVerdict?: number;
  disagreements: Disagreement[];
}

export function emptyComparison(): Comparison {
  return { compared: 0, verdictAgree: 0, enforcedCompared: 0, enforcedAgree: 0, pendingCompared: 0, pendingAgree: 0, notComparable: 0, uncertainDiffer: 0, disagreements: [] };
}

export function compareRecord(c: Comparison, record: FlowRecord, outcome: RecordOutcome, version: CalicoVersion, maxListed = 100): void {
  if (!record.action || !record.reporter) return;
  const model = version.model;
  const side = record.reporter === "src" ? outcome.evaluation.egress : outcome.evaluation.ingress;
  const note = (d: Disagreement) => {
    if (c.disagreements.length < maxListed) c.disagreements.push(d);
  };
  if (stagedNeverDecides(version)) {
    c.stagedVerdict ??= 0;
    if (recordedStagedVerdict(record)) {
      c.stagedVerdict++;
      if (side) comparePending(c, record, side.pending.hits, model, note);
      return;
    }
  }
  if (!side) {
    c.notComparable++;
    return;
  }
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
  comparePending(c, record, side.pending.hits, model, note);
}

/** Calico 3.33 and later: the recorded verdict is the enforced one, whatever staged policies say. */
export function stagedNeverDecides(version: CalicoVersion): boolean {
  return calicoMinor(version) >= CALICO_333;
}

function comparePending(c: Comparison, record: FlowRecord, hits: readonly PolicyHit[], model: CalicoModel, note: (d: Disagreement) => void): void {
  const recordedPending = record.policies?.pending;
  if (!recordedPending) return;
  c.pendingCompared++;
  const computed = formatHits(hits, model);
  if (sameHits(recordedPending, computed)) c.pendingAgree++;
  else note({ line: record.line, field: "pending_policies", recorded: byIndex(recordedPending), computed });
}

/**
 * The record's own traces give its verdict to a staged policy: the last pending hit is a staged policy's with the
 * recorded action, and the last enforced hit is absent or has another action (Felix drops staged hits from the
 * enforced list). Both lists must be present; a record without traces cannot show it.
 */
function recordedStagedVerdict(record: FlowRecord): boolean {
  const { enforced, pending } = record.policies ?? {};
  if (!enforced || !pending) return false;
  const lastPending = splitHit(byIndex(pending).at(-1));
  if (!lastPending || !isStagedName(lastPending.name) || lastPending.action !== record.action) return false;
  const lastEnforced = splitHit(byIndex(enforced).at(-1));
  return lastEnforced?.action !== record.action;
}

/** `<idx>|<tier>|<name>|<action>|<rule>` → its name and action; undefined for anything else. */
function splitHit(hit: string | undefined): { name: string; action: string } | undefined {
  const parts = hit?.split("|");
  return parts?.length === 5 ? { name: parts[2], action: parts[3] } : undefined;
}

/** Staged kinds in the v3.32 form (`snp:`, `sgnp:`, `sknp:`), or the Enterprise `staged:` prefix (after `ns/`). */
function isStagedName(name: string): boolean {
  return /^(snp|sgnp|sknp):/.test(name) || /(^|\/)staged:/.test(name);
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
  if (b.stagedVerdict !== undefined) a.stagedVerdict = (a.stagedVerdict ?? 0) + b.stagedVerdict;
  for (const d of b.disagreements) {
    if (a.disagreements.length >= maxListed) break;
    a.disagreements.push({ ...d, line: d.line + lineOffset });
  }
  return a;
}
