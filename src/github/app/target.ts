import type { GitHubApi, RepoRef } from "../api.js";

/**
 * The pull request a job works on, at one head commit. Built from a webhook's `pull_request` object or from
 * `GET /repos/{owner}/{repo}/pulls/{pull_number}` (the same shape). Everything is read from the BASE repository:
 * a fork's head commits are reachable there too.
 */
export interface PullTarget {
  /** Pass this (never the target itself) where a RepoRef is wanted: routes spread it into their parameters. */
  repo: RepoRef;
  pull: number;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  author: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  mergeCommit?: string;
  /** Commit count, as GitHub reports it. */
  commits?: number;
}

/** The fields of a pull request object this reads. */
export interface PullRequestObject {
  number: number;
  state: string;
  draft?: boolean;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  user: { login: string } | null;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  commits?: number;
}

export function pullTarget(repo: RepoRef, pr: PullRequestObject): PullTarget {
  return {
    repo: { owner: repo.owner, repo: repo.repo },
    pull: pr.number,
    head: { sha: pr.head.sha, ref: pr.head.ref },
    base: { sha: pr.base.sha, ref: pr.base.ref },
    author: pr.user?.login ?? "ghost",
    draft: pr.draft === true,
    state: pr.state === "closed" ? "closed" : "open",
    merged: pr.merged === true,
    ...(pr.merge_commit_sha ? { mergeCommit: pr.merge_commit_sha } : {}),
    ...(pr.commits !== undefined ? { commits: pr.commits } : {}),
  };
}

/** The repository of a webhook payload. */
export function payloadRepo(payload: { repository?: { name: string; owner: { login: string } } }): RepoRef | undefined {
  const r = payload.repository;
  return r ? { owner: r.owner.login, repo: r.name } : undefined;
}

/** The pull request as GitHub has it now. */
export async function fetchPull(api: GitHubApi, repo: RepoRef, pull: number): Promise<PullTarget> {
  const { data } = await api.request<PullRequestObject>("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pull });
  return pullTarget(repo, data);
}

export function pullKey(t: { repo: RepoRef; pull: number }): string {
  return `${t.repo.owner}/${t.repo.repo}#${t.pull}`.toLowerCase();
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * Why a review of `reviewed` no longer speaks for the pull request as GitHub has it `now`: a newer head, or another
 * base (retargeted, or the base sha GitHub compares with changed). Undefined when it still does. The review of the
 * newer state owns the check run and the comment; a delivery replayed from an older state must not overwrite them.
 */
export function movedOn(reviewed: Pick<PullTarget, "head" | "base">, now: Pick<PullTarget, "head" | "base">): string | undefined {
  if (now.head.sha !== reviewed.head.sha) return `the pull request's head moved on from ${shortSha(reviewed.head.sha)} to ${shortSha(now.head.sha)}`;
  if (now.base.ref !== reviewed.base.ref) return `the pull request's base is now ${now.base.ref}, not ${reviewed.base.ref}`;
  if (now.base.sha !== reviewed.base.sha) return `the pull request's base ${now.base.ref} is now at ${shortSha(now.base.sha)}, not ${shortSha(reviewed.base.sha)}`;
  return undefined;
}

/** Open and not a draft; says why not otherwise. */
export function reviewable(target: PullTarget, log: { info(msg: string): void }): boolean {
  if (target.state !== "open") {
    log.info("not reviewing: the pull request is closed");
    return false;
  }
  if (target.draft) {
    log.info("not reviewing: the pull request is a draft; it is reviewed when marked ready for review");
    return false;
  }
  return true;
}
