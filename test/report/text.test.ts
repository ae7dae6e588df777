import { describe, expect, test } from "@jest/globals";
import { renderReviewText, summaryLine } from "../../src/report/review/index.js";
import { alignColumns } from "../../src/report/review/text.js";
import { acknowledged, clean, errorsEverywhere, finding, huge, noSnapshot, review, warningsOnly } from "./fixtures.js";

const ANSI = /\u001b\[/;

describe("terminal text", () => {
  const out = renderReviewText(errorsEverywhere).split("\n");

  test("findings as compiler-style lines, errors first", () => {
    expect(out.slice(0, 11)).toEqual([
      "policies/web.yaml:7:9: error [ownership/not-owner] NetworkPolicy shop/web (spec.tier changed from application to security) needs an owner of tier security; @mallory is not one. Approval from @acme/secops satisfies this. (spec.tier in NetworkPolicy shop/web)",
      "policies/web.yaml:8:13: error [validation/selector-unterminated-string] selector has an unterminated string (spec.selector in NetworkPolicy shop/web)",
      "policies/web.yaml:12:1: error [guardrail/shadowed-allow] rule allows what tier security denies | column | break (spec.ingress[0] in NetworkPolicy shop/web)",
      "    security|gnp:deny-all|deny|-1",
      "    see `kubectl` output",
      "tests/shop.yaml:4:1: error [test/expectation-failed] expected shop/web -> shop/db:5432 to be denied, but it is allowed",
      "policies/evil.yaml:1:1: warning [lint/no-order] policy <script>alert(1)</script> has no spec.order (NetworkPolicy shop/@everyone)",
      "policies/old.yaml:9:1: warning [validation/removed-file] a removed policy still referenced [base revision]",
      "policies/web.yaml:1:1: warning [impact/newly-denied] 3 flows allowed today would be denied",
      "tierguard.yaml:2:1: notice [config/unknown-field] tierguard.yaml: unknown field `treshold`",
      "",
    ]);
  });

  test("impact tables with aligned columns, numbers right-aligned", () => {
    const at = out.indexOf("Newly denied (traffic this change would break): 3 flows (1,247 connections, 4.8 MiB)");
    expect(at).toBeGreaterThan(0);
    const table = out.slice(at + 1, at + 5);
    expect(table[0]).toMatch(/^ {2}# {2}FLOW +CONNECTIONS +BYTES {2}BEFORE +AFTER$/);
    const end = table[0].indexOf("CONNECTIONS") + "CONNECTIONS".length;
    for (const row of table.slice(1)) expect(row.slice(end - 6, end).trim()).toMatch(/^[\d,]+$/);
    expect(table[1].slice(0, end)).toMatch(/ 1,200$/);
    const afterAt = table[0].indexOf("AFTER");
    for (const row of table.slice(1)) expect(row.slice(afterAt)).toMatch(/^(allow|deny) · /);
    expect(out).toContain("Newly allowed (traffic this change would let through): 2 flows (302 connections, 39.2 KiB)");
    expect(out).toContain("Staged (pending) verdict changes: 1 flow (10 connections, 1,000 B)");
  });

  test("alignColumns leaves no trailing spaces", () => {
    expect(alignColumns([["#", "NAME", "N"], ["10", "a", "1,000"]], [true, false, true])).toEqual([" #  NAME      N", "10  a     1,000"]);
  });

  test("then notes, the summary line and the next step", () => {
    expect(out.slice(-5, -1)).toEqual([
      "note: ownership is judged on spec.tier in both revisions",
      "",
      "FAIL: 4 errors, 3 warnings, 1 notice; 3 flows newly denied, 2 newly allowed, 1 pending (10,000 records replayed)",
      "Next step: Fix the 3 other errors above; ask @acme/secops to approve ownership of NetworkPolicy shop/web; to accept the 3 newly denied flows, comment `/tierguard ack-impact`.",
    ]);
    expect(out[out.length - 1]).toBe("");
  });

  test.each([
    ["clean", clean, "PASS: 0 errors, 0 warnings, 0 notices; 0 flows newly denied, 0 newly allowed, 0 pending (10,000 records replayed)"],
    ["warnings", warningsOnly, "ATTENTION: 0 errors, 1 warning, 0 notices; 0 flows newly denied, 0 newly allowed, 0 pending (10,000 records replayed)"],
    ["no snapshot", noSnapshot, "PASS: 0 errors, 0 warnings, 0 notices; no flow snapshot replayed"],
    ["acknowledged", acknowledged, "PASS: 0 errors, 0 warnings, 0 notices; 1 flow newly denied (acknowledged), 0 newly allowed, 0 pending (10,000 records replayed)"],
  ])("summary line: %s", (_, r, expected) => {
    expect(summaryLine(r)).toBe(expected);
  });

  test("no colour unless asked; with color: true, severities and the summary are coloured", () => {
    expect(renderReviewText(errorsEverywhere)).not.toMatch(ANSI);
    const coloured = renderReviewText(errorsEverywhere, { color: true });
    expect(coloured).toContain("\u001b[31merror\u001b[0m");
    expect(coloured).toContain("\u001b[33mwarning\u001b[0m");
    expect(coloured).toContain("\u001b[36mnotice\u001b[0m");
    expect(coloured).toContain("\u001b[1mFAIL: ");
  });

  test("escape sequences and newlines in input text cannot reach the terminal", () => {
    const r = review({ findings: [finding("lint/x", "warning", "evil \u001b[2J\u001b]0;title\u0007 text\nsecond line", { resource: "Kind a/\u009bb" })] });
    const text = renderReviewText(r);
    expect(text).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(text.split("\n")[0]).toBe("policies/app.yaml:3:1: warning [lint/x] evil [2J]0;title text second line (Kind a/b)");
  });

  test("flow rows can be capped", () => {
    const text = renderReviewText(huge, { maxFlowRows: 5 }).split("\n");
    const at = text.findIndex((l) => l.startsWith("Newly denied"));
    expect(text.slice(at + 7, at + 8)).toEqual(["  ... and 4,995 more flows"]);
    expect(renderReviewText(huge).split("\n").filter((l) => /^ +\d+ {2}ns\d+\/client/.test(l)).length).toBe(5000 + 300 + 120);
  });
});
