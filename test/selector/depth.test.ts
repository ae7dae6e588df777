import { describe, expect, test } from "@jest/globals";
import { labelsOf, MAX_SELECTOR_DEPTH, parseSelector, prefixLabels, SelectorError } from "../../src/selector/index.js";

/**
 * Issue 9: parentheses nested deeper than MAX_SELECTOR_DEPTH are a `selector/too-deep` error at the offset of the
 * first `(` past the limit; 50,000 of them used to throw RangeError (exit 3). At the limit, the tree the parser
 * builds is walked recursively by the printer, the compiler and both evaluators, and each must manage it.
 */
function errorOf(text: string): { code: string; offset: number } | undefined {
  try {
    parseSelector(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    return { code: e.code, offset: e.offset };
  }
}

/** `a == "x" && (a == "x" && (...))`: one `and` node per level, so the tree is as deep as the nesting. */
function nestedAnd(depth: number): string {
  return `${'a == "x" && ('.repeat(depth)}a == "x"${")".repeat(depth)}`;
}

describe("selector nesting depth", () => {
  test.each([
    ["50,000 balanced parentheses", `${"(".repeat(50_000)}all()${")".repeat(50_000)}`, MAX_SELECTOR_DEPTH],
    ["50,000 unclosed parentheses", "(".repeat(50_000), MAX_SELECTOR_DEPTH],
    ["50,000 !( pairs", `${"!(".repeat(50_000)}has(a)${")".repeat(50_000)}`, 2 * MAX_SELECTOR_DEPTH + 1],
    ["spaces between parentheses", `${"( ".repeat(200)}all()${" )".repeat(200)}`, 2 * MAX_SELECTOR_DEPTH],
    ["nested && groups", nestedAnd(1_000), 13 * (MAX_SELECTOR_DEPTH + 1) - 1],
  ])("%s: selector/too-deep at the first ( past the limit", (_name, text, offset) => {
    expect(errorOf(text)).toEqual({ code: "selector/too-deep", offset });
  });

  test("the limit itself parses, prints, compiles and evaluates", () => {
    const s = parseSelector(nestedAnd(MAX_SELECTOR_DEPTH));
    expect(s.toString().startsWith('(a == "x" && (a == "x" && ')).toBe(true);
    expect(s.matches({ a: "x" })).toBe(true);
    expect(s.matches({ a: "y" })).toBe(false);
    expect(s.evaluate3(labelsOf({}), () => true)).toBe("unknown");
    expect(s.labelKeys()).toEqual(new Set(["a"]));
    expect(prefixLabels(s.root, "pcns.").op).toBe("and");
    expect(parseSelector(s.toString()).uid()).toBe(s.uid());
  });

  test("deep !( nesting at the limit evaluates (one not node per level)", () => {
    const even = parseSelector(`${"!(".repeat(MAX_SELECTOR_DEPTH)}has(a)${")".repeat(MAX_SELECTOR_DEPTH)}`);
    expect(even.matches({ a: "1" })).toBe(true);
    expect(even.evaluate3(labelsOf({}), () => true)).toBe("unknown");
  });

  test("flat input is not limited: 10,000 terms joined by && and 10,000 leading !", () => {
    expect(parseSelector(Array.from({ length: 10_000 }, (_, i) => `k${i} == "v"`).join(" && ")).root.op).toBe("and");
    expect(parseSelector(`${"!".repeat(10_000)}has(a)`).matches({ a: "" })).toBe(true);
  });
});
