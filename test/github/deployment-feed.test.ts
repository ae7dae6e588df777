import { describe, expect, test } from "@jest/globals";
import nock from "nock";
import type { DeploymentFeed } from "../../src/controller/feed.js";
import { controllerGitHubApi } from "../../src/github/controller-client.js";
import { GitHubDeploymentFeed, GitHubFeedError } from "../../src/github/deployment-feed.js";
import { SILENT_LOG } from "../../src/contracts/index.js";
import { API, fastOctokit, INSTALLATION_ID, NAME, OWNER, privateKey, recorder, REPO_PATH, useStrictNock } from "../helpers/probot-app.js";

/**
 * The GitHub half of the controller: the deployment feed over the real Octokit (tierguard's, retries and throttling
 * on, waits shortened), against a strict nock GitHub; and the client's two ways to sign in.
 */
useStrictNock();
const repo = { owner: OWNER, repo: NAME };
const TOKEN = "ghp_controllertoken000000000000000000";
const sha = (c: string) => c.repeat(40);

async function tokenFeed(lookBack?: number): Promise<GitHubDeploymentFeed> {
  const api = await controllerGitHubApi({ auth: { kind: "token", token: TOKEN }, baseUrl: API, repo, log: SILENT_LOG, Octokit: fastOctokit() });
  return new GitHubDeploymentFeed({ api, repo, ...(lookBack ? { lookBack } : {}) });
}

const deployment = (id: number, task: string, o: { environment?: string; payload?: unknown } = {}) => ({
  id,
  sha: sha(String(id % 10)),
  task,
  environment: o.environment ?? "production",
  payload: o.payload ?? { pull_request: id, base_sha: sha("a"), head_sha: sha("b") },
  created_at: "2026-01-01T00:00:00Z",
});

function listed(scope: nock.Scope, task: string, rows: unknown[], lookBack = "30"): nock.Scope {
  return scope.get(`${REPO_PATH}/deployments`).query({ environment: "production", task, per_page: lookBack }).reply(200, rows);
}

function latest(scope: nock.Scope, id: number, state?: string): nock.Scope {
  return scope.get(`${REPO_PATH}/deployments/${id}/statuses`).query({ per_page: "1" }).reply(200, state ? [{ state }] : []);
}

describe("pending deployments", () => {
  test("the three tierguard tasks, newest first; terminal ones and those the loop knows left out, and a terminal status read once only", async () => {
    const feed: DeploymentFeed = await tokenFeed(5);
    const scope = nock(API).matchHeader("authorization", `token ${TOKEN}`);
    const first = () => {
      listed(scope, "tierguard:promote", [deployment(41, "tierguard:promote", { payload: JSON.stringify({ pull_request: 4 }) }), deployment(31, "tierguard:promote")], "5");
      listed(scope, "tierguard:cleanup", [deployment(40, "tierguard:cleanup")], "5");
      listed(scope, "tierguard:stage", [deployment(42, "tierguard:stage"), deployment(39, "tierguard:stage")], "5");
    };
    first();
    latest(scope, 41);
    latest(scope, 31, "success");
    latest(scope, 40, "in_progress");
    latest(scope, 39, "inactive");
    // 42 is known to the loop: its status is not even read.
    const pending = await feed.pending("production", new Set([42]));
    expect(pending.map((d) => [d.id, d.task])).toEqual([
      [41, "tierguard:promote"],
      [40, "tierguard:cleanup"],
    ]);
    expect(pending[0]).toEqual({ id: 41, sha: sha("1"), task: "tierguard:promote", environment: "production", payload: JSON.stringify({ pull_request: 4 }), createdAt: "2026-01-01T00:00:00Z" });
    expect(scope.isDone()).toBe(true);
    // The next poll: 31 and 39 were terminal (never read again); 41 and 40 are still pending.
    first();
    latest(scope, 41, "queued");
    latest(scope, 40, "failure");
    expect((await feed.pending("production", new Set([42]))).map((d) => d.id)).toEqual([41]);
  });

  test("another environment's or another tool's deployment is never returned, even if GitHub's filter let it through", async () => {
    const feed = await tokenFeed();
    const scope = nock(API);
    listed(scope, "tierguard:promote", [deployment(50, "tierguard:promote", { environment: "staging" }), deployment(51, "deploy")]);
    listed(scope, "tierguard:cleanup", []);
    listed(scope, "tierguard:stage", []);
    expect(await feed.pending("production", new Set())).toEqual([]);
  });
});

describe("statuses, the default branch, comparisons", () => {
  test("a status: its state, the description cut to GitHub's 140 characters, the log link, and never auto_inactive", async () => {
    const feed = await tokenFeed();
    const posted = recorder();
    nock(API).post(`${REPO_PATH}/deployments/7/statuses`, posted.take).reply(201, {}).post(`${REPO_PATH}/deployments/8/statuses`, posted.take).reply(201, {});
    await feed.post(7, { state: "failure", description: `failed: ${"x".repeat(200)}`, logUrl: "https://logs.example.com/tierguard" });
    await feed.post(8, { state: "in_progress", description: "staging #8" });
    expect(posted.bodies).toEqual([
      { state: "failure", description: `failed: ${"x".repeat(131)}…`, log_url: "https://logs.example.com/tierguard", auto_inactive: false },
      { state: "in_progress", description: "staging #8", auto_inactive: false },
    ]);
    expect(posted.bodies[0].description).toHaveLength(140);
  });

  test("the default branch and its head; how two commits relate", async () => {
    const feed = await tokenFeed();
    nock(API)
      .get(REPO_PATH)
      .reply(200, { default_branch: "trunk" })
      .get(`${REPO_PATH}/branches/trunk`)
      .reply(200, { name: "trunk", commit: { sha: sha("c") } })
      .get(`${REPO_PATH}/compare/${sha("a")}...${sha("c")}`)
      .query({ per_page: "1" })
      .reply(200, { status: "ahead", commits: [] });
    expect(await feed.defaultBranch()).toEqual({ name: "trunk", sha: sha("c") });
    expect(await feed.compare(sha("a"), sha("c"))).toBe("ahead");
  });

  test("GitHub's refusal becomes one GitHubFeedError line with the status and the route, with no credential in it", async () => {
    const feed = await tokenFeed();
    nock(API).get(REPO_PATH).reply(404, { message: `Not Found (token ${TOKEN})` });
    const e = await feed.defaultBranch().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitHubFeedError);
    expect((e as GitHubFeedError).status).toBe(404);
    expect((e as Error).message).toMatch(/^GET \/repos\/acme\/policies: GitHub answered 404: Not Found \(token \[REDACTED\]\)/);
  });
});

describe("signing in", () => {
  test("as the App's installation: an installation token minted with the App's key, used for the repository's routes", async () => {
    const api = await controllerGitHubApi({ auth: { kind: "app", appId: 1, privateKey: privateKey(), installationId: INSTALLATION_ID }, baseUrl: API, repo, log: SILENT_LOG, Octokit: fastOctokit() });
    nock(API)
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .matchHeader("authorization", /^bearer eyJ/)
      .reply(201, { token: "ghs_installationtoken0000000000000000", expires_at: "2099-01-01T00:00:00Z" })
      .get(REPO_PATH)
      .matchHeader("authorization", "token ghs_installationtoken0000000000000000")
      .reply(200, { default_branch: "main" })
      .get(`${REPO_PATH}/branches/main`)
      .matchHeader("authorization", "token ghs_installationtoken0000000000000000")
      .reply(200, { commit: { sha: sha("d") } });
    expect(await new GitHubDeploymentFeed({ api, repo }).defaultBranch()).toEqual({ name: "main", sha: sha("d") });
  });

  test("without an installation id, the installation on the repository is looked up with the App's JWT first", async () => {
    nock(API)
      .get(`${REPO_PATH}/installation`)
      .matchHeader("authorization", /^bearer eyJ/)
      .reply(200, { id: 77 })
      .post("/app/installations/77/access_tokens")
      .reply(201, { token: "ghs_othertoken00000000000000000000000", expires_at: "2099-01-01T00:00:00Z" })
      .get(REPO_PATH)
      .matchHeader("authorization", "token ghs_othertoken00000000000000000000000")
      .reply(200, { default_branch: "main" });
    const api = await controllerGitHubApi({ auth: { kind: "app", appId: 1, privateKey: privateKey() }, baseUrl: API, repo, log: SILENT_LOG, Octokit: fastOctokit() });
    expect((await api.request("GET /repos/{owner}/{repo}", repo)).data).toEqual({ default_branch: "main" });
  });
});
