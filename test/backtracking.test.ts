import { describe, expect, test } from "@jest/globals";
import { parseCommand } from "../src/github/app/commands.js";
import { md } from "../src/report/review/escape.js";
import { splitComment } from "../src/report/review/split.js";
import { parseConfig } from "../src/review/config.js";
import { within } from "./helpers/bounded.js";

/**
 * Issue 9: regular expressions outside the policy core that see user input (PR comments, tierguard.yaml values,
 * text rendered into the PR comment) and backtracked quadratically on a long run of one character. Each input here
 * took from several seconds to minutes with the old expression; `within` stops it after 3 s, far above the linear
 * cost.
 */
describe("no quadratic backtracking on user input", () => {
  test("markdown escaping keeps a 100,000-space run and still joins lines", () => {
    const spaces = " ".repeat(100_000);
    expect(within(3_000, () => md(`a${spaces}b`))).toBe(`a${spaces}b`);
    expect(md("a \n\t b\r\nc")).toBe("a b c");
  });

  test("a table row after 100,000 spaces is split, not stuck in the delimiter check", () => {
    const body = `| a |\n${" ".repeat(100_000)}| x |\n| b |\n`;
    const parts = within(3_000, () => splitComment(body));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(65_536);
  });

  test("tierguard.yaml paths: a run of 100,000 slashes inside a path, and trailing slashes trimmed", () => {
    const long = `a${"/".repeat(100_000)}b`;
    expect(within(3_000, () => parseConfig(`policies: ["${long}", "./dir///", "./"]\n`)).config.policies).toEqual([long, "dir", ""]);
  });

  test("a /tierguard comment with 60,000 spaces before a line separator is answered at once", () => {
    expect(within(3_000, () => parseCommand(`/tierguard${" ".repeat(60_000)}x\u2028y`))).toEqual({ kind: "invalid", reason: "unknown command `x`" });
  });

  test("an explain command with 60,000 spaces inside its source is rejected at once", () => {
    expect(within(3_000, () => parseCommand(`/tierguard explain a${" ".repeat(60_000)}x -> b/c:80`))).toEqual({
      kind: "invalid",
      reason: "explain needs `<from> -> <to>:<port>`, with the destination's port",
    });
  });
});
