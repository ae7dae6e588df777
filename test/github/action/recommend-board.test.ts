import { afterAll, afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import nock from "nock";
import { EXIT, run } from "../../../src/github/action/run.js";
import { RECOMMENDATION_MARKER } from "../../../src/github/recommend-body.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { capture, fakeRunner, NAME, OWNER, pullRequestPayload, TOKEN, type FakeRunner } from "./helpers.js";

/**
 * The Action's board artifact and its recommendations, end to end in this process against nock: the board written
 * for the workflow's upload-artifact step, linked from the comment and the summary; `recommend` writing the files
 * into the workspace; a `schedule` run on tierguard.yaml's `recommend.schedule` opening the pull request, and one on
 * another cron doing nothing. The repository is the template with every seventh flow record (fast).
 */
const API = "https://api.github.com";
const REPO = `/repos/${OWNER}/${NAME}`;
const repo = templateRepo();
const base = repo.commit("base", (d) => {
  const path = join(d, "flows/snapshot.jsonl.gz");
  // Every seventh record: all kinds of traffic (the file is grouped by source), a seventh of the time.
  writeFileSync(path, gzipSync(gunzipSync(readFileSync(path)).toString("utf8").split("\n").filter((l, i) => l !== "" && i % 7 === 6).join("\n") + "\n"));
});
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
/** The template's tierguard.yaml has recommend.schedule "0 6 * * 1"; this one has none. */
const unscheduled = repo.commit("no schedule", (d) => edit(d, "tierguard.yaml", /\nrecommend:[^]*$/, "\n"));

const runners: FakeRunner[] = [];
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  for (const r of runners.splice(0)) r.cleanup();
  expect(pending).toEqual([]);
});
afterAll(() => {
  repo.cleanup();
  nock.enableNetConnect();
  nock.restore();
});

async function action(o: { event: Record<string, any>; eventName: string; inputs?: Record<string, string>; env?: Record<string, string> }) {
  const runner = fakeRunner({ event: o.event, eventName: o.eventName, inputs: o.inputs, env: { GITHUB_RUN_ID: "4242", ...o.env } });
  runners.push(runner);
  const out = capture();
  const code = await run(runner.env, { stdout: out.write, throttle: false });
  return { code, runner, out, summary: runner.summary(), outputs: runner.outputs() };
}

/** The default branch at `sha`, asked `times` times. */
function defaultBranch(scope: nock.Scope, sha: string, times = 1): nock.Scope {
  return scope.get(REPO).times(times).reply(200, { default_branch: "main" }).get(`${REPO}/branches/main`).times(times).reply(200, { name: "main", commit: { sha } });
}

const boardModel = (html: string) => JSON.parse(/<script type="application\/json" id="board-data">(.*?)<\/script>/s.exec(html)![1]);
const DISPATCH = { repository: { full_name: `${OWNER}/${NAME}` }, sender: { login: "alice" } };

describe("the policy board artifact", () => {
  test("board-file: the change's board is written for upload-artifact, its path is an output, the comment and summary link to the run's artifacts", async () => {
    let comment = "";
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    nock(API, { reqheaders: { authorization: `token ${TOKEN}` } })
      .get(`${REPO}/pulls/7/reviews`).query(true).reply(200, [])
      .get("/user").reply(403, {})
      .get(`${REPO}/issues/7/comments`).query(true).reply(200, [])
      .post(`${REPO}/issues/7/comments`, (b: { body: string }) => ((comment = b.body), true)).reply(201, { id: 1, user: { login: "github-actions[bot]" } });
    const { outputs, summary, runner } = await action({ event: pullRequestPayload({ number: 7, author: "alice", base, head }), eventName: "pull_request", inputs: { comment: "true", "board-file": "out/board.html", "fail-on": "never" } });
    const path = join(runner.dir, "out/board.html");
    expect(outputs["board-file"]).toBe(path);
    const m = boardModel(readFileSync(path, "utf8"));
    // The board shows the review's impact (one aggregated flow newly denied: its records and connections), on the
    // policy that denies it at head, and the change to the frontend policy.
    expect(outputs["newly-denied"]).toBe("1");
    expect(m.change.newlyDenied.records).toBeGreaterThan(0);
    expect(m.tiers.flatMap((t: any) => t.policies).reduce((n: number, p: any) => n + (p.newlyDenied?.flows ?? 0), 0)).toBe(m.change.newlyDenied.flows);
    expect(m.tiers.flatMap((t: any) => t.policies).find((p: any) => p.name === "frontend").change).toBe("changed");
    expect(m.totals.records).toBe(2823);
    const link = "📋 [Policy board](https://github.com/acme/policies/actions/runs/4242#artifacts): the `tierguard-board` artifact of this run";
    expect(comment).toContain(link);
    expect(summary).toContain(link);
  }, 30_000);

  test("without board-file, nothing is written and the comment has no board line", async () => {
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    nock(API).get(`${REPO}/pulls/7/reviews`).query(true).reply(200, []);
    const { outputs, summary } = await action({ event: pullRequestPayload({ number: 7, author: "alice", base, head }), eventName: "pull_request", inputs: { "fail-on": "never" } });
    expect(outputs["board-file"]).toBeUndefined();
    expect(summary).not.toContain("Policy board");
  }, 30_000);
});

describe("recommendations from the Action", () => {
  test("recommend: boutique writes the proven files into the workspace at tierguard.yaml's recommend.path, and no pull request", async () => {
    serveGitData(defaultBranch(nock(API), base), repo, OWNER, NAME, [base]);
    const { code, outputs, summary, runner } = await action({ event: DISPATCH, eventName: "workflow_dispatch", inputs: { recommend: "boutique" } });
    expect(code).toBe(EXIT.ok);
    expect(outputs["recommend-files"]).toBe("namespace-isolation/boutique-isolation.yaml");
    expect([outputs["recommend-dir"], outputs["recommend-namespaces"], outputs["recommend-newly-denied"]]).toEqual(["namespace-isolation", "boutique", "0"]);
    expect(outputs["recommend-pr"]).toBeUndefined();
    const yaml = readFileSync(join(runner.dir, "namespace-isolation/boutique-isolation.yaml"), "utf8");
    expect(yaml).toContain("kind: StagedNetworkPolicy");
    expect(summary).toContain(RECOMMENDATION_MARKER);
    expect(summary).toMatch(/it denies \*\*0\*\* flow records that are allowed today/);
  }, 30_000);

  test("a schedule run on tierguard.yaml's recommend.schedule opens the pull request on recommend.branch", async () => {
    const pulls: any[] = [];
    serveGitData(defaultBranch(nock(API), base, 2), repo, OWNER, NAME, [base]);
    nock(API)
      .post(`${REPO}/git/trees`).reply(201, { sha: "f".repeat(40) })
      .get(`${REPO}/git/ref/${encodeURIComponent("heads/tierguard/recommend")}`).reply(404, {})
      .post(`${REPO}/git/commits`).reply(201, { sha: "c".repeat(40) })
      .post(`${REPO}/git/refs`, { ref: "refs/heads/tierguard/recommend", sha: "c".repeat(40) }).reply(201, {})
      .get(`${REPO}/pulls`).query({ head: `${OWNER}:tierguard/recommend`, state: "open", per_page: "10" }).reply(200, [])
      .post(`${REPO}/pulls`, (b: any) => (pulls.push(b), true)).reply(201, { number: 9, html_url: "https://github.com/acme/policies/pull/9" });
    const { code, outputs, summary } = await action({ event: { ...DISPATCH, schedule: "0  6 * * 1" }, eventName: "schedule" });
    expect(code).toBe(EXIT.ok);
    expect([pulls[0].head, pulls[0].base]).toEqual(["tierguard/recommend", "main"]);
    expect(pulls[0].body).toContain("Asked by the schedule `0 6 * * 1` in tierguard.yaml.");
    expect([outputs["recommend-pr"], outputs["recommend-pr-number"]]).toEqual(["https://github.com/acme/policies/pull/9", "9"]);
    expect(outputs["recommend-namespaces"].split(" ")).toContain("boutique");
    expect(summary).toContain("> **tierguard Action:** Pull request #9 opened (branch tierguard/recommend): https://github.com/acme/policies/pull/9");
  }, 30_000);

  test("a schedule run on another cron recommends nothing, says why, and succeeds", async () => {
    serveGitData(defaultBranch(nock(API), base), repo, OWNER, NAME, [base]);
    const { code, out, outputs, runner } = await action({ event: { ...DISPATCH, schedule: "30 1 * * *" }, eventName: "schedule" });
    expect(code).toBe(EXIT.ok);
    expect(out.commands("notice")).toEqual(["tierguard: this scheduled run's cron (30 1 * * *) is not tierguard.yaml's recommend.schedule (0 6 * * 1); no recommendation"]);
    expect(outputs).toEqual({});
    expect(existsSync(join(runner.dir, "namespace-isolation"))).toBe(false);
  }, 30_000);

  test("a schedule run when tierguard.yaml has no recommend.schedule does nothing, and says so", async () => {
    serveGitData(defaultBranch(nock(API), unscheduled), repo, OWNER, NAME, [unscheduled]);
    const { code, out } = await action({ event: { ...DISPATCH, schedule: "0 6 * * 1" }, eventName: "schedule" });
    expect(code).toBe(EXIT.ok);
    expect(out.commands("notice")).toEqual(["tierguard: tierguard.yaml has no recommend.schedule, so this scheduled run recommends nothing (and, without the base and head inputs, reviews nothing)"]);
  });

  test.each([
    [{ recommend: "Shop_1" }, 'tierguard: recommend is "Shop_1"; give true, false, or namespaces ("Shop_1" is not a namespace name)'],
    [{ "recommend-pr": "maybe" }, 'tierguard: recommend-pr is "maybe"; use true or false'],
    [{ "board-file": "../board.html" }, 'tierguard: board-file is "../board.html"; give a path inside the workspace, relative to it'],
  ])("%j is a usage error", async (inputs, message) => {
    const { code, out } = await action({ event: DISPATCH, eventName: "workflow_dispatch", inputs });
    expect(code).toBe(EXIT.usage);
    expect(out.commands("error")).toEqual([message]);
  });
});
