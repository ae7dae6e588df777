import { describePolicy, type CompiledPolicy } from "../engine/index.js";
import type { FlowVerdictSide, ImpactFlow, ImpactReport } from "../impact/index.js";
import { configFileOf, type ImpactLevel } from "./config.js";
import type { ReviewContext } from "./context.js";
import type { Finding, FindingSeverity } from "./types.js";

/**
 * Impact as findings: flows whose verdict changes, grouped by the head-revision rule that now decides them, so each
 * finding sits on a line of the pull request. Newly denied flows are breakage (an error by default, unless
 * acknowledged); newly allowed flows are exposure (a warning by default).
 */
export interface ImpactFindingOptions {
  /** Who acknowledged the newly denied flows, if anyone. */
  acknowledgedBy?: string;
  maxListed: number;
}

export function impactFindings(impact: ImpactReport, ctx: ReviewContext, options: ImpactFindingOptions): Finding[] {
  const { config } = ctx;
  const findings: Finding[] = [];
  const denied = level(config.impact.newlyDenied, options.acknowledgedBy);
  if (denied) findings.push(...grouped(impact.newlyDenied, "newly-denied", denied, ctx, options));
  const allowed = level(config.impact.newlyAllowed, undefined);
  if (allowed) findings.push(...grouped(impact.newlyAllowed, "newly-allowed", allowed, ctx, options));
  return findings;
}

function level(l: ImpactLevel, acknowledgedBy: string | undefined): FindingSeverity | undefined {
  if (l === "off") return undefined;
  return acknowledgedBy && l === "error" ? "notice" : l;
}

function grouped(flows: readonly ImpactFlow[], kind: "newly-denied" | "newly-allowed", severity: FindingSeverity, ctx: ReviewContext, options: ImpactFindingOptions): Finding[] {
  const groups = new Map<string, ImpactFlow[]>();
  for (const f of flows) {
    const key = f.after.decidedBy;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const out: Finding[] = [];
  for (const list of groups.values()) {
    const total = list.reduce((n, f) => n + f.flows, 0);
    const where = locateDecidingRule(list[0].after, ctx);
    const what = kind === "newly-denied" ? "denies" : "allows";
    const today = kind === "newly-denied" ? "allowed" : "denied";
    const top = list.slice(0, 3).map(describeFlow).join("; ");
    const more = list.length > 3 ? ` and ${list.length - 3} more` : "";
    const next =
      kind === "newly-denied"
        ? options.acknowledgedBy
          ? ` Acknowledged by @${options.acknowledgedBy}.`
          : " If that is intended, acknowledge it (tierguard review --ack-impact, or comment /tierguard ack-impact on the pull request); otherwise allow these flows."
        : " Check that this exposure is intended.";
    out.push({
      code: `impact/${kind}`,
      severity,
      message: `After this change ${describeDecider(list[0].after)} ${what} ${plural(list.length, "flow")} of production traffic (${plural(total, "connection")} in the snapshot) that are ${today} today: ${top}${more}.${next}`,
      ...where,
      details: list.slice(0, options.maxListed).map((f) => `${describeFlow(f)}: ${f.flows} connections, ${f.bytes} bytes; before ${f.before.decidedBy}, after ${f.after.decidedBy}${f.uncertain ? " (uncertain)" : ""}`),
    });
  }
  return out;
}

/** "rule 2 (spec.ingress[2]) of NetworkPolicy shop/web" or "the end of tier application (NetworkPolicy shop/web)". */
function describeDecider(side: FlowVerdictSide): string {
  if (!side.policy) return side.decidedBy.startsWith("__PROFILE__") ? "the namespace profile (no policy applies)" : side.decidedBy;
  if (side.rule === undefined || side.rule < 0) return `the end of tier ${side.tier} (${side.policy}, which selects the ${side.direction === "egress" ? "source" : "destination"})`;
  return `${side.direction ?? "ingress"} rule ${side.rule} of ${side.policy}`;
}

function describeFlow(f: ImpactFlow): string {
  return `${f.src} -> ${f.dst}${f.port !== undefined ? `:${f.port}` : ""}/${f.protocol.toUpperCase()}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The file and line of the head rule (or, for an end-of-tier verdict, the policy) that decided. */
export function locateDecidingRule(side: FlowVerdictSide, ctx: Pick<ReviewContext, "config" | "head" | "changes">): Pick<Finding, "file" | "line" | "col" | "path" | "resource"> {
  const p: CompiledPolicy | undefined = side.policy ? ctx.head.set.policies.find((x) => describePolicy(x.ref) === side.policy) : undefined;
  if (p) {
    const rules = side.direction === "egress" ? p.egress : p.ingress;
    const rule = side.rule !== undefined && side.rule >= 0 ? rules[side.rule] : undefined;
    const path = rule ? rule.path : "metadata.name";
    const at = p.resource.source.at(path);
    return { file: at.file, line: at.line, col: at.col, path, resource: side.policy };
  }
  // The namespace profile decided (no policy applies any more): point at the first resource the change touched.
  const changed = ctx.changes.find((c) => c.meaningChanged);
  const r = changed?.head ?? changed?.base;
  if (r) {
    const at = r.source.at("metadata.name");
    return { file: at.file, line: at.line, col: at.col, path: "metadata.name" };
  }
  return { file: configFileOf(ctx.config), line: 1 };
}
