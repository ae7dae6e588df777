import type { ConnectivityChange, EndpointGroup, Finding, FlowVerdictSide, ImpactFlow, ImpactReport, Review } from "../../review/index.js";
import { cmp, sortFindings } from "./format.js";

/**
 * The machine-readable review: `{"findings": [...], "impact": {...}, "connectivity": {...}}`, nothing else at the top level. Keys are
 * written in a fixed order (required fields first, then optional ones only when set) and findings in the order
 * every renderer uses, so two runs over the same input produce the same bytes. `impact` is null when no flow
 * snapshot was replayed; flow lists are complete and ranked by volume, as the impact model gives them.
 * `connectivity` is always present (its lists empty when nothing changes), ranked broadest first.
 */
/**
 * A finding as the JSON prints it: these fields of `Finding`, named here so that a field added to `Finding` for
 * the renderers does not reach the JSON contract unseen.
 */
export type FindingJson = Pick<Finding, "code" | "severity" | "file" | "line" | "message" | "col" | "endLine" | "path" | "resource" | "revision" | "approvers" | "details">;

export interface ImpactJson {
  newlyDenied: ImpactFlow[];
  newlyAllowed: ImpactFlow[];
  pendingChanged: ImpactFlow[];
  zeroHitPolicies: string[];
  sources: string[];
  totals: ImpactReport["totals"];
}

/** A connectivity change as the JSON carries it: everything but the ranking key. */
export type ConnectivityChangeJson = Omit<ConnectivityChange, "breadth">;

export interface ConnectivityJson {
  newlyReachable: ConnectivityChangeJson[];
  newlyUnreachable: ConnectivityChangeJson[];
}

export interface ReviewJson {
  findings: FindingJson[];
  impact: ImpactJson | null;
  connectivity: ConnectivityJson;
}

function groupJson(g: EndpointGroup): EndpointGroup {
  const out: EndpointGroup = { kind: g.kind, name: g.name };
  if (g.namespace !== undefined) out.namespace = g.namespace;
  if (g.labels !== undefined) out.labels = { ...g.labels };
  if (g.network !== undefined) out.network = g.network;
  return out;
}

function changeJson(c: ConnectivityChange): ConnectivityChangeJson {
  return {
    source: groupJson(c.source),
    destination: groupJson(c.destination),
    protocol: c.protocol,
    ports: [...c.ports],
    ...(c.sourcePorts !== undefined ? { sourcePorts: [...c.sourcePorts] } : {}),
    exercised: c.exercised,
    before: sideJson(c.before),
    after: sideJson(c.after),
    mode: c.mode,
    ...(c.uncertain !== undefined ? { uncertain: [...c.uncertain] } : {}),
  };
}

function findingJson(f: Finding): FindingJson {
  const out: FindingJson = { code: f.code, severity: f.severity, file: f.file, line: f.line, message: f.message };
  if (f.col !== undefined) out.col = f.col;
  if (f.endLine !== undefined) out.endLine = f.endLine;
  if (f.path !== undefined) out.path = f.path;
  if (f.resource !== undefined) out.resource = f.resource;
  if (f.revision !== undefined) out.revision = f.revision;
  if (f.approvers !== undefined) out.approvers = [...f.approvers];
  if (f.details !== undefined) out.details = [...f.details];
  return out;
}

function sideJson(s: FlowVerdictSide): FlowVerdictSide {
  const out: FlowVerdictSide = { verdict: s.verdict, decidedBy: s.decidedBy, tier: s.tier };
  if (s.policy !== undefined) out.policy = s.policy;
  if (s.rule !== undefined) out.rule = s.rule;
  if (s.direction !== undefined) out.direction = s.direction;
  return out;
}

function flowJson(f: ImpactFlow): ImpactFlow {
  return {
    src: f.src,
    dst: f.dst,
    ...(f.port !== undefined ? { port: f.port } : {}),
    protocol: f.protocol,
    records: f.records,
    flows: f.flows,
    bytes: f.bytes,
    before: sideJson(f.before),
    after: sideJson(f.after),
    ...(f.uncertain !== undefined ? { uncertain: [...f.uncertain] } : {}),
  };
}

function impactJson(i: ImpactReport): ImpactJson {
  const t = i.totals;
  return {
    newlyDenied: i.newlyDenied.map(flowJson),
    newlyAllowed: i.newlyAllowed.map(flowJson),
    pendingChanged: i.pendingChanged.map(flowJson),
    zeroHitPolicies: [...i.zeroHitPolicies],
    sources: [...i.sources],
    totals: {
      records: t.records,
      flows: t.flows,
      skippedLines: t.skippedLines,
      problems: [...t.problems],
      unresolved: { records: t.unresolved.records, reasons: Object.fromEntries(Object.entries(t.unresolved.reasons).sort((a, b) => cmp(a[0], b[0]))) },
      uncertain: { records: t.uncertain.records },
    },
  };
}

export function reviewJson(review: Review): ReviewJson {
  const c = review.connectivity;
  return {
    findings: sortFindings(review.findings).map(findingJson),
    impact: review.impact ? impactJson(review.impact) : null,
    connectivity: { newlyReachable: (c?.newlyReachable ?? []).map(changeJson), newlyUnreachable: (c?.newlyUnreachable ?? []).map(changeJson) },
  };
}

export function renderReviewJson(review: Review): string {
  return JSON.stringify(reviewJson(review), null, 2) + "\n";
}
