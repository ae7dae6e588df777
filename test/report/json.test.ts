import { describe, expect, test } from "@jest/globals";
import { renderReviewJson, reviewJson } from "../../src/report/review/index.js";
import { errorsEverywhere, huge, HUGE_DENIED, noSnapshot } from "./fixtures.js";

describe("review JSON", () => {
  const out = reviewJson(errorsEverywhere);

  test("exactly findings, impact and connectivity at the top level, in that order; connectivity present and empty when nothing changes", () => {
    expect(Object.keys(out)).toEqual(["findings", "impact", "connectivity"]);
    expect(reviewJson(noSnapshot)).toEqual({ findings: [], impact: null, connectivity: { newlyReachable: [], newlyUnreachable: [] } });
  });

  test("each finding: code, severity, file, line, message first, then only the optional fields that are set", () => {
    expect(out.findings.map((f) => Object.keys(f))).toEqual([
      ["code", "severity", "file", "line", "message", "col", "path", "resource", "approvers"],
      ["code", "severity", "file", "line", "message", "col", "path", "resource"],
      ["code", "severity", "file", "line", "message", "endLine", "path", "resource", "details"],
      ["code", "severity", "file", "line", "message"],
      ["code", "severity", "file", "line", "message", "resource"],
      ["code", "severity", "file", "line", "message", "revision"],
      ["code", "severity", "file", "line", "message"],
      ["code", "severity", "file", "line", "message"],
    ]);
    expect(out.findings[0]).toEqual({
      code: "ownership/not-owner",
      severity: "error",
      file: "policies/web.yaml",
      line: 7,
      message: "NetworkPolicy shop/web (spec.tier changed from application to security) needs an owner of tier security; @mallory is not one. Approval from @acme/secops satisfies this.",
      col: 9,
      path: "spec.tier",
      resource: "NetworkPolicy shop/web",
      approvers: ["acme/secops"],
    });
  });

  test("impact: newly denied and newly allowed first, then the rest of the report, values unchanged", () => {
    const impact = out.impact!;
    expect(Object.keys(impact)).toEqual(["newlyDenied", "newlyAllowed", "pendingChanged", "zeroHitPolicies", "sources", "totals"]);
    expect(impact.newlyDenied).toEqual(errorsEverywhere.impact!.newlyDenied);
    expect(impact.newlyAllowed).toEqual(errorsEverywhere.impact!.newlyAllowed);
    expect(impact.pendingChanged).toEqual(errorsEverywhere.impact!.pendingChanged);
    expect(impact.totals).toEqual(errorsEverywhere.impact!.totals);
    expect(Object.keys(impact.newlyDenied[2])).toEqual(["src", "dst", "port", "protocol", "records", "flows", "bytes", "before", "after", "uncertain"]);
    expect(Object.keys(impact.newlyDenied[2].before)).toEqual(["verdict", "decidedBy", "tier", "direction"]);
    expect(Object.keys(impact.newlyDenied[0].after)).toEqual(["verdict", "decidedBy", "tier", "policy", "rule", "direction"]);
    expect(Object.keys(impact.totals)).toEqual(["records", "flows", "skippedLines", "problems", "unresolved", "uncertain"]);
    expect(Object.keys(impact.totals.unresolved.reasons)).toEqual(["pod not in inventory", "unknown IP"]);
  });

  test("every flow of the huge review, none capped", () => {
    expect(reviewJson(huge).impact!.newlyDenied.length).toBe(HUGE_DENIED);
  });

  test("the rendered text is the object, two-space indented, byte-stable", () => {
    const text = renderReviewJson(errorsEverywhere);
    expect(JSON.parse(text)).toEqual(out);
    expect(text.startsWith('{\n  "findings": [\n    {\n      "code": "ownership/not-owner",')).toBe(true);
    expect(renderReviewJson(errorsEverywhere)).toBe(text);
  });

  test("the review is not mutated or aliased", () => {
    const copy = reviewJson(errorsEverywhere);
    copy.findings[0].approvers!.push("x");
    copy.impact!.totals.problems.push("x");
    expect(errorsEverywhere.findings[1].approvers).toEqual(["acme/secops"]);
    expect(errorsEverywhere.impact!.totals.problems).toEqual(["line 7: not JSON"]);
  });
});
