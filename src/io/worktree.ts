import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, GitError, resolveCommit } from "./git.js";

/**
 * The working tree of a repository as a commit, for `tierguard review` without --head: what the user edited is what
 * is reviewed, committed or not. The snapshot is built in a temporary index (the user's index, refs and files are
 * never touched), from HEAD plus every change `git add -A` would take (.gitignore respected), and written as a
 * dangling commit object, as `git stash` does; the rest of the review then reads it like any other commit.
 */
export interface WorkingTree {
  /** HEAD when the tree is clean, else the snapshot commit (its parent is HEAD). */
  commit: string;
  /** Paths with uncommitted changes (modified, added, deleted, untracked), as `git status` lists them. */
  changed: string[];
}

/** Undefined for a bare repository (there is no working tree). */
export async function workingTree(repo: string): Promise<WorkingTree | undefined> {
  if ((await git(repo, ["rev-parse", "--is-bare-repository"])).trim() === "true") return undefined;
  const head = await resolveCommit(repo, "HEAD");
  const changed = await uncommittedPaths(repo);
  if (changed.length === 0) return { commit: head, changed };
  const top = (await git(repo, ["rev-parse", "--show-toplevel"])).trim();
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-index-"));
  // A fixed identity: commit-tree needs one, and the user's may not be configured.
  const env = {
    GIT_INDEX_FILE: join(scratch, "index"),
    GIT_AUTHOR_NAME: "tierguard",
    GIT_AUTHOR_EMAIL: "tierguard@localhost",
    GIT_COMMITTER_NAME: "tierguard",
    GIT_COMMITTER_EMAIL: "tierguard@localhost",
  };
  try {
    await git(top, ["read-tree", head], env);
    await git(top, ["add", "-A", "--", "."], env);
    const tree = (await git(top, ["write-tree"], env)).trim();
    const commit = (await git(top, ["commit-tree", tree, "-p", head, "-m", "tierguard: the working tree"], env)).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new GitError(`cannot record the working tree of ${repo}`);
    return { commit, changed };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Paths `git status` reports as changed or untracked (ignored files left out). */
export async function uncommittedPaths(repo: string): Promise<string[]> {
  const out = await git(repo, ["status", "--porcelain", "-z", "--untracked-files=all"]);
  const paths: string[] = [];
  const records = out.split("\0");
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.length < 4) continue;
    paths.push(r.slice(3));
    if (r[0] === "R" || r[0] === "C") i++; // a rename or copy is followed by its source path
  }
  return paths;
}

/**
 * The GitHub login of the local user, for --author: `git config github.user`, else the login in a GitHub no-reply
 * address (`ID+login@users.noreply.github.com`), else user.name when it is a login. Undefined otherwise, with what
 * was found, for the usage error.
 */
export async function gitUserLogin(repo: string): Promise<{ login?: string; tried: string }> {
  const get = (key: string) => git(repo, ["config", "--get", key]).then((s) => s.trim(), () => "");
  const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
  const user = await get("github.user");
  if (LOGIN.test(user)) return { login: user, tried: "git config github.user" };
  const email = await get("user.email");
  const noreply = /^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$/i.exec(email);
  if (noreply && LOGIN.test(noreply[1])) return { login: noreply[1], tried: "git config user.email" };
  const name = await get("user.name");
  if (LOGIN.test(name)) return { login: name, tried: "git config user.name" };
  return { tried: name ? `git config user.name is "${name}", not a GitHub login` : "git config github.user and user.name are not set" };
}
