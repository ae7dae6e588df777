import { describe, expect, test } from "@jest/globals";
import {
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  GLOBAL_POLICY_NAME,
  labelValueProblem,
  NETWORK_POLICY_NAME,
  portNameProblem,
  qualifiedNameProblem,
  utf8Length,
} from "../../src/policy/validate/syntax.js";

/** syntax.ts: the Kubernetes and Calico name syntaxes. true = valid. */
const table = (check: (s: string) => boolean, rows: Array<[string, boolean]>) => rows.map(([s, ok]) => [s, ok, check] as const);

const rows = [
  ...table((s) => !dns1123LabelProblem(s), [["a", true], ["a-b", true], ["a.b", false], ["-a", false], ["A", false], ["a".repeat(64), false]]),
  ...table((s) => !dns1123SubdomainProblem(s), [["a.b-c.d", true], ["a..b", false], ["a.", false], ["a".repeat(254), false]]),
  ...table((s) => !qualifiedNameProblem(s), [
    ["app", true], ["App_1.x", true], ["example.com/App", true], ["/app", false], ["example.com/", false],
    ["a/b/c", false], ["_app", false], ["app-", false], ["Example.com/app", false], ["k".repeat(63), true], ["k".repeat(64), false],
  ]),
  ...table((s) => !labelValueProblem(s), [["", true], ["a", true], ["A_b.c-1", true], ["a b", false], ["-a", false], ["v".repeat(64), false]]),
  ...table((s) => !portNameProblem(s), [
    ["http", true], ["h2", true], ["web-8080", true], ["8080", false], ["HTTP", false], ["-a", false], ["a-", false],
    ["a--b", false], ["a_b", false], ["abcdefghijklmno", true], ["abcdefghijklmnop", false], ["", false],
  ]),
  ...table((s) => NETWORK_POLICY_NAME.test(s), [
    ["thing", true], ["th.ing", true], ["t.h.i.ng", false], ["tHiNg", false], ["knp.default.thing", true],
    ["knp.default.a.b.c", true], ["ossg.default.x", true], ["knp.other.x", false],
  ]),
  ...table((s) => GLOBAL_POLICY_NAME.test(s), [["thing", true], ["th.ing", true], ["knp.default.thing", false], ["t.h.i.ng", false]]),
];

describe("name syntax", () => {
  test.each(rows)("%j valid: %s", (text, ok, check) => {
    expect(check(text)).toBe(ok);
  });

  test("UTF-8 length counts bytes as Go does", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
  });
});
