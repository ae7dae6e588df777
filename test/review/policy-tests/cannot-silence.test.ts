import { describe, expect, test } from "@jest/globals";
import { checkPolicyTests } from "../../../src/review/policy-tests/index.js";
import { reviewTestTiers } from "../../../src/review/checks.js";
import { buildReview } from "../../../src/review/run.js";
import type { Finding } from "../../../src/review/types.js";
import { reviewContext } from "../../helpers/review.js";
import { lineOf } from "./fixtures.js";
import { templateConfig, templateInventory, templatePolicies, templateTests } from "./template-fixture.js";

/**
 * "A PR cannot silence a test it does not own": the base version of every test file a pull request changed or
 * deleted also runs against the head policies; what it would have caught is reported at its base file:line.
 */
const BASE_TESTS = templateTests();
const GUARDRAILS = "tests/guardrails.yaml";
const QUARANTINE_TESTS = ["a quarantined frontend cannot reach the cart", "nothing reaches a quarantined pod, not even its real callers", "a quarantined pod cannot even resolve names"];

function withoutQuarantine(): Record<string, string> {
  const p = templatePolicies();
  delete p["security/quarantine.yaml"];
  return p;
}

function review(headTests: Record<string, string>, head = withoutQuarantine()): Finding[] {
  return checkPolicyTests(reviewContext({ base: templatePolicies(), head, config: templateConfig(), baseTests: BASE_TESTS, headTests, inventory: templateInventory() }));
}

const brief = (f: Finding) => ({ code: f.code, severity: f.severity, file: f.file, line: f.line, revision: f.revision });
const baseAt = (file: string, name: string) => ({ code: "test/failed-base-version", severity: "error", file, line: lineOf(BASE_TESTS[file], `- name: ${name}`), revision: "base" });
const headAt = (file: string, text: string, name: string) => ({ code: "test/failed", severity: "error", file, line: lineOf(text, `- name: ${name}`), revision: undefined });

describe("a pull request cannot silence a test it does not own", () => {
  test("deleting the test file with the guard rail: the base version still runs and fails, at its base line", () => {
    const headTests = { ...BASE_TESTS };
    delete headTests[GUARDRAILS];
    const findings = review(headTests);
    expect(findings.map(brief)).toEqual(QUARANTINE_TESTS.map((n) => baseAt(GUARDRAILS, n)));
    expect(findings[0].message).toContain('The base version of policy test "a quarantined frontend cannot reach the cart" fails against this pull request\'s policies: it expects DENY');
    expect(findings[0].message).toContain("This pull request deletes tests/guardrails.yaml, but a pull request cannot silence a test it does not own");
    expect(findings[0].details).toContain("boutique/{app=frontend,quarantine=true} -> boutique/{app=cartservice}, TCP port 7070: ALLOW, expected DENY");
  });

  test("weakening a test (deny becomes allow): the head version passes, the base version fails", () => {
    const weakened = BASE_TESTS[GUARDRAILS].replace(
      "    to:   { namespace: boutique, labels: { app: cartservice } }\n    port: 7070\n    expect: deny",
      "    to:   { namespace: boutique, labels: { app: cartservice } }\n    port: 7070\n    expect: allow",
    );
    expect(weakened).not.toBe(BASE_TESTS[GUARDRAILS]);
    const findings = review({ ...BASE_TESTS, [GUARDRAILS]: weakened });
    expect(findings.map(brief)).toEqual([
      headAt(GUARDRAILS, weakened, QUARANTINE_TESTS[1]),
      headAt(GUARDRAILS, weakened, QUARANTINE_TESTS[2]),
      baseAt(GUARDRAILS, QUARANTINE_TESTS[0]),
    ]);
    expect(findings[2].message).toContain("This pull request changes tests/guardrails.yaml");
  });

  test("deleting a test from a file: only that test's base version is reported", () => {
    const text = BASE_TESTS[GUARDRAILS];
    const start = text.indexOf("  - name: a quarantined pod cannot even resolve names");
    const end = text.indexOf("\n\n", start);
    const trimmed = text.slice(0, start) + text.slice(end + 2);
    const findings = review({ ...BASE_TESTS, [GUARDRAILS]: trimmed });
    expect(findings.map(brief)).toEqual([headAt(GUARDRAILS, trimmed, QUARANTINE_TESTS[0]), headAt(GUARDRAILS, trimmed, QUARANTINE_TESTS[1]), baseAt(GUARDRAILS, QUARANTINE_TESTS[2])]);
  });

  test("moving the file or editing only comments and names: the assertions still run from head, nothing is reported twice", () => {
    const edited = BASE_TESTS[GUARDRAILS].replace("# security/quarantine", "# security/quarantine (incident response)").replace(
      "name: a quarantined frontend cannot reach the cart",
      "name: quarantine holds for the frontend",
    );
    const moved: Record<string, string> = { ...BASE_TESTS, "tests/security/guardrails.yaml": BASE_TESTS[GUARDRAILS] };
    delete moved[GUARDRAILS];
    expect(review({ ...BASE_TESTS, [GUARDRAILS]: edited }).map((f) => f.code)).toEqual(["test/failed", "test/failed", "test/failed"]);
    expect(review(moved).map((f) => [f.code, f.file])).toEqual(QUARANTINE_TESTS.map(() => ["test/failed", "tests/security/guardrails.yaml"]));
  });

  test("deleting tests the head policies still satisfy reports nothing", () => {
    const headTests = { ...BASE_TESTS };
    delete headTests[GUARDRAILS];
    expect(review(headTests, templatePolicies())).toEqual([]);
  });

  test("a base version that no longer parses at head is still run from base; an invalid base file is not reported", () => {
    const headTests = { ...BASE_TESTS, [GUARDRAILS]: "tests: [\n" };
    const findings = review(headTests);
    expect(findings.map((f) => f.code)).toEqual(["test/invalid-file", ...QUARANTINE_TESTS.map(() => "test/failed-base-version")]);
    const baseInvalid = reviewContext({
      base: templatePolicies(),
      head: templatePolicies(),
      baseTests: { "tests/x.yaml": "tests: [\n" },
      headTests: {},
    });
    expect(checkPolicyTests(baseInvalid)).toEqual([]);
  });
});

describe("the owners of a test can approve its change (the advice of test/failed-base-version is true)", () => {
  const headTests = { ...BASE_TESTS };
  delete headTests[GUARDRAILS];
  function reviewed(approvals: Array<{ login: string; teams: string[] }>, author = { login: "alice", teams: ["acme/app-devs"] }): Finding[] {
    const ctx = reviewContext({ base: templatePolicies(), head: withoutQuarantine(), config: templateConfig(), baseTests: BASE_TESTS, headTests, inventory: templateInventory() });
    const r = buildReview({
      ctx, base: { rev: "main", commit: "b" }, head: { rev: "pr", commit: "h" }, author, approvals, configSource: "base", configFindings: [], configChanged: false,
      headDiagnostics: [], unchangedFiles: new Set(), checks: [checkPolicyTests], testTiers: (file, c) => reviewTestTiers(file, c),
    });
    return r.findings.filter((f) => f.code === "test/failed-base-version");
  }

  test("without their approval: errors that say whose approval clears them", () => {
    const findings = reviewed([]);
    expect(findings.map((f) => f.severity)).toEqual(["error", "error", "error"]);
    expect(findings[0].message).toContain("have the owners of the test (the owners of the tiers that decide its assertions) approve this pull request");
  });

  test("an approval from the owners of every tier the test file belongs to: notices naming the approver", () => {
    const findings = reviewed([{ login: "sam", teams: ["acme/secops"] }]);
    expect(findings.map((f) => [f.severity, f.line])).toEqual(QUARANTINE_TESTS.map((n) => ["notice", lineOf(BASE_TESTS[GUARDRAILS], `- name: ${n}`)]));
    expect(findings[0].message).toContain("@sam for tier security");
    expect(findings[0].message).toMatch(/Approved by the owners of the test \(.*\): it does not block the change\.$/);
  });

  test("an approval from someone who owns another tier does not clear it", () => {
    expect(reviewed([{ login: "bob", teams: ["acme/app-devs"] }]).map((f) => f.severity)).toEqual(["error", "error", "error"]);
  });
});
