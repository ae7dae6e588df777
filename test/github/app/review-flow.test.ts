import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { reviewPullRequest, type GitHubReviewResult } from "../../../src/github/review-run.js";
import { REVIEW_MARKER, checkRunOutput, renderReviewCommentParts } from "../../../src/report/review/index.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import {
  API,
  authMocks,
  BOT,
  example,
  NAME,
  NOW,
  OWNER,
  pullRequestEvent,
  pullResponse,
  recorder,
  REPO_PATH,
  testApp,
  useStrictNock,
  CommentStore,
  adaptPull,
} from "../../helpers/probot-app.js";

/**
 * The App end to end through Probot's router, with the real review on the bundled template repository: what
 * GitHub receives, field by field.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
/** A change of meaning with no effect on traffic: it needs the tier owners' approval, nothing else. */
const changed = repo.commit("annotate the frontend policy", (d) => edit(d, "application/frontend.yaml", 'acme.io/owner: "@acme/app-devs"', 'acme.io/owner: "@acme/app-devs @acme/web"'));
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
afterAll(() => repo.cleanup());

/** The real runner, remembering what it returned so the test can compare GitHub's writes with it. */
function capturingRunner() {
  const results: GitHubReviewResult[] = [];
  return { results, runReview: async (req: Parameters<typeof reviewPullRequest>[0]) => results[results.push(await reviewPullRequest(req)) - 1] };
}

/** Team membership lookups: `logins` reviews' worth (three teams each: the teams tierguard.yaml names). */
function teams(scope: nock.Scope, members: Record<string, string[]>, lookups = Object.keys(members).length): void {
  scope
    .get(/^\/orgs\/acme\/teams\/[a-z-]+\/memberships\/[a-z]+$/)
    .times(lookups * 3)
    .reply((uri) => {
      const [, , , team, , login] = uri.split("/").slice(1);
      return (members[login] ?? []).includes(team) ? [200, { state: "active" }] : [404, { message: "Not Found" }];
    });
}

describe("a pull request through the App", () => {
  test("opened: an in-progress check run at once, then the review's conclusion, annotations and one comment", async () => {
    const runner = capturingRunner();
    const t = await testApp({ runReview: runner.runReview });
    const created = recorder();
    const patched = recorder();
    const commented = recorder();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 42 })
      .get(`${REPO_PATH}/issues/7/comments`)
      .query({ per_page: "100" })
      .twice()
      .reply(200, [])
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/pulls/7`)
      .times(2) // when the job starts (the delivery is only a trigger) and before it writes
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/42`, patched.take)
      .reply(200, { id: 42 })
      .post(`${REPO_PATH}/issues/7/comments`, commented.take)
      .reply(201, { id: 1001 });
    teams(scope, { alice: ["app-devs"] });

    await t.deliver("pull_request", pullRequestEvent("opened", { head, base, author: "alice" }));

    const { review } = runner.results[0];
    const output = checkRunOutput(review);
    expect(created.bodies).toEqual([
      {
        name: "tierguard",
        head_sha: head,
        status: "in_progress",
        started_at: NOW.toISOString(),
        external_id: "7",
        output: { title: `Reviewing ${head.slice(0, 7)}`, summary: "Queued: pull_request opened." },
      },
    ]);
    expect(output.conclusion).toBe("failure");
    expect(output.annotations.length).toBeLessThanOrEqual(50);
    expect(patched.bodies).toEqual([
      {
        status: "completed",
        conclusion: "failure",
        completed_at: NOW.toISOString(),
        output: { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}), annotations: output.annotations },
      },
    ]);
    expect(output.annotations).toContainEqual(expect.objectContaining({ path: "application/frontend.yaml", annotation_level: "failure" }));
    expect(commented.bodies).toEqual([{ body: renderReviewCommentParts(review)[0] }]);
    expect(commented.bodies[0].body.startsWith(REVIEW_MARKER)).toBe(true);
    expect(review.impact?.newlyDenied.map((f) => f.port)).toEqual([7000]);
    expect(scope.isDone() && git.isDone()).toBe(true);
    const done = t.logs.find((l) => l.msg === "review written");
    expect(done).toMatchObject({ repo: `${OWNER}/${NAME}`, pr: 7, sha: head, conclusion: "failure", checkRunRequests: 1, commentParts: 1 });
  });

  test("the check run shows the review's progress, at most once per interval", async () => {
    let t0 = NOW.getTime();
    const clock = { now: () => new Date((t0 += 3000)) }; // each reading is 3 s later
    const t = await testApp({ clock, progressIntervalMs: 5000, runReview: reviewPullRequest });
    const patched = recorder();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 43 })
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/pulls/7`)
      .times(2) // when the job starts (the delivery is only a trigger) and before it writes
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/43`, patched.take)
      .times(3)
      .reply(200, { id: 43 });
    comments.list(scope, 2);
    comments.create(scope);
    teams(scope, { alice: ["app-devs"] });
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head, base, author: "alice" }));
    const progress = patched.bodies.filter((b) => b.status === undefined).map((b) => b.output.summary);
    // Readings 3 s apart, writes at least 5 s apart: every other stage is shown.
    expect(progress).toEqual(["tierguard is resolving team memberships and approvals.", "tierguard is replaying the flow snapshot through base and head."]);
    expect(patched.bodies.map((b) => b.status ?? "progress")).toEqual(["progress", "progress", "completed"]);
    expect(comments.bodies()).toHaveLength(1);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("pull_request_review: an owner's approval satisfies the ownership finding on the re-run", async () => {
    const runner = capturingRunner();
    const t = await testApp({ runReview: runner.runReview });
    const patched = recorder();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, changed]);
    const comments = new CommentStore();
    let approvals: unknown[] = [];
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/check-runs`)
      .twice()
      .reply(201, { id: 44 })
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .twice()
      .reply(() => [200, approvals])
      .get(`${REPO_PATH}/pulls/7`)
      .times(4) // each review reads it when it starts and before it writes
      .reply(200, pullResponse({ head: changed, base, author: "mallory" }))
      .patch(`${REPO_PATH}/check-runs/44`, patched.take)
      .twice()
      .reply(200, { id: 44 });
    comments.list(scope, 4);
    comments.create(scope);
    comments.update(scope);
    teams(scope, { mallory: [], carol: ["app-devs"] }, 3); // mallory twice, carol once

    await t.deliver("pull_request", pullRequestEvent("opened", { head: changed, base, author: "mallory" }));
    const first = runner.results[0].review;
    expect(first.findings.filter((f) => f.code.startsWith("ownership/")).map((f) => [f.code, f.file, f.approvers])).toEqual([
      ["ownership/not-owner", "application/frontend.yaml", ["acme/app-devs", "alice", "acme/secops"]],
    ]);
    expect(patched.bodies[0].conclusion).toBe("failure");

    approvals = [{ user: { login: "carol" }, state: "APPROVED" }];
    const event = example("pull_request_review", "submitted");
    adaptPull(event.pull_request, { head: changed, base, author: "mallory" });
    event.review.user.login = "carol";
    event.review.state = "approved";
    await t.deliver("pull_request_review", event);

    const second = runner.results[1].review;
    expect(second.findings.filter((f) => f.code.startsWith("ownership/"))).toEqual([]);
    expect(patched.bodies[1].conclusion).not.toBe("failure");
    expect(patched.bodies[1].output.annotations ?? []).not.toContainEqual(expect.objectContaining({ title: expect.stringMatching(/^ownership\//) }));
    expect(comments.bodies()).toEqual([renderReviewCommentParts(second)[0]]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("check_run rerequested on tierguard's check run reviews the pull request's head again", async () => {
    const t = await testApp({ runReview: reviewPullRequest });
    const created = recorder();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const comments = new CommentStore([{ id: 10, login: BOT, body: `${REVIEW_MARKER}\nold review` }]);
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/pulls/7`)
      .twice()
      .reply(200, pullResponse({ head, base }))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 45 })
      .get(`${REPO_PATH}/pulls/7/reviews`)
      .query(true)
      .reply(200, [])
      .patch(`${REPO_PATH}/check-runs/45`)
      .reply(200, { id: 45 });
    comments.list(scope, 2);
    comments.update(scope);
    teams(scope, { alice: ["app-devs"] });
    const event = example("check_run", "rerequested");
    event.check_run.name = "tierguard";
    event.check_run.head_sha = head;
    event.check_run.app.id = 1;
    event.check_run.pull_requests = [{ number: 7, head: { sha: head }, base: { sha: base } }];
    await t.deliver("check_run", event);
    expect(created.bodies.map((b) => [b.head_sha, b.output.summary])).toEqual([[head, "Queued: re-run requested."]]);
    expect(comments.bodies()).toHaveLength(1);
    expect(comments.bodies()[0]).toMatch(/^<!-- tierguard:review -->/);
    expect(comments.bodies()[0]).not.toContain("old review");
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("check_run rerequested on another check run changes nothing, and says why in the log", async () => {
    const t = await testApp();
    const event = example("check_run", "rerequested");
    event.check_run.name = "ci/build";
    await t.deliver("check_run", event);
    expect(t.logs.find((l) => l.msg === "not re-running: the check run is not tierguard's")).toMatchObject({ repo: `${OWNER}/${NAME}`, name: "ci/build" });
  });
});
