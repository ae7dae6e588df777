import { ACK_IMPACT_COMMAND } from "../../report/index.js";
import type { GitHubApi, RepoRef } from "../api.js";
import { CHECK_NAME } from "./checks.js";
import { parseCommand } from "./commands.js";
import type { IssueComment } from "./comment.js";
import { sameLogin } from "./identity.js";
import { shortSha, type Pull } from "../pull.js";

/**
 * `/tierguard ack-impact`: a user with write access accepts the newly denied flows of one head commit.
 *
 * The scheme keeps all state on GitHub, so any replica reaches the same answer:
 * 1. The acknowledgement is the user's comment itself. When it arrives, the App binds it to the head commit the
 *    user was looking at: the pull request's head at that moment, provided that head's `tierguard` check run had
 *    completed before the comment was written (GitHub's own timestamps, `completed_at` <= `created_at`). If the
 *    head moved on, or its review was still running, the user cannot have seen what they would accept: the App
 *    says so and records nothing.
 * 2. The binding is recorded in the App's reply, as a hidden marker
 *    `<!-- tierguard:ack sha=<head> comment=<id> by=<login> -->`. Only the App's bot can author that reply (the
 *    reader checks the author, not just the marker).
 * 3. Every review of a head looks for such a reply with its head's sha, whose acknowledging comment still exists,
 *    still says `/tierguard ack-impact` and is still by that user, and whose user still has write access. A new push
 *    needs a new acknowledgement; deleting or editing the comment withdraws it.
 * Committer dates are not used: they are set by whoever made the commit and can be anything.
 */
export interface AckRecord {
  sha: string;
  comment: number;
  by: string;
}

const MARKER = /^<!-- tierguard:ack sha=([0-9a-f]{40}) comment=(\d+) by=([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?) -->/;

export function ackMarker(r: AckRecord): string {
  return `<!-- tierguard:ack sha=${r.sha} comment=${r.comment} by=${r.by} -->`;
}

export function parseAckMarker(body: string): AckRecord | undefined {
  const m = MARKER.exec(body);
  return m ? { sha: m[1], comment: Number(m[2]), by: m[3] } : undefined;
}

/** The newest standing acknowledgement of `headSha` among the comments, before the write-access check. */
export function findAck(comments: readonly IssueComment[], o: { bot: string; headSha: string }): AckRecord | undefined {
  const byId = new Map(comments.map((c) => [c.id, c]));
  const replies = comments.filter((c) => sameLogin(c.user?.login, o.bot)).sort((a, b) => b.id - a.id);
  for (const reply of replies) {
    const r = parseAckMarker(reply.body ?? "");
    if (!r || r.sha !== o.headSha) continue;
    const original = byId.get(r.comment);
    if (!original || !sameLogin(original.user?.login, r.by) || parseCommand(original.body ?? "")?.kind !== "ack-impact") continue;
    return r;
  }
  return undefined;
}

export type AckDecision = { record: AckRecord; reply: string } | { record?: undefined; reply: string };

/** Binds an ack-impact comment to the head commit its author saw, or says why it cannot. */
export async function bindAck(api: GitHubApi, o: { repo: RepoRef; target: Pull; appId: number; comment: { id: number; created_at: string; html_url?: string }; login: string }): Promise<AckDecision> {
  const head = o.target.head.sha;
  const who = `@${o.login}`;
  if (o.target.state !== "open") return { reply: `${who}: this pull request is closed; there is nothing to acknowledge.` };
  const { data } = await api.request<{ check_runs: Array<{ status: string; completed_at: string | null }> }>("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...o.repo,
    ref: head,
    check_name: CHECK_NAME,
    app_id: o.appId,
    filter: "latest",
  });
  const run = data.check_runs[0];
  const seen = run?.status === "completed" && run.completed_at !== null && Date.parse(run.completed_at) <= Date.parse(o.comment.created_at);
  if (!seen) {
    return {
      reply: `${who}: the head commit is \`${shortSha(head)}\` and its review had not finished when you commented, so your acknowledgement cannot apply to it. Read the review of \`${shortSha(head)}\`, then comment \`${ACK_IMPACT_COMMAND}\` again.`,
    };
  }
  const record = { sha: head, comment: o.comment.id, by: o.login };
  const link = o.comment.html_url ? ` ([comment](${o.comment.html_url}))` : "";
  return {
    record,
    reply: `${ackMarker(record)}\n${who} acknowledged the newly denied flows of \`${shortSha(head)}\`${link} as intended. The review runs again; a new push needs a new acknowledgement, and deleting the comment withdraws it.`,
  };
}
