import { isTierguardComment, reviewCommentPart } from "../../report/index.js";
import type { GitHubApi, RepoRef } from "../api.js";
import { sameLogin } from "./identity.js";
import type { AppLog } from "./log.js";

/**
 * One comment per pull request, updated in place (STYLE.md habit 9). Ours are found by their hidden marker AND by
 * their author being the App's bot, since anyone can type a marker. A comment too long for GitHub is posted in
 * parts (the renderer's splitter numbers them in their markers): parts are created or updated in order, an
 * unchanged part is not written, and parts left over from a longer earlier version are deleted. Duplicates (two
 * replicas creating the same part at once) are cleaned up on the next write: the oldest is kept.
 */
export interface IssueComment {
  id: number;
  body?: string;
  user: { login: string; type?: string } | null;
  created_at: string;
  html_url?: string;
}

export async function listIssueComments(api: GitHubApi, repo: RepoRef, issue: number): Promise<IssueComment[]> {
  return api.paginate<IssueComment>("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issue, per_page: 100 });
}

export interface UpsertCommentOptions {
  api: GitHubApi;
  repo: RepoRef;
  issue: number;
  /** The pull request's comments, as listed just before. */
  existing: readonly IssueComment[];
  /** The App's bot login. */
  bot: string;
  /** Which part (1-based) a body of ours is, or undefined when it is no such comment. */
  partOf(body: string): number | undefined;
  parts: readonly string[];
  log: AppLog;
  /** False: update what exists, create nothing. Default true. */
  create?: boolean;
}

export interface UpsertResult {
  created: number[];
  updated: number[];
  unchanged: number[];
  deleted: number[];
}

export function reviewCommentPartOf(body: string): number | undefined {
  return isTierguardComment(body) ? reviewCommentPart(body)?.part : undefined;
}

/** A comment whose first line is `marker`: one part. */
export function markerPartOf(marker: string): (body: string) => number | undefined {
  return (body) => (body.startsWith(marker) ? 1 : undefined);
}

export function ownComments(existing: readonly IssueComment[], bot: string, partOf: (body: string) => number | undefined): Map<number, IssueComment[]> {
  const byPart = new Map<number, IssueComment[]>();
  for (const c of [...existing].sort((a, b) => a.id - b.id)) {
    if (!sameLogin(c.user?.login, bot) || c.body === undefined) continue;
    const part = partOf(c.body);
    if (part === undefined) continue;
    byPart.set(part, [...(byPart.get(part) ?? []), c]);
  }
  return byPart;
}

const normalize = (s: string) => s.replace(/\r\n/g, "\n");

export async function upsertComment(o: UpsertCommentOptions): Promise<UpsertResult> {
  const result: UpsertResult = { created: [], updated: [], unchanged: [], deleted: [] };
  const route = { owner: o.repo.owner, repo: o.repo.repo };
  const ours = ownComments(o.existing, o.bot, o.partOf);
  if (ours.size === 0 && o.create === false) return result;
  for (const [i, body] of o.parts.entries()) {
    const current = ours.get(i + 1)?.[0];
    if (current && normalize(current.body ?? "") === normalize(body)) {
      result.unchanged.push(current.id);
    } else if (current) {
      await o.api.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...route, comment_id: current.id, body });
      result.updated.push(current.id);
    } else {
      const { data } = await o.api.request<{ id: number }>("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...route, issue_number: o.issue, body });
      result.created.push(data.id);
    }
  }
  const leftover = [...ours].flatMap(([part, list]) => (part > o.parts.length ? list : list.slice(1)));
  for (const c of leftover) {
    await o.api.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { ...route, comment_id: c.id });
    result.deleted.push(c.id);
  }
  o.log.info({ comment: result }, result.created.length + result.updated.length + result.deleted.length === 0 ? "the comment is unchanged; not written" : "comment written");
  return result;
}

export async function postComment(api: GitHubApi, repo: RepoRef, issue: number, body: string): Promise<number> {
  const { data } = await api.request<{ id: number }>("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issue, body });
  return data.id;
}
