import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import type { GitHubReviewRequest, GitHubReviewResult } from "../../../src/github/review-run.js";
import { REVIEW_MARKER, renderReviewCommentParts } from "../../../src/report/review/index.js";
import { defaultConfig } from "../../../src/review/config.js";
import type { Finding, Review } from "../../../src/review/types.js";
import { serveGitDataBatched } from "../../helpers/git-data.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, BOT, CommentStore, NAME, NOW, OWNER, pullRequestEvent, pullResponse, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";
import { finding, impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * What the App writes, with the review stubbed so the test decides its content: the one comment (found by marker
 * and author, skipped when unchanged, split into parts), annotation batches, pull requests without policy changes,
 * drafts.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
const docsOnly = repo.commit("docs", (d) => edit(d, "README.md", /^/, "Edited.\n"));
afterAll(() => repo.cleanup());

function stub(findings: Finding[] = [finding("lint/no-order", "warning", "spec.order is not set.", { col: 1, file: "application/frontend.yaml" })]) {
  const calls: GitHubReviewRequest[] = [];
  const make = (req: GitHubReviewRequest): Review => reviewFixture({ base: { rev: "main", commit: req.base.sha }, head: { rev: "feature", commit: req.head.sha }, findings, impact: impact() });
  return {
    calls,
    review: (h = head) => make({ base: { ref: "main", sha: base }, head: { ref: "feature", sha: h } } as GitHubReviewRequest),
    runReview: async (req: GitHubReviewRequest): Promise<GitHubReviewResult> => {
      calls.push(req);
      return { review: make(req), config: defaultConfig(), files: {} as GitHubReviewResult["files"] };
    },
  };
}

/** Everything one review of `head` asks of GitHub, but the comment writes. */
function reviewMocks(h: string, o: { patches?: number; comments: CommentStore; base?: string }) {
  const b = o.base ?? base;
  const git = serveGitData(nock(API), repo, OWNER, NAME, [b, h]);
  const patched = recorder();
  const scope = authMocks(nock(API))
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id: 7001 })
    .get(`${REPO_PATH}/pulls/7`)
    .times(2) // when the job starts (the delivery is only a trigger) and before it writes
    .reply(200, pullResponse({ head: h, base: b }))
    .patch(`${REPO_PATH}/check-runs/7001`, patched.take)
    .times(o.patches ?? 1)
    .reply(200, { id: 7001 });
  o.comments.list(scope, 2);
  return { git, scope, patched };
}

describe("the pull request comment", () => {
  test("an unchanged comment is not written again", async () => {
    const s = stub();
    const comments = new CommentStore([{ id: 11, login: BOT, body: renderReviewCommentParts(s.review())[0] }]);
    const t = await testApp({ runReview: s.runReview });
    const m = reviewMocks(head, { comments });
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head, base }));
    expect(comments.bodies()).toEqual([renderReviewCommentParts(s.review())[0]]);
    expect(t.logs.find((l) => l.msg === "the comment is unchanged; not written")).toMatchObject({ pr: 7, sha: head, comment: { created: [], updated: [], unchanged: [11], deleted: [] } });
    expect(m.scope.isDone() && m.git.isDone()).toBe(true);
  });

  test("a marker typed by someone else is not tierguard's comment: the App writes its own and leaves theirs", async () => {
    const s = stub();
    const comments = new CommentStore([{ id: 12, login: "mallory", body: `${REVIEW_MARKER}\nAll good, merge it!` }]);
    const t = await testApp({ runReview: s.runReview });
    const m = reviewMocks(head, { comments });
    comments.create(m.scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(comments.bodies("mallory")).toEqual([`${REVIEW_MARKER}\nAll good, merge it!`]);
    expect(comments.bodies()).toEqual([renderReviewCommentParts(s.review())[0]]);
    expect(m.scope.isDone()).toBe(true);
  });

  test("a long review: parts updated in order, an unchanged part skipped, parts left over from a longer one deleted", async () => {
    const many = Array.from({ length: 60 }, (_, i) => finding(`lint/rule-${i}`, "warning", `Finding ${i}: ${"a long explanation of what to change. ".repeat(8)}`, { file: "application/frontend.yaml", line: i + 1 }));
    const s = stub(many);
    const limit = 4096;
    const parts = renderReviewCommentParts(s.review(), {}, limit);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const comments = new CommentStore([
      { id: 21, login: BOT, body: parts[0] },
      { id: 22, login: BOT, body: `<!-- tierguard:review part 2 of 9 -->\nan older second part` },
      { id: 28, login: BOT, body: `<!-- tierguard:review part 8 of 9 -->\nleft over` },
      { id: 29, login: BOT, body: `<!-- tierguard:review part 9 of 9 -->\nleft over` },
    ]);
    const t = await testApp({ runReview: s.runReview, commentLimit: limit });
    const m = reviewMocks(head, { comments, patches: 2 }); // 60 annotations: two requests
    comments.update(m.scope);
    comments.create(m.scope, parts.length - 2);
    comments.remove(m.scope, 2);
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head, base }));
    expect(comments.bodies()).toEqual(parts);
    expect(comments.comments.map((c) => c.id).slice(0, 2)).toEqual([21, 22]);
    expect(t.logs.find((l) => l.msg === "comment written")?.comment).toMatchObject({ unchanged: [21], updated: [22], deleted: [28, 29] });
    expect(parts.every((p) => p.length <= limit)).toBe(true);
    expect(m.scope.isDone()).toBe(true);
  });
});

describe("the check run", () => {
  test("120 annotations go in three requests of 50, 50 and 20; the last one completes the check run", async () => {
    const errors = Array.from({ length: 120 }, (_, i) => finding("validation/bad", "error", `problem ${i}`, { file: "application/frontend.yaml", line: i + 1 }));
    const s = stub(errors);
    const comments = new CommentStore();
    const t = await testApp({ runReview: s.runReview });
    const m = reviewMocks(head, { comments, patches: 3 });
    comments.create(m.scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(m.patched.bodies.map((b) => [b.status, b.conclusion, b.completed_at, b.output.annotations.length])).toEqual([
      [undefined, undefined, undefined, 50],
      [undefined, undefined, undefined, 50],
      ["completed", "failure", NOW.toISOString(), 20],
    ]);
    expect(m.patched.bodies.flatMap((b) => b.output.annotations.map((a: { message: string }) => a.message))).toEqual(errors.map((f) => f.message));
    expect(new Set(m.patched.bodies.map((b) => b.output.title)).size).toBe(1);
    expect(m.scope.isDone()).toBe(true);
  });

  test("a pull request that changes no policy file passes without a review; an existing comment says so", async () => {
    const s = stub();
    const comments = new CommentStore([{ id: 31, login: BOT, body: `${REVIEW_MARKER}\nan earlier review` }]);
    const t = await testApp({ runReview: s.runReview });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [head, docsOnly]);
    const patched = recorder();
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 7002 })
      .get(`${REPO_PATH}/pulls/7`)
      .times(2)
      .reply(200, pullResponse({ head: docsOnly, base: head }))
      .patch(`${REPO_PATH}/check-runs/7002`, patched.take)
      .reply(200, { id: 7002 });
    comments.list(scope); // once: no acknowledgement is looked for when nothing is reviewed
    comments.update(scope);
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head: docsOnly, base: head }));
    expect(s.calls).toEqual([]);
    expect(patched.bodies).toEqual([
      {
        status: "completed",
        conclusion: "success",
        completed_at: NOW.toISOString(),
        output: { title: "No policy changes", summary: "This pull request changes no file tierguard reviews: no policy file, policy test or `tierguard.yaml` (as the base revision's `tierguard.yaml` names them)." },
      },
    ]);
    expect(comments.bodies()).toEqual([`${REVIEW_MARKER}\n**tierguard:** as of \`${docsOnly.slice(0, 7)}\` this pull request changes no policy file, policy test or \`tierguard.yaml\`; there is nothing to review.\n`]);
    expect(t.logs.some((l) => l.msg === "no policy files, tests or tierguard.yaml changed; the check passes without a review" && l.sha === docsOnly)).toBe(true);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("edited: a new base branch is reviewed again, a new title is not", async () => {
    const s = stub();
    const comments = new CommentStore();
    const t = await testApp({ runReview: s.runReview });
    const titled = pullRequestEvent("edited", { head, base });
    titled.changes = { title: { from: "old title" } };
    await t.deliver("pull_request", titled);
    expect(s.calls).toEqual([]);
    expect(t.logs.find((l) => l.msg === "not reviewing: only the title or description changed")).toMatchObject({ pr: 7, event: "pull_request.edited" });
    const m = reviewMocks(head, { comments });
    comments.create(m.scope);
    const rebased = pullRequestEvent("edited", { head, base });
    rebased.changes = { base: { ref: { from: "release-1" }, sha: { from: "f".repeat(40) } } };
    await t.deliver("pull_request", rebased);
    expect(s.calls.map((c) => c.base.sha)).toEqual([base]);
    expect(m.scope.isDone()).toBe(true);
  });

  test("a draft is not reviewed and nothing is written; the log says why", async () => {
    const s = stub();
    const t = await testApp({ runReview: s.runReview });
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base, draft: true }));
    expect(s.calls).toEqual([]);
    expect(t.logs.find((l) => l.msg === "not reviewing: the pull request is a draft; it is reviewed when marked ready for review")).toMatchObject({ repo: `${OWNER}/${NAME}`, pr: 7, sha: head, event: "pull_request.opened" });
  });
});

describe("GitHub Enterprise Server", () => {
  test("with GHE_HOST's API as base URL, every request goes there", async () => {
    const ghe = "https://github.example.com/api/v3";
    const s = stub();
    const t = await testApp({ runReview: s.runReview }, { baseUrl: ghe });
    const git = serveGitDataBatched(nock("https://github.example.com"), repo, OWNER, NAME, [base, head], { pathPrefix: "/api/v3" });
    const comments = new CommentStore();
    const scope = authMocks(nock(ghe))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 7003 })
      .get(`${REPO_PATH}/pulls/7`)
      .times(2)
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/7003`)
      .reply(200, { id: 7003 });
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(comments.bodies()).toEqual(renderReviewCommentParts(s.review()));
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});
