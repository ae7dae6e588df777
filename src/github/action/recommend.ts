import { mkdir, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import type { Log } from "../../contracts/index.js";
import { recommendPath } from "../../review/index.js";
import type { FlowFile } from "../../run/index.js";
import { httpStatus, type GitHubApi } from "../api.js";
import { recommendationBody } from "../recommend-body.js";
import { deliverRecommendation } from "../recommend-pr.js";
import { defaultBranchTip, recommendOnGitHub } from "../recommend-run.js";
import { readBaseConfig, readTree } from "../repo-reader.js";
import type { RunContext } from "./event.js";
import type { ActionInputs } from "./inputs.js";
import type { Workflow } from "./workflow.js";

/**
 * The Action's recommendation: with the `recommend` input, or on a `schedule` event whose cron is tierguard.yaml's
 * `recommend.schedule`, learn on the default branch (or the `head` input) from the configured snapshot (or the
 * `flows` input), prove, write the files into the workspace (`recommend-out`, default the repository's
 * `recommend.path`, so a workflow can open the pull request itself), and, with `recommend-pr` or on the schedule,
 * open or update the pull request through the API, as the App's `/tierguard recommend` does.
 */
export interface RecommendPlan {
  namespaces: string[];
  pr: boolean;
  trigger: string;
}

/** Whether this run recommends: a plan, "skip" (a schedule that is not tierguard.yaml's), or undefined (review). */
export async function recommendPlan(api: GitHubApi, ctx: RunContext, inputs: ActionInputs, workflow: Workflow): Promise<RecommendPlan | "skip" | undefined> {
  if (inputs.recommend) return { namespaces: inputs.recommend.namespaces, pr: inputs.recommendPr, trigger: `the workflow (${ctx.eventName || "run"}) of @${ctx.actor}` };
  if (ctx.eventName !== "schedule") return undefined;
  const tip = await defaultBranchTip(api, ctx.repo);
  const { config } = await readBaseConfig(api, ctx.repo, await readTree(api, ctx.repo, tip.sha), inputs.config);
  const wanted = config.recommend.schedule;
  // A scheduled review (base and head given) goes on; a scheduled run with neither has nothing to do.
  if (!wanted && inputs.base && inputs.head) return undefined;
  if (!wanted) {
    workflow.notice(`tierguard: ${inputs.config} has no recommend.schedule, so this scheduled run recommends nothing (and, without the base and head inputs, reviews nothing)`);
    return "skip";
  }
  if (wanted !== ctx.schedule) {
    workflow.notice(`tierguard: this scheduled run's cron (${ctx.schedule ?? "none"}) is not ${inputs.config}'s recommend.schedule (${wanted}); no recommendation`);
    return "skip";
  }
  return { namespaces: [], pr: true, trigger: `the schedule \`${wanted}\` in ${inputs.config}` };
}

export interface RecommendActionResult {
  ok: boolean;
  notes: string[];
}

export async function runRecommendAction(api: GitHubApi, ctx: RunContext, inputs: ActionInputs, plan: RecommendPlan, flows: FlowFile[], o: { workflow: Workflow; log: Log; head?: { ref: string; sha: string } }): Promise<RecommendActionResult> {
  const { workflow } = o;
  const rec = await recommendOnGitHub({ api, repo: ctx.repo, commit: o.head, namespaces: plan.namespaces, configPath: inputs.config, flowsOverride: flows.length > 0 ? flows : undefined, log: o.log });
  if (!rec.ok) {
    workflow.error(`tierguard: no recommendation: ${rec.reason}`);
    return { ok: false, notes: [] };
  }
  const dir = resolve(ctx.workspace, inputs.recommendOut ?? recommendPath(rec.config.recommend));
  await mkdir(dir, { recursive: true });
  const written = [];
  for (const f of rec.files) {
    const path = join(dir, basename(f.path));
    await writeFile(path, f.text);
    written.push(relative(ctx.workspace, path));
  }
  workflow.info(`tierguard: ${rec.run.summary.text.join("\ntierguard: ")}`);
  workflow.info(`tierguard: wrote ${written.length} recommended file(s): ${written.join(", ")}`);
  workflow.output("recommend-files", written.join("\n"));
  workflow.output("recommend-dir", relative(ctx.workspace, dir) || ".");
  workflow.output("recommend-namespaces", rec.run.result.namespaces.join(" "));
  workflow.output("recommend-newly-denied", String(rec.run.proof.newlyDenied.records));
  const notes: string[] = [];
  if (plan.pr) notes.push(await pullRequest(api, ctx, rec, plan, workflow));
  workflow.summary([...notes.map((n) => `> **tierguard Action:** ${n}`), "", recommendationBody(rec, plan.trigger)].join("\n"));
  return { ok: true, notes };
}

async function pullRequest(api: GitHubApi, ctx: RunContext, rec: Parameters<typeof recommendationBody>[0], plan: RecommendPlan, workflow: Workflow): Promise<string> {
  const branch = plan.namespaces.length > 0 ? `${rec.config.recommend.branch}/${plan.namespaces.join("-")}`.slice(0, 200) : rec.config.recommend.branch;
  try {
    const d = await deliverRecommendation({ api, repo: ctx.repo, rec, branch, trigger: plan.trigger });
    if (d.kind === "unchanged-repository") return `${rec.at.ref} already holds exactly this recommendation: no pull request.`;
    workflow.output("recommend-pr", d.url);
    workflow.output("recommend-pr-number", String(d.number));
    return `Pull request #${d.number} ${d.kind === "created" ? "opened" : d.kind === "updated" ? "updated" : "already up to date"} (branch ${d.branch}): ${d.url}`;
  } catch (e) {
    const status = httpStatus(e);
    if (status !== 403 && status !== 404 && status !== 422) throw e;
    const why = `The token could not write the recommendation's branch or pull request (HTTP ${status}): give the job \`permissions: contents: write, pull-requests: write\` (and allow GitHub Actions to create pull requests in the repository's settings).`;
    workflow.warning(`tierguard: ${why}`);
    return why;
  }
}
