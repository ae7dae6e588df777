import type nock from "nock";
import { blobReply, blobsOf, commitData, mergeBaseOf, serveCompare, type LocalRepo } from "./github-repo.js";

/**
 * Like github-repo.ts's `serveGitData`, for commits with thousands of files: every blob of the commits is read
 * from git once, up front (`git cat-file --batch`, kept by sha like serveGitData's), instead of one `git` process
 * per request. `pathPrefix` serves them under an API prefix (GitHub Enterprise Server's `/api/v3`) on a scope
 * without a base path.
 */
export function serveGitDataBatched(scope: nock.Scope, repo: LocalRepo, owner: string, name: string, commits: readonly string[], options: { pathPrefix?: string } = {}): nock.Scope {
  const base = `${options.pathPrefix ?? ""}/repos/${owner}/${name}`;
  const blobs = new Set<string>();
  for (const sha of commits) {
    const { tree, entries } = commitData(repo.dir, sha);
    for (const e of entries) blobs.add(e.sha);
    scope.get(`${base}/git/commits/${sha}`).reply(200, { sha, tree: { sha: tree } }).persist();
    scope.get(`${base}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries }).persist();
  }
  const content = blobsOf(repo.dir, [...blobs]);
  serveCompare(scope, base, (a, b) => mergeBaseOf(repo.dir, a, b));
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
