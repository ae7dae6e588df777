import { describe, expect, test } from "@jest/globals";
import { evaluateNode, parseSelector } from "../../../src/selector/index.js";
import { dnfOf } from "../../../src/review/guardrails/normal-form.js";
import { andOf, notNode } from "../../../src/review/guardrails/space.js";

/**
 * The guard-rail analysis asks the same selector questions many times over, and its normal forms are memoised per
 * syntax node. The nodes it builds over a rule's selectors (negations, conjunctions) are therefore one node per
 * operand: with a fresh node per question, the 1,275-rule benchmark change built 268,000 normal forms instead of 13,500.
 */
const LIMIT = 256;
const labels = (l: Record<string, string>) => new Map(Object.entries(l));

describe("nodes the analysis builds", () => {
  const a = parseSelector("app == 'web' && tier in {'a', 'b'}").root;
  const b = parseSelector("has(team)").root;

  test("one negation per operand, matching what the operand does not", () => {
    expect(notNode(a)).toBe(notNode(a));
    expect(notNode(a)).not.toBe(notNode(b));
    expect(evaluateNode(notNode(a), labels({ app: "web", tier: "a" }))).toBe(false);
    expect(evaluateNode(notNode(a), labels({ app: "api" }))).toBe(true);
  });

  test("one conjunction per array; a one-selector conjunction is the selector itself", () => {
    const conj = [a, b];
    expect(andOf(conj)).toBe(andOf(conj));
    expect(andOf([a, b])).not.toBe(andOf(conj)); // another array may be changed independently: its own node
    expect(andOf([a])).toBe(a);
    expect(evaluateNode(andOf(conj), labels({ app: "web", tier: "b", team: "x" }))).toBe(true);
    expect(evaluateNode(andOf(conj), labels({ app: "web", tier: "b" }))).toBe(false);
  });

  test("so a question asked again reuses its normal form", () => {
    const conj = [a, b];
    const first = dnfOf(notNode(andOf(conj)), false, LIMIT);
    expect(dnfOf(notNode(andOf(conj)), false, LIMIT)).toBe(first);
    // !(app == web && tier in {a, b} && has(team)): one alternative per negated literal.
    expect(first).toHaveLength(3);
  });
});
