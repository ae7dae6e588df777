import type { RecordOutcome } from "./replay.js";
import { decidingHit, hitTier } from "./replay.js";

/**
 * Totals over a replay, for `simulate --output summary` and the head of the text report: records and flow volume
 * by verdict, by pending verdict, by deciding tier, plus how many were uncertain or unresolved and why.
 */
export interface Volume {
  records: number;
  flows: number;
}

export interface SimulationSummary {
  records: number;
  flows: number;
  verdict: Record<"allow" | "deny", Volume>;
  pendingVerdict: Record<"allow" | "deny", Volume>;
  /** Records whose pending verdict differs from the enforced one: what enforcing the staged policies would change. */
  changedByStaged: Volume;
  decidingTier: Record<string, Volume>;
  uncertain: Volume;
  unresolved: Volume & { reasons: Record<string, number> };
  /** Input lines that could not be read as records. */
  skippedLines: number;
}

export function emptySummary(): SimulationSummary {
  const v = (): Volume => ({ records: 0, flows: 0 });
  return {
    records: 0,
    flows: 0,
    verdict: { allow: v(), deny: v() },
    pendingVerdict: { allow: v(), deny: v() },
    changedByStaged: v(),
    decidingTier: {},
    uncertain: v(),
    unresolved: { ...v(), reasons: {} },
    skippedLines: 0,
  };
}

function add(v: Volume, flows: number): void {
  v.records++;
  v.flows += flows;
}

/** What one outcome adds to the totals, worked out once per memoised outcome rather than once per record. */
interface Contribution {
  verdict: "allow" | "deny";
  pending: "allow" | "deny";
  tier: string;
  uncertain: boolean;
  unresolvedKinds: string[];
}

const contributions = new WeakMap<RecordOutcome, Contribution>();

function contribution(outcome: RecordOutcome): Contribution {
  let c = contributions.get(outcome);
  if (!c) {
    const e = outcome.evaluation;
    c = {
      verdict: e.verdict,
      pending: e.pendingVerdict,
      tier: hitTier(decidingHit(e)),
      uncertain: e.uncertain.length > 0,
      unresolvedKinds: outcome.unresolved.map(reasonKind),
    };
    contributions.set(outcome, c);
  }
  return c;
}

export function addToSummary(s: SimulationSummary, flows: number, outcome: RecordOutcome): void {
  const c = contribution(outcome);
  s.records++;
  s.flows += flows;
  add(s.verdict[c.verdict], flows);
  add(s.pendingVerdict[c.pending], flows);
  if (c.verdict !== c.pending) add(s.changedByStaged, flows);
  add((s.decidingTier[c.tier] ??= { records: 0, flows: 0 }), flows);
  if (c.uncertain) add(s.uncertain, flows);
  if (c.unresolvedKinds.length > 0) {
    add(s.unresolved, flows);
    for (const kind of c.unresolvedKinds) s.unresolved.reasons[kind] = (s.unresolved.reasons[kind] ?? 0) + 1;
  }
}

/** Groups reasons that differ only in names: "labels of shop/x are aggregated" → "labels aggregated". */
export function reasonKind(reason: string): string {
  if (/are aggregated/.test(reason)) return "labels aggregated in the record";
  if (/not in the inventory/.test(reason)) return "pod not in the inventory";
  if (/host endpoint/.test(reason)) return "host endpoint (not evaluated)";
  if (/no namespace/.test(reason)) return "workload without a namespace";
  return reason;
}

/** Adds `b` into `a`: totals of chunks replayed separately (worker threads) add up to the totals of the whole. */
export function mergeSummaries(a: SimulationSummary, b: SimulationSummary): SimulationSummary {
  const addVolume = (x: Volume, y: Volume) => {
    x.records += y.records;
    x.flows += y.flows;
  };
  a.records += b.records;
  a.flows += b.flows;
  addVolume(a.verdict.allow, b.verdict.allow);
  addVolume(a.verdict.deny, b.verdict.deny);
  addVolume(a.pendingVerdict.allow, b.pendingVerdict.allow);
  addVolume(a.pendingVerdict.deny, b.pendingVerdict.deny);
  addVolume(a.changedByStaged, b.changedByStaged);
  for (const [tier, v] of Object.entries(b.decidingTier)) addVolume((a.decidingTier[tier] ??= { records: 0, flows: 0 }), v);
  addVolume(a.uncertain, b.uncertain);
  addVolume(a.unresolved, b.unresolved);
  for (const [why, n] of Object.entries(b.unresolved.reasons)) a.unresolved.reasons[why] = (a.unresolved.reasons[why] ?? 0) + n;
  a.skippedLines += b.skippedLines;
  return a;
}
