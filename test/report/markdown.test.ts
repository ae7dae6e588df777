import { describe, expect, test } from "@jest/globals";
import { FOLD_LINES, REVIEW_MARKER, isTierguardComment, renderReviewComment, reviewCommentPart, serviceEdges } from "../../src/report/review/index.js";
import { section } from "../../src/report/review/sections.js";
import type { Review } from "../../src/review/types.js";
import { acknowledged, clean, errorsEverywhere, finding, huge, HUGE_FINDINGS, impact, noSnapshot, noticesOnly, review, token, warningsOnly } from "./fixtures.js";
import { cellCount, count, detailsProblems, fenceProblems, headings, tableProblems } from "./helpers.js";

const link = (file: string, line: number) => `https://github.com/acme/policies/blob/fedcba9/${file}#L${line}`;
const lines = (r: Review, options = {}) => renderReviewComment(r, options).trimEnd().split("\n");

describe("marker", () => {
  test.each([
    ["clean", clean],
    ["errors", errorsEverywhere],
    ["no snapshot", noSnapshot],
    ["huge", huge],
  ])("%s: the first line is the marker", (_, r) => {
    expect(lines(r)[0]).toBe("<!-- tierguard:review -->");
    expect(REVIEW_MARKER).toBe("<!-- tierguard:review -->");
    expect(isTierguardComment(renderReviewComment(r))).toBe(true);
  });

  test.each([
    ["<!-- tierguard:review -->\n### ✅", true, { part: 1, of: 1 }],
    ["<!-- tierguard:review -->", true, { part: 1, of: 1 }],
    ["<!-- tierguard:review -->\r\nbody", true, { part: 1, of: 1 }],
    ["<!-- tierguard:review part 2 of 3 -->\n_Part 2 of 3_", true, { part: 2, of: 3 }],
    ["<!-- tierguard:review -->\n### ❌\n\n_Part 1 of 3: continued in the next comment._\n\n<!-- tierguard:review part 1 of 3 -->", true, { part: 1, of: 3 }],
    ["> <!-- tierguard:review -->\n> quoted by someone", false, undefined],
    ["LGTM\n<!-- tierguard:review -->", false, undefined],
    ["<!-- tierguard:reviewer -->", false, undefined],
    ["<!-- renovate:review -->", false, undefined],
    ["", false, undefined],
  ])("%j: ours %s, part %j", (body, ours, part) => {
    expect(isTierguardComment(body)).toBe(ours);
    expect(reviewCommentPart(body)).toEqual(part);
  });
});

describe("verdict line", () => {
  test.each([
    ["clean", clean, "### ✅ 0 errors, 0 warnings · no replayed flow changes its verdict"],
    ["warnings only", warningsOnly, "### ⚠️ 0 errors, 1 warning · no replayed flow changes its verdict"],
    ["notices only", noticesOnly, "### ✅ 0 errors, 0 warnings · no replayed flow changes its verdict"],
    ["no snapshot", noSnapshot, "### ✅ 0 errors, 0 warnings · no flow snapshot replayed"],
    ["errors everywhere", errorsEverywhere, "### ❌ 4 errors, 3 warnings · 3 flows newly denied, 2 newly allowed"],
    ["acknowledged", acknowledged, "### ✅ 0 errors, 0 warnings · 1 flow newly denied (acknowledged), 0 newly allowed"],
    ["unacknowledged breakage", review({ impact: acknowledged.impact }), "### ⚠️ 0 errors, 0 warnings · 1 flow newly denied, 0 newly allowed"],
    ["huge", huge, "### ❌ 668 errors, 666 warnings · 5,000 flows newly denied, 300 newly allowed"],
  ])("%s", (_, r, expected) => {
    expect(lines(r)[1]).toBe(expected);
  });

  test("the second line names the revisions and neutralises the author's login", () => {
    expect(lines(errorsEverywhere)[2]).toBe("<sub>base `0123456` → head `fedcba9` · author @&#8203;mallory · tierguard.yaml from the base revision</sub>");
    expect(lines(review({ configSource: "default" }))[2]).toContain("default settings (no tierguard.yaml at base)");
  });
});

describe("summary table", () => {
  test("one row per area, then the replay", () => {
    const out = lines(errorsEverywhere);
    const start = out.indexOf("| Check | Result |");
    expect(out.slice(start, start + 10)).toEqual([
      "| Check | Result |",
      "| --- | --- |",
      "| Validation | ❌ 1 error, 1 warning |",
      "| Ownership | ❌ 1 error |",
      "| Guard rails | ❌ 1 error |",
      "| Policy tests | ❌ 1 error |",
      "| Lint | ⚠️ 1 warning |",
      "| Impact | ⚠️ 1 warning |",
      "| Configuration | ℹ️ 1 notice |",
      "| Flows replayed | 10,000 records (54,321 connections) from flows/snapshot.jsonl.gz: 3 newly denied, 2 newly allowed, 1 staged changes |",
    ]);
  });

  test("a clean review passes every area; no configuration row without configuration findings", () => {
    const out = lines(clean);
    expect(out.filter((l) => l.startsWith("| ") && !l.startsWith("| Check") && !l.startsWith("| ---"))).toEqual([
      "| Validation | ✅ passed |",
      "| Ownership | ✅ passed |",
      "| Guard rails | ✅ passed |",
      "| Policy tests | ✅ passed |",
      "| Lint | ✅ passed |",
      "| Impact | ✅ passed |",
      "| Flows replayed | 10,000 records (54,321 connections) from flows/snapshot.jsonl.gz: 0 newly denied, 0 newly allowed, 0 staged changes |",
    ]);
    expect(out).toContain("| Flows replayed | 10,000 records (54,321 connections) from flows/snapshot.jsonl.gz: 0 newly denied, 0 newly allowed, 0 staged changes |");
    expect(lines(noSnapshot)).toContain("| Flows replayed | not run: no flow snapshot |");
  });
});

describe("sections", () => {
  test("in the documented order", () => {
    expect(headings(renderReviewComment(errorsEverywhere))).toEqual([
      "Traffic this change would break",
      "Traffic this change would let through",
      "Service edges whose verdict changes",
      "Staged (pending) verdict changes",
      "Validation findings",
      "Ownership findings",
      "Guard rails findings",
      "Policy tests findings",
      "Lint findings",
      "Impact findings",
      "Configuration findings",
      "Changed resources",
      "Policies no flow hit",
      "Unresolved and uncertain",
      "Notes",
    ]);
  });

  test("a clean review has no sections, only the verdict, the table and the next step", () => {
    expect(headings(renderReviewComment(clean))).toEqual([]);
    const out = lines(clean);
    expect(out.slice(-2)).toEqual(["---", "**Next step:** Nothing to fix: merge when a reviewer approves."]);
  });

  test("the newly denied table: one row per flow, volume first, deciding tier/policy/rule before and after", () => {
    const out = lines(errorsEverywhere);
    const at = out.indexOf("#### Traffic this change would break");
    expect(out.slice(at, at + 8)).toEqual([
      "#### Traffic this change would break",
      "3 flows (1,247 connections, 4.8 MiB) allowed today would be denied. The busiest: shop/frontend → shop/cart:7070/TCP.",
      "",
      "| # | Flow | Connections | Bytes | Before | After |",
      "| ---: | --- | ---: | ---: | --- | --- |",
      "| 1 | shop/frontend → shop/cart:7070/TCP | 1,200 | 4.8 MiB | allow · tier application · NetworkPolicy shop/cart · rule 0 (ingress) | deny · tier security · GlobalNetworkPolicy deny-all · end of tier (ingress) |",
      "| 2 | shop/checkout → shop/payment:50051/TCP | 40 | 11.7 KiB | allow · tier application · NetworkPolicy shop/payment · rule 1 (ingress) | deny · tier security · GlobalNetworkPolicy deny-all · end of tier (ingress) |",
      "| 3 | @&#8203;everyone → \\<script\\>:53/TCP (uncertain) | 7 | 800 B | allow · tier default · namespace profile (ingress) | deny · tier security · GlobalNetworkPolicy a\\|b · rule 2 (ingress) |",
    ]);
  });

  test("acknowledged breakage says by whom", () => {
    expect(renderReviewComment(acknowledged)).toContain("1 flow (5 connections, 500 B) allowed today would be denied. The busiest: shop/a → shop/b:80/TCP. Acknowledged by @&#8203;bob.");
  });

  test("findings link to file:line with the link builder, and are plain text without one", () => {
    const withLinks = renderReviewComment(errorsEverywhere, { link });
    expect(withLinks).toContain(
      "- ❌ [policies/web.yaml:8](https://github.com/acme/policies/blob/fedcba9/policies/web.yaml#L8) `validation/selector-unterminated-string` selector has an unterminated string (NetworkPolicy shop/web, `spec.selector`)",
    );
    expect(renderReviewComment(errorsEverywhere)).toContain("- ❌ policies/web.yaml:8 `validation/selector-unterminated-string` selector has an unterminated string (NetworkPolicy shop/web, `spec.selector`)");
  });

  test("the link builder learns the revision; unsafe or odd URLs are dropped or encoded", () => {
    const seen: string[] = [];
    renderReviewComment(errorsEverywhere, { link: (f, l, rev) => (seen.push(`${f}:${l}:${rev}`), undefined) });
    expect(seen).toContain("policies/old.yaml:9:base");
    expect(seen).toContain("policies/web.yaml:8:head");
    expect(renderReviewComment(errorsEverywhere, { link: () => "javascript:alert(1)" })).not.toContain("javascript:");
    expect(renderReviewComment(errorsEverywhere, { link: () => "https://x.test/a (b)" })).toContain("](https://x.test/a%20%28b%29)");
  });

  test("finding details become sub-items, escaped", () => {
    const out = lines(errorsEverywhere);
    const at = out.findIndex((l) => l.includes("guardrail/shadowed-allow"));
    expect(out.slice(at + 1, at + 3)).toEqual(["  - security\\|gnp:deny-all\\|deny\\|-1", "  - see \\`kubectl\\` output"]);
  });

  test("base-revision findings are marked", () => {
    expect(renderReviewComment(errorsEverywhere)).toContain("`validation/removed-file` a removed policy still referenced (base revision)");
  });
});

describe("escaping user-controlled text", () => {
  const body = renderReviewComment(errorsEverywhere, { link });
  const nextStepLine = body.trimEnd().split("\n").pop()!;

  test("no mention is live except the approvers in the next step", () => {
    const live = [...body.matchAll(/@(?!&#8203;)[A-Za-z0-9][\w/-]*/g)].map((m) => m[0]);
    expect(live).toEqual(["@acme/secops"]);
    expect(nextStepLine).toContain("@acme/secops");
  });

  test("no raw HTML from names or messages", () => {
    expect(body).not.toMatch(/(?<![\\])<script/);
    expect(body).toContain("\\<script\\>alert(1)\\</script\\>");
    expect(body).toContain('n__script_["#lt;script#gt;"]');
  });

  test("a | in a message or a deciding rule does not add table cells", () => {
    const rows = body.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.length).toBe(6);
    for (const row of rows) expect(cellCount(row)).toBe(6);
    expect(body).toContain("rule allows what tier security denies \\| column \\| break");
  });

  test("backticks in messages cannot open a code span", () => {
    expect(body).toContain("unknown field \\`treshold\\`");
  });

  test("an approver that is not a login or team is escaped, not mentioned", () => {
    const r = review({ findings: [finding("ownership/not-owner", "error", "needs an owner", { resource: "NetworkPolicy a/b", approvers: ["<img src=x>", "good-team/secops"] })] });
    const last = lines(r).pop();
    expect(last).toBe("**Next step:** Ask \\<img src=x\\> or @good-team/secops to approve ownership of NetworkPolicy a/b.");
  });
});

describe("budget", () => {
  test(`a body of ${FOLD_LINES} lines stays open; one more line folds under the one-line summary`, () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `- item ${i}`);
    expect(section("T", "sum.", body(FOLD_LINES), "Show")).toEqual(["#### T", "sum.", "", ...body(FOLD_LINES)]);
    expect(section("T", "sum.", body(FOLD_LINES + 1), "Show <all>")).toEqual(["#### T", "sum.", "", "<details><summary>Show &lt;all&gt;</summary>", "", ...body(FOLD_LINES + 1), "", "</details>"]);
  });

  const hugeBody = renderReviewComment(huge, { link });
  const out = hugeBody.split("\n");

  test("long sections fold, with their summary outside", () => {
    const at = out.indexOf("#### Traffic this change would break");
    expect(out.slice(at, at + 4)).toEqual([
      "#### Traffic this change would break",
      "5,000 flows (12,502,500 connections, 17.5 GiB) allowed today would be denied. The busiest: ns0/client-0 → ns0/svc-0:8000/TCP.",
      "",
      "<details><summary>Show the 5,000 newly denied flows</summary>",
    ]);
    expect(detailsProblems(hugeBody)).toEqual([]);
    expect(fenceProblems(hugeBody)).toEqual([]);
    expect(tableProblems(hugeBody)).toEqual([]);
  });

  test("flow tables are capped at 50 rows, ranked by volume, and say how many are left out", () => {
    const at = out.indexOf("#### Traffic this change would break");
    const rows = out.slice(at).filter((l) => /^\| \d+ \|/.test(l));
    const denied = rows.slice(0, 50);
    expect(denied.map((r) => Number(r.split(" | ")[0].slice(2)))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const volumes = denied.map((r) => Number(r.split(" | ")[2].replace(/,/g, "")));
    expect(volumes).toEqual([...volumes].sort((a, b) => b - a));
    expect(hugeBody).toContain("_…and 4,950 more newly denied flows (");
    expect(renderReviewComment(huge, { maxFlowRows: 10 })).toContain("_…and 4,990 more newly denied flows (");
  });

  test("every finding is in the comment exactly once", () => {
    for (let i = 0; i < HUGE_FINDINGS; i++) expect(count(hugeBody, token(i))).toBe(1);
  });

  test("the Mermaid graph is capped and says how many edges were left out", () => {
    const total = serviceEdges(huge.impact!).length;
    expect(total).toBeGreaterThan(30);
    expect(hugeBody).toContain(`${total.toLocaleString("en-US")} service edges change verdict: red is newly denied, amber newly allowed. The 30 busiest are drawn; ${(total - 30).toLocaleString("en-US")} are left out.`);
    const start = out.indexOf("```mermaid");
    const graph = out.slice(start + 1, out.indexOf("```", start + 1));
    expect(graph[0]).toBe("graph LR");
    const edges = graph.filter((l) => l.includes("-->"));
    expect(edges.length).toBe(30);
    for (const e of edges) expect(e).toMatch(/^ {2}n_[A-Za-z0-9_]+ -->\|"(denied|allowed) · [^"]+"\| n_[A-Za-z0-9_]+$/);
    const styles = graph.filter((l) => l.includes("linkStyle"));
    const indexes = styles.flatMap((s) => s.trim().split(" ")[1].split(",").map(Number)).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const red = styles.find((s) => s.includes("#d73a49"))!.trim().split(" ")[1].split(",").map(Number);
    for (const i of red) expect(edges[i]).toContain('"denied ·');
  });

  test("graph node ids are unique per name even when names sanitise alike", () => {
    const r = review({
      impact: impact({
        newlyDenied: [
          { src: "a-b", dst: "a_b", port: 1, protocol: "tcp", records: 1, flows: 2, bytes: 1, before: { verdict: "allow", decidedBy: "x", tier: "t" }, after: { verdict: "deny", decidedBy: "y", tier: "t" } },
          { src: "a.b", dst: "end", port: 1, protocol: "tcp", records: 1, flows: 1, bytes: 1, before: { verdict: "allow", decidedBy: "x", tier: "t" }, after: { verdict: "deny", decidedBy: "y", tier: "t" } },
        ],
      }),
    });
    const graph = renderReviewComment(r).split("\n").filter((l) => /^ {2}n_\w+\[/.test(l));
    expect(graph).toEqual(['  n_a_b["a-b"]', '  n_a_b_2["a_b"]', '  n_a_b_3["a.b"]', '  n_end["end"]']);
  });
});

describe("next step", () => {
  test.each([
    ["clean", clean, "**Next step:** Nothing to fix: merge when a reviewer approves."],
    ["warnings only", warningsOnly, "**Next step:** Nothing blocks this change: check the 1 warning above, then merge when a reviewer approves."],
    ["acknowledged", acknowledged, "**Next step:** Nothing to fix: merge when a reviewer approves."],
    ["breakage only", review({ impact: acknowledged.impact }), "**Next step:** To accept the 1 newly denied flow, comment `/tierguard ack-impact`."],
    [
      "errors everywhere",
      errorsEverywhere,
      "**Next step:** Fix the 3 other errors above; ask @acme/secops to approve ownership of NetworkPolicy shop/web; to accept the 3 newly denied flows, comment `/tierguard ack-impact`.",
    ],
    ["huge", huge, "**Next step:** Fix the 668 errors above; to accept the 5,000 newly denied flows, comment `/tierguard ack-impact`."],
  ])("%s", (_, r, expected) => {
    const out = lines(r);
    expect(out[out.length - 1]).toBe(expected);
    expect(out[out.length - 2]).toBe("---");
  });
});
