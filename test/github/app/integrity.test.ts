import { afterAll, describe, expect, test } from "@jest/globals";
import { rmSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { tierguardApp } from "../../../src/github/app/index.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../../../src/github/review-run.js";
import { defaultConfig } from "../../../src/review/config.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, APP_ID, authMocks, CommentStore, FIXED_CLOCK, fastOctokit, pullRequestEvent, pullResponse, privateKey, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";
import { finding, impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * A delivery is only a trigger. A replayed one (the same delivery id) starts nothing; one that describes an older
 * state of the pull request (another base) is reviewed against the pull request as GitHub has it now; and a review
 * whose pull request changed base under it writes no result and no comment, only its check run's conclusion,
 * `cancelled`. Never a review result on a base the pull request left, and never a check run left in progress.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
const moved = repo.commit("main moves on");
/** A base the pull request no longer has, without tierguard.yaml (reviewed against it, the defaults would pass). */
const bare = repo.commit("no tierguard.yaml", (d) => rmSync(join(d, "tierguard.yaml")));
afterAll(() => repo.cleanup());

const reviewed: Array<{ base: string; head: string }> = [];
const runReview = async (req: GitHubReviewRequest): Promise<GitHubReviewResult> => {
  reviewed.push({ base: req.base.sha, head: req.head.sha });
  const review = reviewFixture({ base: { rev: req.base.ref, commit: req.base.sha }, head: { rev: "feature", commit: req.head.sha }, findings: [finding("lint/no-order", "warning", "order", { file: "application/frontend.yaml" })], impact: impact() });
  return { review, config: defaultConfig(), files: {} as GitHubReviewResult["files"] };
};

describe("deliveries", () => {
  test("the same delivery id twice: the second starts nothing (no check run, no read, no write)", async () => {
    reviewed.length = 0;
    const t = await testApp({ runReview });
    const git = serveGitData(nock(API), repo, "acme", "policies", [base, head]);
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .times(2)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 301 })
      .patch(`${REPO_PATH}/check-runs/301`)
      .reply(200, { id: 301 });
    comments.list(scope, 2);
    comments.create(scope);
    const payload = pullRequestEvent("opened", { head, base });
    await t.probot.receive({ id: "same-id", name: "pull_request", payload } as never);
    await t.app.idle();
    await t.probot.receive({ id: "same-id", name: "pull_request", payload: structuredClone(payload) } as never);
    await t.app.idle();
    expect(reviewed).toEqual([{ base, head }]);
    expect(t.logs.filter((l) => l.msg?.startsWith("ignoring a delivery already handled")).map((l) => l.delivery)).toEqual(["same-id"]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a delivery naming an old base (without tierguard.yaml): the review is of the pull request's current base", async () => {
    reviewed.length = 0;
    const t = await testApp({ runReview });
    const git = serveGitData(nock(API), repo, "acme", "policies", [base, head]);
    const comments = new CommentStore();
    const created = recorder();
    const completed = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .times(2)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 302 })
      .patch(`${REPO_PATH}/check-runs/302`, completed.take)
      .reply(200, { id: 302 });
    comments.list(scope, 2);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head, base: bare }));
    expect(reviewed).toEqual([{ base, head }]);
    expect(completed.bodies.map((b) => b.conclusion)).toEqual(["neutral"]);
    expect(t.logs.find((l) => l.msg?.startsWith("reviewing against the pull request's base as it is now"))).toMatchObject({ delivered: `main@${bare}` });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a delivery for a head the pull request has left starts nothing", async () => {
    reviewed.length = 0;
    const t = await testApp({ runReview });
    const scope = authMocks(nock(API), { identity: false }).get(`${REPO_PATH}/pulls/7`).reply(200, pullResponse({ head: moved, base }));
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head, base }));
    expect(reviewed).toEqual([]);
    expect(t.logs.find((l) => l.msg === "not reviewing: the delivery is for a head the pull request has moved on from")).toMatchObject({ head: moved, sha: head });
    expect(scope.isDone()).toBe(true);
  });

  test("the base changes while the review runs: no result and no comment; its check run is concluded cancelled (the new base's review owns the result)", async () => {
    reviewed.length = 0;
    const t = await testApp({ runReview });
    const git = serveGitData(nock(API), repo, "acme", "policies", [base, head]);
    const comments = new CommentStore();
    const concluded = recorder();
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 303 })
      .get(`${REPO_PATH}/pulls/7`)
      .reply(200, pullResponse({ head, base: moved }))
      .patch(`${REPO_PATH}/check-runs/303`, concluded.take)
      .reply(200, { id: 303 });
    comments.list(scope);
    await t.deliver("pull_request", pullRequestEvent("opened", { head, base }));
    expect(reviewed).toEqual([{ base, head }]);
    // One write after the review: the conclusion, cancelled (not neutral: this is still the head, and must not pass unreviewed).
    expect(concluded.bodies).toEqual([
      {
        status: "completed",
        conclusion: "cancelled",
        completed_at: FIXED_CLOCK.now().toISOString(),
        output: {
          title: "Superseded: the pull request moved on",
          summary: `The pull request changed on GitHub (a newer push, or a new base branch) while \`${head.slice(0, 7)}\` was being reviewed, so this review wrote nothing; the review of the pull request as it is now has its own check run.`,
        },
      },
    ]);
    expect(comments.bodies()).toEqual([]);
    expect(t.logs.find((l) => l.msg?.startsWith("not writing:"))?.msg).toBe(
      `not writing: the pull request's base main is now at ${moved.slice(0, 7)}, not ${base.slice(0, 7)}; the review of the pull request as it is now owns the check and the comment`,
    );
    expect(t.logs.some((l) => l.msg === "review written")).toBe(false);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});

describe("the log", () => {
  test("each line has one name, also under Probot's named loggers", async () => {
    const raw: string[] = [];
    const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: "s", Octokit: fastOctokit(), log: pino({ name: "probot", level: "debug" }, { write: (s: string) => void raw.push(s) }) });
    await probot.load(tierguardApp({ clock: FIXED_CLOCK }));
    const titled = pullRequestEvent("edited", { head, base });
    titled.changes = { title: { from: "old" } };
    await probot.receive({ id: "named", name: "pull_request", payload: titled } as never);
    const line = raw.find((l) => l.includes("only the title or description changed"))!;
    expect(line.split('"name":').length - 1).toBe(1);
    expect(JSON.parse(line)).toMatchObject({ name: "event", delivery: "named", pr: 7 });
  });
});
