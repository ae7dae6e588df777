import { execFileSync } from "node:child_process";
import type nock from "nock";
import { blobReply, serveCompare, type LocalRepo } from "./github-repo.js";

/**
 * Like github-repo.ts's `serveGitData`, for commits with thousands of files: every blob of the commits is read
 * from git once, up front (`git cat-file --batch`), instead of one `git` process per request. `pathPrefix` serves
 * them under an API prefix (GitHub Enterprise Server's `/api/v3`) on a scope without a base path.
 */
export function serveGitDataBatched(scope: nock.Scope, repo: LocalRepo, owner: string, name: string, commits: readonly string[], options: { pathPrefix?: string } = {}): nock.Scope {
  const git = (args: string[], input?: string) => execFileSync("git", ["-C", repo.dir, ...args], { input, maxBuffer: 1 << 30 });
  const base = `${options.pathPrefix ?? ""}/repos/${owner}/${name}`;
  const blobs = new Set<string>();
  for (const sha of commits) {
    const tree = git(["rev-parse", `${sha}^{tree}`]).toString().trim();
    const entries = git(["ls-tree", "-r", "--long", "-z", sha])
      .toString()
      .split("\0")
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf("\t");
        const [mode, type, blob, size] = rec.slice(0, tab).split(/ +/);
        blobs.add(blob);
        return { path: rec.slice(tab + 1), mode, type, sha: blob, size: Number(size) };
      });
    scope.get(`${base}/git/commits/${sha}`).reply(200, { sha, tree: { sha: tree } }).persist();
    scope.get(`${base}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
  }
  const content = new Map<string, Buffer>();
  const out = git(["cat-file", "--batch"], [...blobs].join("\n") + "\n");
  for (let at = 0; at < out.length; ) {
    const nl = out.indexOf(10, at);
    const [sha, , size] = out.subarray(at, nl).toString().split(" ");
    const start = nl + 1;
    content.set(sha, out.subarray(start, start + Number(size)));
    at = start + Number(size) + 1;
  }
  serveCompare(scope, base, (a, b) => git(["merge-base", a, b]).toString().trim());
  scope
    .get(new RegExp(`^${base}/git/blobs/[0-9a-f]{40}$`))
    .reply(function (uri) {
      const sha = uri.split("/").pop()!;
      const c = content.get(sha);
      return c ? blobReply(this.req.headers.accept, sha, c) : [404, { message: "Not Found" }];
    })
    .persist();
  return scope;
}
