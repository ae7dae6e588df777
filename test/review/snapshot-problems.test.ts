import { describe, expect, test } from "@jest/globals";
import { parseConfig } from "../../src/review/config.js";
import { snapshotFindings, snapshotProblemOf } from "../../src/review/snapshot-problems.js";

describe("snapshot problems", () => {
  test.each([
    [{ records: 120, stopped: { kind: "incomplete" as const, line: 121, cause: "the gzip stream is truncated or corrupt" } }, "incomplete", "reading stopped at line 121: the gzip stream is truncated or corrupt; only the 120 records before it were replayed"],
    [{ records: 0, stopped: { kind: "unavailable" as const, line: 0, cause: "permission denied" } }, "unavailable", "permission denied"],
    [{ records: 0 }, "empty", "it was read to the end but holds no flow record that could be replayed (every line is blank or unreadable)"],
  ])("%j is %s", (read, kind, reason) => {
    expect(snapshotProblemOf("flows/s.jsonl.gz", read)).toEqual({ source: "flows/s.jsonl.gz", kind, reason });
  });

  test("a snapshot read whole with records is no problem", () => {
    expect(snapshotProblemOf("flows/s.jsonl.gz", { records: 1 })).toBeUndefined();
  });

  test("each problem is a finding at the configured severity, on the base revision (never a check-run annotation)", () => {
    const problems = [
      { source: "https://example.com/s.gz", kind: "unavailable" as const, reason: "HTTP 404" },
      { source: "flows/s.jsonl.gz", kind: "empty" as const, reason: "no record" },
    ];
    const errors = snapshotFindings(problems, "error");
    expect(errors.map((f) => [f.code, f.severity, f.file, f.line, f.revision])).toEqual([
      ["impact/snapshot-unavailable", "error", "https://example.com/s.gz", 1, "base"],
      ["impact/snapshot-empty", "error", "flows/s.jsonl.gz", 1, "base"],
    ]);
    expect(errors[0].message).toBe(
      "The flow snapshot https://example.com/s.gz could not be read (HTTP 404), so the impact on production traffic was not fully replayed: " +
        "flows this change breaks may be missing from this review. Fix or replace the snapshot (tierguard.yaml `flows`), " +
        "or set `impact.snapshotProblems: warning` in tierguard.yaml to accept a partial replay.",
    );
    expect(snapshotFindings(problems, "warning").map((f) => f.severity)).toEqual(["warning", "warning"]);
  });
});

describe("tierguard.yaml impact.snapshotProblems", () => {
  test("defaults to error; warning is accepted", () => {
    expect(parseConfig("flows: a.gz\n").config.impact.snapshotProblems).toBe("error");
    const { config, findings } = parseConfig("impact:\n  snapshotProblems: warning\n");
    expect(findings).toEqual([]);
    expect(config.impact.snapshotProblems).toBe("warning");
  });

  test.each(["notice", "off", "ignore"])("%s is refused with its position (a snapshot problem may not be silenced)", (value) => {
    const { findings } = parseConfig(`impact:\n  newlyDenied: error\n  snapshotProblems: ${value}\n`);
    expect(findings.map((f) => [f.code, f.path, f.line, f.col])).toEqual([["config/invalid-value", "impact.snapshotProblems", 3, 21]]);
  });
});
