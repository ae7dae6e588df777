import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { TreeEntry } from "../run/revisions.js";

/**
 * Reading a repository at a revision straight from git's object store, with no checkout: `ls-tree` for the file
 * list and one `cat-file --batch` process for all the blobs, so a review of thousands of files costs two processes
 * per revision; revisions resolved or listed together share one process (see `coalesce`). Errors become `GitError`
 * with git's own message.
 */
const run = promisify(execFile);

export class GitError extends Error {}
/** A revision that names no commit of the repository (a mistyped branch): the caller's usage, not the repository's fault. */
export class UnknownRevision extends GitError {}

export type { TreeEntry } from "../run/revisions.js";

/** Runs one git command in `repo`; a failure is a `GitError` with git's first line of complaint. */
export async function git(repo: string, args: string[], env?: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", repo, ...args], { maxBuffer: 1 << 30, encoding: "utf8", ...(env ? { env: { ...process.env, ...env } } : {}) });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string };
    if (err.code === "ENOENT") throw new GitError("git is not installed (or not on PATH)");
    throw new GitError((err.stderr ?? err.message).trim().split("\n")[0]);
  }
}

/** The commit a revision names (branch, tag, sha, HEAD~1, ...). */
export function resolveCommit(repo: string, rev: string): Promise<string> {
  return resolveBatch(repo, rev);
}

async function resolveOne(repo: string, rev: string): Promise<string> {
  const out = await git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]).catch(() => "");
  return commitOf(repo, rev, out);
}

function commitOf(repo: string, rev: string, out: string): string {
  const sha = out.trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new UnknownRevision(`${rev} is not a commit in ${repo}`);
  return sha;
}

// Revisions resolved together (a review's base and head) share one process: each `rev-parse` prints one line,
// empty when it fails, as the single call's failure is "not a commit" whatever git said.
const resolveBatch = coalesce<string>(resolveOne, async (repo, revs) => {
  const script = revs.map((r) => `printf '%s\\n' "$(${shellGit(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${r}^{commit}`])} 2>/dev/null)"`);
  const lines = (await runShell(script.join("\n"))).split("\n");
  return revs.map((rev, i) => commitOf(repo, rev, lines[i] ?? ""));
});

/**
 * The best common ancestor of two commits (`git merge-base`), as GitHub diffs a pull request: against it, not the
 * base branch's tip, so commits that landed on the base after the branch was cut are not taken for the PR's.
 * Undefined when the histories share no commit.
 */
export async function mergeBase(repo: string, base: string, head: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", repo, "merge-base", "--end-of-options", base, head], { encoding: "utf8" });
    const sha = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch (e) {
    // Exit status 1 with nothing on stderr: no common ancestor. Anything else is git's error, reported as such.
    const err = e as { code?: number | string; stderr?: string; message: string };
    if (err.code === 1 && !err.stderr?.trim()) return undefined;
    if (err.code === "ENOENT") throw new GitError("git is not installed (or not on PATH)");
    throw new GitError((err.stderr || err.message).trim().split("\n")[0]);
  }
}

/** Every file of the revision, with blob ids and sizes. */
export function listTree(repo: string, commit: string): Promise<TreeEntry[]> {
  return listBatch(repo, commit);
}

async function listOne(repo: string, commit: string): Promise<TreeEntry[]> {
  return treeEntries((await git(repo, ["ls-tree", "-r", "-z", "--long", "--full-tree", commit])).split("\0"));
}

// The trees a review reads together (tip, merge base, head) come from one process. ls-tree -z never prints an
// empty record, so an extra NUL after each listing marks where the next begins.
const listBatch = coalesce<TreeEntry[]>(listOne, async (repo, commits) => {
  const script = ["set -e", ...commits.map((c) => `${shellGit(repo, ["ls-tree", "-r", "-z", "--long", "--full-tree", c])}\nprintf '\\0'`)];
  const records = (await runShell(script.join("\n"))).split("\0");
  const lists: string[][] = [[]];
  for (const record of records) {
    if (record) lists[lists.length - 1].push(record);
    else lists.push([]);
  }
  return commits.map((_, i) => treeEntries(lists[i]));
});

function treeEntries(records: readonly string[]): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of records) {
    if (!record) continue;
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const tab = record.indexOf("\t");
    const [mode, type, blob, size] = record.slice(0, tab).split(/ +/);
    if (type !== "blob" || mode === "120000" || mode === "160000") continue; // symlinks and submodules are not files
    entries.push({ path: record.slice(tab + 1), blob, size: Number(size) });
  }
  return entries;
}

/**
 * Calls made in the same turn of the event loop for the same repository run as one batch: starting a process from
 * a large Node process costs far more than the git command it runs, so several commands share one `sh`. A lone
 * call, or a batch that fails in any way, runs each call on its own, so every error is the one a single call gives.
 */
function coalesce<T>(single: (repo: string, item: string) => Promise<T>, batch: (repo: string, items: string[]) => Promise<T[]>) {
  const pending = new Map<string, Array<{ item: string; resolve: (v: T) => void; reject: (e: unknown) => void }>>();
  const flush = async (repo: string) => {
    const calls = pending.get(repo)!;
    pending.delete(repo);
    const settleAlone = () => calls.forEach((c) => single(repo, c.item).then(c.resolve, c.reject));
    if (calls.length === 1) return settleAlone();
    let results: T[];
    try {
      results = await batch(repo, calls.map((c) => c.item));
    } catch {
      return settleAlone();
    }
    calls.forEach((c, i) => c.resolve(results[i]));
  };
  return (repo: string, item: string) =>
    new Promise<T>((resolve, reject) => {
      const calls = pending.get(repo);
      if (calls) return void calls.push({ item, resolve, reject });
      pending.set(repo, [{ item, resolve, reject }]);
      queueMicrotask(() => void flush(repo));
    });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const shellGit = (repo: string, args: string[]) => ["git", "-C", repo, ...args].map(quote).join(" ");

async function runShell(script: string): Promise<string> {
  const { stdout } = await run("sh", ["-c", script], { maxBuffer: 1 << 30, encoding: "utf8" });
  return stdout;
}

/** The contents of many blobs through one `git cat-file --batch`. */
export async function readBlobs(repo: string, blobs: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const wanted = [...new Set(blobs)];
  if (wanted.length === 0) return out;
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", (e) => reject(new GitError((e as NodeJS.ErrnoException).code === "ENOENT" ? "git is not installed" : e.message)));
    child.on("close", (code) => {
      if (code !== 0) return reject(new GitError(stderr.trim() || `git cat-file exited with ${code}`));
      const all = Buffer.concat(chunks);
      let pos = 0;
      for (const id of wanted) {
        const nl = all.indexOf(10, pos);
        const header = all.toString("utf8", pos, nl);
        const [sha, type, size] = header.split(" ");
        if (type === "missing" || sha === undefined) return reject(new GitError(`blob ${id} is missing`));
        const n = Number(size);
        out.set(id, all.subarray(nl + 1, nl + 1 + n));
        pos = nl + 1 + n + 1; // content, then a newline
      }
      resolve(out);
    });
    child.stdin.end(wanted.join("\n") + "\n");
  });
}
