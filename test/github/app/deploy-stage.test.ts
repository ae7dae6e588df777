import { describe, expect, test } from "@jest/globals";
import nock from "nock";
import { DEPLOYMENT_MARKER, renderDeploymentComment, STAGE_MARKER } from "../../../src/github/app/deployment-comment.js";
import { API, authMocks, BOT, CommentStore, example, REPO_PATH, testApp, useStrictNock } from "../../helpers/probot-app.js";

/**
 * The controller's stage statuses mirrored into the pull request: a comment of the preview's own (never the
 * promotion's), whose rows carry what the controller said: the other pull requests staging the same policy and
 * each staged deletion without live evidence on open-source Calico.
 */
useStrictNock();
const HEAD = "d".repeat(40);
const SAID = "#7: 2 preview write(s); boutique/checkoutservice also staged by #5 (one copy each); staged deletion of boutique/adservice: no live evidence";

function stageStatus(state: string) {
  const e = example("deployment_status", "created");
  Object.assign(e.deployment, { id: 700, sha: HEAD, task: "tierguard:stage", environment: "production", payload: { pull_request: 7, base_sha: "a".repeat(40), head_sha: HEAD } });
  Object.assign(e.deployment_status, { state, description: SAID, log_url: "", target_url: "" });
  return e;
}

describe("stage statuses", () => {
  test("are mirrored into the preview's own comment, naming the other pull requests and the staged deletions", async () => {
    const t = await testApp();
    const promotion = renderDeploymentComment({ task: "cleanup", sha: HEAD, rows: [{ environment: "production", id: 1, state: "success" }] });
    const comments = new CommentStore([{ id: 40, login: BOT, body: promotion }]);
    const scope = authMocks(nock(API)).get(`${REPO_PATH}/deployments`).query({ sha: HEAD, task: "tierguard:stage", per_page: "100" }).reply(200, [{ id: 700, environment: "production", payload: { pull_request: 7 } }]);
    comments.list(scope);
    comments.create(scope);
    await t.deliver("deployment_status", stageStatus("success"));
    const bodies = comments.bodies();
    expect(bodies).toEqual([promotion, renderDeploymentComment({ task: "stage", sha: HEAD, rows: [{ environment: "production", id: 700, state: "success", description: SAID }] })]);
    expect(bodies[1].startsWith(STAGE_MARKER)).toBe(true);
    // The status is the controller's text: rendered escaped (a "#5" in it is not turned into a link by GitHub).
    expect(bodies[1]).toContain("| `production` | 700 | ✅ success: \\#&#8203;7: 2 preview write(s); boutique/checkoutservice also staged by \\#&#8203;5 (one copy each); staged deletion of boutique/adservice: no live evidence |");
    expect(bodies[1]).toContain("A staged deletion (`stagedAction: Delete`) has no live evidence on open-source Calico");
    expect(bodies[1]).toContain("one staged copy per pull request");
    expect(bodies[0].startsWith(DEPLOYMENT_MARKER)).toBe(true);
    expect(t.logs.find((l) => l.msg === "ignoring the status of a deployment tierguard did not create")).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });
});
