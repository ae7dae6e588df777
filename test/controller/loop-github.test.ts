import { describe, expect, test } from "@jest/globals";
import nock from "nock";
import { SILENT_LOG } from "../../src/contracts/index.js";
import { ControllerLoop, type ActionResult, type ControllerActions } from "../../src/controller/loop.js";
import { ControllerMetrics } from "../../src/controller/metrics.js";
import { controllerGitHubApi } from "../../src/github/controller-client.js";
import { GitHubDeploymentFeed } from "../../src/github/deployment-feed.js";
import { API, fastOctokit, NAME, OWNER, recorder, REPO_PATH, useStrictNock } from "../helpers/probot-app.js";

/**
 * The loop with the real GitHub feed and Octokit against a strict nock GitHub (every request the poll makes is
 * mocked; an unexpected one fails the test): a lost webhook still converges, a restart skips what is done and
 * resumes what was cut, a bad payload is refused on GitHub.
 */
useStrictNock();
const repo = { owner: OWNER, repo: NAME };
const sha = (c: string) => c.repeat(40);
const TASKS = ["tierguard:promote", "tierguard:cleanup", "tierguard:stage"];

async function setup() {
  const api = await controllerGitHubApi({ auth: { kind: "token", token: "ghp_controllertoken000000000000000000" }, baseUrl: API, repo, log: SILENT_LOG, Octokit: fastOctokit() });
  const calls: Array<[string, unknown]> = [];
  const ok = (name: string) => async (o: unknown): Promise<ActionResult> => (calls.push([name, o]), { converged: true, summary: `${name} done` });
  const actions: ControllerActions = { promote: ok("promote"), stage: ok("stage"), cleanup: ok("cleanup"), syncDefaultBranch: ok("syncDefaultBranch") };
  const loop = new ControllerLoop({ environment: "production", feed: new GitHubDeploymentFeed({ api, repo }), actions, probeCluster: async () => {}, metrics: new ControllerMetrics(), log: SILENT_LOG, intervalMs: 60_000, resyncMs: 0, stallMs: 900_000 });
  return { loop, calls };
}

/** One poll's reads: the default branch at `head`, and the deployments listed per task. */
function poll(head: string, lists: Record<string, unknown[]> = {}): nock.Scope {
  const scope = nock(API).get(REPO_PATH).reply(200, { default_branch: "main" }).get(`${REPO_PATH}/branches/main`).reply(200, { commit: { sha: head } });
  for (const task of TASKS) scope.get(`${REPO_PATH}/deployments`).query({ environment: "production", task, per_page: "30" }).reply(200, lists[task] ?? []);
  return scope;
}

const deployment = (id: number, task: string, payload: unknown, ref = sha("b")) => ({ id, sha: ref, task, environment: "production", payload, created_at: "2026-01-01T00:00:00Z" });

describe("the loop against GitHub", () => {
  test("a merge whose webhook (and so its deployment) was lost is still promoted by the poll of the default branch", async () => {
    const { loop, calls } = await setup();
    poll(sha("1"));
    expect((await loop.tick()).fallback).toEqual({ ref: sha("1"), converged: true });
    // The merge of #12 lands on main; the App never heard of it, so no deployment exists.
    poll(sha("2"));
    expect((await loop.tick()).fallback).toEqual({ ref: sha("2"), converged: true });
    poll(sha("2"));
    expect(await loop.tick()).toEqual({ github: true, cluster: true, finished: [] });
    expect(calls).toEqual([
      ["syncDefaultBranch", { ref: sha("1"), branch: "main" }],
      ["syncDefaultBranch", { ref: sha("2"), branch: "main" }],
    ]);
  });

  test("after a restart: a deployment GitHub shows as done is skipped, one cut short runs again, and both polls agree", async () => {
    const { loop, calls } = await setup();
    const payload = { pull_request: 5, base_sha: sha("a"), head_sha: sha("b") };
    const posted = recorder();
    poll(sha("1"), { "tierguard:stage": [deployment(61, "tierguard:stage", payload), deployment(60, "tierguard:stage", { ...payload, pull_request: 4 })] })
      .get(`${REPO_PATH}/deployments/61/statuses`)
      .query({ per_page: "1" })
      .reply(200, [{ state: "in_progress" }])
      .get(`${REPO_PATH}/deployments/60/statuses`)
      .query({ per_page: "1" })
      .reply(200, [{ state: "success" }])
      .post(`${REPO_PATH}/deployments/61/statuses`, posted.take)
      .times(2)
      .reply(201, {});
    await loop.tick();
    expect(calls.filter(([n]) => n !== "syncDefaultBranch")).toEqual([["stage", { pull: 5, base: sha("a"), head: sha("b") }]]);
    expect(posted.bodies.map((b) => [b.state, b.description])).toEqual([
      ["in_progress", `staging #5 at ${sha("b").slice(0, 7)}`],
      ["success", "stage done"],
    ]);
    // The next poll: both deployments are known (61 handled, 60 terminal): no status is read, nothing runs.
    poll(sha("1"), { "tierguard:stage": [deployment(61, "tierguard:stage", payload), deployment(60, "tierguard:stage", payload)] });
    expect((await loop.tick()).finished).toEqual([]);
  });

  test("a deployment whose payload is not tierguard's is refused on GitHub, each bad field named", async () => {
    const { loop, calls } = await setup();
    const posted = recorder();
    poll(sha("1"), { "tierguard:cleanup": [deployment(70, "tierguard:cleanup", { pull_request: 3, base_sha: "HEAD~1", head_sha: sha("b") })] })
      .get(`${REPO_PATH}/deployments/70/statuses`)
      .query({ per_page: "1" })
      .reply(200, [])
      .post(`${REPO_PATH}/deployments/70/statuses`, posted.take)
      .reply(201, {});
    await loop.tick();
    expect(posted.bodies).toEqual([{ state: "failure", description: "bad deployment payload: base_sha must be a commit SHA", auto_inactive: false }]);
    expect(calls.map(([n]) => n)).toEqual(["syncDefaultBranch"]);
  });
});
