import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type nock from "nock";
import { gitSteps } from "./git-steps.js";

/**
 * A real git repository served through a mocked GitHub Git Data API: build commits locally with git, then answer
 * GET commits/trees/blobs for them from the object store. Tests of the App and the Action review real content
 * (the bundled template) through the real Octokit client.
 */
export interface LocalRepo {
  dir: string;
  commit(message: string, change?: (dir: string) => void): string;
  cleanup(): void;
}

export function templateRepo(templateDir = "policies-template"): LocalRepo {
  const dir = mkdtempSync(join(tmpdir(), "tg-gh-"));
  cpSync(templateDir, dir, { recursive: true });
  gitSteps(dir, [["init", "-q", "-b", "main"]]);
  return {
    dir,
    commit(message, change) {
      change?.(dir);
      return gitSteps(dir, [["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message], ["rev-parse", "HEAD"]]);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no change made to ${file}`);
  writeFileSync(path, next);
}

/**
 * Interceptors for the commits' git data: commit → tree (recursive) → blobs. Persisted: asked as often as needed.
 * What git says about a commit, a blob or a merge base never changes for the same shas, so it is read once per test
 * file (a process from a jest worker costs tens of milliseconds) and kept by sha: a file's tests serve the same
 * commits again and again. The commits' blobs are read in one process on the first blob request.
 */
export function serveGitData(scope: nock.Scope, repo: LocalRepo, owner: string, name: string, commits: readonly string[]): nock.Scope {
  const base = `/repos/${owner}/${name}`;
  const shas = new Set<string>();
  for (const sha of commits) {
    const { tree, entries } = commitData(repo.dir, sha);
    for (const e of entries) if (e.type === "blob") shas.add(e.sha);
    scope.get(`${base}/git/commits/${sha}`).reply(200, { sha, tree: { sha: tree } }).persist();
    scope.get(`${base}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
  }
  serveCompare(scope, base, (a, b) => mergeBaseOf(repo.dir, a, b));
  let read = false;
  scope
    .get(new RegExp(`^${base}/git/blobs/[0-9a-f]{40}$`))
    .reply(function (uri) {
      const blob = uri.split("/").pop()!;
      if (!read && shas.has(blob)) {
        blobsOf(repo.dir, [...shas]);
        read = true;
      }
      const content = blobsOf(repo.dir, [blob]).get(blob);
      if (!content) throw new Error(`no blob ${blob} in ${repo.dir}`);
      return blobReply(this.req.headers.accept, blob, content);
    })
    .persist();
  return scope;
}

export interface TreeRecord {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size: number;
}

const commitCache = new Map<string, { tree: string; entries: TreeRecord[] }>();
const blobCache = new Map<string, Buffer>();
const mergeBaseCache = new Map<string, string | Error>();

/** A commit's root tree and its recursive listing (`ls-tree -r --long`), read once per sha. */
export function commitData(dir: string, sha: string): { tree: string; entries: TreeRecord[] } {
  let data = commitCache.get(sha);
  if (!data) {
    const out = execFileSync("sh", ["-c", `git -C "$0" rev-parse "$1^{tree}" && git -C "$0" ls-tree -r --long -z "$1"`, dir, sha], { encoding: "utf8", maxBuffer: 1 << 30 });
    const nl = out.indexOf("\n");
    const entries = out
      .slice(nl + 1)
      .split("\0")
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf("\t");
        const [mode, type, blob, size] = rec.slice(0, tab).split(/ +/);
        return { path: rec.slice(tab + 1), mode, type, sha: blob, size: Number(size) };
      });
    data = { tree: out.slice(0, nl).trim(), entries };
    commitCache.set(sha, data);
  }
  return data;
}

/** The contents of blobs by sha: those not read before in one `git cat-file --batch`; a missing one is absent. */
export function blobsOf(dir: string, shas: readonly string[]): Map<string, Buffer> {
  const unread = shas.filter((s) => !blobCache.has(s));
  for (const [sha, content] of catFileBatch(dir, unread)) blobCache.set(sha, content);
  return new Map(shas.filter((s) => blobCache.has(s)).map((s) => [s, blobCache.get(s)!]));
}

/** `git merge-base a b`, read once per pair; throws (as git does) when the commits share no history. */
export function mergeBaseOf(dir: string, a: string, b: string): string {
  const key = `${a} ${b}`;
  if (!mergeBaseCache.has(key)) {
    try {
      mergeBaseCache.set(key, execFileSync("git", ["-C", dir, "merge-base", a, b], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim());
    } catch (e) {
      mergeBaseCache.set(key, e as Error);
    }
  }
  const found = mergeBaseCache.get(key)!;
  if (found instanceof Error) throw found;
  return found;
}

/** The contents of blobs by sha, from one `git cat-file --batch`. */
export function catFileBatch(dir: string, shas: readonly string[]): Map<string, Buffer> {
  const content = new Map<string, Buffer>();
  if (shas.length === 0) return content;
  const out = execFileSync("git", ["-C", dir, "cat-file", "--batch"], { input: shas.join("\n") + "\n", maxBuffer: 1 << 30 });
  for (let at = 0; at < out.length; ) {
    const nl = out.indexOf(10, at);
    const [sha, type, size] = out.subarray(at, nl).toString().split(" ");
    if (type === "missing") {
      at = nl + 1;
      continue;
    }
    const start = nl + 1;
    content.set(sha, out.subarray(start, start + Number(size)));
    at = start + Number(size) + 1;
  }
  return content;
}

/**
 * `GET /compare/{a}...{b}` as GitHub answers it, reduced to what tierguard reads: the merge base (`git merge-base`),
 * 404 when the commits have no common ancestor. Persisted, like the git data, and optional (not every test compares).
 */
export function serveCompare(scope: nock.Scope, base: string, mergeBase: (a: string, b: string) => string): nock.Scope {
  return scope
    .get(new RegExp(`^${base}/compare/[0-9a-f]{40}\\.\\.\\.[0-9a-f]{40}(\\?.*)?$`))
    .optionally()
    .reply((uri) => {
      const [a, b] = uri.split("/compare/")[1].split("?")[0].split("...");
      try {
        const sha = mergeBase(a, b);
        return [200, { status: "ahead", merge_base_commit: { sha }, base_commit: { sha: a }, commits: [], files: [] }];
      } catch {
        return [404, { message: "No common ancestor between the commits" }];
      }
    })
    .persist();
}

/** A blob as GitHub answers it: raw bytes for the raw media type, else JSON with the content in base64. */
export function blobReply(accept: string | string[] | undefined, sha: string, content: Buffer): [number, unknown, Record<string, string>] {
  if (String(accept ?? "").includes("application/vnd.github.raw")) return [200, content, { "content-type": "application/vnd.github.raw" }];
  return [200, { sha, size: content.length, encoding: "base64", content: content.toString("base64") }, { "content-type": "application/json; charset=utf-8" }];
}
