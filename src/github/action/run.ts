import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { VERSION } from "../../contracts/index.js";
import { CONFIG_FILE } from "../../review/index.js";
import type { FlowFile } from "../../run/index.js";
import { renderReviewCommentParts, renderReviewSarif, reviewCounts, reviewVerdict, type ReviewCounts, type ReviewMarkdownOptions } from "../../report/index.js";
import type { Review } from "../../review/index.js";
import type { Log } from "../../contracts/index.js";
import { httpStatus, type GitHubApi } from "../api.js";
import { listIssueComments, reviewCommentPartOf, upsertComment } from "../app/comment.js";
import type { AppLog } from "../app/log.js";
import { reviewPullRequest } from "../review-run.js";
import { boardLink, writeBoardFile } from "./board.js";
import { createClient, withTeamsClient } from "./client.js";
import { ContextError, readContext, type RunContext } from "./event.js";
import { readInputs, type ActionInputs } from "./inputs.js";
import { recommendPlan, runRecommendAction } from "./recommend.js";
import { blobLink, jobSummary } from "./summary.js";
import { Workflow, type Env } from "./workflow.js";

/**
 * The Action: read the inputs and the event, review the pull request through the API (configuration and snapshot
 * from the base revision), then report it where a workflow reads it: the job summary, the step's outputs, a SARIF
 * file for code scanning, the policy board for an upload-artifact step (`board-file`) and, when asked and allowed,
 * the pull-request comment (linking to the board's artifact). The exit code follows `fail-on`. With `recommend`, or
 * on tierguard.yaml's `recommend.schedule`, it recommends instead (recommend.ts).
 * This function owns the one top-level try/catch (STYLE.md habit 1): a policy finding is a failure reported
 * through the review; an exception is either a problem with the workflow (inputs, event) or a bug, and says which.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 3 } as const;

export interface RunOptions {
  /** Where workflow commands and log lines go. Default: process.stdout. */
  stdout?: (text: string) => void;
  /** Rate-limit throttling and retries of the GitHub clients. Default true; tests turn them off. */
  throttle?: boolean;
  /** Default: process.cwd(); the workspace when GITHUB_WORKSPACE is unset. */
  cwd?: string;
}

/** Who writes comments with the workflow's GITHUB_TOKEN (it cannot ask GitHub who it is). */
export const ACTIONS_BOT = "github-actions[bot]";

export async function run(env: Env = process.env, options: RunOptions = {}): Promise<number> {
  const workflow = new Workflow(env, options.stdout ?? ((text) => void process.stdout.write(text)));
  try {
    const parsed = readInputs(env);
    if (!parsed.ok) {
      for (const p of parsed.problems) workflow.error(`tierguard: ${p}`);
      return EXIT.usage;
    }
    const inputs = parsed.inputs;
    workflow.mask(inputs.githubToken);
    if (inputs.teamsToken) workflow.mask(inputs.teamsToken);
    const ctx = readContext(env, options.cwd ?? process.cwd());
    const flows = workspaceFlows(inputs.flows, ctx.workspace);
    const client = (token: string) => createClient({ token, baseUrl: ctx.apiUrl, workflow, throttle: options.throttle ?? true });
    const api = client(inputs.githubToken);
    const plan = await recommendPlan(api, ctx, inputs, workflow);
    if (plan === "skip") return EXIT.ok;
    if (plan) {
      const head = inputs.head ? await revision(api, ctx, "head", inputs.head) : undefined;
      return (await runRecommendAction(api, ctx, inputs, plan, flows, { workflow, log: workflowLog(workflow), head })).ok ? EXIT.ok : EXIT.failed;
    }
    const review = await reviewOf(api, inputs.teamsToken ? withTeamsClient(api, client(inputs.teamsToken)) : undefined, ctx, inputs, flows, workflow);
    const notes = actionNotes(review, ctx, inputs);
    const counts = reviewCounts(review);
    if (inputs.sarifFile) {
      const path = resolve(ctx.workspace, inputs.sarifFile);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, renderReviewSarif(review, { toolVersion: VERSION }));
      workflow.info(`tierguard: SARIF written to ${inputs.sarifFile}`);
    }
    const link = blobLink(ctx.serverUrl, ctx.repo, { base: review.base.commit, head: review.head.commit });
    const board = boardLink(ctx, inputs);
    if (inputs.comment) notes.push(...(await comment(api, ctx, review, { link, board }, workflow)));
    if (!workflow.summary(jobSummary(review, notes, { link, board }))) workflow.info("tierguard: GITHUB_STEP_SUMMARY is not set; no job summary written");
    setOutputs(workflow, review, counts);
    return verdict(counts, inputs, workflow);
  } catch (e) {
    if (e instanceof ContextError) {
      workflow.error(`tierguard: ${e.message}`);
      return EXIT.usage;
    }
    const status = httpStatus(e);
    if (status !== undefined) {
      const req = (e as { request?: { method?: string; url?: string } }).request;
      workflow.error(`tierguard: GitHub answered HTTP ${status} to ${req?.method ?? "a request"} ${req?.url ?? ""}: ${(e as Error).message}. Check the token's access to the repository.`);
      return EXIT.failed;
    }
    workflow.error(`tierguard failed unexpectedly (a bug; please report it with the debug log): ${(e as Error)?.message ?? String(e)}`);
    workflow.debug((e as Error)?.stack ?? String(e));
    return EXIT.bug;
  }
}

function workspaceFlows(paths: readonly string[], workspace: string): FlowFile[] {
  return paths.map((p) => {
    const path = isAbsolute(p) ? p : resolve(workspace, p);
    if (!existsSync(path)) throw new ContextError(`flows: ${p} is not in the workspace (${workspace}); check the repository out first (actions/checkout) or fix the path`);
    return { path, display: `${p} (workspace)` };
  });
}

async function reviewOf(api: GitHubApi, teamsApi: GitHubApi | undefined, ctx: RunContext, inputs: ActionInputs, flows: FlowFile[], workflow: Workflow): Promise<Review> {
  const pull = ctx.pull;
  if (!pull && (!inputs.base || !inputs.head)) {
    throw new ContextError(`the ${ctx.eventName || "triggering"} event is not about a pull request: run on pull_request (or pull_request_target), or give the base and head inputs`);
  }
  const base = inputs.base ? await revision(api, ctx, "base", inputs.base) : pull!.base;
  const head = inputs.head ? await revision(api, ctx, "head", inputs.head) : pull!.head;
  workflow.info(`tierguard: reviewing ${ctx.repo.owner}/${ctx.repo.repo}${pull ? ` #${pull.pull}` : ""}: ${base.ref} (${base.sha.slice(0, 7)}) → ${head.ref} (${head.sha.slice(0, 7)})`);
  const { review } = await reviewPullRequest({
    api: teamsApi ?? api,
    repo: ctx.repo,
    pull: pull?.pull,
    approvals: pull ? undefined : [],
    base,
    head,
    author: pull?.author ?? ctx.actor,
    teams: teamsApi ? "api" : "unverifiable",
    acknowledgedBy: inputs.ackImpact ? ctx.actor : undefined,
    configPath: inputs.config,
    flowsOverride: flows.length > 0 ? flows : undefined,
    log: workflowLog(workflow),
    progress: async (stage) => workflow.info(`tierguard: ${stage}`),
    afterReview: inputs.boardFile ? async (used) => void (await writeBoardFile(used, ctx, inputs, workflow)) : undefined,
  });
  return review;
}

async function revision(api: GitHubApi, ctx: RunContext, name: string, rev: string): Promise<{ ref: string; sha: string }> {
  if (/^[0-9a-f]{40}$/i.test(rev)) return { ref: rev, sha: rev.toLowerCase() };
  try {
    const { data } = await api.request<{ sha: string }>("GET /repos/{owner}/{repo}/commits/{ref}", { ...ctx.repo, ref: rev });
    return { ref: rev, sha: data.sha };
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || status === 422) throw new ContextError(`${name} is "${rev}", which is not a commit, branch or tag of ${ctx.repo.owner}/${ctx.repo.repo}`);
    throw e;
  }
}

/** What the reader of the job summary should know about how this run was made, beyond the review's own notes. */
function actionNotes(review: Review, ctx: RunContext, inputs: ActionInputs): string[] {
  const notes: string[] = [];
  if (inputs.flows.length > 0) {
    notes.push(
      `The flows replayed (${inputs.flows.join(", ")}) were read from the workflow's checkout, not from the base revision: unless the workflow checked out the base, the pull request can change the traffic it is judged against.`,
    );
  }
  if (review.configSource === "default" && inputs.config !== CONFIG_FILE) notes.push(`The base revision has no ${inputs.config} (the config input): the review used the defaults.`);
  if (!inputs.teamsToken && ctx.pull?.fork) notes.push("Secrets are not given to workflows run for pull requests from forks, so there is no teams-token: ownership by team cannot be verified.");
  return notes;
}

async function comment(api: GitHubApi, ctx: RunContext, review: Review, options: ReviewMarkdownOptions, workflow: Workflow): Promise<string[]> {
  if (!ctx.pull) {
    workflow.notice("tierguard: the event is not about a pull request; no comment written");
    return ["The event is not about a pull request, so no comment was written."];
  }
  if (ctx.readOnlyToken) {
    const why = `The pull request comes from a fork: GitHub gives this ${ctx.eventName} run a read-only token, so the review is in this summary and the SARIF file, and no pull-request comment was written.`;
    workflow.notice(`tierguard: ${why}`);
    return [why];
  }
  try {
    // The App's upsert (src/github/app/comment.ts): ours are the marked comments written by this token's identity.
    const bot = await tokenLogin(api);
    const existing = await listIssueComments(api, ctx.repo, ctx.pull.pull);
    const parts = renderReviewCommentParts(review, options);
    const r = await upsertComment({ api, repo: ctx.repo, issue: ctx.pull.pull, existing, bot, partOf: reviewCommentPartOf, parts, log: appLog(workflowLog(workflow)) });
    workflow.info(`tierguard: comment as ${bot} (${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted)`);
    return [];
  } catch (e) {
    const status = httpStatus(e);
    if (status !== 403 && status !== 404) throw e;
    const why = `The token could not write the pull-request comment (HTTP ${status}): give the job \`permissions: pull-requests: write\`.`;
    workflow.warning(`tierguard: ${why}`);
    return [why];
  }
}

/** The token's own login; the workflow's GITHUB_TOKEN may not ask (HTTP 403) and comments as github-actions[bot]. */
async function tokenLogin(api: GitHubApi): Promise<string> {
  try {
    const { data } = await api.request<{ login: string }>("GET /user");
    return data.login;
  } catch (e) {
    const status = httpStatus(e);
    if (status === 401 || status === 403 || status === 404) return ACTIONS_BOT;
    throw e;
  }
}

function setOutputs(workflow: Workflow, review: Review, c: ReviewCounts): void {
  workflow.output("errors", String(c.errors));
  workflow.output("warnings", String(c.warnings));
  workflow.output("notices", String(c.notices));
  workflow.output("findings", String(review.findings.length));
  workflow.output("newly-denied", String(c.newlyDenied));
  workflow.output("newly-allowed", String(c.newlyAllowed));
  workflow.output("verdict", reviewVerdict(review));
}

function verdict(c: ReviewCounts, inputs: ActionInputs, workflow: Workflow): number {
  const failing = inputs.failOn === "error" ? c.errors : inputs.failOn === "warning" ? c.errors + c.warnings : 0;
  const counts = `${c.errors} error${c.errors === 1 ? "" : "s"}, ${c.warnings} warning${c.warnings === 1 ? "" : "s"}`;
  if (failing > 0) {
    workflow.error(`tierguard: ${counts} (fail-on: ${inputs.failOn}); the job summary says what to fix`);
    return EXIT.failed;
  }
  workflow.info(`tierguard: ${counts} (fail-on: ${inputs.failOn})`);
  return EXIT.ok;
}

/** The App's logger shape over the step's log (the runner masks the tokens; there are no bindings to carry). */
function appLog(log: Log): AppLog {
  const self: AppLog = { ...log, debug: log.debug ?? (() => {}), child: () => self };
  return self;
}

function workflowLog(workflow: Workflow): Log {
  const text = (obj: Record<string, unknown> | string, msg?: string) => (typeof obj === "string" ? obj : `${msg ?? ""} ${JSON.stringify(obj)}`.trim());
  return {
    info: (obj, msg) => workflow.info(text(obj, msg)),
    warn: (obj, msg) => workflow.warning(text(obj, msg)),
    error: (obj, msg) => workflow.error(text(obj, msg)),
    debug: (obj, msg) => workflow.debug(text(obj, msg)),
  };
}
