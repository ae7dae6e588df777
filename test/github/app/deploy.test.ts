import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { budgetPlan } from "../../../src/run/promotion.js";
import { DEPLOYMENT_MARKER, renderDeploymentComment } from "../../../src/github/app/deployment-comment.js";
import type { PromotionPlan } from "../../../src/run/promotion.js";
import { edit, serveGitData, templateRepo } from "../../helpers/github-repo.js";
import { API, authMocks, BOT, CommentStore, example, NAME, OWNER, pullRequestEvent, recorder, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";

/**
 * Promotion on merge and clean-up on close, as GitHub Deployments for the controller, and the controller's
 * deployment statuses mirrored back into the pull request.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
const twoClusters = repo.commit("a staging cluster", (d) => edit(d, "tierguard.yaml", "  - name: prod\n    environment: production\n", "  - name: prod\n    environment: production\n  - name: stage\n    environment: staging\n"));
const onTwo = repo.commit("a new network set", (d) =>
  edit(d, "application/frontend.yaml", /^# Application policy/, "apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: partners, namespace: boutique }\nspec: { nets: [192.0.2.0/24] }\n---\n# Application policy"),
);
const docs = repo.commit("docs", (d) => edit(d, "README.md", /^/, "Edited.\n"));
afterAll(() => repo.cleanup());
const MERGE = "c".repeat(40);

const frontendPlan: PromotionPlan = {
  enforce: [{ action: "update", kind: "NetworkPolicy", namespace: "boutique", name: "frontend", file: "application/frontend.yaml", tier: "application", replacesStaged: "StagedNetworkPolicy" }],
  stage: [],
  apply: [],
  delete: [],
  unchanged: 0,
};

describe("on merge", () => {
  test("a Deployment per environment with the merge commit and the plan; the plan commented on the pull request", async () => {
    const t = await testApp();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const deployed = recorder();
    const comments = new CommentStore();
    const scope = authMocks(nock(API)).post(`${REPO_PATH}/deployments`, deployed.take).reply(201, { id: 555 });
    comments.list(scope);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("closed", { head, base, state: "closed", merged: true, mergeCommit: MERGE }));
    const payload = { pull_request: 7, base_sha: base, head_sha: head, plan: frontendPlan };
    expect(deployed.bodies).toEqual([
      { ref: MERGE, task: "tierguard:promote", environment: "production", description: "Promote #7: 1 policy becomes enforced", payload, auto_merge: false, required_contexts: [] },
    ]);
    expect(comments.bodies()).toEqual([renderDeploymentComment({ task: "promote", sha: MERGE, plan: frontendPlan, rows: [{ environment: "production", id: 555, state: "requested" }] })]);
    expect(comments.bodies()[0]).toContain("| `production` | 555 | ⏳ requested, waiting for the controller |");
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("one environment refusing does not stop the others; the comment says which failed and why", async () => {
    const t = await testApp();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [twoClusters, onTwo]);
    const deployed = recorder();
    const comments = new CommentStore();
    const scope = authMocks(nock(API))
      .post(`${REPO_PATH}/deployments`, deployed.take)
      .reply(201, { id: 560 })
      .post(`${REPO_PATH}/deployments`, deployed.take)
      .reply(422, { message: "Validation Failed", errors: [{ resource: "Deployment", code: "custom", message: "environment is protected" }] });
    comments.list(scope);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("closed", { head: onTwo, base: twoClusters, state: "closed", merged: true, mergeCommit: MERGE }));
    expect(deployed.bodies.map((b) => [b.environment, b.payload.plan.apply])).toEqual([
      ["production", [{ action: "create", kind: "NetworkSet", namespace: "boutique", name: "partners", file: "application/frontend.yaml" }]],
      ["staging", [{ action: "create", kind: "NetworkSet", namespace: "boutique", name: "partners", file: "application/frontend.yaml" }]],
    ]);
    expect(comments.bodies()[0]).toContain("| `production` | 560 | ⏳ requested, waiting for the controller |");
    expect(comments.bodies()[0]).toContain("| `staging` | — | ❌ not created: GitHub answered 422:");
    expect(t.logs.find((l) => l.msg === "could not create the deployment")).toMatchObject({ environment: "staging", err: { status: 422 } });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("a merge without policy changes deploys nothing, and the log says why", async () => {
    const t = await testApp();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [onTwo, docs]);
    const scope = authMocks(nock(API));
    await t.deliver("pull_request", pullRequestEvent("closed", { head: docs, base: onTwo, state: "closed", merged: true, mergeCommit: MERGE }));
    expect(t.logs.find((l) => l.msg === "merged without policy changes: no deployment")).toMatchObject({ pr: 7, sha: docs });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("the plan in the payload is cut to fit, and says how much was left out", () => {
    const item = (i: number) => ({ action: "create" as const, kind: "NetworkSet", namespace: "n", name: `set-${i}`, file: `sets/set-${i}.yaml` });
    const plan: PromotionPlan = { enforce: [], stage: [], apply: Array.from({ length: 2000 }, (_, i) => item(i)), delete: [item(9999)], unchanged: 3 };
    const cut = budgetPlan(plan, 60_000);
    expect(JSON.stringify(cut.plan).length).toBeLessThanOrEqual(60_000);
    expect(cut.plan.apply.length + cut.plan.delete.length + cut.omitted).toBe(2001);
    expect(cut.plan.apply.slice(0, 3)).toEqual(plan.apply.slice(0, 3));
    expect(budgetPlan(frontendPlan, 60_000)).toEqual({ plan: frontendPlan, omitted: 0 });
  });
});

describe("on close without merge", () => {
  test("a clean-up Deployment for the closed head, so the controllers remove what the pull request staged", async () => {
    const t = await testApp();
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const deployed = recorder();
    const comments = new CommentStore();
    const scope = authMocks(nock(API)).post(`${REPO_PATH}/deployments`, deployed.take).reply(201, { id: 570 });
    comments.list(scope);
    comments.create(scope);
    await t.deliver("pull_request", pullRequestEvent("closed", { head, base, state: "closed", merged: false }));
    expect(deployed.bodies).toEqual([
      { ref: head, task: "tierguard:cleanup", environment: "production", description: "Remove what #7 staged", payload: { pull_request: 7, base_sha: base, head_sha: head }, auto_merge: false, required_contexts: [] },
    ]);
    expect(comments.bodies()).toEqual([renderDeploymentComment({ task: "cleanup", sha: head, rows: [{ environment: "production", id: 570, state: "requested" }] })]);
    expect(scope.isDone() && git.isDone()).toBe(true);
  });
});

describe("deployment statuses", () => {
  function statusEvent(state: string, o: { id: number; environment: string; task?: string; payload?: unknown }) {
    const e = example("deployment_status", "created");
    Object.assign(e.deployment, { id: o.id, sha: MERGE, task: o.task ?? "tierguard:promote", environment: o.environment, payload: o.payload ?? { pull_request: 7, base_sha: base, head_sha: head, plan: frontendPlan } });
    Object.assign(e.deployment_status, { state, description: "promoted 1 policy", log_url: "https://ci.example.com/runs/1", target_url: "" });
    return e;
  }

  test("the controller's status is mirrored into the deployment comment, rebuilt from every environment's deployment", async () => {
    const t = await testApp();
    const before = renderDeploymentComment({ task: "promote", sha: MERGE, plan: frontendPlan, rows: [{ environment: "production", id: 555, state: "requested" }, { environment: "staging", id: 556, state: "requested" }] });
    const comments = new CommentStore([{ id: 40, login: BOT, body: before }]);
    const scope = authMocks(nock(API))
      .get(`${REPO_PATH}/deployments`)
      .query({ sha: MERGE, task: "tierguard:promote", per_page: "100" })
      .reply(200, [
        { id: 556, environment: "staging", payload: { pull_request: 7 } },
        { id: 555, environment: "production", payload: JSON.stringify({ pull_request: 7 }) },
        { id: 550, environment: "production", payload: { pull_request: 6 } },
      ])
      .get(`${REPO_PATH}/deployments/556/statuses`)
      .query({ per_page: "1" })
      .reply(200, [{ state: "in_progress", description: "applying", log_url: null, target_url: null }]);
    comments.list(scope);
    comments.update(scope);
    await t.deliver("deployment_status", statusEvent("success", { id: 555, environment: "production" }));
    expect(comments.bodies()).toEqual([
      renderDeploymentComment({
        task: "promote",
        sha: MERGE,
        plan: frontendPlan,
        rows: [
          { environment: "production", id: 555, state: "success", description: "promoted 1 policy", logUrl: "https://ci.example.com/runs/1" },
          { environment: "staging", id: 556, state: "in_progress", description: "applying" },
        ],
      }),
    ]);
    expect(comments.bodies()[0]).toContain("| `production` | 555 | ✅ success: promoted 1 policy ([log](https://ci.example.com/runs/1)) |");
    expect(comments.bodies()[0].startsWith(DEPLOYMENT_MARKER)).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  test("another tool's deployment is none of tierguard's business: no request at all", async () => {
    const t = await testApp();
    await t.deliver("deployment_status", statusEvent("success", { id: 600, environment: "github-pages", task: "deploy", payload: {} }));
    expect(t.logs.find((l) => l.msg === "ignoring the status of a deployment tierguard did not create")).toMatchObject({ task: "deploy", deployment: 600 });
  });
});
