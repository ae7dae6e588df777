import { createHash } from "node:crypto";
import type { Log, Region, ReportingDescriptor, Result, Run } from "sarif";
import type { Finding, FindingArea, FindingSeverity, Review } from "../../review/index.js";
import { AREA_TITLES, findingArea, sortFindings } from "./format.js";

/**
 * SARIF 2.1.0 for GitHub code scanning. GitHub reads a subset of the OASIS schema ("SARIF support for code
 * scanning"): `ruleId` must stay the same across analyses, `artifactLocation.uri` repository-relative and stable,
 * and `partialFingerprints` tell two runs' results apart from line moves. Its hard limits ("SARIF results exceed
 * limits"): 20 runs per file, 25,000 results and 25,000 rules per run; we emit one run and keep the 25,000 most
 * severe results, counting the rest in `run.properties.omittedResults`.
 */
export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const TIERGUARD_URI = "https://github.com/tierguard/tierguard";
export const SARIF_MAX_RESULTS = 25_000;

export interface SarifOptions {
  /** tierguard's version, as `tool.driver.semanticVersion`. */
  toolVersion: string;
  /** Default: the project's repository. */
  informationUri?: string;
  /** Per code: a one-line description and help text; codes not given get their area's. */
  rules?: Record<string, { description?: string; help?: string }>;
}

const LEVEL: Record<FindingSeverity, Result.level> = { error: "error", warning: "warning", notice: "note" };
const RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, notice: 2 };

/** What a finding of each area asks of the author: the rule's help when the caller gives none. */
const AREA_HELP: Record<FindingArea, string> = {
  validation: "The file is not a valid Calico or Kubernetes policy resource. Fix the field named in the message; the cluster would reject it or read it differently.",
  ownership: "A change to a tier's policies needs approval from an owner of that tier (tierguard.yaml, tiers.<tier>.owners, read from the base revision). Ask an owner to approve the pull request.",
  guardrail: "The change conflicts with a guard rail of a higher tier: a rule that tries to allow what a higher tier denies, a change a higher tier overrides, or an edit to a guard-rail policy. Ask the guard rail's owners, or change the rule.",
  test: "A policy test in the repository no longer holds: the expected allow or deny between two workloads differs from what the head revision's policies decide. Fix the policy or, if the change is intended, the test.",
  lint: "The policy works but departs from Calico's best practices. The message says what to change.",
  impact: "Replaying recorded production flows through the base and head policies changed their verdict. Check the flows named in the message; acknowledge intended breakage with /tierguard ack-impact.",
  config: "tierguard.yaml has a problem. Fix the field named in the message.",
};

function ruleFor(code: string, findings: readonly Finding[], options: SarifOptions): ReportingDescriptor {
  const area = findingArea(code);
  const given = options.rules?.[code];
  const words = code.slice(code.indexOf("/") + 1).replace(/-/g, " ");
  const worst = findings.reduce<FindingSeverity>((w, f) => (RANK[f.severity] < RANK[w] ? f.severity : w), "notice");
  const help = given?.help ?? AREA_HELP[area];
  return {
    id: code,
    name: code.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")),
    shortDescription: { text: given?.description ?? `${AREA_TITLES[area]}: ${words}` },
    help: { text: help },
    defaultConfiguration: { level: LEVEL[worst] },
    properties: { tags: ["calico", "network-policy", area] },
  };
}

/** Stable across runs and line moves: the code, the resource (or file) and the field path, plus a repeat count. */
function fingerprint(f: Finding, seen: Map<string, number>): string {
  const key = [f.code, f.resource ?? `file ${f.file}`, f.path ?? ""].join("\u0000");
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}:${n}`;
}

/** Repository-relative, forward slashes, percent-encoded where a URI needs it. */
function artifactUri(file: string): string {
  return file
    .replace(/\\/g, "/")
    .replace(/^\.?\//, "")
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
}

function result(f: Finding, ruleIndex: number, seen: Map<string, number>): Result {
  const start = Math.max(1, f.line);
  const region: Region = { startLine: start };
  if (f.col !== undefined && f.col >= 1) region.startColumn = f.col;
  if (f.endLine !== undefined && f.endLine >= start) region.endLine = f.endLine;
  const where = [f.resource, f.path].filter(Boolean).join(" at ");
  const base = f.revision === "base" ? " (location in the base revision)" : "";
  return {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.message}${where ? ` [${where}]` : ""}${base}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, region } }],
    partialFingerprints: { "tierguardFinding/v1": fingerprint(f, seen) },
    ...(f.details && f.details.length > 0 ? { properties: { details: f.details } } : {}),
  };
}

export function reviewSarif(review: Review, options: SarifOptions): Log {
  const ordered = sortFindings(review.findings);
  const kept = ordered.slice(0, SARIF_MAX_RESULTS);
  const byCode = new Map<string, Finding[]>();
  for (const f of kept) {
    const list = byCode.get(f.code);
    if (list) list.push(f);
    else byCode.set(f.code, [f]);
  }
  const codes = [...byCode.keys()].sort();
  const index = new Map(codes.map((c, i) => [c, i]));
  const seen = new Map<string, number>();
  const run: Run = {
    tool: {
      driver: {
        name: "tierguard",
        informationUri: options.informationUri ?? TIERGUARD_URI,
        semanticVersion: options.toolVersion,
        rules: codes.map((c) => ruleFor(c, byCode.get(c)!, options)),
      },
    },
    columnKind: "utf16CodeUnits",
    results: kept.map((f) => result(f, index.get(f.code)!, seen)),
    ...(ordered.length > kept.length ? { properties: { omittedResults: ordered.length - kept.length } } : {}),
  };
  return { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [run] };
}

/** `reviewSarif` as the file to upload. */
export function renderReviewSarif(review: Review, options: SarifOptions): string {
  return JSON.stringify(reviewSarif(review, options), null, 2) + "\n";
}
