import { describe, expect, test } from "@jest/globals";
import {
  GITHUB_COMMENT_LIMIT,
  MIN_SPLIT_LIMIT,
  REVIEW_MARKER,
  reviewCommentPart,
  renderReviewComment,
  renderReviewCommentParts,
  splitComment,
  truncateMarkdown,
} from "../../src/report/review/index.js";
import { errorsEverywhere, huge, HUGE_FINDINGS, token } from "./fixtures.js";
import { contentLines, count, detailsProblems, fenceProblems, tableProblems } from "./helpers.js";

const link = (file: string, line: number) => `https://github.com/acme/policies/blob/fedcba9/${file}#L${line}`;

/** Every property a split must have, as a list of problems. */
function splitProblems(body: string, parts: string[], limit: number): string[] {
  const problems: string[] = [];
  const n = parts.length;
  parts.forEach((p, i) => {
    const at = `part ${i + 1}`;
    if (p.length > limit) problems.push(`${at}: ${p.length} > ${limit}`);
    problems.push(...fenceProblems(p).map((x) => `${at}: ${x}`), ...detailsProblems(p).map((x) => `${at}: ${x}`), ...tableProblems(p).map((x) => `${at}: ${x}`));
    const first = p.split("\n", 1)[0];
    if (i === 0 && first !== REVIEW_MARKER) problems.push(`${at} starts with ${first}`);
    if (i > 0 && first !== `<!-- tierguard:review part ${i + 1} of ${n} -->`) problems.push(`${at} starts with ${first}`);
    if (n > 1 && !p.includes(`Part ${i + 1} of ${n}`)) problems.push(`${at} is not numbered`);
    if (n > 1 && JSON.stringify(reviewCommentPart(p)) !== JSON.stringify({ part: i + 1, of: n })) problems.push(`${at}: reviewCommentPart`);
  });
  const nextStep = body.trimEnd().split("\n").pop()!;
  if (!parts[n - 1].trimEnd().endsWith(nextStep)) problems.push("the last part does not end with the next step");
  if (parts.slice(0, -1).some((p) => p.includes(nextStep))) problems.push("the next step is in an earlier part");
  const joined = contentLines(parts.join("\n"));
  const original = contentLines(body);
  if (joined.length !== original.length || joined.some((l, i) => l !== original[i])) {
    const i = joined.findIndex((l, k) => l !== original[k]);
    problems.push(`content differs at line ${i}: ${JSON.stringify(joined[i])} vs ${JSON.stringify(original[i])}`);
  }
  return problems;
}

describe("splitComment on the huge review", () => {
  const body = renderReviewComment(huge, { link });

  test.each([GITHUB_COMMENT_LIMIT, 20_000, 4_000, MIN_SPLIT_LIMIT])("limit %d: every part fits and is well formed; nothing lost or repeated", (limit) => {
    const parts = splitComment(body, limit);
    expect(parts.length).toBeGreaterThan(1);
    expect(splitProblems(body, parts, limit)).toEqual([]);
    const all = parts.join("\n");
    for (let i = 0; i < HUGE_FINDINGS; i++) expect(count(all, token(i))).toBe(1);
  });

  test("at GitHub's limit the parts are as few as the content allows", () => {
    const parts = splitComment(body);
    expect(GITHUB_COMMENT_LIMIT).toBe(65536);
    expect(parts.length).toBeLessThanOrEqual(Math.ceil(body.length / (GITHUB_COMMENT_LIMIT * 0.9)));
  });

  test("renderReviewCommentParts renders and splits in one call", () => {
    expect(renderReviewCommentParts(huge, { link })).toEqual(splitComment(body));
    expect(renderReviewCommentParts(errorsEverywhere)).toEqual([renderReviewComment(errorsEverywhere)]);
    expect(renderReviewCommentParts(huge, {}, 30_000).every((p) => p.length <= 30_000)).toBe(true);
  });

  test("a part is never cut inside the verdict or the summary table", () => {
    const first = splitComment(body)[0].split("\n");
    expect(first.slice(0, 3)[1]).toMatch(/^### ❌ /);
    expect(first).toContain("| Flows replayed | 10,000 records (54,321 connections) from flows/snapshot.jsonl.gz: 5,000 newly denied, 300 newly allowed, 120 staged changes |");
  });
});

describe("splitComment at the limit", () => {
  const body = renderReviewComment(errorsEverywhere, { link }).trimEnd();

  test.each([
    ["limit = length + 1", 1, 1],
    ["limit = length", 0, 1],
  ])("%s: one part, unchanged", (_, delta, parts) => {
    const out = splitComment(body, body.length + delta);
    expect(out.length).toBe(parts);
    expect(out[0]).toBe(body);
  });

  test("limit = length - 1: two parts, each within the limit, well formed", () => {
    const limit = body.length - 1;
    const parts = splitComment(body, limit);
    expect(parts.length).toBe(2);
    expect(splitProblems(body, parts, limit)).toEqual([]);
  });

  test("a limit too small for numbering and content is refused, but only when splitting is needed", () => {
    expect(() => splitComment("x".repeat(2000), MIN_SPLIT_LIMIT - 1)).toThrow(RangeError);
    expect(splitComment("short", 10)).toEqual(["short"]);
  });
});

describe("blocks larger than a part are closed and reopened", () => {
  const marker = "<!-- tierguard:review -->";
  const tail = "**Next step:** done.";

  test("a fence keeps its info string in every piece, introduced by (continued)", () => {
    const code = Array.from({ length: 400 }, (_, i) => `  n_${i} --> n_${i + 1}`);
    const body = [marker, "intro", "", "```mermaid", ...code, "```", "", tail].join("\n");
    const parts = splitComment(body, 2000);
    expect(splitProblems(body, parts, 2000)).toEqual([]);
    for (const p of parts.slice(1, -1)) {
      expect(p).toContain("_(continued)_\n\n```mermaid\n");
      expect(p).toContain("\n```\n");
    }
    expect(parts.join("\n").match(/^ {2}n_\d+ -->/gm)!.length).toBe(400);
  });

  test("a table repeats its header in every piece", () => {
    const rows = Array.from({ length: 300 }, (_, i) => `| ${i} | value ${i} with some text |`);
    const body = [marker, "| h1 | h2 |", "| --- | --- |", ...rows, "", tail].join("\n");
    const parts = splitComment(body, 2000);
    expect(splitProblems(body, parts, 2000)).toEqual([]);
    for (const p of parts.slice(0, -1)) expect(p).toContain("| h1 | h2 |\n| --- | --- |\n");
    for (let i = 0; i < 300; i++) expect(count(parts.join("\n"), `| ${i} | value ${i} `)).toBe(1);
  });

  test("a <details> reopens with its summary marked (continued), nested ones too", () => {
    const inner = Array.from({ length: 80 }, (_, i) => `- inner item ${i} with enough words to take room`);
    const outer = Array.from({ length: 40 }, (_, i) => `- outer item ${i} with enough words to take room`);
    const body = [marker, "#### Section", "summary.", "", "<details><summary>Show all</summary>", "", ...outer, "", "<details><summary>Show inner</summary>", "", ...inner, "", "</details>", "", "</details>", "", tail].join("\n");
    const parts = splitComment(body, 1500);
    expect(splitProblems(body, parts, 1500)).toEqual([]);
    expect(parts.slice(1, -1).every((p) => p.includes("<details><summary>Show all (continued)</summary>"))).toBe(true);
    expect(parts.some((p) => p.includes("<details><summary>Show inner (continued)</summary>"))).toBe(true);
    expect(parts.join("\n")).not.toContain("(continued) (continued)");
  });

  test("a block that fits in a part moves whole to the next part instead of being cut", () => {
    const table = (k: number) => ["| h1 | h2 |", "| --- | --- |", ...Array.from({ length: 20 }, (_, i) => `| t${k} | row ${i} |`)].join("\n");
    const body = [marker, ...Array.from({ length: 12 }, (_, k) => `${table(k)}\n`), tail].join("\n");
    const parts = splitComment(body, 1200);
    expect(splitProblems(body, parts, 1200)).toEqual([]);
    for (let k = 0; k < 12; k++) expect(parts.filter((p) => p.includes(`| t${k} |`)).length).toBe(1);
    expect(parts.join("\n")).not.toContain("_(continued)_");
  });

  test("only a single line longer than a part is cut mid-line, never inside a surrogate pair", () => {
    const line = "🚦".repeat(3000);
    const body = [marker, line, "", tail].join("\n");
    const parts = splitComment(body, 1500);
    expect(parts.every((p) => p.length <= 1500)).toBe(true);
    const pieces = parts.map((p) => p.split("\n").filter((l) => l.startsWith("🚦")).join("")).join("");
    expect(pieces).toBe(line);
    for (const p of parts) expect(p).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  test("without a marker the parts are numbered but not marked", () => {
    const body = Array.from({ length: 200 }, (_, i) => `line ${i} of plain text`).join("\n\n");
    const parts = splitComment(body, 1100);
    expect(parts[0].startsWith("line 0")).toBe(true);
    expect(parts[1].startsWith(`_Part 2 of ${parts.length}, continued from the previous comment._`)).toBe(true);
  });
});

describe("truncateMarkdown", () => {
  const body = renderReviewComment(huge).trimEnd();
  const note = "_Truncated._";

  test.each([65535, 10_000, 3_000])("limit %d: fits, keeps the head, the note and the tail, stays well formed", (limit) => {
    const out = truncateMarkdown(body, limit, { note });
    expect(out.length).toBeLessThanOrEqual(limit);
    expect(out.startsWith(body.slice(0, 200))).toBe(true);
    expect(out.endsWith(`${note}\n\n---\n**Next step:** Fix the 668 errors above; to accept the 5,000 newly denied flows, comment \`/tierguard ack-impact\`.`)).toBe(true);
    expect(detailsProblems(out)).toEqual([]);
    expect(fenceProblems(out)).toEqual([]);
    expect(tableProblems(out)).toEqual([]);
  });

  test("a body within the limit is unchanged", () => {
    expect(truncateMarkdown("a\n\nb", 10, { note })).toBe("a\n\nb");
  });

  test("keepTail: false ends with the note", () => {
    const out = truncateMarkdown(body, 5_000, { note, keepTail: false });
    expect(out.length).toBeLessThanOrEqual(5_000);
    expect(out.endsWith(`\n\n${note}`)).toBe(true);
    expect(out).not.toContain("**Next step:**");
  });
});
