import type { RepoRef } from "./api.js";

/**
 * One pull request at one head commit: the one shape the App (a job's target) and the Action (the run's pull
 * request) share. Built from a `pull_request` object, whether a webhook's, the Action's event payload or
 * `GET /repos/{owner}/{repo}/pulls/{pull_number}` (the same shape). Everything is read from the BASE repository:
 * a fork's head commits are reachable there too.
 */
export interface Pull {
  /** Pass this (never the pull itself) where a RepoRef is wanted: routes spread it into their parameters. */
  repo: RepoRef;
  /** The pull request's number. */
  pull: number;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  /** The author's login; "ghost" when GitHub has no user (a deleted account). */
  author: string;
  /** The head branch lives in another repository (or in one that was deleted). */
  fork: boolean;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  /** Undefined until GitHub has computed one (open pull requests may have none yet). */
  mergeCommit?: string;
  /** Commit count, as GitHub reports it; undefined where the object does not say (webhooks of some events). */
  commits?: number;
}

/** The fields of a pull request object this reads. */
export interface PullRequestObject {
  number: number;
  state?: string;
  draft?: boolean;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  user: { login: string } | null;
  head: PullEnd;
  base: PullEnd;
  commits?: number;
}

interface PullEnd {
  sha: string;
  /** Some event payloads lack it: the sha stands in. */
  ref?: string | null;
  /** null when the head's repository (a fork) was deleted. */
  repo?: { full_name?: string } | null;
}

export function pullOf(repo: RepoRef, pr: PullRequestObject): Pull {
  const baseRepo = pr.base.repo?.full_name;
  // A fork that was deleted leaves head.repo null: still not this repository.
  const headRepo = pr.head.repo?.full_name ?? null;
  return {
    repo: { owner: repo.owner, repo: repo.repo },
    pull: Number(pr.number),
    head: end(pr.head),
    base: end(pr.base),
    author: pr.user?.login !== undefined ? String(pr.user.login) : "ghost",
    fork: headRepo !== baseRepo,
    draft: pr.draft === true,
    state: pr.state === "closed" ? "closed" : "open",
    merged: pr.merged === true,
    ...(pr.merge_commit_sha ? { mergeCommit: pr.merge_commit_sha } : {}),
    ...(pr.commits !== undefined ? { commits: pr.commits } : {}),
  };
}

function end(e: PullEnd): { sha: string; ref: string } {
  return { sha: String(e.sha), ref: String(e.ref ?? e.sha) };
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
