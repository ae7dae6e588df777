import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type nock from "nock";

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
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  return {
    dir,
    commit(message, change) {
      change?.(dir);
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message);
      return git("rev-parse", "HEAD");
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

/** Interceptors for the commits' git data: commit → tree (recursive) → blobs. Persisted: asked as often as needed. */
export function serveGitData(scope: nock.Scope, repo: LocalRepo, owner: string, name: string, commits: readonly string[]): nock.Scope {
  const git = (...args: string[]) => execFileSync("git", ["-C", repo.dir, ...args], { encoding: "buffer", maxBuffer: 1 << 28 });
  const base = `/repos/${owner}/${name}`;
  for (const sha of commits) {
    const tree = git("rev-parse", `${sha}^{tree}`).toString().trim();
    const entries = git("ls-tree", "-r", "--long", "-z", sha)
      .toString()
      .split("\0")
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf("\t");
        const [mode, type, blob, size] = rec.slice(0, tab).split(/ +/);
        return { path: rec.slice(tab + 1), mode, type, sha: blob, size: Number(size) };
      });
    scope.get(`${base}/git/commits/${sha}`).reply(200, { sha, tree: { sha: tree } }).persist();
    scope.get(`${base}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
  }
  serveCompare(scope, base, (a, b) => git("merge-base", a, b).toString().trim());
  scope
    .get(new RegExp(`^${base}/git/blobs/[0-9a-f]{40}$`))
    .reply(function (uri) {
      const blob = uri.split("/").pop()!;
      const content = git("cat-file", "blob", blob);
      return blobReply(this.req.headers.accept, blob, content);
    })
    .persist();
  return scope;
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
