import { describe, expect, test } from "@jest/globals";
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_TEXT_LIMIT,
  CHECK_RUN_TITLE_LIMIT,
  annotationBatches,
  checkRunAnnotations,
  checkRunOutput,
  verdictText,
} from "../../src/report/review/index.js";
import { truncateBytes, truncateChars } from "../../src/report/review/check-run.js";
import { acknowledged, clean, errorsEverywhere, finding, huge, HUGE_FINDINGS, noSnapshot, noticesOnly, review, warningsOnly } from "./fixtures.js";
import { detailsProblems, fenceProblems, tableProblems } from "./helpers.js";

describe("conclusion and title", () => {
  test.each([
    ["clean", "success", clean],
    ["warnings only", "neutral", warningsOnly],
    ["notices only", "success", noticesOnly],
    ["no snapshot", "success", noSnapshot],
    ["acknowledged breakage", "success", acknowledged],
    ["errors everywhere", "failure", errorsEverywhere],
    ["huge", "failure", huge],
  ])("%s: %s", (_, conclusion, r) => {
    const out = checkRunOutput(r);
    expect(out.conclusion).toBe(conclusion);
    expect(out.title).toBe(verdictText(r));
    expect(out.title.length).toBeLessThanOrEqual(CHECK_RUN_TITLE_LIMIT);
    expect(out.summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
    expect((out.text ?? "").length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
  });

  test("titles are cut to 255 characters, never inside a surrogate pair", () => {
    expect(truncateChars("a".repeat(300), 255)).toBe(`${"a".repeat(254)}…`);
    expect(truncateChars("a".repeat(255), 255)).toBe("a".repeat(255));
    const emoji = "a" + "🚦".repeat(200);
    const cut = truncateChars(emoji, 255);
    expect(cut.length).toBeLessThanOrEqual(255);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe("summary and text", () => {
  test("the summary is the verdict, the table and the traffic; findings go to the text", () => {
    const out = checkRunOutput(errorsEverywhere);
    expect(out.summary.split("\n")[0]).toBe("### ❌ 4 errors, 3 warnings · 3 flows newly denied, 2 newly allowed");
    expect(out.summary).not.toContain("<!-- tierguard:review");
    expect(out.summary).toContain("#### Traffic this change would break");
    expect(out.summary).not.toContain("#### Validation findings");
    expect(out.summary.trimEnd().split("\n").pop()).toMatch(/^\*\*Next step:\*\* Fix the 3 other errors above;/);
    expect(out.text).toContain("#### Validation findings");
    expect(out.text).toContain("#### Changed resources");
  });

  test("a clean review has no text", () => {
    expect(checkRunOutput(clean).text).toBeUndefined();
  });

  test("the huge review fits both fields, well formed, keeping the next step and saying what was left out", () => {
    const out = checkRunOutput(huge);
    for (const field of [out.summary, out.text!]) {
      expect(field.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_LIMIT);
      expect(detailsProblems(field)).toEqual([]);
      expect(fenceProblems(field)).toEqual([]);
      expect(tableProblems(field)).toEqual([]);
    }
    expect(out.summary.trimEnd().endsWith("to accept the 5,000 newly denied flows, comment `/tierguard ack-impact`.")).toBe(true);
    expect(out.text!.endsWith("\n\n_The rest does not fit in GitHub's 65,535-character limit for a check run; the review's JSON output has all of it._")).toBe(true);
  });
});

describe("annotations", () => {
  const annotations = checkRunAnnotations(errorsEverywhere.findings);

  test("one per head-revision finding, errors first, levels mapped", () => {
    expect(annotations.map((a) => [a.path, a.start_line, a.annotation_level])).toEqual([
      ["policies/web.yaml", 7, "failure"],
      ["policies/web.yaml", 8, "failure"],
      ["policies/web.yaml", 12, "failure"],
      ["tests/shop.yaml", 4, "failure"],
      ["policies/evil.yaml", 1, "warning"],
      ["policies/web.yaml", 1, "warning"],
      ["tierguard.yaml", 2, "notice"],
    ]);
    expect(annotations.some((a) => a.path === "policies/old.yaml")).toBe(false);
  });

  test("fields of a single-line finding with a column", () => {
    expect(annotations[1]).toEqual({
      path: "policies/web.yaml",
      start_line: 8,
      end_line: 8,
      start_column: 13,
      end_column: 13,
      annotation_level: "failure",
      message: "selector has an unterminated string",
      title: "validation/selector-unterminated-string in NetworkPolicy shop/web at spec.selector",
    });
  });

  test("a multi-line finding has no columns; details go to raw_details; approvers to the message", () => {
    expect(annotations[2]).toEqual({
      path: "policies/web.yaml",
      start_line: 12,
      end_line: 15,
      annotation_level: "failure",
      message: "rule allows what tier security denies | column | break",
      title: "guardrail/shadowed-allow in NetworkPolicy shop/web at spec.ingress[0]",
      raw_details: "security|gnp:deny-all|deny|-1\nsee `kubectl` output",
    });
    expect(annotations[0].message.endsWith("\nApprovers: acme/secops")).toBe(true);
  });

  test("lines below 1 are raised to 1; an end before the start is the start", () => {
    const [a] = checkRunAnnotations([finding("lint/x", "notice", "m", { line: 0, endLine: -3 })]);
    expect([a.start_line, a.end_line]).toEqual([1, 1]);
  });

  test("messages and titles stay within GitHub's limits", () => {
    const [a] = checkRunAnnotations([finding("lint/x", "warning", "é".repeat(40_000), { resource: "r".repeat(400) })]);
    expect(new TextEncoder().encode(a.message).length).toBeLessThanOrEqual(64 * 1024);
    expect(a.message.endsWith("…")).toBe(true);
    expect(a.title.length).toBe(255);
    expect(truncateBytes("ab🚦", 5)).toBe("ab…");
    expect(truncateBytes("ab🚦", 6)).toBe("ab🚦");
  });
});

describe("annotationBatches", () => {
  test("the huge review's annotations go in batches of 50, in order, nothing lost", () => {
    const all = checkRunOutput(huge).annotations;
    expect(all.length).toBe(HUGE_FINDINGS);
    const batches = annotationBatches(all, 50);
    expect(batches.length).toBe(40);
    expect(batches.every((b) => b.length === ANNOTATIONS_PER_REQUEST)).toBe(true);
    expect(batches.flat()).toEqual(all);
  });

  test.each([
    [0, 50, []],
    [1, 50, [1]],
    [50, 50, [50]],
    [51, 50, [50, 1]],
    [101, 50, [50, 50, 1]],
    [7, 3, [3, 3, 1]],
  ])("%d annotations in batches of %d: sizes %j", (n, size, sizes) => {
    expect(annotationBatches(Array.from({ length: n }, (_, i) => i), size).map((b) => b.length)).toEqual(sizes);
  });

  test("the default batch is GitHub's 50; more than 50 or less than 1 is refused", () => {
    expect(annotationBatches(Array.from({ length: 120 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(() => annotationBatches([1], 51)).toThrow(RangeError);
    expect(() => annotationBatches([1], 0)).toThrow(RangeError);
    expect(() => annotationBatches([1], 2.5)).toThrow(RangeError);
  });

  test("no review renders an action_required conclusion", () => {
    const conclusions = [clean, warningsOnly, errorsEverywhere, review({ findings: [finding("impact/x", "error", "m")] })].map((r) => checkRunOutput(r).conclusion);
    expect(conclusions).toEqual(["success", "neutral", "failure", "failure"]);
  });
});
