import type { GitHubApi, RepoRef } from "../../api.js";
import { bindAck } from "../ack.js";
import { canWrite, COMMAND_HELP, parseCommand, repoAccess, type Command } from "../commands.js";
import { postComment } from "../comment.js";
import { backgroundJob, contextApi, contextLog, type AppDeps, type EventContext } from "../deps.js";
import { explainAtHead } from "../explain.js";
import { failureReason } from "../failure.js";
import type { AppLog } from "../log.js";
import { recommendByComment } from "../recommend-command.js";
import { reviewJob } from "../review-job.js";
import type { Pull } from "../../pull.js";
import { rollbackPull } from "../rollback.js";
import { reviewable, fetchPull, payloadRepo } from "../target.js";

/**
 * `issue_comment` created on a pull request: `/tierguard recheck | explain ... | ack-impact | rollback | recommend <ns>...`;
 * on an issue only `recommend` (it works on the default branch, not on a pull request). Only users with write
 * access (admin, maintain, write) are obeyed; others get a polite refusal and nothing runs. Comments by bots
 * (tierguard's own replies included) are never commands.
 */
interface CommentPayload {
  issue: { number: number; pull_request?: unknown };
  comment: { id: number; body: string; created_at: string; html_url?: string; user: { login: string; type?: string } };
}

export function onIssueComment(deps: AppDeps, ctx: EventContext): void {
  const repo = payloadRepo(ctx.payload)!;
  const { issue, comment } = ctx.payload as CommentPayload;
  const log = contextLog(ctx, { repo: `${repo.owner}/${repo.repo}`, pr: issue.number, comment: comment.id });
  const command = parseCommand(comment.body ?? "");
  if (!command) {
    log.debug("not a tierguard command");
    return;
  }
  if (!issue.pull_request && command.kind !== "recommend") {
    log.info("ignoring a tierguard command on an issue: commands other than recommend apply to pull requests");
    return;
  }
  if (comment.user.type === "Bot") {
    log.info({ user: comment.user.login }, "ignoring a tierguard command written by a bot");
    return;
  }
  const api = contextApi(ctx);
  const login = comment.user.login;
  const reply = (body: string) => postComment(api, repo, issue.number, body);
  deps.queue.push(
    backgroundJob({
      key: `command:${ctx.id}`,
      log,
      run: () => runCommand(deps, { api, repo, pull: issue.number, comment, login, command, log, reply }),
      onFailure: async (e) => {
        await reply(`@${login}: tierguard could not run your command. ${failureReason(e)}`);
      },
    }),
  );
}

interface CommandRun {
  api: GitHubApi;
  repo: RepoRef;
  pull: number;
  comment: CommentPayload["comment"];
  login: string;
  command: Command;
  log: AppLog;
  reply(body: string): Promise<number>;
}

async function runCommand(deps: AppDeps, c: CommandRun): Promise<void> {
  const access = await canRun(c);
  if (!access) return;
  if (c.command.kind === "invalid") {
    c.log.info({ reason: c.command.reason }, "replying with help: the command did not parse");
    await c.reply(`@${c.login}: ${c.command.reason}.\n\n${COMMAND_HELP}`);
    return;
  }
  if (c.command.kind === "recommend") {
    await c.reply(await recommendByComment({ api: c.api, repo: c.repo, namespaces: c.command.namespaces, login: c.login, issue: c.pull, snapshot: deps.snapshot, log: c.log }));
    return;
  }
  const target = await fetchPull(c.api, c.repo, c.pull);
  const log = c.log.child({ sha: target.head.sha });
  switch (c.command.kind) {
    case "recheck":
      if (reviewable(target, log)) deps.queue.push(reviewJob(deps, { api: c.api, target, log, trigger: `/tierguard recheck by @${c.login}` }));
      else await c.reply(`@${c.login}: this pull request is ${target.state === "open" ? "a draft" : "closed"}, so it is not reviewed.`);
      return;
    case "explain":
      await c.reply(`@${c.login}: ${await explainAtHead({ api: c.api, target, command: c.command, snapshot: deps.snapshot })}`);
      return;
    case "ack-impact":
      await acknowledge(deps, c, target, log);
      return;
    case "rollback":
      await c.reply(await rollbackPull({ api: c.api, repo: c.repo, target, login: c.login, log }));
      return;
  }
}

/** Write access or a polite refusal. */
async function canRun(c: CommandRun): Promise<boolean> {
  const access = await repoAccess(c.api, c.repo, c.login);
  if (canWrite(access)) return true;
  c.log.info({ user: c.login, permission: access.permission }, "refusing a command: the user has no write access");
  await c.reply(`@${c.login}: sorry, tierguard takes commands only from people with write access to this repository (yours: ${access.role}). Ask a maintainer to run it.`);
  return false;
}

async function acknowledge(deps: AppDeps, c: CommandRun, target: Pull, log: AppLog): Promise<void> {
  const me = await deps.identity.get();
  const decision = await bindAck(c.api, { repo: c.repo, target, appId: me.id, comment: c.comment, login: c.login });
  await c.reply(decision.reply);
  if (!decision.record) {
    log.info("the acknowledgement does not apply to the current head; nothing recorded");
    return;
  }
  log.info({ by: c.login }, "newly denied flows acknowledged; reviewing again");
  if (reviewable(target, log)) deps.queue.push(reviewJob(deps, { api: c.api, target, log, trigger: `/tierguard ack-impact by @${c.login}` }));
}
