import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { compareCodePoints, evaluateNode, labelsOf, parseSelector, printNode, SelectorError } from "../../src/selector/index.js";
import type { SelectorNode } from "../../src/selector/index.js";

const labelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-".split("");
const label = fc
  .array(fc.constantFrom(...labelChars), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(""))
  // A lone keyword is still a label, but not everywhere: keep the generator simple and Calico-valid.
  .filter((l) => !/^(has|all|global)$/.test(l));
// Values may hold anything but must not contain both quote kinds (there are no escapes).
const value = fc.string({ maxLength: 8, unit: "grapheme" }).filter((v) => !(v.includes('"') && v.includes("'")));

const leaf: fc.Arbitrary<SelectorNode> = fc.oneof(
  fc.constant<SelectorNode>({ op: "all" }),
  fc.constant<SelectorNode>({ op: "global" }),
  label.map<SelectorNode>((l) => ({ op: "has", label: l })),
  fc
    .tuple(fc.constantFrom("eq", "ne", "contains", "startswith", "endswith" as const), label, value)
    .map<SelectorNode>(([op, l, v]) => ({ op, label: l, value: v })),
  fc
    .tuple(fc.constantFrom("in", "notin" as const), label, fc.array(value, { maxLength: 4 }))
    .map<SelectorNode>(([op, l, vs]) => ({ op, label: l, values: [...new Set(vs)].sort(compareCodePoints) })),
);

/** Trees in the shape the parser produces: groups have 2+ operands and `!` never wraps `!`. */
const tree: fc.Arbitrary<SelectorNode> = fc.letrec<{ node: SelectorNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("node")
      .filter((n) => n.op !== "not")
      .map<SelectorNode>((n) => ({ op: "not", operand: n })),
    fc
      .tuple(fc.constantFrom("and", "or" as const), fc.array(tie("node"), { minLength: 2, maxLength: 3 }))
      .map<SelectorNode>(([op, operands]) => ({ op, operands })),
  ),
})).node;

const labelSet = fc.dictionary(fc.constantFrom("a", "b", "app", "x.y/z", "-"), value, { maxKeys: 4 });

describe("selector properties", () => {
  test("parse(print(tree)) gives back the tree, and printing is a fixed point", () => {
    fc.assert(
      fc.property(tree, (node) => {
        const text = printNode(node);
        const parsed = parseSelector(text);
        expect(parsed.root).toEqual(node);
        expect(parsed.toString()).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  test("a canonical round trip keeps the meaning", () => {
    fc.assert(
      fc.property(tree, labelSet, (node, labels) => {
        const reparsed = parseSelector(printNode(node));
        expect(reparsed.matches(labels)).toBe(evaluateNode(node, labelsOf(labels)));
      }),
      { numRuns: 2000 },
    );
  });

  test("parsing arbitrary text throws only SelectorError, with an offset inside the text", () => {
    const alphabet = fc.constantFrom(..."ab =!&|(){},'\"\t\nhasl()inotcsw".split(""), "has(", "all(", " in ", "&&");
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.array(alphabet, { maxLength: 20 }).map((a) => a.join("")));
    fc.assert(
      fc.property(text, (s) => {
        try {
          parseSelector(s);
        } catch (e) {
          expect(e).toBeInstanceOf(SelectorError);
          const err = e as SelectorError;
          expect(err.code).toMatch(/^selector\//);
          expect(err.offset).toBeGreaterThanOrEqual(0);
          expect(err.offset).toBeLessThanOrEqual(s.length);
        }
      }),
      { numRuns: 5000 },
    );
  });

  test("double negation prints as Calico prints it and keeps its meaning", () => {
    // Calico collapses '!!' when parsing, but a '!' outside parentheses around a negated operation prints as '!!'.
    const sel = parseSelector("!(!a == 'x')");
    expect(sel.toString()).toBe('!!a == "x"');
    expect(parseSelector(sel.toString()).toString()).toBe('a == "x"');
    expect(sel.matches({ a: "x" })).toBe(true);
  });
});
