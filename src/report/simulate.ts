import { formatHits, protocolName, type EndpointEvaluation } from "../engine/index.js";
import type { CalicoModel } from "../policy/index.js";
import { flowEndpointName } from "../flows/index.js";
import type { FlowEndpointRef, FlowRecord } from "../flows/index.js";
import type { Comparison } from "../impact/index.js";
import { decidingHit } from "../impact/index.js";
import type { RecordOutcome } from "../impact/index.js";
import type { SimulationSummary, Volume } from "../impact/index.js";
import { parseFlowProtocol } from "../engine/index.js";
import { plural } from "./diagnostics.js";

/** Rendering for `tierguard simulate`: one JSON entry or text line per record, and the totals. Pure. */
export function describeRef(ref: FlowEndpointRef): string {
  return flowEndpointName(ref, "pod");
}

function sideJson(e: EndpointEvaluation | undefined, model: CalicoModel) {
  if (!e) return undefined;
  return {
    verdict: e.enforced.verdict,
    trace: formatHits(e.enforced.hits, model),
    pending: { verdict: e.pending.verdict, trace: formatHits(e.pending.hits, model) },
  };
}

export function recordJson(record: FlowRecord, outcome: RecordOutcome, model: CalicoModel): Record<string, unknown> {
  const e = outcome.evaluation;
  const entry: Record<string, unknown> = {
    line: record.line,
    src: describeRef(record.src),
    dst: describeRef(record.dst),
    protocol: record.protocol,
    port: record.dstPort ?? null,
    verdict: e.verdict,
    pendingVerdict: e.pendingVerdict,
    egress: sideJson(e.egress, model) ?? null,
    ingress: sideJson(e.ingress, model) ?? null,
  };
  if (e.uncertain.length > 0) entry.uncertain = capped(e.uncertain);
  if (e.pendingUncertain.length > 0) entry.pendingUncertain = capped(e.pendingUncertain);
  if (outcome.unresolved.length > 0) entry.unresolved = outcome.unresolved;
  return entry;
}

/** At most 5 reasons per record (a walk can collect dozens): the rest as a count, so JSON output stays readable. */
const MAX_REASONS = 5;

function capped(reasons: readonly string[]): string[] {
  return reasons.length <= MAX_REASONS ? [...reasons] : [...reasons.slice(0, MAX_REASONS), `... and ${reasons.length - MAX_REASONS} more`];
}

/** The deciding "tier" for people: the namespace profile is not a tier. */
function tierWords(tier: string): string {
  return tier === "__PROFILE__" ? "no policy decided (the namespace profile allows)" : tier;
}

export function recordText(record: FlowRecord, outcome: RecordOutcome, model: CalicoModel): string {
  const e = outcome.evaluation;
  const proto = protocolName(parseFlowProtocol(record.protocol) ?? 0);
  const port = record.dstPort !== undefined ? `:${record.dstPort}` : "";
  const hit = decidingHit(e);
  const by = hit ? formatHits([hit], model)[0].replace(/^0\|/, "") : "no policy";
  let line = `line ${record.line}: ${describeRef(record.src)} -> ${describeRef(record.dst)}${port}/${proto} ${e.verdict.toUpperCase()} by ${by}`;
  if (e.pendingVerdict !== e.verdict) line += ` (pending: ${e.pendingVerdict.toUpperCase()})`;
  if (e.uncertain.length > 0) line += " [uncertain]";
  if (outcome.unresolved.length > 0) line += " [unresolved]";
  return line;
}

const pct = (part: number, whole: number) => (whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(1)}%`);
const vol = (v: Volume, s: SimulationSummary) => `${plural(v.records, "record")} (${pct(v.records, s.records)}), ${plural(v.flows, "flow")}`;

export function summaryText(s: SimulationSummary): string {
  const out = [
    `Replayed ${plural(s.records, "record")} (${plural(s.flows, "flow")})${s.skippedLines ? `; ${plural(s.skippedLines, "line")} skipped` : ""}.`,
    `  allowed: ${vol(s.verdict.allow, s)}`,
    `  denied:  ${vol(s.verdict.deny, s)}`,
    `  with staged policies enforced (pending): allowed ${s.pendingVerdict.allow.records}, denied ${s.pendingVerdict.deny.records}; ${plural(s.changedByStaged.records, "record")} would change`,
    "  deciding tier:",
    ...Object.entries(s.decidingTier)
      .sort((a, b) => b[1].records - a[1].records)
      .map(([tier, v]) => `    ${tierWords(tier)}: ${vol(v, s)}`),
  ];
  if (s.uncertain.records > 0) out.push(`  uncertain: ${vol(s.uncertain, s)} (verdict depended on facts the inputs do not give)`);
  if (s.unresolved.records > 0) {
    out.push(`  unresolved endpoints: ${vol(s.unresolved, s)}`);
    for (const [why, n] of Object.entries(s.unresolved.reasons)) out.push(`    ${why}: ${n}`);
  }
  return out.join("\n") + "\n";
}

/** `inventory`: whether an inventory was given (without one, uncertain verdicts suggest giving it). */
export function comparisonText(c: Comparison, options: { inventory?: boolean } = {}): string {
  const traces = (what: string, agree: number, compared: number) =>
    compared === 0 ? `  ${what} policy traces: the records carry none (no ${what === "enforced" ? "policies.enforced_policies" : "policies.pending_policies"}), so none were compared` : `  ${what} policy traces: ${agree}/${compared} agree (${pct(agree, compared)})`;
  const out = [
    "Compared with the verdicts the cluster recorded:",
    `  verdicts: ${c.verdictAgree}/${c.compared} agree (${pct(c.verdictAgree, c.compared)})`,
  ];
  if (c.uncertainDiffer > 0) {
    const hint = options.inventory ? "" : "; give --inventory (kubectl get namespaces,pods,serviceaccounts -A -o yaml) for namespace labels, service accounts and named ports";
    out.push(`  uncertain: ${plural(c.uncertainDiffer, "verdict")} differ where tierguard's verdict depended on facts the inputs do not give (not counted as disagreements)${hint}`);
  }
  out.push(traces("enforced", c.enforcedAgree, c.enforcedCompared), traces("pending", c.pendingAgree, c.pendingCompared));
  if (c.notComparable > 0) out.push(`  not comparable (the reporting end is not a workload here): ${c.notComparable}`);
  const certain = c.compared - c.verdictAgree - c.uncertainDiffer;
  if (c.disagreements.length > 0) {
    out.push(`  disagreements: ${plural(certain, "verdict")}${c.enforcedCompared + c.pendingCompared > 0 ? " and the traces below" : ""}`);
    for (const d of c.disagreements) {
      const show = (v: string | string[]) => (Array.isArray(v) ? v.join("  ") || "(none)" : v);
      out.push(`    line ${d.line} ${d.field}: recorded ${show(d.recorded)}; tierguard ${show(d.computed)}`);
    }
  }
  return out.join("\n") + "\n";
}
