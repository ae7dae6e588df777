import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { edit, serveGitData, templateRepo } from "../helpers/github-repo.js";
import { API, authMocks, NAME, OWNER, pullRequestEvent, recorder, REPO_PATH, testApp, useStrictNock } from "../helpers/probot-app.js";

/**
 * The third task of the promotion contract, on the App's side: a pull request opened, reopened or pushed asks the
 * controllers to stage its head (a `tierguard:stage` Deployment per environment of the base's tierguard.yaml), in a
 * background job the webhook does not wait for. The pull requests here are drafts, so no review runs and every
 * request below is the staging's own.
 */
useStrictNock();
const repo = templateRepo();
const base = repo.commit("base");
const head = repo.commit("drop the currency service", (d) =>
  edit(d, "application/frontend.yaml", /    - action: Allow\n      protocol: TCP\n      destination:\n        selector: app == 'currencyservice'\n        ports:\n          - 7000\n/, ""),
);
const docs = repo.commit("docs", (d) => edit(d, "README.md", /^/, "Edited.\n"));
afterAll(() => repo.cleanup());

describe("tierguard:stage deployments", () => {
  test.each(["opened", "synchronize", "reopened"])("on %s: one per environment, for the head, with the pull request's commits as payload", async (action) => {
    const t = await testApp({ stage: true });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    const deployed = recorder();
    const scope = authMocks(nock(API), { identity: false }).post(`${REPO_PATH}/deployments`, deployed.take).reply(201, { id: 900 });
    await t.deliver("pull_request", pullRequestEvent(action, { head, base, draft: true }));
    expect(deployed.bodies).toEqual([
      { ref: head, task: "tierguard:stage", environment: "production", description: `Stage #7 at ${head.slice(0, 7)}`, payload: { pull_request: 7, base_sha: base, head_sha: head }, auto_merge: false, required_contexts: [] },
    ]);
    expect(t.logs.find((l) => l.msg === "staging requested")).toMatchObject({ pr: 7, deployments: 1 });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("the webhook is answered before the deployment is created: the App does not wait for the staging", async () => {
    const t = await testApp({ stage: true });
    serveGitData(nock(API), repo, OWNER, NAME, [base, head]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let created = false;
    authMocks(nock(API), { identity: false })
      .post(`${REPO_PATH}/deployments`)
      .reply(async () => {
        await gate;
        created = true;
        return [201, { id: 901 }];
      });
    await t.probot.receive({ id: "stage-no-wait", name: "pull_request", payload: pullRequestEvent("opened", { head, base, draft: true }) } as never);
    expect(created).toBe(false);
    release();
    await t.app.idle();
    expect(created).toBe(true);
  });

  test("a pull request that touches no policy file stages nothing, and the log says so", async () => {
    const t = await testApp({ stage: true });
    const git = serveGitData(nock(API), repo, OWNER, NAME, [head, docs]);
    const scope = authMocks(nock(API), { identity: false });
    await t.deliver("pull_request", pullRequestEvent("synchronize", { head: docs, base: head, draft: true }));
    expect(t.logs.find((l) => l.msg === "no policy changes: nothing to stage")).toMatchObject({ pr: 7, sha: docs });
    expect(scope.isDone() && git.isDone()).toBe(true);
  });

  test("off unless asked for (the library's default): no request at all; an edit of the title stages nothing", async () => {
    const off = await testApp();
    await off.deliver("pull_request", pullRequestEvent("opened", { head, base, draft: true }));
    const on = await testApp({ stage: true });
    await on.deliver("pull_request", pullRequestEvent("edited", { head, base, draft: true }));
    expect(nock.pendingMocks()).toEqual([]);
  });
});
