import { describe, expect, it } from "@jest/globals";
import { defaultConfig } from "../../src/review/config.js";
import { selectReviewFiles } from "../../src/review/select-files.js";

const entry = (path: string, size = 100) => ({ path, size });

describe("selectReviewFiles", () => {
  it("picks policy files and YAML policy tests of each revision, leaving out the configuration file", () => {
    const config = { ...defaultConfig(), tests: ["tests"] };
    const base = [entry("tierguard.yaml"), entry("tiers/app.yaml"), entry("tests/allow.yaml"), entry("tests/notes.md")];
    const head = [entry("tiers/app.yaml"), entry("tiers/new.yml"), entry("tests/allow.yaml")];
    const sel = selectReviewFiles(config, base, head, 1000);
    expect(sel.basePolicies.map((e) => e.path)).toEqual(["tiers/app.yaml"]);
    expect(sel.headPolicies.map((e) => e.path)).toEqual(["tiers/app.yaml", "tiers/new.yml"]);
    expect(sel.baseTests.map((e) => e.path)).toEqual(["tests/allow.yaml"]);
    expect(sel.headTests.map((e) => e.path)).toEqual(["tests/allow.yaml"]);
    expect(sel.skipped).toEqual([]);
  });

  it("never treats a configuration file at a custom path as a policy file", () => {
    const sel = selectReviewFiles(defaultConfig(), [entry("ci/guard.yaml")], [entry("ci/guard.yaml")], 1000, "ci/guard.yaml");
    expect(sel.basePolicies).toEqual([]);
    expect(sel.headPolicies).toEqual([]);
  });

  it("skips a matching file over the size limit with a file-too-large error naming the file and revision", () => {
    const sel = selectReviewFiles(defaultConfig(), [entry("tiers/app.yaml", 10)], [entry("tiers/app.yaml", 5000)], 1000);
    expect(sel.basePolicies.map((e) => e.path)).toEqual(["tiers/app.yaml"]);
    expect(sel.headPolicies).toEqual([]);
    expect(sel.skipped).toEqual([
      expect.objectContaining({ code: "validation/file-too-large", severity: "error", file: "tiers/app.yaml", line: 1, revision: "head" }),
    ]);
    expect(sel.skipped[0].message).toContain("5000 bytes; the limit is 1000");
  });
});
