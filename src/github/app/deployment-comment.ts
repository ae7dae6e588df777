import { codeSpan, md } from "../../report/index.js";
import { safeUrl } from "../../report/index.js";
import { planSummary, type PlanItem, type PromotionPlan } from "../../run/promotion.js";

/**
 * The pull request's deployment comment: after a merge, the promotion plan and, per environment, the state the
 * controller last reported on its Deployment; after a close without merge, the clean-up requests. One comment per
 * pull request (its own hidden marker, separate from the review comment, which stays the review of the last head),
 * rebuilt from the Deployments on GitHub every time, so any replica writes the same text. Pure rendering.
 */
export const DEPLOYMENT_MARKER = "<!-- tierguard:deployment -->";
/** The staged preview's comment, while the pull request is open (the controller's stage statuses). */
export const STAGE_MARKER = "<!-- tierguard:stage -->";

export interface DeploymentRow {
  environment: string;
  /** Undefined when the deployment could not be created. */
  id?: number;
  /** The latest status: pending, queued, in_progress, success, failure, error, inactive; "requested" before any. */
  state: string;
  description?: string;
  logUrl?: string;
  /** Why the deployment could not be created. */
  error?: string;
}

export interface DeploymentCommentInput {
  task: "promote" | "cleanup" | "stage";
  /** The merge commit (promote), the closed head (cleanup) or the staged head (stage). */
  sha: string;
  plan?: PromotionPlan;
  /** The plan in the deployment payload was cut to fit: how many items were left out. */
  omitted?: number;
  rows: DeploymentRow[];
  /** Why there is no deployment at all (no clusters configured). */
  note?: string;
}

const STATE: Record<string, string> = {
  requested: "⏳ requested, waiting for the controller",
  pending: "⏳ pending",
  queued: "⏳ queued",
  in_progress: "🔄 in progress",
  success: "✅ success",
  failure: "❌ failure",
  error: "❌ error",
  inactive: "⚪ inactive",
};

const PLAN_ITEMS_SHOWN = 100;

/** What each stage row says (the controller's status), explained once. */
const STAGE_TEXT =
  "The controllers stage this pull request's changes as staged policies, so each cluster's dataplane reports their pending verdicts. " +
  "A policy another open pull request also changes gets one staged copy per pull request; the row names the other pull requests. " +
  "A staged deletion (`stagedAction: Delete`) has no live evidence on open-source Calico, whose dataplane ignores it; the row names each.";

export function renderDeploymentComment(c: DeploymentCommentInput): string {
  const short = c.sha.slice(0, 7);
  const lines = [c.task === "stage" ? STAGE_MARKER : DEPLOYMENT_MARKER];
  if (c.task === "stage") {
    lines.push(`### tierguard: staged preview of \`${short}\``, "", STAGE_TEXT);
  } else if (c.task === "promote") {
    lines.push(`### tierguard: promotion of \`${short}\``, "", `**Plan:** ${md(c.plan ? planSummary(c.plan) : "not available")}.`);
  } else {
    lines.push(`### tierguard: clean-up after closing without merge`, "", `The controllers remove the staged policies this pull request previewed (head \`${short}\`).`);
  }
  lines.push("");
  if (c.rows.length === 0) lines.push(md(c.note ?? "No environment is configured in tierguard.yaml (`clusters`), so nothing was deployed."));
  else lines.push("| environment | deployment | state |", "|---|---|---|", ...c.rows.map(row));
  if (c.task === "promote" && c.plan) lines.push("", ...planDetails(c.plan, c.omitted ?? 0));
  return lines.join("\n") + "\n";
}

function row(r: DeploymentRow): string {
  const state = r.error ? `❌ not created: ${md(r.error)}` : `${STATE[r.state] ?? md(r.state)}${r.description ? `: ${md(r.description)}` : ""}`;
  const url = safeUrl(r.logUrl);
  return `| ${codeSpan(r.environment, { inTable: true })} | ${r.id !== undefined ? `${r.id}` : "—"} | ${state}${url ? ` ([log](${url}))` : ""} |`;
}

function planDetails(plan: PromotionPlan, omitted: number): string[] {
  const sections: Array<[string, PlanItem[]]> = [
    ["Become enforced (each replaces its staged twin)", plan.enforce],
    ["Stay staged", plan.stage],
    ["Tiers and network sets applied", plan.apply],
    ["Deleted", plan.delete],
  ];
  const body: string[] = [];
  let shown = 0;
  let total = 0;
  for (const [title, items] of sections) {
    total += items.length;
    if (items.length === 0 || shown >= PLAN_ITEMS_SHOWN) continue;
    body.push(`**${title}**`, "");
    for (const i of items.slice(0, PLAN_ITEMS_SHOWN - shown)) body.push(`- ${item(i)}`);
    shown += Math.min(items.length, PLAN_ITEMS_SHOWN - shown);
    body.push("");
  }
  const hidden = total - shown + omitted;
  if (hidden > 0) body.push(`_${hidden} more not shown; the Deployment payload and the merge commit have every change._`, "");
  if (plan.unchanged > 0) body.push(`_${plan.unchanged} resource(s) only moved between files or were reformatted: nothing changes in the cluster for them._`, "");
  if (body.length === 0) return [];
  return ["<details><summary>The plan</summary>", "", ...body, "</details>"];
}

function item(i: PlanItem): string {
  const name = `${i.kind} ${i.namespace ? `${i.namespace}/` : ""}${i.name}`;
  const extra = [i.action === "delete" ? "deleted" : i.action === "create" ? "created" : "updated", i.tier ? `tier ${md(i.tier)}` : "", i.promotedFromRepo ? "promoted from the repository's staged policy" : "", i.stagedAction === "Delete" ? "stages the deletion of its enforced twin" : ""].filter(Boolean);
  return `${codeSpan(name)} (${extra.join(", ")}) in ${codeSpan(i.file)}`;
}
