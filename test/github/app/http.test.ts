import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHmac, randomUUID } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { startAppServer, tierguardApp, type AppServer, type TierguardApp } from "../../../src/github/app/index.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../../../src/github/review-run.js";
import { checkRunOutput, renderReviewCommentParts } from "../../../src/report/review/index.js";
import { defaultConfig } from "../../../src/review/config.js";
import type { Review } from "../../../src/review/types.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, APP_ID, authMocks, CommentStore, FIXED_CLOCK, fastOctokit, NAME, NOW, OWNER, privateKey, pullRequestEvent, pullResponse, recorder, REPO_PATH, useStrictNock, type LogLine } from "../../helpers/probot-app.js";
import { finding, impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * The App as GitHub meets it: tierguard's server on 127.0.0.1, signed deliveries posted over HTTP, GitHub's
 * API mocked. A delivery with a wrong or missing signature is refused with a 4xx and changes nothing.
 */
useStrictNock({ allowLocalhost: true });
const SECRET = "webhook-secret-for-tests";
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));

let server: AppServer;
let url: string;
let app: TierguardApp;
const logs: LogLine[] = [];
const reviewed: string[] = [];
/** The review waits for this, so the test can see the delivery answered before the review is written. */
let release: Promise<void> = Promise.resolve();

function makeReview(req: GitHubReviewRequest): Review {
  return reviewFixture({
    base: { rev: "main", commit: req.base.sha },
    head: { rev: "feature", commit: req.head.sha },
    findings: [finding("lint/no-order", "warning", "spec.order is not set: the policy is evaluated last in its tier.", { file: "application/frontend.yaml", line: 17, col: 3 })],
    impact: impact(),
  });
}

beforeAll(async () => {
  const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: SECRET, Octokit: fastOctokit(), log: pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s)) }) });
  app = tierguardApp({
    clock: FIXED_CLOCK,
    runReview: async (req): Promise<GitHubReviewResult> => {
      reviewed.push(req.head.sha);
      await release;
      return { review: makeReview(req), config: defaultConfig(), files: {} as GitHubReviewResult["files"] };
    },
  });
  await probot.load(app);
  server = await startAppServer({ probot, secret: SECRET, host: "127.0.0.1", port: 0, log: probot.log.child({ name: "http" }) });
  url = `http://127.0.0.1:${server.port}/api/github/webhooks`;
});

afterAll(async () => {
  await server.stop();
  repo.cleanup();
});

function post(event: string, payload: unknown, signature?: (body: string) => string): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID() };
  if (signature) headers["x-hub-signature-256"] = signature(body);
  return fetch(url, { method: "POST", headers, body });
}

const signed = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

describe("the App over HTTP", () => {
  test("a signed pull_request delivery is acknowledged at once; the check run and the comment follow", async () => {
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const created = recorder();
    const completed = recorder();
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/check-runs`, created.take)
      .reply(201, { id: 101 })
      .get(`${REPO_PATH}/pulls/7`)
      .times(2) // when the job starts (the delivery is only a trigger) and before it writes
      .reply(200, pullResponse({ head, base }))
      .patch(`${REPO_PATH}/check-runs/101`, completed.take)
      .reply(200, { id: 101 });
    comments.list(scope, 2);
    comments.create(scope);

    let open!: () => void;
    release = new Promise((r) => (open = r));
    const res = await post("pull_request", pullRequestEvent("opened", { head, base }), signed);
    expect([res.status, await res.text()]).toEqual([200, "ok\n"]);
    expect(completed.bodies).toEqual([]); // answered before the review finished
    open();
    await app.idle();

    const review = makeReview({ base: { ref: "main", sha: base }, head: { ref: "feature", sha: head } } as GitHubReviewRequest);
    const output = checkRunOutput(review);
    expect(created.bodies).toEqual([
      { name: "tierguard", head_sha: head, status: "in_progress", started_at: NOW.toISOString(), external_id: "7", output: { title: `Reviewing ${head.slice(0, 7)}`, summary: "Queued: pull_request opened." } },
    ]);
    expect(completed.bodies).toEqual([
      {
        status: "completed",
        conclusion: "neutral",
        completed_at: NOW.toISOString(),
        output: {
          title: output.title,
          summary: output.summary,
          ...(output.text ? { text: output.text } : {}),
          annotations: [
            {
              path: "application/frontend.yaml",
              start_line: 17,
              end_line: 17,
              start_column: 3,
              end_column: 3,
              annotation_level: "warning",
              message: "spec.order is not set: the policy is evaluated last in its tier.",
              title: "lint/no-order",
            },
          ],
        },
      },
    ]);
    expect(comments.comments.map((c) => [c.user.login, c.body])).toEqual([["tierguard[bot]", renderReviewCommentParts(review)[0]]]);
    expect(reviewed).toEqual([head]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test.each([
    ["a wrong signature", (body: string) => `sha256=${createHmac("sha256", "not-the-secret").update(body).digest("hex")}`, 400],
    ["a signature of another body", (_body: string) => signed("{}"), 400],
    ["no signature", undefined, 400],
  ])("%s gets a 4xx and changes nothing", async (_what, signature, status) => {
    reviewed.length = 0;
    const before = logs.length;
    const res = await post("pull_request", pullRequestEvent("opened", { head, base }), signature);
    expect(res.status).toBe(status);
    await app.idle();
    expect(reviewed).toEqual([]);
    expect(logs.slice(before).map((l) => [l.name, l.msg, l.status])).toEqual([["http", "webhook delivery refused", status]]);
  });
});
