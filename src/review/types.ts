import type { Located, Severity } from "../contracts/index.js";
import type { Resource } from "../policy/index.js";

/**
 * The review model: what a reviewer must know about a policy change. Checks produce findings; the impact replay
 * produces flows whose verdict changes; renderers (src/report) turn one `Review` into a PR comment, a check run,
 * SARIF, JSON or terminal text. Nothing here does I/O.
 */
/** The diagnostic family's severity (src/contracts). */
export type FindingSeverity = Severity;

/** Code prefixes, one per check. */
export type FindingArea = "validation" | "ownership" | "guardrail" | "test" | "lint" | "impact" | "config";

/** A member of the diagnostic family (src/contracts `Located`) with the review's own fields. */
export interface Finding extends Located {
  /** `<area>/<kebab-name>`, stable: annotations and SARIF rules key on it. */
  code: string;
  severity: FindingSeverity;
  /** One paragraph: what is wrong and what to do next. */
  message: string;
  /** Repository-relative path; for a removed resource, its path in the base revision. */
  file: string;
  /** 1-based; 1 when the finding concerns a whole file. */
  line: number;
  col?: number;
  endLine?: number;
  /** Field path inside the resource, e.g. `spec.ingress[2]`. */
  path?: string;
  /** `Kind namespace/name`. */
  resource?: string;
  /** Which revision `file:line` refers to. Default head. */
  revision?: "base" | "head";
  /** Ownership findings: who may approve instead (logins and `org/team`). */
  approvers?: string[];
  /** Extra lines shown folded under the message (a trace, the conflicting rule). */
  details?: string[];
}

/** How a resource differs between the base and head revisions. */
export type ChangeKind = "added" | "removed" | "changed" | "moved" | "renamed" | "reformatted";

export interface ResourceChange {
  kind: ChangeKind;
  base?: Resource;
  head?: Resource;
  /** False when only formatting, comments, key order or the file it lives in changed. */
  meaningChanged: boolean;
  /** Human words: "moved from a.yaml to b.yaml", "spec.tier changed from application to security". */
  summary: string;
}

export type { FlowVerdictSide, ImpactFlow, ImpactTotals, ImpactReport } from "../impact/index.js";
import type { ImpactReport } from "../impact/index.js";
import type { ConnectivityReport } from "./connectivity/types.js";

export interface RevisionInfo {
  rev: string;
  commit: string;
}

export interface Review {
  base: RevisionInfo;
  head: RevisionInfo;
  author: string;
  /** "base" when tierguard.yaml was read from the base revision; "default" when the base had none. */
  configSource: "base" | "default";
  changes: ResourceChange[];
  findings: Finding[];
  impact?: ImpactReport;
  /** The connectivity diff: what becomes reachable or unreachable, exercised by recorded flows or not. */
  connectivity?: ConnectivityReport;
  /** Facts a reader should know that are not findings ("no tierguard.yaml at base: ownership not enforced"). */
  notes: string[];
  /** Whether newly denied flows were acknowledged (`--ack-impact`, or the App's /tierguard ack-impact). */
  impactAcknowledged?: { by: string };
}

export function hasErrorFindings(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, notice: 2 };
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Errors first, then by place (file, line, column), then code and message: the one order of findings, a total one. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.file, b.file) ||
    a.line - b.line ||
    (a.col ?? 0) - (b.col ?? 0) ||
    cmp(a.code, b.code) ||
    cmp(a.message, b.message)
  );
}
