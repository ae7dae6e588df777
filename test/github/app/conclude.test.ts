import { afterAll, describe, expect, test } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { tierguardApp, tierguardOctokit, type TierguardAppOptions } from "../../../src/github/app/index.js";
import type { GitHubReviewRequest, GitHubReviewResult } from "../../../src/github/review-run.js";
import { checkRunOutput } from "../../../src/report/review/index.js";
import { defaultConfig } from "../../../src/review/config.js";
import type { Review } from "../../../src/review/types.js";
import { edit, serveCompare, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, APP_ID, authMocks, FIXED_CLOCK, fastOctokit, INSTALLATION_ID, NAME, NOW, OWNER, privateKey, pullRequestEvent, pullResponse, REPO_PATH, type LogLine, useStrictNock } from "../../helpers/probot-app.js";
import { finding, impact, review as reviewFixture } from "../../report/fixtures.js";

/**
 * Every check run the App creates is concluded, or never created (issue 9, "Always conclude"): bursts of
 * deliveries, creations racing, an endpoint that hangs, a conclusion or a token GitHub refuses. GitHub's check runs
 * are kept as state here (created, patched, concluded), so each test ends by asserting none is left in progress.
 */
useStrictNock();
const repo = templateRepo();
/** An earlier commit of main: a base the pull request can be retargeted to (both are ancestors of its head). */
const older = repo.commit("an older main");
const base = repo.commit("base", (d) => writeFileSync(join(d, "NOTES.md"), "main moved on\n")); // a tree of its own
const head = repo.commit("tighten frontend", (d) => edit(d, "application/frontend.yaml", "order: 100", "order: 101"));
const newest = repo.commit("tighten frontend more", (d) => edit(d, "application/frontend.yaml", "order: 101", "order: 102"));
afterAll(() => repo.cleanup());
const short = (sha: string) => sha.slice(0, 7);
/** Heads that are never read: a review of one of them would ask for git data nobody serves, and fail the test. */
const fakeHead = (i: number) => i.toString(16).padStart(40, "a");

const makeReview = (req: { base: { sha: string }; head: { sha: string } }): Review =>
  reviewFixture({ base: { rev: "main", commit: req.base.sha }, head: { rev: "feature", commit: req.head.sha }, findings: [finding("lint/no-order", "warning", "order", { file: "application/frontend.yaml" })], impact: impact() });

function countingRunner(o: { hold?: Promise<void>; stage?: string } = {}) {
  const calls: string[] = [];
  return {
    calls,
    runReview: async (req: GitHubReviewRequest): Promise<GitHubReviewResult> => {
      calls.push(req.head.sha);
      if (o.stage) await req.progress?.(o.stage);
      await o.hold;
      if (o.stage) await req.progress?.(o.stage);
      return { review: makeReview(req), config: defaultConfig(), files: {} as GitHubReviewResult["files"] };
    },
  };
}

/** Log lines with this message. */
const count = (logs: LogLine[], msg: string) => logs.filter((l) => l.msg === msg).length;
const COALESCED = "not reviewing: superseded by a newer job while waiting (nothing was written)";
const DUPLICATE = "not queued: a job for the same version of this pull request is already waiting";
const MOVED_ON = "not reviewing: the delivery is for a head the pull request has moved on from";

/** Waits for a condition the App's own work makes true (no timers: one turn of the event loop at a time). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error("the condition never held");
}

/** Lets the App's work run for a bounded number of turns, for a state that may never come (no throw, no timer). */
async function turns(n: number, done: () => boolean): Promise<void> {
  for (let i = 0; i < n && !done(); i++) await new Promise((r) => setImmediate(r));
}

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

interface Run {
  id: number;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title: string; summary: string };
}

/**
 * GitHub's check runs of the repository. `hold` keeps the first creation unanswered until opened (GitHub's write
 * throttle makes creations slow); `failPatches` answers that many PATCHes with 500.
 */
class FakeChecks {
  readonly runs: Run[] = [];
  readonly posts: any[] = [];
  readonly patches: Array<{ id: number; body: any }> = [];
  failPatches = 0;
  private nextId = 100;

  constructor(private readonly hold?: Promise<void>) {}

  mount(scope: nock.Scope): this {
    scope
      .post(`${REPO_PATH}/check-runs`)
      .times(1000)
      .optionally()
      .reply((_uri, body: any, cb) => {
        const first = this.posts.length === 0;
        this.posts.push(body);
        const run: Run = { id: ++this.nextId, head_sha: body.head_sha, status: body.status ?? "queued", conclusion: body.conclusion, output: body.output };
        this.runs.push(run);
        const answer = () => cb(null, [201, run]);
        if (first && this.hold) void this.hold.then(answer);
        else answer();
      });
    scope
      .patch(/^\/repos\/acme\/policies\/check-runs\/\d+$/)
      .times(1000)
      .optionally()
      .reply((uri, body: any) => {
        const id = Number(uri.split("/").pop());
        this.patches.push({ id, body });
        if (this.failPatches > 0) {
          this.failPatches--;
          return [500, { message: "Server Error" }];
        }
        const run = this.runs.find((r) => r.id === id)!;
        Object.assign(run, body);
        return [200, run];
      });
    return this;
  }

  inProgress(): Run[] {
    return this.runs.filter((r) => r.status !== "completed");
  }

  patchesOf(id: number): any[] {
    return this.patches.filter((p) => p.id === id).map((p) => p.body);
  }
}

/** The pull request as GitHub has it (for the review's "did the head move on" question), and its comments. */
function pullAndComments(scope: nock.Scope, pull: () => any): nock.Scope {
  scope.get(`${REPO_PATH}/pulls/7`).times(1000).optionally().reply(() => [200, pull()]);
  scope.get(`${REPO_PATH}/issues/7/comments`).query({ per_page: "100" }).times(1000).optionally().reply(200, []);
  scope.post(`${REPO_PATH}/issues/7/comments`).times(1000).optionally().reply(201, { id: 9000, body: "", user: { login: "tierguard[bot]", type: "Bot" } });
  return scope;
}

/** The App on a real Probot, with tierguard's Octokit; `requestTimeoutMs` shortens the timeout of each request. */
async function app(options: TierguardAppOptions, o: { requestTimeoutMs?: number } = {}) {
  const logs: LogLine[] = [];
  const Octokit = o.requestTimeoutMs === undefined ? fastOctokit() : fastOctokit().defaults((x: Record<string, any>) => ({ ...x, request: { ...x.request, timeoutMs: o.requestTimeoutMs } }));
  const probot = new Probot({ appId: APP_ID, privateKey: privateKey(), secret: "s", Octokit: Octokit as typeof ProbotOctokit, log: pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s)) }) });
  const tg = tierguardApp({ clock: FIXED_CLOCK, timing: { conclusionBackoffMs: 1 }, ...options });
  await probot.load(tg);
  let n = 0;
  const receive = (head: string, action = "synchronize") => probot.receive({ id: `c-${++n}`, name: "pull_request", payload: pullRequestEvent(action, { head, base }) } as never);
  return { probot, app: tg, logs, receive };
}

const failure = (summary: string, title = `The review of ${short(head)} could not finish`) => ({ status: "completed", conclusion: "failure", completed_at: NOW.toISOString(), output: { title, summary } });
const NOT_REVIEWED = "The policy change was not reviewed, so this check fails. Comment `/tierguard recheck` on the pull request to run the review again.";

describe("bursts of deliveries", () => {
  test("30 deliveries for the same head while its check run is being created: one check run, one review, concluded", async () => {
    const hold = gate();
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const checks = new FakeChecks(hold.promise).mount(authMocks(nock(API)));
    pullAndComments(nock(API), () => pullResponse({ head, base }));
    await Promise.all(Array.from({ length: 30 }, () => t.receive(head)));
    // Each later delivery's lookup of the pull request is coalesced into a newer one's, or runs and finds the review
    // of this head already waiting.
    await until(() => count(t.logs, COALESCED) + count(t.logs, DUPLICATE) === 29);
    hold.open();
    await t.app.idle();
    expect(checks.posts.map((p) => [p.head_sha, p.status])).toEqual([[head, "in_progress"]]);
    expect(runner.calls).toEqual([head]);
    expect(checks.inProgress()).toEqual([]);
    expect(checks.patchesOf(checks.runs[0].id).map((b) => [b.status, b.conclusion])).toEqual([["completed", checkRunOutput(makeReview({ base: { sha: base }, head: { sha: head } })).conclusion]]);
    expect(count(t.logs, COALESCED) + count(t.logs, DUPLICATE)).toBe(29);
  });

  test("50 pushes while the first one's check run is being created: only the newest head is reviewed; that check run is concluded neutral, superseded", async () => {
    const hold = gate();
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview });
    const heads = [...Array.from({ length: 49 }, (_, i) => fakeHead(i + 1)), newest];
    serveGitData(nock(API), repo, OWNER, NAME, [base, newest]);
    const checks = new FakeChecks(hold.promise).mount(authMocks(nock(API)));
    let current = heads[0];
    pullAndComments(nock(API), () => pullResponse({ head: current, base }));
    await t.receive(heads[0]);
    await until(() => checks.posts.length === 1);
    // The other 49 pushes land on GitHub before their deliveries are handled: each lookup finds `newest`.
    current = newest;
    await Promise.all(heads.slice(1).map((h) => t.receive(h)));
    // 50 lookups queued, and 2 reviews: the first head's and the newest's.
    await until(() => count(t.logs, "queued") === 52);
    hold.open();
    await t.app.idle();
    expect(runner.calls).toEqual([newest]);
    expect(checks.posts.map((p) => p.head_sha)).toEqual([heads[0], newest]);
    expect(checks.inProgress()).toEqual([]);
    expect(checks.patchesOf(checks.runs[0].id)).toEqual([
      {
        status: "completed",
        conclusion: "neutral",
        completed_at: NOW.toISOString(),
        output: {
          title: `Superseded by ${short(newest)}`,
          summary: `A newer push (\`${short(newest)}\`) arrived before the review of \`${short(heads[0])}\` was written; the review of \`${short(newest)}\` has its own check run.`,
        },
      },
    ]);
    expect(checks.patchesOf(checks.runs[1].id).map((b) => b.conclusion)).toEqual(["neutral"]); // the stub review has a warning
    // The 48 deliveries between: coalesced into a newer delivery's lookup, or looked up and found moved on.
    expect(count(t.logs, COALESCED) + count(t.logs, MOVED_ON)).toBe(48);
  });

  test("a creation race: the older head's check run is created last-but-one and concluded superseded; the newer is never created before it returns", async () => {
    const hold = gate();
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, newest]);
    const checks = new FakeChecks(hold.promise).mount(authMocks(nock(API)));
    let current = head;
    pullAndComments(nock(API), () => pullResponse({ head: current, base }));
    await t.receive(head);
    await until(() => checks.posts.length === 1);
    current = newest;
    await t.receive(newest);
    await until(() => count(t.logs, "queued") === 4); // each delivery's lookup, then its review
    // The older head's creation has not returned: the newer head's must wait for it (one creation per pull request).
    expect(checks.posts.map((p) => p.head_sha)).toEqual([head]);
    hold.open();
    await t.app.idle();
    expect(checks.posts.map((p) => p.head_sha)).toEqual([head, newest]);
    expect(checks.runs.map((r) => [r.head_sha, r.status, r.conclusion, r.output?.title])).toEqual([
      [head, "completed", "neutral", `Superseded by ${short(newest)}`],
      [newest, "completed", "neutral", checkRunOutput(makeReview({ base: { sha: base }, head: { sha: newest } })).title],
    ]);
    expect(runner.calls).toEqual([newest]);
  });

  test("a newer push while a review runs: the running review stops at its next stage and its check run says superseded", async () => {
    const hold = gate();
    const runner = countingRunner({ hold: hold.promise, stage: "replaying the flow snapshot through base and head" });
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head, newest]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    let current = head;
    pullAndComments(nock(API), () => pullResponse({ head: current, base }));
    await t.receive(head);
    await until(() => runner.calls.length === 1);
    current = newest;
    await t.receive(newest);
    await until(() => count(t.logs, "queued") === 4); // the newer review waits before the running one's next stage
    hold.open();
    await t.app.idle();
    expect(runner.calls).toEqual([head, newest]);
    expect(checks.runs.map((r) => [r.head_sha, r.status, r.conclusion, r.output?.title])).toEqual([
      [head, "completed", "neutral", `Superseded by ${short(newest)}`],
      [newest, "completed", "neutral", checkRunOutput(makeReview({ base: { sha: base }, head: { sha: newest } })).title],
    ]);
  });
});

describe("a new base", () => {
  test("the base branch changes while the head's review runs: that review is cancelled, not neutral, and the head is reviewed on the new base", async () => {
    const hold = gate();
    const runner = countingRunner({ hold: hold.promise, stage: "replaying the flow snapshot through base and head" });
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [older, base, head]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    let currentBase = base;
    pullAndComments(nock(API), () => pullResponse({ head, base: currentBase }));
    await t.receive(head, "opened");
    await until(() => runner.calls.length === 1);
    currentBase = older;
    const edited = pullRequestEvent("edited", { head, base: older });
    edited.changes = { base: { ref: { from: "main" }, sha: { from: base } } };
    await t.probot.receive({ id: "c-edited", name: "pull_request", payload: edited } as never);
    await until(() => count(t.logs, "queued") === 4);
    hold.open();
    await t.app.idle();
    expect(runner.calls).toEqual([head, head]);
    expect(checks.runs.map((r) => [r.head_sha, r.status, r.conclusion, r.output?.title])).toEqual([
      [head, "completed", "cancelled", "Superseded: the base branch changed"],
      [head, "completed", "neutral", checkRunOutput(makeReview({ base: { sha: older }, head: { sha: head } })).title],
    ]);
  });
});

describe("GitHub hanging", () => {
  test("an endpoint that never answers: the request is given up after its timeout and the check fails naming it", async () => {
    const t = await app({ runReview: countingRunner().runReview }, { requestTimeoutMs: 500 });
    const checks = new FakeChecks().mount(authMocks(nock(API), { identity: false }));
    pullAndComments(nock(API), () => pullResponse({ head, base }));
    serveCompare(nock(API), REPO_PATH, () => base);
    nock(API).get(`${REPO_PATH}/git/commits/${base}`).reply(200, { sha: base, tree: { sha: "1".repeat(40) } });
    nock(API).get(`${REPO_PATH}/git/trees/${"1".repeat(40)}`).query({ recursive: "1" }).reply(200, { truncated: false, tree: [] });
    nock(API).get(`${REPO_PATH}/git/commits/${head}`).delay(20_000).reply(200, {});
    await t.receive(head, "opened");
    await t.app.idle();
    expect(checks.inProgress()).toEqual([]);
    expect(checks.patchesOf(checks.runs[0].id)).toEqual([
      failure(`GitHub did not answer \`GET ${REPO_PATH}/git/commits/${head}\` within 500 ms, so the request was given up (GitHub may be degraded; see https://www.githubstatus.com).\n\n${NOT_REVIEWED}`),
    ]);
    // Not retried (a silent endpoint is not a blip), and never called an HTTP 500.
    expect(t.logs.filter((l) => l.msg === `GitHub request failed: GET ${REPO_PATH}/git/commits/${head}`)).toHaveLength(1);
    expect(t.logs.find((l) => l.msg === "the review could not finish")).toMatchObject({ err: { message: `GitHub did not answer GET ${REPO_PATH}/git/commits/${head} within 500 ms`, name: "AbortError" } });
    expect(t.logs.find((l) => l.msg === "the review could not finish")?.err).not.toHaveProperty("status");
    nock.abortPendingRequests(); // the delayed answer's timer
  }, 10_000);

  test("a review past its deadline is abandoned: the check fails, saying how long and at which stage", async () => {
    const hold = gate();
    const runner = countingRunner({ hold: hold.promise, stage: "replaying the flow snapshot through base and head" });
    const t = await app({ runReview: runner.runReview, timing: { reviewDeadlineMs: 2000, conclusionBackoffMs: 1 } });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    pullAndComments(nock(API), () => pullResponse({ head, base }));
    await t.receive(head, "opened");
    await t.app.idle();
    expect(checks.patchesOf(checks.runs[0].id)).toEqual([
      failure(`The review did not finish within 2 s, the most a review may take, and was abandoned. It was replaying the flow snapshot through base and head when it was stopped.\n\n${NOT_REVIEWED}`),
    ]);
    hold.open();
    await until(() => t.logs.some((l) => l.msg === "an abandoned job ended"));
    // The abandoned review stopped at its next stage and wrote nothing more.
    expect(checks.patches).toHaveLength(1);
    expect(t.logs.find((l) => l.msg === "an abandoned job ended")).toMatchObject({ outcome: "done" });
  }, 10_000);
});

describe("GitHub refusing to conclude", () => {
  test("a 500 on the check-run update outlasting Octokit's retries: the conclusion is tried again and lands", async () => {
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    pullAndComments(nock(API), () => pullResponse({ head, base }));
    checks.failPatches = 4; // Octokit's own four attempts
    await t.receive(head, "opened");
    await t.app.idle();
    const bodies = checks.patchesOf(checks.runs[0].id);
    expect(bodies).toHaveLength(5);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(checks.runs[0]).toMatchObject({ status: "completed", conclusion: "neutral", output: { title: checkRunOutput(makeReview({ base: { sha: base }, head: { sha: head } })).title } });
    expect(t.logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("could not write the check run's conclusion")).map((l) => l.msg)).toEqual([
      "could not write the check run's conclusion (try 1 of 5); trying again in 1 ms",
    ]);
  });

  test("a 500 that persists: the check run is concluded on the next delivery, whose own check run says what could not be reported", async () => {
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview, timing: { conclusionTries: 2, conclusionBackoffMs: 1 } });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head, newest]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    let current = head;
    pullAndComments(nock(API), () => pullResponse({ head: current, base }));
    checks.failPatches = 16; // the result, then the failure saying so: 2 tries of Octokit's 4 attempts each
    await t.receive(head, "opened");
    await t.app.idle();
    const dangling = checks.runs[0];
    expect(dangling.status).toBe("in_progress");
    expect(t.logs.filter((l) => l.msg === "could not write the check run's conclusion (try 2 of 2); giving up")).toMatchObject([
      { level: 40, checkRun: dangling.id },
      { level: 40, checkRun: dangling.id },
    ]);
    // What the job last tried to say: that it could not write its result.
    const wanted = checks.patchesOf(dangling.id)[15];
    expect(wanted).toEqual(
      failure(`GitHub answered HTTP 500 to \`PATCH ${REPO_PATH}/check-runs/${dangling.id}\` and kept failing after the retries.\n\n${NOT_REVIEWED}`),
    );
    current = newest;
    await t.receive(newest);
    await t.app.idle();
    expect(checks.inProgress()).toEqual([]);
    expect(checks.patchesOf(dangling.id).slice(16)).toEqual([wanted]);
    expect(dangling).toMatchObject({ status: "completed", conclusion: "failure" });
    const note = `**tierguard could not report earlier:**\n- the review of \`${short(head)}\` ended \`failure\` ("${wanted.output.title}"), but GitHub did not take it: GitHub answered HTTP 500 to \`PATCH ${REPO_PATH}/check-runs/${dangling.id}\` and kept failing after the retries.`;
    expect(checks.posts[1].output.summary).toBe(`${note}\n\nQueued: pull_request synchronize.`);
    expect(checks.runs[1].output!.summary.startsWith(`${note}\n\n`)).toBe(true);
    expect(runner.calls).toEqual([head, newest]);
  });

  test("a 500 on the installation token: logged at once, before any retry; reported on the next delivery", async () => {
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview, timing: { conclusionTries: 2, conclusionBackoffMs: 1 } });
    const events: string[] = [];
    nock(API)
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .times(20) // 4 attempts each: the lookup at job start, the creation, the check before reporting, two tries of the failure's conclusion
      .reply(() => (events.push("token request"), [500, { message: "Server Error" }]));
    const checks = new FakeChecks();
    checks.mount(nock(API));
    pullAndComments(nock(API), () => pullResponse({ head, base }));
    const seen = t.logs.length;
    await t.receive(head, "opened");
    await t.app.idle();
    expect(checks.posts).toEqual([]);
    // The first line about it came right after the first failed token request, not after the retries.
    const first = t.logs.slice(seen).find((l) => l.level >= 40)!;
    expect(first.msg).toBe(`GitHub answered HTTP 500 to POST /app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(t.logs.find((l) => l.msg === "the review could not finish")).toMatchObject({ err: { status: 500 } });
    expect(events).toHaveLength(20);
    // GitHub is back: the next delivery's check run says what could not be reported.
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    authMocks(nock(API));
    await t.receive(head);
    await t.app.idle();
    expect(checks.posts[0].output.summary).toBe(
      `**tierguard could not report earlier:**\n- the review of \`${short(head)}\` ended \`failure\` ("The review of ${short(head)} could not finish"), but GitHub did not take it: GitHub answered HTTP 500 to \`POST /app/installations/${INSTALLATION_ID}/access_tokens\` and kept failing after the retries.\n\nQueued: pull_request synchronize.`,
    );
    expect(checks.inProgress()).toEqual([]);
  });
});

describe("Octokit's retries", () => {
  test("a request's retry count stays its own: the next failing request starts its waits afresh", async () => {
    const Octokit = tierguardOctokit(ProbotOctokit).defaults((o: Record<string, any>) => ({ ...o, retry: { ...o.retry, retryAfterBaseValue: 1 }, throttle: { ...o.throttle, enabled: false } }));
    const octokit = new Octokit({ auth: { token: "ghs_testtoken0000000000000000" } });
    nock(API).get(`${REPO_PATH}/pulls/7`).times(4).reply(500, { message: "Server Error" });
    await expect(octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: OWNER, repo: NAME, pull_number: 7 })).rejects.toMatchObject({ status: 500 });
    // @octokit/plugin-retry writes the count into the request options; shared, it made the next request's first wait 25 s.
    expect(octokit.request.endpoint.DEFAULTS.request).not.toHaveProperty("retryCount");
  });
});

describe("re-reading the pull request at job start", () => {
  test("re-reads of one pull request run in delivery order: an older delivery whose re-read fails never supersedes the newer head's review", async () => {
    const answer = gate(); // the first re-read's answer
    const hold = gate();
    const runner = countingRunner({ hold: hold.promise, stage: "replaying the flow snapshot through base and head" });
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, newest]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    let current = head;
    let reads = 0;
    let failing = 0;
    // The first re-read (of the delivery for `head`) gets no answer until the test says, then 500 for it and
    // Octokit's 3 retries of it; every other read answers with the pull request's head at that time.
    nock(API)
      .get(`${REPO_PATH}/pulls/7`)
      .times(1000)
      .optionally()
      .reply((_uri, _body, cb) => {
        if (++reads === 1) return void answer.promise.then(() => cb(null, [500, { message: "Server Error" }]));
        if (failing > 0) return void (failing--, cb(null, [500, { message: "Server Error" }]));
        cb(null, [200, pullResponse({ head: current, base })]);
      });
    pullAndComments(nock(API), () => pullResponse({ head: current, base }));
    await t.receive(head, "opened");
    await until(() => reads === 1);
    current = newest;
    await t.receive(newest);
    // Whatever can run while the first re-read hangs (before the fix: the newer delivery's whole review) runs now.
    await turns(20_000, () => runner.calls.length === 1);
    failing = 3;
    answer.open();
    // The older delivery's lookup fails: its delivery was coalesced into the newer one's, so nothing falls back to
    // reviewing its head (before the fix, that fallback review superseded the newer head's).
    const failed = ["could not start a job a newer one has replaced; nothing to report", "could not read the pull request; reviewing the delivered state, checked again before writing"];
    await until(() => t.logs.some((l) => failed.includes(l.msg!)));
    hold.open();
    await t.app.idle();
    expect(runner.calls).toEqual([newest]);
    expect(checks.runs.map((r) => [r.head_sha, r.status, r.conclusion, r.output?.title])).toEqual([
      [newest, "completed", "neutral", checkRunOutput(makeReview({ base: { sha: base }, head: { sha: newest } })).title],
    ]);
    expect(t.logs.filter((l) => failed.includes(l.msg!)).map((l) => [l.msg, l.sha])).toEqual([[failed[0], head]]);
    expect(reads).toBe(1 + 3 + 2); // the older delivery's lookup and its retries; the newer's lookup and its check before writing
  });

  test("deliveries out of order while a lookup is under way: the newer head's delivery, replaced by a late one for an older head, is still reviewed", async () => {
    const answer = gate();
    const runner = countingRunner();
    const t = await app({ runReview: runner.runReview });
    serveGitData(nock(API), repo, OWNER, NAME, [base, newest]);
    const checks = new FakeChecks().mount(authMocks(nock(API)));
    let reads = 0;
    // GitHub has `newest` as the head throughout; the first lookup answers when the test says.
    nock(API)
      .get(`${REPO_PATH}/pulls/7`)
      .times(1000)
      .optionally()
      .reply((_uri, _body, cb) => {
        const reply = () => cb(null, [200, pullResponse({ head: newest, base })]);
        if (++reads === 1) void answer.promise.then(reply);
        else reply();
      });
    pullAndComments(nock(API), () => pullResponse({ head: newest, base }));
    await t.receive(fakeHead(1));
    await until(() => reads === 1);
    await t.receive(newest);
    await t.receive(head); // late: GitHub sent it before the delivery for `newest`, it arrived after
    answer.open();
    await t.app.idle();
    expect(runner.calls).toEqual([newest]);
    expect(checks.runs.map((r) => [r.head_sha, r.status, r.conclusion])).toEqual([[newest, "completed", "neutral"]]);
    expect(t.logs.filter((l) => l.msg === "not reviewing: the delivery is for a head the pull request has moved on from").map((l) => l.sha)).toEqual([fakeHead(1)]);
    expect(reads).toBe(3); // two lookups for three deliveries, and the check before writing
  });
});
