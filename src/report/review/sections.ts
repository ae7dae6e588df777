import { describeResource } from "../../policy/index.js";
import type { Finding, FindingArea, ImpactFlow, ImpactReport, Review } from "../../review/index.js";
import { codeSpan, html, md, safeUrl } from "./escape.js";
import { AREA_TITLES, AREAS, bytes, findingArea, flowWords, int, plural, rankFlows, reviewCounts, sideWords, sortFindings, sum, VERDICT_ICON, reviewVerdict, verdictText, type SeverityCounts } from "./format.js";
import { DEFAULT_MAX_GRAPH_EDGES, serviceGraph } from "./mermaid.js";

/**
 * The sections of a review in Markdown, each a list of lines. Budget rules (STYLE.md habit 10): a section opens with
 * a heading and a one-line summary; a body longer than FOLD_LINES folds into `<details>` under that summary.
 * Long flow lists are capped (every flow is in the JSON output); findings are never capped: each is actionable.
 */
export const FOLD_LINES = 12;
export const DEFAULT_MAX_FLOW_ROWS = 50;

export interface ReviewMarkdownOptions {
  /** Link to `file` at `line` in the given revision (head unless the finding says base); plain text when absent. */
  link?: (file: string, line: number, revision?: "base" | "head") => string | undefined;
  /** Rows per flow table (newly denied, newly allowed, pending). Default 50. */
  maxFlowRows?: number;
  /** Edges in the service graph. Default 30. */
  maxGraphEdges?: number;
  /** Where the policy board of this review is (the Action's artifact): a line under the verdict. */
  board?: { url: string; artifact: string };
}

/** `📋 Policy board: the tierguard-board artifact of this run`, linked; nothing without a board. */
export function boardLine(options: ReviewMarkdownOptions): string[] {
  const b = options.board;
  const url = safeUrl(b?.url);
  if (!b || !url) return [];
  return [`📋 [Policy board](${url}): the ${codeSpan(b.artifact)} artifact of this run (download it and open the HTML file).`];
}

const SEVERITY_ICON = { error: "❌", warning: "⚠️", notice: "ℹ️" } as const;

export function section(title: string, summary: string, body: readonly string[], foldSummary: string): string[] {
  const head = [`#### ${title}`, summary];
  if (body.length === 0) return head;
  if (body.length <= FOLD_LINES) return [...head, "", ...body];
  return [...head, "", `<details><summary>${html(foldSummary)}</summary>`, "", ...body, "", "</details>"];
}

export function verdictSection(review: Review): string[] {
  const short = (c: string) => codeSpan(c.slice(0, 7) || "?");
  const config = review.configSource === "base" ? "tierguard.yaml from the base revision" : "default settings (no tierguard.yaml at base)";
  return [
    `### ${VERDICT_ICON[reviewVerdict(review)]} ${md(verdictText(review))}`,
    `<sub>base ${short(review.base.commit)} → head ${short(review.head.commit)} · author ${md(`@${review.author}`)} · ${config}</sub>`,
  ];
}

function areaResult(c: SeverityCounts): string {
  const parts: string[] = [];
  if (c.errors) parts.push(plural(c.errors, "error"));
  if (c.warnings) parts.push(plural(c.warnings, "warning"));
  if (c.notices) parts.push(plural(c.notices, "notice"));
  const icon = c.errors ? "❌" : c.warnings ? "⚠️" : c.notices ? "ℹ️" : "✅";
  return `${icon} ${parts.length > 0 ? parts.join(", ") : "passed"}`;
}

export function summaryTable(review: Review): string[] {
  const c = reviewCounts(review);
  const rows = AREAS.filter((a) => a !== "config" || hasAny(c.byArea.config)).map((a) => `| ${AREA_TITLES[a]} | ${areaResult(c.byArea[a])} |`);
  return ["| Check | Result |", "| --- | --- |", ...rows, `| Flows replayed | ${replayWords(review.impact)} |`];
}

function hasAny(c: SeverityCounts): boolean {
  return c.errors + c.warnings + c.notices > 0;
}

function replayWords(impact: ImpactReport | undefined): string {
  if (!impact) return "not run: no flow snapshot";
  const from = impact.sources.length === 0 ? "" : ` from ${impact.sources.slice(0, 2).map(md).join(", ")}${impact.sources.length > 2 ? ` and ${int(impact.sources.length - 2)} more` : ""}`;
  const changes = `${int(impact.newlyDenied.length)} newly denied, ${int(impact.newlyAllowed.length)} newly allowed, ${int(impact.pendingChanged.length)} staged changes`;
  return `${plural(impact.totals.records, "record")} (${plural(impact.totals.flows, "connection")})${from}: ${changes}`;
}

function volume(flows: readonly ImpactFlow[]): string {
  return `${plural(flows.length, "flow")} (${plural(sum(flows, "flows"), "connection")}, ${bytes(sum(flows, "bytes"))})`;
}

export function flowTable(flows: readonly ImpactFlow[], max: number, what: string): string[] {
  const ranked = rankFlows(flows);
  const rows = ranked.slice(0, Math.max(0, max)).map((f, i) => {
    const uncertain = f.uncertain && f.uncertain.length > 0 ? " (uncertain)" : "";
    return `| ${i + 1} | ${md(flowWords(f))}${uncertain} | ${int(f.flows)} | ${bytes(f.bytes)} | ${md(sideWords(f.before))} | ${md(sideWords(f.after))} |`;
  });
  const out = ["| # | Flow | Connections | Bytes | Before | After |", "| ---: | --- | ---: | ---: | --- | --- |", ...rows];
  const left = ranked.slice(rows.length);
  if (left.length > 0) {
    const more = `${int(left.length)} more ${what} ${left.length === 1 ? "flow" : "flows"} (${plural(sum(left, "flows"), "connection")}, ${bytes(sum(left, "bytes"))})`;
    out.push("", `_…and ${more} not shown here; the review's JSON output lists every one._`);
  }
  return out;
}

export function impactSections(review: Review, options: ReviewMarkdownOptions): string[][] {
  const impact = review.impact;
  if (!impact) return [];
  const max = options.maxFlowRows ?? DEFAULT_MAX_FLOW_ROWS;
  const out: string[][] = [];
  const busiest = (flows: readonly ImpactFlow[]) => ` The busiest: ${md(flowWords(rankFlows(flows)[0]))}.`;
  if (impact.newlyDenied.length > 0) {
    const ack = review.impactAcknowledged ? ` Acknowledged by ${md(`@${review.impactAcknowledged.by}`)}.` : "";
    const summary = `${volume(impact.newlyDenied)} allowed today would be denied.${busiest(impact.newlyDenied)}${ack}`;
    out.push(section("Traffic this change would break", summary, flowTable(impact.newlyDenied, max, "newly denied"), `Show the ${plural(impact.newlyDenied.length, "newly denied flow")}`));
  }
  if (impact.newlyAllowed.length > 0) {
    const summary = `${volume(impact.newlyAllowed)} denied today would be allowed.${busiest(impact.newlyAllowed)}`;
    out.push(section("Traffic this change would let through", summary, flowTable(impact.newlyAllowed, max, "newly allowed"), `Show the ${plural(impact.newlyAllowed.length, "newly allowed flow")}`));
  }
  const graph = serviceGraph(impact, options.maxGraphEdges ?? DEFAULT_MAX_GRAPH_EDGES);
  if (graph.edges > 0) {
    const left = graph.edges - graph.shown;
    const cap = left > 0 ? ` The ${int(graph.shown)} busiest are drawn; ${int(left)} ${left === 1 ? "is" : "are"} left out.` : "";
    const summary = `${plural(graph.edges, "service edge")} change verdict: red is newly denied, amber newly allowed.${cap}`;
    out.push(section("Service edges whose verdict changes", summary, graph.lines, "Show the graph"));
  }
  if (impact.pendingChanged.length > 0) {
    const summary = `${volume(impact.pendingChanged)} would get another verdict once the staged policies are enforced.`;
    out.push(section("Staged (pending) verdict changes", summary, flowTable(impact.pendingChanged, max, "staged"), `Show the ${plural(impact.pendingChanged.length, "pending change")}`));
  }
  return out;
}

function where(file: string, line: number, revision: "base" | "head", options: ReviewMarkdownOptions): string {
  const text = `${md(file)}:${line}`;
  const url = safeUrl(options.link?.(file, line, revision));
  return url ? `[${text}](${url})` : text;
}

export function findingLine(f: Finding, options: ReviewMarkdownOptions): string[] {
  const revision = f.revision ?? "head";
  const context = [f.resource ? md(f.resource) : undefined, f.path ? codeSpan(f.path) : undefined, revision === "base" ? "base revision" : undefined].filter(Boolean);
  const line = `- ${SEVERITY_ICON[f.severity]} ${where(f.file, f.line, revision, options)} ${codeSpan(f.code)} ${md(f.message)}${context.length > 0 ? ` (${context.join(", ")})` : ""}`;
  return [line, ...(f.details ?? []).map((d) => `  - ${md(d)}`)];
}

export function findingSections(review: Review, options: ReviewMarkdownOptions): string[][] {
  const byArea = new Map<FindingArea, Finding[]>();
  for (const f of sortFindings(review.findings)) {
    const area = findingArea(f.code);
    const list = byArea.get(area);
    if (list) list.push(f);
    else byArea.set(area, [f]);
  }
  const c = reviewCounts(review);
  return AREAS.filter((a) => byArea.has(a)).map((a) => {
    const findings = byArea.get(a)!;
    const body = findings.flatMap((f) => findingLine(f, options));
    return section(`${AREA_TITLES[a]} findings`, `${areaResult(c.byArea[a])}.`, body, `Show the ${plural(findings.length, `${AREA_TITLES[a].toLowerCase()} finding`)}`);
  });
}

export function changesSection(review: Review, options: ReviewMarkdownOptions): string[] {
  if (review.changes.length === 0) return [];
  const body = review.changes.map((c) => {
    const r = (c.head ?? c.base)!;
    const at = r.source.at("metadata.name");
    const meaning = c.meaningChanged ? "" : " (no change of meaning)";
    return `- **${c.kind}** ${md(describeResource(r))} at ${where(at.file, at.line, c.head ? "head" : "base", options)}: ${md(c.summary)}${meaning}`;
  });
  const meaningful = review.changes.filter((c) => c.meaningChanged).length;
  const summary = `${plural(review.changes.length, "resource")} differ from the base revision; ${int(meaningful)} in meaning.`;
  return section("Changed resources", summary, body, `Show the ${plural(review.changes.length, "changed resource")}`);
}

export function zeroHitSection(review: Review): string[] {
  const list = review.impact?.zeroHitPolicies ?? [];
  if (list.length === 0) return [];
  const summary = `${plural(list.length, "policy or rule", "policies or rules")} of the head revision matched no flow in the snapshot: check each is still needed.`;
  return section("Policies no flow hit", summary, list.map((p) => `- ${md(p)}`), `Show the ${plural(list.length, "policy or rule", "policies and rules")}`);
}

export function unresolvedSection(review: Review): string[] {
  const t = review.impact?.totals;
  if (!t || (t.unresolved.records === 0 && t.uncertain.records === 0 && t.skippedLines === 0 && t.problems.length === 0)) return [];
  const body: string[] = [];
  if (t.unresolved.records > 0) {
    body.push(`- ${plural(t.unresolved.records, "record")} named an endpoint that could not be resolved:`);
    for (const [why, n] of Object.entries(t.unresolved.reasons).sort((a, b) => b[1] - a[1])) body.push(`  - ${md(why)}: ${int(n)}`);
  }
  if (t.uncertain.records > 0) body.push(`- ${plural(t.uncertain.records, "record")} had a verdict that depended on facts the snapshot does not give (marked uncertain).`);
  if (t.skippedLines > 0) body.push(`- ${plural(t.skippedLines, "input line")} could not be read.`);
  for (const p of t.problems) body.push(`- ${md(p)}`);
  const summary = `${int(t.unresolved.records)} unresolved and ${int(t.uncertain.records)} uncertain of ${plural(t.records, "record")}; ${plural(t.skippedLines, "line")} skipped.`;
  return section("Unresolved and uncertain", summary, body, "Show the details");
}

export function notesSection(review: Review): string[] {
  if (review.notes.length === 0) return [];
  return section("Notes", `${plural(review.notes.length, "note")}.`, review.notes.map((n) => `- ${md(n)}`), `Show the ${plural(review.notes.length, "note")}`);
}
