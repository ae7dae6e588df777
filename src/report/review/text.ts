import type { Finding, ImpactFlow, Review } from "../../review/index.js";
import { terminalText as t } from "./escape.js";
import { bytes, flowWords, int, plural, rankFlows, reviewCounts, reviewVerdict, sideWords, sortFindings, sum } from "./format.js";
import { connectivityText } from "./connectivity.js";
import { nextStep, nextStepText } from "./next-step.js";

/**
 * The review for a terminal: compiler-style `file:line:col: severity [code] message` lines an editor can jump to,
 * then the flows whose verdict changes as aligned tables, then notes, a summary line and the next step. No colour
 * unless asked for (`color: true`); text from the inputs has its control characters (ANSI escapes) removed.
 */
export interface ReviewTextOptions {
  color?: boolean;
  /** Rows per flow table; default all. */
  maxFlowRows?: number;
}

type Paint = (code: number, s: string) => string;

const SEVERITY_COLOUR: Record<Finding["severity"], number> = { error: 31, warning: 33, notice: 36 };

export function findingText(f: Finding, paint: Paint = (_, s) => s): string[] {
  const where = f.path ? ` (${t(f.path)}${f.resource ? ` in ${t(f.resource)}` : ""})` : f.resource ? ` (${t(f.resource)})` : "";
  const base = f.revision === "base" ? " [base revision]" : "";
  const head = `${t(f.file)}:${f.line}:${f.col ?? 1}: ${paint(SEVERITY_COLOUR[f.severity], f.severity)} [${t(f.code)}] ${t(f.message)}${where}${base}`;
  return [head, ...(f.details ?? []).map((d) => `    ${t(d)}`)];
}

/** Columns separated by two spaces; `right` columns right-aligned; no trailing spaces. */
export function alignColumns(rows: readonly string[][], right: readonly boolean[] = []): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
}

function flowTable(title: string, flows: readonly ImpactFlow[], max: number, paint: Paint, colour: number): string[] {
  if (flows.length === 0) return [];
  const ranked = rankFlows(flows);
  const shown = ranked.slice(0, Math.max(0, max));
  const rows = shown.map((f, i) => [String(i + 1), t(flowWords(f)) + (f.uncertain?.length ? " (uncertain)" : ""), int(f.flows), bytes(f.bytes), t(sideWords(f.before)), t(sideWords(f.after))]);
  const lines = alignColumns([["#", "FLOW", "CONNECTIONS", "BYTES", "BEFORE", "AFTER"], ...rows], [true, false, true, true, false, false]);
  const heading = `${title}: ${plural(flows.length, "flow")} (${plural(sum(flows, "flows"), "connection")}, ${bytes(sum(flows, "bytes"))})`;
  const out = [paint(colour, heading), ...lines.map((l) => `  ${l}`)];
  if (shown.length < ranked.length) out.push(`  ... and ${plural(ranked.length - shown.length, "more flow")}`);
  return out;
}

export function renderReviewText(review: Review, options: ReviewTextOptions = {}): string {
  const paint: Paint = options.color ? (code, s) => `\u001b[${code}m${s}\u001b[0m` : (_, s) => s;
  const max = options.maxFlowRows ?? Infinity;
  const blocks: string[][] = [];
  const findings = sortFindings(review.findings).flatMap((f) => findingText(f, paint));
  if (findings.length > 0) blocks.push(findings);
  const impact = review.impact;
  if (impact) {
    blocks.push(flowTable("Newly denied (traffic this change would break)", impact.newlyDenied, max, paint, 31));
    blocks.push(flowTable("Newly allowed (traffic this change would let through)", impact.newlyAllowed, max, paint, 33));
    blocks.push(flowTable("Staged (pending) verdict changes", impact.pendingChanged, max, paint, 36));
  }
  blocks.push(...connectivityText(review, max, t));
  if (review.notes.length > 0) blocks.push(review.notes.map((n) => `note: ${t(n)}`));
  blocks.push([paint(1, summaryLine(review)), nextStepText(nextStep(review))]);
  return (
    blocks
      .filter((b) => b.length > 0)
      .map((b) => b.join("\n"))
      .join("\n\n") + "\n"
  );
}

/** `FAIL: 2 errors, 3 warnings, 1 notice; 12 flows newly denied, 4 newly allowed, 0 pending (10,000 records replayed)` */
export function summaryLine(review: Review): string {
  const c = reviewCounts(review);
  const word = { pass: "PASS", attention: "ATTENTION", fail: "FAIL" }[reviewVerdict(review)];
  const findings = `${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}, ${plural(c.notices, "notice")}`;
  const impact = review.impact
    ? `${plural(c.newlyDenied, "flow")} newly denied${c.newlyDenied > 0 && review.impactAcknowledged ? " (acknowledged)" : ""}, ${int(c.newlyAllowed)} newly allowed, ${int(c.pendingChanged)} pending (${plural(review.impact.totals.records, "record")} replayed)`
    : "no flow snapshot replayed";
  return `${word}: ${findings}; ${impact}`;
}
