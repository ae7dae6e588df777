import { describe, expect, test } from "@jest/globals";
import { parsePromotions } from "../../src/audit/promotions.js";
import { auditLine } from "../../src/controller/audit.js";
import type { PlannedChange } from "../../src/reconcile/index.js";

/** The controller's audit lines are what `tierguard log --promotions` reads: one contract, PromotionRecord. */
describe("the controller's audit lines", () => {
  const write = { verb: "update" as const, kind: "NetworkPolicy" as const, namespace: "shop", name: "web", reason: "enforce NetworkPolicy shop/web" };
  const change = { write } as unknown as PlannedChange;
  const ctx = (pullRequest?: number, author?: string) => ({ environment: "production", provenance: { commit: "0123456789abcdef0123456789abcdef01234567", time: "2026-12-03T12:00:00.000Z", ...(pullRequest ? { pullRequest } : {}), ...(author ? { author } : {}) } });

  test("a line with a pull request and an author parses as a record naming them and the object", () => {
    const line = JSON.stringify({ level: "info", ...auditLine(change, "Promoted", ctx(7, "alice")) });
    const { records, problems } = parsePromotions(line);
    expect(problems).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ commit: "0123456789abcdef0123456789abcdef01234567", environment: "production", outcome: "succeeded", pr: 7, author: "alice", kind: "NetworkPolicy", namespace: "shop", name: "web", verb: "update" })]);
  });

  test("a line with neither (a sync of the default branch) parses too", () => {
    const { records, problems } = parsePromotions(JSON.stringify(auditLine(change, "Promoted", ctx())));
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({ outcome: "succeeded", environment: "production" });
    expect(records[0].pr).toBeUndefined();
  });
});
