import type { FlowVerdictSide } from "../../impact/index.js";
import type { ImpactLevel } from "../config.js";
import type { ReviewContext } from "../context.js";
import type { Finding } from "../types.js";
import { locateDecidingRule } from "../impact-findings.js";
import type { ConnectivityChange, ConnectivityReport } from "./types.js";

/**
 * The connectivity diff as findings, for changes no recorded flow exercised (the replay reports the others): a
 * namespace or workload newly reachable from anywhere outside the cluster is a warning by default
 * (`impact.newlyReachableFromInternet`), other newly reachable and unreachable pairs notices
 * (`impact.newlyReachable`, `impact.newlyUnreachable`). One finding per deciding head rule, on its line.
 */
export function connectivityFindings(report: ConnectivityReport, ctx: Pick<ReviewContext, "config" | "head" | "changes">): Finding[] {
  const levels = ctx.config.impact;
  // Pending-only changes (staged policies) are previews, shown in the comment; they are not findings.
  const unexercised = (list: readonly ConnectivityChange[]) => list.filter((c) => !c.exercised && c.mode !== "pending");
  const fromOutside = unexercised(report.newlyReachable).filter((c) => c.source.kind === "anywhere");
  const reachable = unexercised(report.newlyReachable).filter((c) => c.source.kind !== "anywhere");
  return [
    ...grouped(fromOutside, "impact/newly-reachable-from-internet", levels.newlyReachableFromInternet, ctx),
    ...grouped(reachable, "impact/newly-reachable", levels.newlyReachable, ctx),
    ...grouped(unexercised(report.newlyUnreachable), "impact/newly-unreachable", levels.newlyUnreachable, ctx),
  ];
}

function grouped(list: readonly ConnectivityChange[], code: string, level: ImpactLevel, ctx: Pick<ReviewContext, "config" | "head" | "changes">): Finding[] {
  if (level === "off" || list.length === 0) return [];
  const groups = new Map<string, ConnectivityChange[]>();
  for (const c of list) {
    const key = c.after.decidedBy;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const reachable = code !== "impact/newly-unreachable";
  return [...groups.values()].map((changes) => {
    const top = changes.slice(0, 3).map(describeChange).join("; ");
    const more = changes.length > 3 ? ` and ${changes.length - 3} more` : "";
    const what = reachable ? "makes reachable" : "makes unreachable";
    const next = reachable ? " No recorded flow exercised this yet: check that the exposure is intended." : " No recorded flow exercised this: check nothing relies on it.";
    return {
      code,
      severity: level,
      message: `After this change ${describeDecider(changes[0].after)} ${what} ${changes.length === 1 ? "1 connection class" : `${changes.length} connection classes`}: ${top}${more}.${next}`,
      ...locateDecidingRule(changes[0].after, ctx),
      details: changes.slice(0, ctx.config.impact.maxListed).map((c) => `${describeChange(c)}: before ${c.before.decidedBy}, after ${c.after.decidedBy}${c.uncertain ? " (uncertain)" : ""}`),
    };
  });
}

/** `anywhere outside the cluster -> namespace shop TCP 5432`. */
export function describeChange(c: ConnectivityChange): string {
  const ports = c.ports.length === 0 ? "" : c.ports.length === 1 && c.ports[0] === "1:65535" ? " any port" : ` ${c.ports.join(", ")}`;
  const from = c.sourcePorts ? ` from source ports ${c.sourcePorts.join(", ")}` : "";
  return `${c.source.name} -> ${c.destination.name} ${c.protocol}${ports}${from}`;
}

function describeDecider(side: FlowVerdictSide): string {
  if (!side.policy) return "the namespace profile (no policy applies)";
  if (side.rule === undefined || side.rule < 0) return `the end of tier ${side.tier} (${side.policy})`;
  return `${side.direction ?? "ingress"} rule ${side.rule} of ${side.policy}`;
}

