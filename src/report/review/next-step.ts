import type { Review } from "../../review/index.js";
import { codeSpan, md, terminalText } from "./escape.js";
import { cmp, findingArea, plural, reviewCounts } from "./format.js";

/**
 * The exact next step a review ends with (STYLE.md habit 10): what to fix, whom to ask, what to comment. Built as
 * data once, then written as Markdown (approvers as real mentions, so the owners are asked) or as plain text.
 */
export const ACK_IMPACT_COMMAND = "/tierguard ack-impact";

export interface ApprovalRequest {
  /** Normalised principals from the base revision's tierguard.yaml: logins and `org/team`. */
  approvers: string[];
  /** What needs their approval: the findings' resources (or files). */
  resources: string[];
  findings: number;
}

export interface NextStep {
  /** Error findings other than ownership. */
  fixErrors: number;
  approvals: ApprovalRequest[];
  /** Newly denied flows that still need an acknowledgement. */
  ackDenied: number;
  warnings: number;
  newlyAllowed: number;
}

export function nextStep(review: Review): NextStep {
  const c = reviewCounts(review);
  const groups = new Map<string, ApprovalRequest>();
  let fixErrors = 0;
  for (const f of review.findings) {
    if (f.severity !== "error") continue;
    if (findingArea(f.code) !== "ownership" || !f.approvers || f.approvers.length === 0) {
      fixErrors++;
      continue;
    }
    const approvers = [...new Set(f.approvers)].sort(cmp);
    const key = approvers.join(",");
    const g = groups.get(key) ?? { approvers, resources: [], findings: 0 };
    g.findings++;
    const what = f.resource ?? f.file;
    if (!g.resources.includes(what)) g.resources.push(what);
    groups.set(key, g);
  }
  return {
    fixErrors,
    approvals: [...groups.values()],
    ackDenied: review.impactAcknowledged ? 0 : c.newlyDenied,
    warnings: c.warnings,
    newlyAllowed: c.newlyAllowed,
  };
}

/** A login or `org/team` GitHub would resolve: only these become mentions; anything else is escaped text. */
const PRINCIPAL = /^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$/;

interface Words {
  principal: (p: string) => string;
  text: (s: string) => string;
  command: (s: string) => string;
}

const MARKDOWN: Words = {
  principal: (p) => (PRINCIPAL.test(p) ? `@${p.replace(/^@/, "")}` : md(p)),
  text: md,
  command: (s) => codeSpan(s),
};

const PLAIN: Words = { principal: (p) => `@${terminalText(p).replace(/^@/, "")}`, text: terminalText, command: (s) => `\`${s}\`` };

const MAX_REQUESTS = 3;

function render(step: NextStep, w: Words): string {
  const clauses: string[] = [];
  const others = step.approvals.length > 0 ? "other " : "";
  if (step.fixErrors > 0) clauses.push(`fix the ${plural(step.fixErrors, `${others}error`)} above`);
  for (const a of step.approvals.slice(0, MAX_REQUESTS)) {
    const who = orList(a.approvers.map(w.principal));
    const more = a.resources.length > 3 ? [`${plural(a.resources.length - 3, "more resource")}`] : [];
    const what = orList([...a.resources.slice(0, 3).map(w.text), ...more], "and");
    clauses.push(`ask ${who} to approve ownership of ${what}`);
  }
  if (step.approvals.length > MAX_REQUESTS) clauses.push(`see Ownership for ${plural(step.approvals.length - MAX_REQUESTS, "more approval")}`);
  const blocking = clauses.length > 0;
  const main = clauses.join("; ");
  const ack = step.ackDenied > 0 ? `to accept the ${plural(step.ackDenied, "newly denied flow")}, comment ${w.command(ACK_IMPACT_COMMAND)}` : "";
  if (blocking || ack) return capitalise([main, ack].filter(Boolean).join("; ")) + ".";
  const review: string[] = [];
  if (step.warnings > 0) review.push(`the ${plural(step.warnings, "warning")}`);
  if (step.newlyAllowed > 0) review.push(`the ${plural(step.newlyAllowed, "newly allowed flow")}`);
  if (review.length > 0) return `Nothing blocks this change: check ${review.join(" and ")} above, then merge when a reviewer approves.`;
  return "Nothing to fix: merge when a reviewer approves.";
}

export function nextStepMarkdown(step: NextStep): string {
  return `**Next step:** ${render(step, MARKDOWN)}`;
}

export function nextStepText(step: NextStep): string {
  return `Next step: ${render(step, PLAIN)}`;
}

function orList(items: string[], word = "or"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
