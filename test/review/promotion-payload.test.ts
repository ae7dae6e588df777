import { describe, expect, test } from "@jest/globals";
import { MAX_PLAN_PAYLOAD_CHARS, parseDeploymentPayload, promotionPayload, type PromotionPlan } from "../../src/run/promotion.js";

/** The promotion contract: what the App writes, the controller parses back, field by field. */
const plan: PromotionPlan = {
  enforce: [{ action: "update", kind: "NetworkPolicy", namespace: "boutique", name: "frontend", file: "application/frontend.yaml", tier: "application", replacesStaged: "StagedNetworkPolicy" }],
  stage: [],
  apply: [],
  delete: [],
  unchanged: 0,
};
const SHA = "a".repeat(40);

describe("the deployment payload", () => {
  test("what the App writes parses back unchanged, as an object and as its JSON text", () => {
    const payload = promotionPayload({ pull: 7, baseSha: SHA, headSha: SHA }, plan);
    expect(payload).toEqual({ pull_request: 7, base_sha: SHA, head_sha: SHA, plan });
    expect(parseDeploymentPayload(payload)).toEqual({ payload, problems: [] });
    expect(parseDeploymentPayload(JSON.stringify(payload))).toEqual({ payload, problems: [] });
  });

  test("a plan too large for the payload is cut and says how much was left out", () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...plan.enforce[0], name: `p${i}` }));
    const payload = promotionPayload({ pull: 7, baseSha: SHA, headSha: SHA }, { ...plan, enforce: many });
    expect(JSON.stringify(payload.plan).length).toBeLessThanOrEqual(MAX_PLAN_PAYLOAD_CHARS);
    expect(payload.omitted).toBe(2000 - payload.plan!.enforce.length);
    expect(parseDeploymentPayload(payload).problems).toEqual([]);
  });

  test.each([
    ["not an object", 42, [""]],
    ["not JSON", "{", [""]],
    ["a pull request that is not a number", { pull_request: "7", base_sha: SHA, head_sha: SHA }, ["pull_request"]],
    ["a SHA that is not one", { pull_request: 7, base_sha: "main", head_sha: SHA }, ["base_sha"]],
    ["a negative omitted count", { pull_request: 7, base_sha: SHA, head_sha: SHA, omitted: -1 }, ["omitted"]],
    ["a plan list that is not a list", { pull_request: 7, base_sha: SHA, head_sha: SHA, plan: { ...plan, stage: {} } }, ["plan.stage"]],
    ["an item with an unknown action and no name", { pull_request: 7, base_sha: SHA, head_sha: SHA, plan: { ...plan, delete: [{ action: "drop", kind: "Tier", file: "t.yaml" }] } }, ["plan.delete[0].action", "plan.delete[0].name"]],
  ])("%s: the problem names the field", (_, input, paths) => {
    const { payload, problems } = parseDeploymentPayload(input);
    expect(payload).toBeUndefined();
    expect(problems.map((p) => [p.code, p.path])).toEqual(paths.map((p) => ["promotion/bad-payload", p]));
  });
});
