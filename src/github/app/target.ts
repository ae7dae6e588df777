import type { GitHubApi, RepoRef } from "../api.js";
import { pullOf, shortSha, type Pull, type PullRequestObject } from "../pull.js";

/**
 * The App's name for the one pull-request shape (../pull.ts), which the Action shares. Kept as an alias only while
 * deploy.ts, which another change is editing, still imports it under this name.
 */
export type PullTarget = Pull;

/** The repository of a webhook payload. */
export function payloadRepo(payload: { repository?: { name: string; owner: { login: string } } }): RepoRef | undefined {
  const r = payload.repository;
  return r ? { owner: r.owner.login, repo: r.name } : undefined;
}

/** The pull request as GitHub has it now. */
export async function fetchPull(api: GitHubApi, repo: RepoRef, pull: number): Promise<Pull> {
  const { data } = await api.request<PullRequestObject>("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pull });
  return pullOf(repo, data);
}

export function pullKey(t: { repo: RepoRef; pull: number }): string {
  return `${t.repo.owner}/${t.repo.repo}#${t.pull}`.toLowerCase();
}

/**
 * Why a review of `reviewed` no longer speaks for the pull request as GitHub has it `now`: a newer head, or another
 * base (retargeted, or the base sha GitHub compares with changed). Undefined when it still does. The review of the
 * newer state owns the check run and the comment; a delivery replayed from an older state must not overwrite them.
 */
export function movedOn(reviewed: Pick<Pull, "head" | "base">, now: Pick<Pull, "head" | "base">): string | undefined {
  if (now.head.sha !== reviewed.head.sha) return `the pull request's head moved on from ${shortSha(reviewed.head.sha)} to ${shortSha(now.head.sha)}`;
  if (now.base.ref !== reviewed.base.ref) return `the pull request's base is now ${now.base.ref}, not ${reviewed.base.ref}`;
  if (now.base.sha !== reviewed.base.sha) return `the pull request's base ${now.base.ref} is now at ${shortSha(now.base.sha)}, not ${shortSha(reviewed.base.sha)}`;
  return undefined;
}

/** Open and not a draft; says why not otherwise. */
export function reviewable(target: Pull, log: { info(msg: string): void }): boolean {
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
