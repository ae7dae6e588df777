import { pathMatcher, policyFileFilter } from "../../review/config.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../api.js";
import { readBaseConfig, readTree, type TreeEntry } from "../repo-reader.js";
import { cachingGitApi } from "./git-cache.js";
import type { AppLog } from "./log.js";
import {
  branchTakenReply,
  notMergedReply,
  nothingLeftReply,
  openedReply,
  revertFiles,
  rollbackBody,
  rollbackCommitMessage,
  rollbackTitle,
  stillToRevert,
  type RollbackText,
} from "./rollback-plan.js";
import type { PullTarget } from "./target.js";

/**
 * `/tierguard rollback` on a merged pull request: a revert pull request, built with the Git Data API (no clone):
 * the tree of the default branch's head with the merged pull request's policy files (and policy tests, by the
 * first parent's tierguard.yaml) set back to their blobs at the merge commit's first parent, one commit on top of
 * the head, a branch `tierguard/rollback-<N>`, and the pull request. The blobs exist already (they are the first
 * parent's), so no blob is uploaded. The App's review runs on the new pull request as on any other (its `opened`
 * webhook); the cluster changes only when it is merged. Returns the reply for the command's author.
 */
export interface RollbackInput {
  api: GitHubApi;
  repo: RepoRef;
  target: PullTarget;
  login: string;
  log: AppLog;
}

export async function rollbackPull(i: RollbackInput): Promise<string> {
  const { repo, target, login, log } = i;
  if (!target.merged || !target.mergeCommit) {
    log.info({ state: target.state }, "rollback: the pull request is not merged; nothing to roll back");
    return notMergedReply(login, target.pull, target.state);
  }
  const api = cachingGitApi(i.api);
  const merge = target.mergeCommit;
  const { data: commit } = await api.request<{ parents: Array<{ sha: string }> }>("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: merge });
  const firstParent = commit.parents[0]?.sha;
  if (!firstParent) throw new Error(`the merge commit ${merge.slice(0, 12)} has no parent`);
  const [parentTree, mergedTree] = await Promise.all([readTree(api, repo, firstParent), readTree(api, repo, merge)]);
  const { config } = await readBaseConfig(api, repo, parentTree);
  const isPolicy = policyFileFilter(config);
  const isTest = pathMatcher(config.tests);
  const files = revertFiles(byPath(parentTree), byPath(mergedTree), (p) => isPolicy(p) || isTest(p));
  const { data: meta } = await api.request<{ default_branch: string }>("GET /repos/{owner}/{repo}", { ...repo });
  const branch = meta.default_branch;
  const { data: ref } = await api.request<{ object: { sha: string } }>("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...repo, ref: `heads/${branch}` });
  const headSha = ref.object.sha;
  const { data: head } = await api.request<{ tree: { sha: string } }>("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: headSha });
  const todo = stillToRevert(files, byPath(await readTree(api, repo, headSha)));
  if (todo.length === 0) {
    log.info({ files: files.length, head: headSha }, "rollback: the default branch already holds the files as they were before the merge");
    return nothingLeftReply(login, target.pull, branch);
  }
  const text: RollbackText = { pull: target.pull, mergeCommit: merge, firstParent, branch: `tierguard/rollback-${target.pull}`, login, files: todo };
  const tree = todo.map((f) => ({ path: f.path, mode: "100644", type: "blob", sha: f.sha }));
  const { data: newTree } = await api.request<{ sha: string }>("POST /repos/{owner}/{repo}/git/trees", { ...repo, base_tree: head.tree.sha, tree });
  const { data: newCommit } = await api.request<{ sha: string }>("POST /repos/{owner}/{repo}/git/commits", { ...repo, message: rollbackCommitMessage(text), tree: newTree.sha, parents: [headSha] });
  try {
    await api.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: `refs/heads/${text.branch}`, sha: newCommit.sha });
  } catch (e) {
    // 422 "Reference already exists": a rollback of this pull request is under way; never force it over.
    if (httpStatus(e) !== 422) throw e;
    log.info({ branch: text.branch }, "rollback: the branch exists already");
    return branchTakenReply(login, target.pull, text.branch);
  }
  const { data: pr } = await api.request<{ number: number }>("POST /repos/{owner}/{repo}/pulls", { ...repo, title: rollbackTitle(target.pull), head: text.branch, base: branch, body: rollbackBody(text) });
  log.info({ rollback: pr.number, files: todo.length, commit: newCommit.sha }, "rollback: opened the revert pull request");
  return openedReply(login, target.pull, { number: pr.number, files: todo.length });
}

function byPath(tree: readonly TreeEntry[]): Map<string, string> {
  return new Map(tree.map((e) => [e.path, e.sha]));
}
