import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { reviewPullRequest, type GitHubReviewRequest, type GitHubReviewResult } from "../../../src/github/review-run.js";
import { renderReviewCommentParts } from "../../../src/report/review/index.js";
import { defaultConfig } from "../../../src/review/config.js";
import type { Review } from "../../../src/review/types.js";
import { serveGitDataBatched } from "../../helpers/git-data.js";
import { fastCommit } from "../../helpers/git-steps.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, CommentStore, NAME, NOW, OWNER, pullRequestEvent, pullResponse, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";
import { finding, impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * GitHub failing in the ways it does, and pull requests moving under a running review: every case ends in a
 * completed check run that says why, or in no write at all when a newer head owns the result; never a crash.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
const pushed = repo.commit("tighten frontend more", (d) => edit(d, "application/frontend.yaml", "order: 101", "order: 102"));
afterAll(() => repo.cleanup());

const makeReview = (req: GitHubReviewRequest): Review =>
  reviewFixture({ base: { rev: "main", commit: req.base.sha }, head: { rev: "feature", commit: req.head.sha }, findings: [finding("lint/no-order", "warning", "order", { file: "application/frontend.yaml" })], impact: impact() });

const stubRunner = async (req: GitHubReviewRequest): Promise<GitHubReviewResult> => ({ review: makeReview(req), config: defaultConfig(), files: {} as GitHubReviewResult["files"] });

/** Waits for a condition the App's own work makes true (no timers: one turn of the event loop at a time). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error("the condition never held");
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe("GitHub failing", () => {
  test("a 500 is retried, and the review completes", async () => {
    const t = await testApp({ runReview: stubRunner });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(500, { message: "Server Error" })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 81 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(502, "Bad Gateway")
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/81`)
      .reply(200, { id: 81 });
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(comments.bodies()).toHaveLength(1);
    expect(t.logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a secondary rate limit is waited out for its retry-after, then the request succeeds", async () => {
    let limited = 0;
    const t = await testApp({ runReview: stubRunner });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 82 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/82`)
      .reply(200, { id: 82 })
      .post(`${REPO_PATH}/issues/7/comments`, () => (limited = Date.now()) > 0)
      .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "7" });
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(comments.bodies()).toHaveLength(1);
    // The wait is retry-after × the base value, 1 ms in tests (1 s in production).
    expect(Date.parse(comments.comments[0].created_at) - limited).toBeGreaterThanOrEqual(7);
    const waits = t.logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("GitHub secondary rate limit"));
    expect(waits.map((l) => [l.msg, l.retryAfter, l.retryCount, l.retry])).toEqual([["GitHub secondary rate limit: retrying POST /repos/{owner}/{repo}/issues/{issue_number}/comments in 7 s", 7, 0, true]]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a rate limit that resets in an hour is not waited for: the check run fails and says why", async () => {
    const t = await testApp({ runReview: stubRunner });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const failed = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .get(`${REPO_PATH}/compare/${base}...${head}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: base } })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 83 })
      .get(`${REPO_PATH}/git/commits/${base}`)
      .delay(50) // after the head's tree is read: the job then ends with no request in flight
      .reply(403, { message: "API rate limit exceeded for installation ID 2." }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) })
      .get(`${REPO_PATH}/git/commits/${head}`)
      .reply(200, { sha: head, tree: { sha: "0".repeat(40) } })
      .get(`${REPO_PATH}/git/trees/${"0".repeat(40)}`)
      .query({ recursive: "1" })
      .reply(200, { truncated: false, tree: [] })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/83`, failed.take)
      .reply(200, { id: 83 });
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(failed.bodies).toEqual([
      {
        status: "completed",
        conclusion: "failure",
        completed_at: NOW.toISOString(),
        output: {
          title: `The review of ${head.slice(0, 7)} could not finish`,
          summary: `GitHub refused a request to \`GET ${REPO_PATH}/git/commits/${base}\` with HTTP 403 (API rate limit exceeded for installation ID 2.): a rate limit that outlasted the retries, or a permission the App is missing.\n\nThe policy change was not reviewed, so this check fails. Comment \`/tierguard recheck\` on the pull request to run the review again.`,
        },
      },
    ]);
    expect(t.logs.find((l) => l.msg === "GitHub rate limit: giving up on GET /repos/{owner}/{repo}/git/commits/{commit_sha}")).toMatchObject({ retry: false, retryCount: 0 });
    expect(Number(t.logs.find((l) => l.msg === "GitHub rate limit: giving up on GET /repos/{owner}/{repo}/git/commits/{commit_sha}")?.retryAfter)).toBeGreaterThan(15 * 60);
    expect(scope.isDone()).toBe(true);
  });

  test("a 404 for a deleted head branch: the check run completes as a failure with a clear reason", async () => {
    const t = await testApp({ runReview: stubRunner });
    const failed = recorder();
    const scope = authMocks(nock(API), { identity: false })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .get(`${REPO_PATH}/compare/${base}...${head}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: base } })
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 84 })
      .get(`${REPO_PATH}/git/commits/${base}`)
      .reply(200, { sha: base, tree: { sha: "1".repeat(40) } })
      .get(`${REPO_PATH}/git/trees/${"1".repeat(40)}`)
      .query({ recursive: "1" })
      .reply(200, { truncated: false, tree: [] })
      .get(`${REPO_PATH}/git/commits/${head}`)
      .delay(50) // after the base's tree is read: the job then ends with no request in flight
      .reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/git/commits#get-a-commit-object" })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/84`, failed.take)
      .reply(200, { id: 84 });
    await t.deliver("pull_request", pullRequestEvent("reopened", { head, base }));
    expect(failed.bodies).toEqual([
      {
        status: "completed",
        conclusion: "failure",
        completed_at: NOW.toISOString(),
        output: {
          title: `The review of ${head.slice(0, 7)} could not finish`,
          summary: `GitHub answered 404 Not Found to \`GET ${REPO_PATH}/git/commits/${head}\`. The head branch or commit \`${head.slice(0, 7)}\` may have been deleted or force-pushed away, or the App may have lost access to the repository.\n\nThe policy change was not reviewed, so this check fails. Comment \`/tierguard recheck\` on the pull request to run the review again.`,
        },
      },
    ]);
    expect(t.logs.find((l) => l.msg === "the review could not finish")).toMatchObject({ pr: 7, sha: head, err: { status: 404 } });
    expect(scope.isDone()).toBe(true);
  });

  test("a bug in the review: the check run says so, and the App keeps serving", async () => {
    const t = await testApp({
      runReview: async () => {
        throw new TypeError("cannot read properties of undefined (reading 'tier')");
      },
    });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const failed = recorder();
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 85 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/85`, failed.take)
      .reply(200, { id: 85 });
    comments.list(scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(failed.bodies.map((b) => [b.conclusion, b.output.summary.split("\n\n")[0]])).toEqual([
      ["failure", "tierguard hit an internal error: cannot read properties of undefined (reading 'tier'). This is a bug in tierguard; please report it with this message."],
    ]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});

describe("pull requests moving under a review", () => {
  test("force-push while a review runs: the stale review writes no result and concludes its check run cancelled (GitHub says the head moved on)", async () => {
    const running = gate();
    const release = gate();
    const t = await testApp({
      runReview: async (req) => {
        running.open();
        await release.promise;
        return stubRunner(req);
      },
    });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore();
    const cancelled = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base })) // when the job starts
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 86 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: pushed, base })) // another replica took the new push
      .patch(`${REPO_PATH}/check-runs/86`, cancelled.take)
      .reply(200, { id: 86 });
    comments.list(scope);
    const delivered = t.probot.receive({ id: "d1", name: "pull_request", payload: pullRequestEvent("opened", { head, base }) } as never);
    await running.promise;
    release.open();
    await delivered;
    await t.app.idle();
    expect(comments.bodies()).toEqual([]);
    // Not neutral: with only the base changed this would still be the head, and a neutral check would pass it unreviewed.
    expect(cancelled.bodies).toEqual([
      {
        status: "completed",
        conclusion: "cancelled",
        completed_at: NOW.toISOString(),
        output: {
          title: "Superseded: the pull request moved on",
          summary: `The pull request changed on GitHub (a newer push, or a new base branch) while \`${head.slice(0, 7)}\` was being reviewed, so this review wrote nothing; the review of the pull request as it is now has its own check run.`,
        },
      },
    ]);
    expect(t.logs.find((l) => typeof l.msg === "string" && l.msg.startsWith("not writing: the pull request's head moved on"))).toMatchObject({
      msg: `not writing: the pull request's head moved on from ${head.slice(0, 7)} to ${pushed.slice(0, 7)}; the review of the new head owns the check and the comment`,
      sha: head,
      head: pushed,
    });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a newer push to the same replica: the running review stops at its next stage and says superseded, only the newest head is written", async () => {
    const running = gate();
    const release = gate();
    const reviewed: string[] = [];
    const t = await testApp({
      runReview: async (req) => {
        if (req.head.sha === head) {
          running.open();
          await release.promise;
          await req.progress?.("replaying the flow snapshot through base and head");
        }
        reviewed.push(req.head.sha);
        return stubRunner(req);
      },
    });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head, pushed]);
    const comments = new CommentStore();
    const created = recorder();
    const patched = recorder();
    const superseded = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: pushed, base }))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 87 })
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 88 })
      .patch(`${REPO_PATH}/check-runs/87`, superseded.take)
      .reply(200, { id: 87 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: pushed, base }))
      .patch(`${REPO_PATH}/check-runs/88`, patched.take)
      .reply(200, { id: 88 });
    comments.list(scope, 3);
    comments.create(scope);
    await t.probot.receive({ id: "d2", name: "pull_request", payload: pullRequestEvent("opened", { head, base }) } as never);
    await running.promise;
    await t.probot.receive({ id: "d3", name: "pull_request", payload: pullRequestEvent("synchronize", { head: pushed, base }) } as never);
    await until(() => t.logs.some((l) => l.msg === "queued" && l.sha === pushed && l.behind === head));
    release.open();
    await t.app.idle();
    expect(created.bodies.map((b) => b.head_sha)).toEqual([head, pushed]);
    expect(reviewed).toEqual([pushed]);
    expect(patched.bodies.map((b) => b.status)).toEqual(["completed"]);
    expect(superseded.bodies.map((b) => [b.status, b.conclusion, b.output.title])).toEqual([["completed", "neutral", `Superseded by ${pushed.slice(0, 7)}`]]);
    expect(comments.bodies()).toEqual(renderReviewCommentParts(makeReview({ base: { ref: "main", sha: base }, head: { ref: "feature", sha: pushed } } as GitHubReviewRequest)));
    expect(t.logs.some((l) => l.msg === "not writing: a newer push to this pull request is waiting to be reviewed" && l.sha === head)).toBe(true);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});

describe("size", () => {
  test("a pull request touching 3,000 policy files is read through trees and blobs, and reviewed whole", async () => {
    // Built in the object store (no 3,000 files to write, `git add` and delete): the review reads git data only.
    const sets = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      sets.set(`application/sets/partner-${i}.yaml`, `apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: partner-${i}, namespace: boutique }\nspec: { nets: ["198.51.${Math.floor(i / 250)}.${i % 250}/32"] }\n`);
    }
    const big = fastCommit(repo.dir, { ref: "refs/heads/big", parent: pushed, message: "3,000 network sets", files: sets });
    let result: GitHubReviewResult | undefined;
    const t = await testApp({ runReview: async (req) => (result = await reviewPullRequest(req)) });
    const git = serveGitDataBatched(nock(API), repo, OWNER, NAME, [pushed, big]);
    const comments = new CommentStore();
    const patched = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: big, base: pushed }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 89 })
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .reply(200, [])
      .get(/^\/orgs\/acme\/teams\/[a-z-]+\/memberships\/alice$/)
      .times(3)
      .reply((uri) => (uri.includes("/app-devs/") ? [200, { state: "active" }] : [404, {}]))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head: big, base: pushed }))
      .patch(`${REPO_PATH}/check-runs/89`, patched.take)
      .reply(200, { id: 89 });
    comments.list(scope, 2);
    comments.create(scope, "any");
    await t.deliver("pull_request", pullRequestEvent("opened", { head: big, base: pushed }));
    expect(result!.files.head.policyFiles.length - result!.files.base.policyFiles.length).toBe(3000);
    expect(result!.review.changes.filter((c) => c.kind === "added")).toHaveLength(3000);
    expect(patched.bodies.map((b) => b.status)).toEqual(["completed"]);
    expect(comments.bodies()).toEqual(renderReviewCommentParts(result!.review));
    expect(scope.isDone() && git.isDone()).toBe(true);
  }, 120_000);
});
