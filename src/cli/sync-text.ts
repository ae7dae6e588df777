import { formatTransitionalFlow, type TransitionalFlow } from "../reconcile/index.js";
import type { PlanItem } from "../review/index.js";

/**
 * The text forms of sync and stage: the plan in the words of the PR's deployment comment (the same summary line
 * and sections: src/github/app/deployment-comment.ts), every API write in order, and the outcome.
 */
type WriteRow = { verb: string; kind: string; namespace: string | null; name: string };
/** The parts of the controller's SyncResult printed (structural: cli/sync.ts passes the result itself). */
interface SyncResult {
  plan: PlanItem[];
  writes: WriteRow[];
  converged: boolean;
  transitional: unknown[];
  summary: string;
  problems: string[];
}
interface StageResult {
  writes: WriteRow[];
  skipped: Array<{ kind: string; namespace?: string; name: string; file: string; reason: string }>;
  shared: Array<{ policy: string; pullRequests: number[] }>;
  converged: boolean;
}

export function renderSyncText(r: SyncResult, ctx: { environment: string; commit: string; dryRun: boolean }): string {
  const lines = [`Plan for ${ctx.environment} at ${ctx.commit.slice(0, 7)}: ${r.summary}.`];
  const sections: Array<[string, (i: PlanItem) => boolean]> = [
    ["Become enforced (each replaces its staged twin)", (i) => i.action !== "delete" && i.replacesStaged !== undefined],
    ["Stay staged", (i) => i.action !== "delete" && i.stagedAction !== undefined],
    ["Tiers and network sets applied", (i) => i.action !== "delete" && i.replacesStaged === undefined && i.stagedAction === undefined],
    ["Deleted", (i) => i.action === "delete"],
  ];
  for (const [title, pick] of sections) {
    const items = r.plan.filter(pick);
    if (items.length > 0) lines.push("", `${title}:`, ...items.map((i) => `  - ${item(i)}`));
  }
  if (r.transitional.length > 0) {
    const shown = (r.transitional as TransitionalFlow[]).slice(0, 20).map((f) => `  - ${formatTransitionalFlow(f)}`);
    const more = r.transitional.length > 20 ? [`  - and ${r.transitional.length - 20} more (--output json lists them all)`] : [];
    lines.push("", `Transitional: ${r.transitional.length} flow(s) change verdict part-way through every write order tried:`, ...shown, ...more);
  }
  if (r.writes.length > 0) lines.push("", `${ctx.dryRun ? "Writes planned" : "Writes"} (${r.writes.length}):`, ...r.writes.map((w) => `  ${w.verb} ${w.kind} ${w.namespace ? `${w.namespace}/` : ""}${w.name}`));
  lines.push("", outcome(r, ctx));
  return lines.join("\n") + "\n";
}

function outcome(r: SyncResult, ctx: { environment: string; dryRun: boolean }): string {
  if (r.converged) return `Converged: ${ctx.environment} holds what the repository says.`;
  if (r.problems.length > 0) return `Not converged: ${r.problems.length} problem(s), listed on stderr.`;
  return ctx.dryRun ? "Not converged: dry run, nothing written." : "Not converged.";
}

function item(i: PlanItem): string {
  const what = [i.action === "delete" ? "deleted" : i.action === "create" ? "created" : "updated", i.tier ? `tier ${i.tier}` : "", i.promotedFromRepo ? "promoted from the repository's staged policy" : "", i.stagedAction === "Delete" ? "stages the deletion of its enforced twin" : ""].filter(Boolean);
  return `${i.kind} ${i.namespace ? `${i.namespace}/` : ""}${i.name} (${what.join(", ")}) in ${i.file}`;
}

export function renderStageText(r: StageResult, what: string): string {
  const lines = [`${what}: ${r.writes.length} write(s).`];
  lines.push(...r.writes.map((w) => `  ${w.verb} ${w.kind} ${w.namespace ? `${w.namespace}/` : ""}${w.name}`));
  for (const s of r.skipped) lines.push(`Not previewed: ${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name} (${s.file}): ${s.reason}.`);
  for (const s of r.shared) lines.push(`Also staged by ${s.pullRequests.map((n) => `#${n}`).join(", ")}: ${s.policy} (each pull request has its own staged copy).`);
  lines.push(r.converged ? "Done." : "Not done: see the problems on stderr.");
  return lines.join("\n") + "\n";
}
