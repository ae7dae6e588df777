import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readContext } from "../../src/github/action/event.js";
import { pullOf, type Pull } from "../../src/github/pull.js";
import { pullRequestPayload } from "./action/helpers.js";

/**
 * One shape of a pull request for the Action and the App (src/github/pull.ts): the Action's run context carries
 * exactly what the App builds from the same `pull_request` object, fork included.
 */
const dir = mkdtempSync(join(tmpdir(), "tg-pull-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPO = { owner: "acme", repo: "policies" };
const B = "b".repeat(40);
const C = "c".repeat(40);

function actionPull(payload: Record<string, any>): Pull | undefined {
  const path = join(dir, "event.json");
  writeFileSync(path, JSON.stringify(payload));
  return readContext({ GITHUB_EVENT_PATH: path, GITHUB_EVENT_NAME: "pull_request", GITHUB_REPOSITORY: "acme/policies" }, "/work").pull;
}

describe("the Action and the App read one pull request into one shape", () => {
  test.each([
    { headRepo: undefined, fork: false },
    { headRepo: "mallory/policies", fork: true },
  ])("a pull request from $headRepo: the Action's pull equals the App's", ({ headRepo, fork }) => {
    const payload = pullRequestPayload({ number: 9, author: "bob", base: B, head: C, headRepo });
    const app = pullOf(REPO, payload.pull_request);
    expect(actionPull(payload)).toEqual(app);
    expect(app).toEqual({
      repo: REPO,
      pull: 9,
      author: "bob",
      base: { ref: "main", sha: B },
      head: { ref: "change", sha: C },
      fork,
      draft: false,
      state: "open",
      merged: false,
      ...(payload.pull_request.merge_commit_sha ? { mergeCommit: payload.pull_request.merge_commit_sha } : {}),
      ...(payload.pull_request.commits !== undefined ? { commits: payload.pull_request.commits } : {}),
    });
  });
});

describe("pullOf", () => {
  const pr = (over: Record<string, any> = {}) => ({
    number: 4,
    state: "open",
    user: { login: "alice" },
    base: { sha: B, ref: "main", repo: { full_name: "acme/policies" } },
    head: { sha: C, ref: "topic", repo: { full_name: "acme/policies" } },
    ...over,
  });
  test.each([
    { name: "same repository", over: {}, want: { fork: false } },
    // A fork that was deleted leaves head.repo null: still not this repository.
    { name: "deleted fork", over: { head: { sha: C, ref: "topic", repo: null } }, want: { fork: true } },
    { name: "no user (a deleted account)", over: { user: null }, want: { author: "ghost" } },
    { name: "an event without refs", over: { base: { sha: B, repo: { full_name: "acme/policies" } } }, want: { base: { sha: B, ref: B } } },
    { name: "merged, with its merge commit", over: { state: "closed", merged: true, merge_commit_sha: "d".repeat(40) }, want: { state: "closed", merged: true, mergeCommit: "d".repeat(40) } },
    { name: "a draft", over: { draft: true }, want: { draft: true } },
  ])("$name", ({ over, want }) => {
    expect(pullOf(REPO, pr(over) as never)).toMatchObject(want);
  });

  test("the repository is copied, never the caller's object (routes spread it into their parameters)", () => {
    const repo = { ...REPO, extra: 1 } as typeof REPO;
    expect(pullOf(repo, pr() as never).repo).toEqual(REPO);
  });
});
