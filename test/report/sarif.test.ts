import { describe, expect, test } from "@jest/globals";
import type { Log, Result } from "sarif";
import { SARIF_MAX_RESULTS, SARIF_SCHEMA, TIERGUARD_URI, renderReviewSarif, reviewSarif } from "../../src/report/review/index.js";
import type { Review } from "../../src/review/types.js";
import { clean, errorsEverywhere, finding, huge, HUGE_FINDINGS, review } from "./fixtures.js";

/**
 * No SARIF JSON schema is available offline, so the structure GitHub code scanning needs is checked field by field:
 * a list of problems, empty for a valid log.
 */
function structureProblems(log: Log): string[] {
  const problems: string[] = [];
  if (log.version !== "2.1.0") problems.push(`version ${log.version}`);
  if (typeof log.$schema !== "string" || !/^https:\/\/.+sarif.*2\.1\.0.*\.json$/.test(log.$schema)) problems.push(`$schema ${log.$schema}`);
  if (log.runs.length !== 1) problems.push(`${log.runs.length} runs`);
  const run = log.runs[0];
  const driver = run.tool.driver;
  if (driver.name !== "tierguard") problems.push(`driver ${driver.name}`);
  if (!driver.informationUri || !/^https:\/\//.test(driver.informationUri)) problems.push("informationUri");
  const rules = driver.rules ?? [];
  const ids = rules.map((r) => r.id);
  if (new Set(ids).size !== ids.length) problems.push("duplicate rule ids");
  for (const r of rules) {
    if (!r.shortDescription?.text) problems.push(`rule ${r.id}: no shortDescription`);
    if (!r.help?.text) problems.push(`rule ${r.id}: no help`);
    if (!["error", "warning", "note"].includes(r.defaultConfiguration?.level ?? "")) problems.push(`rule ${r.id}: level ${r.defaultConfiguration?.level}`);
  }
  (run.results ?? []).forEach((res: Result, i) => {
    const at = `result ${i}`;
    if (!res.ruleId || !ids.includes(res.ruleId)) problems.push(`${at}: ruleId ${res.ruleId}`);
    if (res.ruleIndex === undefined || ids[res.ruleIndex] !== res.ruleId) problems.push(`${at}: ruleIndex ${res.ruleIndex}`);
    if (!["error", "warning", "note"].includes(res.level ?? "")) problems.push(`${at}: level ${res.level}`);
    if (!res.message.text) problems.push(`${at}: no message`);
    const loc = res.locations?.[0]?.physicalLocation;
    const uri = loc?.artifactLocation?.uri;
    if (!uri || uri.startsWith("/") || uri.includes("\\") || /^[a-z]+:/i.test(uri)) problems.push(`${at}: uri ${uri}`);
    if (!loc?.region?.startLine || loc.region.startLine < 1) problems.push(`${at}: startLine ${loc?.region?.startLine}`);
    if (loc?.region?.endLine !== undefined && loc.region.endLine < loc.region.startLine!) problems.push(`${at}: endLine before startLine`);
    if (!res.partialFingerprints || Object.values(res.partialFingerprints).some((v) => typeof v !== "string" || v === "")) problems.push(`${at}: fingerprints`);
  });
  return problems;
}

const opts = { toolVersion: "0.1.0" };

describe("SARIF structure", () => {
  test.each([
    ["clean", clean],
    ["errors everywhere", errorsEverywhere],
    ["huge", huge],
  ])("%s: required structure", (_, r) => {
    const log = reviewSarif(r, opts);
    expect(structureProblems(log)).toEqual([]);
    expect(log.runs[0].results!.length).toBe(r.findings.length);
  });

  test("the run header", () => {
    const log = reviewSarif(errorsEverywhere, { toolVersion: "1.2.3" });
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].tool.driver.name).toBe("tierguard");
    expect(log.runs[0].tool.driver.semanticVersion).toBe("1.2.3");
    expect(log.runs[0].tool.driver.informationUri).toBe(TIERGUARD_URI);
    expect(log.runs[0].columnKind).toBe("utf16CodeUnits");
    expect(reviewSarif(clean, { toolVersion: "1", informationUri: "https://example.test/tg" }).runs[0].tool.driver.informationUri).toBe("https://example.test/tg");
  });

  test("one rule per code, sorted, with help and the worst level seen", () => {
    const rules = reviewSarif(errorsEverywhere, opts).runs[0].tool.driver.rules!;
    expect(rules.map((r) => [r.id, r.defaultConfiguration?.level])).toEqual([
      ["config/unknown-field", "note"],
      ["guardrail/shadowed-allow", "error"],
      ["impact/newly-denied", "warning"],
      ["lint/no-order", "warning"],
      ["ownership/not-owner", "error"],
      ["test/expectation-failed", "error"],
      ["validation/removed-file", "warning"],
      ["validation/selector-unterminated-string", "error"],
    ]);
    expect(rules[4].shortDescription?.text).toBe("Ownership: not owner");
    expect(rules[4].help?.text).toMatch(/^A change to a tier's policies needs approval from an owner of that tier/);
    const custom = reviewSarif(errorsEverywhere, { ...opts, rules: { "lint/no-order": { description: "Policy has no order", help: "Set spec.order." } } }).runs[0].tool.driver.rules!;
    expect(custom[3]).toMatchObject({ id: "lint/no-order", shortDescription: { text: "Policy has no order" }, help: { text: "Set spec.order." } });
  });

  test("a result, field by field", () => {
    const results = reviewSarif(errorsEverywhere, opts).runs[0].results!;
    const r = results.find((x) => x.ruleId === "guardrail/shadowed-allow")!;
    expect(r.level).toBe("error");
    expect(r.message.text).toBe("rule allows what tier security denies | column | break [NetworkPolicy shop/web at spec.ingress[0]]");
    expect(r.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: "policies/web.yaml" }, region: { startLine: 12, endLine: 15 } } }]);
    expect(r.properties).toEqual({ details: ["security|gnp:deny-all|deny|-1", "see `kubectl` output"] });
    const withCol = results.find((x) => x.ruleId === "validation/selector-unterminated-string")!;
    expect(withCol.locations![0].physicalLocation!.region).toEqual({ startLine: 8, startColumn: 13 });
    const base = results.find((x) => x.ruleId === "validation/removed-file")!;
    expect(base.message.text).toBe("a removed policy still referenced (location in the base revision)");
  });

  test.each([
    ["error", "error"],
    ["warning", "warning"],
    ["notice", "note"],
  ] as const)("severity %s is level %s", (severity, level) => {
    expect(reviewSarif(review({ findings: [finding("lint/x", severity, "m")] }), opts).runs[0].results![0].level).toBe(level);
  });

  test("URIs are repository-relative and percent-encoded", () => {
    const uris = ["policies/my file.yaml", "./a/b.yaml", "dir\\win.yaml", "a/#hash?.yaml"].map(
      (file) => reviewSarif(review({ findings: [finding("lint/x", "notice", "m", { file })] }), opts).runs[0].results![0].locations![0].physicalLocation!.artifactLocation!.uri,
    );
    expect(uris).toEqual(["policies/my%20file.yaml", "a/b.yaml", "dir/win.yaml", "a/%23hash%3F.yaml"]);
  });
});

describe("partialFingerprints", () => {
  const fp = (r: Review) => reviewSarif(r, opts).runs[0].results!.map((x) => x.partialFingerprints!["tierguardFinding/v1"]);
  const one = (extra = {}) => review({ findings: [finding("lint/no-order", "warning", "no order", { resource: "NetworkPolicy a/b", path: "spec.order", ...extra })] });

  test("stable across runs and when the finding moves to another line or its message changes", () => {
    expect(fp(one())).toEqual(fp(one()));
    expect(fp(one({ line: 40, col: 3 }))).toEqual(fp(one()));
    expect(fp(one({ message: "reworded" }))).toEqual(fp(one()));
  });

  test("different code, resource or field path: different fingerprint", () => {
    const base = fp(one())[0];
    expect(fp(one({ resource: "NetworkPolicy a/c" }))[0]).not.toBe(base);
    expect(fp(one({ path: "spec.tier" }))[0]).not.toBe(base);
    expect(fp(review({ findings: [finding("lint/other", "warning", "no order", { resource: "NetworkPolicy a/b", path: "spec.order" })] }))[0]).not.toBe(base);
  });

  test("two findings with the same key stay distinct; every fingerprint of the huge review is unique", () => {
    const twice = review({ findings: [finding("lint/x", "warning", "a", { resource: "R" }), finding("lint/x", "warning", "b", { resource: "R" })] });
    const [a, b] = fp(twice);
    expect(a).not.toBe(b);
    const all = fp(huge);
    expect(new Set(all).size).toBe(HUGE_FINDINGS);
  });
});

describe("limits and output", () => {
  test(`at most ${SARIF_MAX_RESULTS} results per run, the most severe kept, the rest counted`, () => {
    const findings = Array.from({ length: SARIF_MAX_RESULTS + 2 }, (_, i) => finding("lint/x", i < 2 ? "error" : "notice", `m${i}`, { line: 1 + i }));
    const run = reviewSarif(review({ findings: findings.reverse() }), opts).runs[0];
    expect(run.results!.length).toBe(SARIF_MAX_RESULTS);
    expect(run.results!.slice(0, 2).map((r) => r.level)).toEqual(["error", "error"]);
    expect(run.properties).toEqual({ omittedResults: 2 });
  });

  test("renderReviewSarif is the same log as JSON, and the same bytes every time", () => {
    const text = renderReviewSarif(errorsEverywhere, opts);
    expect(JSON.parse(text)).toEqual(reviewSarif(errorsEverywhere, opts));
    expect(renderReviewSarif(errorsEverywhere, opts)).toBe(text);
    expect(text.endsWith("}\n")).toBe(true);
  });
});
