import { afterAll, expect, test } from "@jest/globals";
import { renameSync } from "node:fs";
import nock from "nock";
import { serveGitDataBatched } from "./git-data.js";
import { edit, serveGitData, templateRepo } from "./github-repo.js";

/**
 * The mocked Git Data API reads git once per sha for the whole test file: a second test serving the same commits
 * starts no git process, shown by serving them again after the repository's directory has gone away.
 */
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("head", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
const API = "https://api.github.com";
afterAll(() => {
  nock.cleanAll();
  // Left active, nock's interceptor stays on the worker's http module and buffers a later file's streamed request
  // (test/github/app/edge.test.ts's 100 MB webhook body).
  nock.restore();
  repo.cleanup();
});

async function get(path: string, accept = "application/vnd.github.raw"): Promise<{ status: number; body: string }> {
  const r = await fetch(`${API}${path}`, { headers: { accept } });
  return { status: r.status, body: await r.text() };
}

test("commits, trees, blobs and merge bases served once are served again from memory, the repository gone", async () => {
  serveGitData(nock(API), repo, "o", "n", [base, head]);
  const first = JSON.parse((await get(`/repos/o/n/git/commits/${head}`)).body);
  const tree = JSON.parse((await get(`/repos/o/n/git/trees/${first.tree.sha}?recursive=1`)).body);
  const file = tree.tree.find((e: { path: string }) => e.path === "application/frontend.yaml");
  expect((await get(`/repos/o/n/git/blobs/${file.sha}`)).body).toContain("order: 101");
  expect(JSON.parse((await get(`/repos/o/n/compare/${base}...${head}`)).body).merge_base_commit.sha).toBe(base);
  nock.cleanAll();

  renameSync(repo.dir, `${repo.dir}-gone`);
  try {
    serveGitData(nock(API), repo, "o", "n", [base, head]);
    expect(JSON.parse((await get(`/repos/o/n/git/commits/${head}`)).body)).toEqual(first);
    expect(JSON.parse((await get(`/repos/o/n/git/trees/${first.tree.sha}?recursive=1`)).body)).toEqual(tree);
    expect((await get(`/repos/o/n/git/blobs/${file.sha}`)).body).toContain("order: 101");
    expect(JSON.parse((await get(`/repos/o/n/compare/${base}...${head}`)).body).merge_base_commit.sha).toBe(base);
    nock.cleanAll();
    serveGitDataBatched(nock(API), repo, "o", "n", [base, head]);
    expect(JSON.parse((await get(`/repos/o/n/git/blobs/${file.sha}`, "application/json")).body)).toMatchObject({ sha: file.sha, encoding: "base64" });
  } finally {
    renameSync(`${repo.dir}-gone`, repo.dir);
  }
});
