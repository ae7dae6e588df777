import { md } from "../../report/index.js";

/**
 * `/tierguard rollback`, the pure half: which files the revert writes and what the pull request and the reply say.
 * A rollback is a pull request, never a write to a cluster: it restores the merged pull request's policy files
 * (and policy tests) to their content at the merge commit's first parent, on top of the default branch's head, so
 * later changes to other files stay, and the revert is reviewed and promoted like any other change.
 */
export interface RevertFile {
  path: string;
  /** The blob at the first parent; null: the pull request added the file, so the revert deletes it. */
  sha: string | null;
}

/** `sha` per path, of the first parent and of the merge commit. */
export type BlobsByPath = ReadonlyMap<string, string>;

/** The reviewed files the merge changed, each with its content before the merge; sorted by path. */
export function revertFiles(parent: BlobsByPath, merged: BlobsByPath, reviewed: (path: string) => boolean): RevertFile[] {
  const paths = new Set<string>();
  for (const [p, sha] of merged) if (parent.get(p) !== sha) paths.add(p);
  for (const p of parent.keys()) if (!merged.has(p)) paths.add(p);
  return [...paths]
    .filter(reviewed)
    .sort()
    .map((path) => ({ path, sha: parent.get(path) ?? null }));
}

/** The files the default branch's head does not already hold as they were before the merge (empty: reverted already). */
export function stillToRevert(files: readonly RevertFile[], head: BlobsByPath): RevertFile[] {
  return files.filter((f) => (head.get(f.path) ?? null) !== f.sha);
}

export interface RollbackText {
  pull: number;
  mergeCommit: string;
  firstParent: string;
  branch: string;
  login: string;
  files: readonly RevertFile[];
}

const FILES_SHOWN = 50;

export function rollbackTitle(pull: number): string {
  return `Roll back #${pull}`;
}

export function rollbackCommitMessage(t: RollbackText): string {
  return `Roll back #${t.pull}\n\nRestores the policy files #${t.pull} changed to their content at ${t.firstParent.slice(0, 12)}, the first parent of its merge commit ${t.mergeCommit.slice(0, 12)}.\nRequested by @${t.login} with /tierguard rollback.`;
}

export function rollbackBody(t: RollbackText): string {
  const short = t.mergeCommit.slice(0, 7);
  const lines = [
    `This reverts the policy changes of #${t.pull} (merge commit ${t.mergeCommit}), as @${md(t.login)} asked with \`/tierguard rollback\` on #${t.pull}.`,
    "",
    `Each file below is restored to its content before the merge (the first parent of \`${short}\`, \`${t.firstParent.slice(0, 7)}\`); every other file stays as it is on the default branch.`,
    "",
    ...t.files.slice(0, FILES_SHOWN).map((f) => `- \`${f.path.replace(/`/g, "'")}\`: ${f.sha ? "restored" : `deleted (#${t.pull} added it)`}`),
    ...(t.files.length > FILES_SHOWN ? [`- and ${t.files.length - FILES_SHOWN} more (the commit has every one)`] : []),
    "",
    "tierguard reviews this pull request like any other; merging it is what changes the clusters (the controllers promote it), never the rollback command itself.",
  ];
  return lines.join("\n");
}

export function notMergedReply(login: string, pull: number, state: "open" | "closed"): string {
  return `@${login}: there is nothing to roll back: #${pull} is ${state === "open" ? "open" : "closed without being merged"}, so none of its changes reached the default branch. \`/tierguard rollback\` works on a merged pull request.`;
}

export function nothingLeftReply(login: string, pull: number, branch: string): string {
  return `@${login}: there is nothing to roll back: the head of \`${branch}\` already holds every policy file #${pull} changed as it was before the merge.`;
}

export function openedReply(login: string, pull: number, opened: { number: number; files: number }): string {
  return `@${login}: opened #${opened.number} to roll back #${pull}: it restores ${opened.files} policy file(s) to their content before the merge. tierguard reviews it like any other pull request; merging it is what changes the clusters.`;
}

export function branchTakenReply(login: string, pull: number, branch: string): string {
  return `@${login}: the branch \`${branch}\` exists already: a rollback of #${pull} was opened before. Merge or close that pull request (and delete the branch) to ask again.`;
}
