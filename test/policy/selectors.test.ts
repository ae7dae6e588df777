import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, validateYaml, type Row } from "./validate-helpers.js";

/**
 * selectors.ts: selectors must parse (errors point inside the string and keep the parser's code), stay within 1024
 * characters, and use global() only as a whole rule namespaceSelector (calico-semantics §1.5, §12).
 */
const policy = (field: string, value: string, kind = "NetworkPolicy") =>
  [
    "apiVersion: projectcalico.org/v3",
    `kind: ${kind}`,
    kind.includes("Global") ? "metadata: { name: p }" : "metadata: { name: p, namespace: ns }",
    "spec:",
    `  ${field}: ${value}`,
    "",
  ].join("\n");
const sourceRule = (...lines: string[]) => rulePolicy(["action: Allow", "source:", ...lines.map((l) => `  ${l}`)]);

const rows: Row[] = [
  { name: "valid policy selectors", expected: [],
    yaml: policy("selector", "app == 'web' && has(tier)") + "  serviceAccountSelector: role in {'a', 'b'}\n" },
  { name: "empty selector is all()", expected: [], yaml: policy("selector", '""') },
  { name: "valid rule selectors, including namespaceSelector global()", expected: [],
    yaml: sourceRule("selector: app == 'db'", "namespaceSelector: global()", "notSelector: has(x)") },
  { name: "global() with spaces inside a rule namespaceSelector", expected: [],
    yaml: sourceRule('namespaceSelector: "  global(  ) "') },
  { name: "plain scalar parse error points at the operator", yaml: policy("selector", "app = 'x'"),
    expected: [{ code: "selector/invalid-operator", line: 5, col: 17, path: "spec.selector" }] },
  { name: "double-quoted parse error accounts for the quote", yaml: policy("selector", "\"app == 'x\""),
    expected: [{ code: "selector/unterminated-string", line: 5, col: 21, path: "spec.selector" }] },
  { name: "a block scalar's trailing newline does not parse", yaml: policy("selector", "|\n    a == 'b'"),
    expected: [{ code: "selector/unexpected-character", line: 6, col: 13, path: "spec.selector" }] },
  { name: "serviceAccountSelector parse error", yaml: policy("serviceAccountSelector", "role =="),
    expected: [{ code: "selector/expected-string", line: 5, col: 34, path: "spec.serviceAccountSelector" }] },
  { name: "rule selector parse error", yaml: sourceRule("selector: app == 'a' &"),
    expected: [{ code: "selector/invalid-operator", line: 8, col: 30, path: "spec.ingress[0].source.selector" }] },
  { name: "serviceAccounts.selector parse error", yaml: sourceRule("serviceAccounts:", "  selector: a in {'x'"),
    expected: [{ code: "selector/expected-rbrace", line: 9, col: 30, path: "spec.ingress[0].source.serviceAccounts.selector" }] },
  { name: "global() in a policy selector", yaml: policy("selector", "global()"),
    expected: [{ code: "selector/global-not-allowed", line: 5, col: 13, path: "spec.selector" }] },
  { name: "global() inside a longer policy selector", yaml: policy("selector", "has(a) && global()"),
    expected: [{ code: "selector/global-not-allowed", line: 5, col: 23, path: "spec.selector" }] },
  { name: "global() in serviceAccountSelector", yaml: policy("serviceAccountSelector", "global()"),
    expected: [{ code: "selector/global-not-allowed", line: 5, col: 27, path: "spec.serviceAccountSelector" }] },
  { name: "global() in a GNP namespaceSelector", yaml: policy("namespaceSelector", "global()", "GlobalNetworkPolicy"),
    expected: [{ code: "selector/global-not-allowed", line: 5, col: 22, path: "spec.namespaceSelector" }] },
  { name: "global() in a rule selector", yaml: sourceRule("selector: global()"),
    expected: [{ code: "selector/global-not-allowed", line: 8, col: 19, path: "spec.ingress[0].source.selector" }] },
  { name: "global() combined with other terms", yaml: sourceRule("namespaceSelector: a == 'b' || global()"),
    expected: [{ code: "selector/global-combined", line: 8, col: 40, path: "spec.ingress[0].source.namespaceSelector" }] },
  { name: "negated global()", yaml: sourceRule("namespaceSelector: '!global()'"),
    expected: [{ code: "selector/global-combined", line: 8, col: 30, path: "spec.ingress[0].source.namespaceSelector" }] },
  { name: "selector over 1024 characters (Calico 3.33)", version: "3.33", yaml: policy("selector", `a == '${"x".repeat(1018)}'`),
    expected: [{ code: "selector/too-long", line: 5, col: 13, path: "spec.selector" }] },
  { name: "selector of exactly 1024 characters", expected: [], yaml: policy("selector", `a == '${"x".repeat(1017)}'`) },
  { name: "rule notSelector over 1024 characters (Calico 3.33)", version: "3.33", yaml: sourceRule(`notSelector: a == '${"x".repeat(1018)}'`),
    expected: [{ code: "selector/too-long", line: 8, col: 22, path: "spec.ingress[0].source.notSelector" }] },
];

describe("selector checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });

  test("a parse error keeps the selector error's code and message", () => {
    expect(validateYaml(policy("selector", "app = 'x'"))[0].message).toBe(
      "selector does not parse (selector/invalid-operator): '=' is not an operator; use '==' to compare");
  });
});
