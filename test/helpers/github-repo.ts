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
 * The commits' blobs are read from git in one process on the first blob request (a process per request cost a
 * jest worker tens of milliseconds each); a blob of another commit is still read on its own.
 */
export function serveGitData(scope: nock.Scope, repo: LocalRepo, owner: string, name: string, commits: readonly string[]): nock.Scope {
  const git = (...args: string[]) => execFileSync("git", ["-C", repo.dir, ...args], { encoding: "buffer", maxBuffer: 1 << 28 });
  const base = `/repos/${owner}/${name}`;
  const shas = new Set<string>();
  for (const sha of commits) {
    const tree = git("rev-parse", `${sha}^{tree}`).toString().trim();
    const entries = git("ls-tree", "-r", "--long", "-z", sha)
      .toString()
      .split("\0")
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf("\t");
        const [mode, type, blob, size] = rec.slice(0, tab).split(/ +/);
        if (type === "blob") shas.add(blob);
        return { path: rec.slice(tab + 1), mode, type, sha: blob, size: Number(size) };
      });
    scope.get(`${base}/git/commits/${sha}`).reply(200, { sha, tree: { sha: tree } }).persist();
    scope.get(`${base}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
  }
  serveCompare(scope, base, (a, b) => git("merge-base", a, b).toString().trim());
  let blobs: Map<string, Buffer> | undefined;
  scope
    .get(new RegExp(`^${base}/git/blobs/[0-9a-f]{40}$`))
    .reply(function (uri) {
      const blob = uri.split("/").pop()!;
      blobs ??= catFileBatch(repo.dir, [...shas]);
      const content = blobs.get(blob) ?? git("cat-file", "blob", blob);
      return blobReply(this.req.headers.accept, blob, content);
    })
    .persist();
  return scope;
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
