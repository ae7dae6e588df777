import { describe, expect, test } from "@jest/globals";
import { parseSelector } from "../../../src/selector/index.js";
import { satisfiable, type Sat } from "../../../src/review/guardrails/selector-sat.js";

/**
 * Satisfiability of conjunctions of selectors, per the evaluation table of calico-semantics §1.3. Each row: the
 * selectors that must all match one label set, and the answer. Subsumption rows are written as `a && !(b)`.
 */
const LIMITS = { maxTerms: 256, maxSteps: 20_000 };

const rows: Array<[string[], Sat]> = [
  [["app == 'web'", "app == 'web'"], "sat"],
  [["app == 'web'", "app == 'api'"], "unsat"],
  [["app == 'web'", "app != 'web'"], "unsat"],
  [["app != 'web'", "app != 'api'"], "sat"], // absent satisfies both
  [["app != 'web'", "has(app)", "app in {'web'}"], "unsat"],
  [["app in {'a', 'b'}", "app not in {'a'}"], "sat"],
  [["app in {'a', 'b'}", "app not in {'a', 'b'}"], "unsat"],
  [["app in {}"], "unsat"],
  [["has(app)", "!has(app)"], "unsat"],
  [["!has(app)", "app not in {'x'}", "app != 'y'"], "sat"],
  [["!has(app)", "app contains 'x'"], "unsat"],
  [["app starts with 'front'", "app ends with 'end'"], "sat"],
  [["app starts with 'front'", "app starts with 'back'"], "unsat"],
  [["app starts with 'front'", "app starts with 'fr'"], "sat"],
  [["app starts with 'front'", "!(app starts with 'fr')"], "unsat"],
  [["app contains 'abc'", "!(app contains 'b')"], "unsat"],
  [["app contains 'a'", "!(app contains 'b')", "app ends with 'a'"], "sat"],
  [["app == 'frontend'", "app starts with 'front'", "app ends with 'end'"], "sat"],
  [["app == 'frontend'", "app contains 'back'"], "unsat"],
  [["app in {'x-1', 'y-2'}", "app ends with '-2'", "!(app starts with 'y')"], "unsat"],
  [["!(app starts with '')"], "sat"], // absent
  [["has(app)", "!(app starts with '')"], "unsat"],
  [[`app starts with '${"x".repeat(40)}'`, `app ends with '${"y".repeat(30)}'`], "unknown"], // only an overlap could fit 63
  [["all()"], "sat"],
  [["!all()"], "unsat"],
  [["(a == '1' || b == '1')", "a != '1'", "b != '1'"], "unsat"],
  [["(a == '1' || b == '1')", "a != '1'"], "sat"],
  [["!(a == '1' && b == '1')", "a == '1'", "b == '1'"], "unsat"],
  // Calico's derived labels: a namespace's name labels are the endpoint's namespace.
  [["projectcalico.org/namespace == 'shop'", "pcns.projectcalico.org/name == 'other'"], "unsat"],
  [["projectcalico.org/namespace == 'shop'", "pcns.kubernetes.io/metadata.name == 'shop'"], "sat"],
  [["!has(projectcalico.org/namespace)", "pcns.env == 'prod'"], "unsat"],
  [["projectcalico.org/serviceaccount == 'api'", "pcsa.projectcalico.org/name == 'web'"], "unsat"],
];

describe("selector satisfiability", () => {
  test.each(rows)("%j is %s", (selectors, expected) => {
    expect(satisfiable(selectors.map((s) => parseSelector(s).root), LIMITS).result).toBe(expected);
  });

  test("a selector past the size budget is unknown, with the reason", () => {
    const big = parseSelector("(a == '1' || b == '1') && (c == '1' || d == '1') && (e == '1' || f == '1')").root;
    expect(satisfiable([big], { maxTerms: 4, maxSteps: 20_000 })).toMatchObject({ result: "unknown", reason: "a selector has more than 4 alternatives" });
  });

  test("a search past its step budget is unknown, with the reason", () => {
    const clauses = ["a", "b", "c", "d", "e", "f", "g", "h"].map((k) => parseSelector(`${k} == '1' || ${k} == '2'`).root);
    const contradiction = parseSelector("z == '1' && z == '2'").root;
    expect(satisfiable([...clauses, contradiction], { maxTerms: 256, maxSteps: 3 }).result).toBe("unsat");
    const late = parseSelector("!(a == '1' && b == '1') && !(a == '2' && b == '2') && !(a == '1' && b == '2') && !(a == '2' && b == '1')").root;
    expect(satisfiable([...clauses, late], { maxTerms: 256, maxSteps: 10 })).toMatchObject({ result: "unknown", reason: "the selectors need more than 10 steps to compare" });
  });
});
