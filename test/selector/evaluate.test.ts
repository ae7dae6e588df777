import { describe, expect, test } from "@jest/globals";
import { evaluateNode, labelsOf, parseSelector } from "../../src/selector/index.js";

const L = { app: "web", tier: "front", empty: "", quote: 'a"b' };

/** Operator semantics: calico-semantics §1.3, including the absent-label column. */
const rows: Array<[string, Record<string, string>, boolean]> = [
  ["", {}, true],
  ["all()", {}, true],
  ["global()", {}, true],
  ["!all()", L, false],
  ["app == 'web'", L, true],
  ["app == 'Web'", L, false],
  ["missing == 'web'", L, false],
  ["app != 'web'", L, false],
  ["app != 'db'", L, true],
  ["missing != 'web'", L, true],
  ["app in {'db', 'web'}", L, true],
  ["app in {'db'}", L, false],
  ["app in {}", L, false],
  ["missing in {'web'}", L, false],
  ["app not in {'web'}", L, false],
  ["app not in {'db'}", L, true],
  ["missing not in {'web'}", L, true],
  ["app not in {}", L, true],
  ["has(app)", L, true],
  ["has(empty)", L, true],
  ["has(missing)", L, false],
  ["!has(missing)", L, true],
  ["app contains 'e'", L, true],
  ["app contains 'x'", L, false],
  ["missing contains ''", L, false],
  ["app contains ''", L, true],
  ["app starts with 'we'", L, true],
  ["app starts with 'eb'", L, false],
  ["app starts with ''", L, true],
  ["missing starts with ''", L, false],
  ["app ends with 'eb'", L, true],
  ["app ends with 'we'", L, false],
  ["empty == ''", L, true],
  ["app == ''", L, false],
  ["missing == ''", L, false],
  ["quote == 'a\"b'", L, true],
  ["!app == 'web'", L, false],
  ["!app == 'db'", L, true],
  ["!app == 'db' && tier == 'front'", L, true],
  ["!app == 'web' || tier == 'front'", L, true],
  ["!(app == 'web' || tier == 'back')", L, false],
  ["app == 'web' && tier == 'back' || tier == 'front'", L, true],
  ["app == 'web' && (tier == 'back' || tier == 'x')", L, false],
];

describe("selector evaluation", () => {
  test.each(rows)("%j on %j is %s", (text, labels, expected) => {
    const sel = parseSelector(text);
    expect(sel.matches(labels)).toBe(expected);
    expect(sel.test(new Map(Object.entries(labels)))).toBe(expected);
    // The compiled matcher agrees with the reference evaluator.
    expect(evaluateNode(sel.root, labelsOf(labels))).toBe(expected);
    // And with itself after a canonical round trip.
    expect(parseSelector(sel.toString()).matches(labels)).toBe(expected);
  });

  test("labels are case-sensitive", () => {
    expect(parseSelector("App == 'web'").matches({ app: "web" })).toBe(false);
  });

  test("inherited object properties are not labels", () => {
    expect(parseSelector("has(toString)").matches({})).toBe(false);
    expect(parseSelector("constructor != 'x'").matches({})).toBe(true);
  });
});

describe("three-valued evaluation", () => {
  const unknownNs = (k: string) => k.startsWith("pcns.");
  const known = new Map([["app", "web"]]);
  const rows3: Array<[string, "true" | "false" | "unknown"]> = [
    ["app == 'web'", "true"],
    ["pcns.env == 'prod'", "unknown"],
    ["app == 'db' && pcns.env == 'prod'", "false"],
    ["app == 'web' || pcns.env == 'prod'", "true"],
    ["app == 'web' && pcns.env == 'prod'", "unknown"],
    ["!pcns.env == 'prod'", "unknown"],
    ["has(other)", "false"],
    ["all()", "true"],
  ];
  test.each(rows3)("%j is %s when namespace labels are unknown", (text, expected) => {
    expect(parseSelector(text).evaluate3(known, unknownNs)).toBe(expected);
  });
});
