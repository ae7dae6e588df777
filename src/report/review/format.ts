import { compareFindings, type Finding, type FindingArea, type FindingSeverity, type FlowVerdictSide, type ImpactFlow, type Review } from "../../review/index.js";

/**
 * What every review renderer agrees on: counts, the verdict, the order of areas and findings, and how a flow and a
 * deciding rule read in words. Escaping is the caller's (Markdown, terminal and SARIF need different escaping).
 */
export const AREAS: readonly FindingArea[] = ["validation", "ownership", "guardrail", "test", "lint", "impact", "config"];

export const AREA_TITLES: Record<FindingArea, string> = {
  validation: "Validation",
  ownership: "Ownership",
  guardrail: "Guard rails",
  test: "Policy tests",
  lint: "Lint",
  impact: "Impact",
  config: "Configuration",
};

/**
 * The area a finding belongs to: its code prefix. Validation diagnostics keep the loader's and validator's own
 * prefixes (`yaml/`, `schema/`, `selector/`...), so any prefix that is not a check's area counts as validation.
 */
export function findingArea(code: string): FindingArea {
  const prefix = code.split("/", 1)[0] as FindingArea;
  return AREAS.includes(prefix) ? prefix : "validation";
}

export interface SeverityCounts {
  errors: number;
  warnings: number;
  notices: number;
}

export interface ReviewCounts extends SeverityCounts {
  byArea: Record<FindingArea, SeverityCounts>;
  newlyDenied: number;
  newlyAllowed: number;
  pendingChanged: number;
}

const zero = (): SeverityCounts => ({ errors: 0, warnings: 0, notices: 0 });

function bump(c: SeverityCounts, s: FindingSeverity): void {
  if (s === "error") c.errors++;
  else if (s === "warning") c.warnings++;
  else c.notices++;
}

export function reviewCounts(review: Review): ReviewCounts {
  const total = zero();
  const byArea = Object.fromEntries(AREAS.map((a) => [a, zero()])) as Record<FindingArea, SeverityCounts>;
  for (const f of review.findings) {
    bump(total, f.severity);
    bump(byArea[findingArea(f.code)], f.severity);
  }
  return {
    ...total,
    byArea,
    newlyDenied: review.impact?.newlyDenied.length ?? 0,
    newlyAllowed: review.impact?.newlyAllowed.length ?? 0,
    pendingChanged: review.impact?.pendingChanged.length ?? 0,
  };
}

/**
 * fail: an error finding. attention: warnings, or flows whose verdict changes (newly denied ones not yet
 * acknowledged). pass: nothing a reviewer must look at. The check run's conclusion follows findings only (see
 * check-run.ts); the comment also flags traffic changes because that is what a reviewer reads it for.
 */
export type ReviewVerdict = "pass" | "attention" | "fail";

export function reviewVerdict(review: Review): ReviewVerdict {
  const c = reviewCounts(review);
  if (c.errors > 0) return "fail";
  if (c.warnings > 0 || c.newlyAllowed > 0 || (c.newlyDenied > 0 && !review.impactAcknowledged)) return "attention";
  return "pass";
}

export const VERDICT_ICON: Record<ReviewVerdict, string> = { pass: "✅", attention: "⚠️", fail: "❌" };

/** `2 errors, 1 warning · 12 flows newly denied, 4 newly allowed`: plain text, no Markdown. */
export function verdictText(review: Review): string {
  const c = reviewCounts(review);
  const findings = `${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}`;
  if (!review.impact) return `${findings} · no flow snapshot replayed`;
  if (c.newlyDenied === 0 && c.newlyAllowed === 0) return `${findings} · no replayed flow changes its verdict`;
  const ack = c.newlyDenied > 0 && review.impactAcknowledged ? " (acknowledged)" : "";
  return `${findings} · ${plural(c.newlyDenied, "flow")} newly denied${ack}, ${c.newlyAllowed} newly allowed`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${int(n)} ${n === 1 ? word : many}`;
}

/** 1234567 -> "1,234,567" without depending on the runtime's locale data. */
export function int(n: number): string {
  const s = String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${s}` : s;
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${int(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Errors first, then by place, then code: the order every renderer lists findings in (the review's one order). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Most connections first, then bytes, then records; ties keep the impact model's order. */
export function rankFlows(flows: readonly ImpactFlow[]): ImpactFlow[] {
  return flows
    .map((f, i) => ({ f, i }))
    .sort((a, b) => b.f.flows - a.f.flows || b.f.bytes - a.f.bytes || b.f.records - a.f.records || a.i - b.i)
    .map((x) => x.f);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `shop/frontend → shop/cart:7070/TCP` */
export function flowWords(f: ImpactFlow): string {
  return `${f.src} → ${f.dst}${portWords(f)}`;
}

export function portWords(f: Pick<ImpactFlow, "port" | "protocol">): string {
  const proto = f.protocol.toUpperCase();
  return f.port !== undefined ? `:${f.port}/${proto}` : `/${proto}`;
}

/** `deny · tier security · GlobalNetworkPolicy deny-all · end of tier (ingress)` */
export function sideWords(s: FlowVerdictSide): string {
  const policy = s.policy ?? "namespace profile";
  const rule = s.policy === undefined || s.rule === undefined ? undefined : s.rule < 0 ? "end of tier" : `rule ${s.rule}`;
  const dir = s.direction ? ` (${s.direction})` : "";
  return [s.verdict, `tier ${s.tier}`, policy, rule].filter((x) => x !== undefined).join(" · ") + dir;
}

export function sum(flows: readonly ImpactFlow[], key: "flows" | "bytes" | "records"): number {
  let n = 0;
  for (const f of flows) n += f[key];
  return n;
}
