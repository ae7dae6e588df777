import { describe, expect, test } from "@jest/globals";
import { parseSelector, SelectorError } from "../../src/selector/index.js";

/** Canonical printing: calico-semantics §1.4. Each row is input → Calico's canonical form. */
const canonicalRows: Array<[string, string]> = [
  ["", "all()"],
  ["   \t ", "all()"],
  ["all()", "all()"],
  ["all( )", "all()"],
  ["(all())", "all()"],
  ["global()", "global()"],
  ["has(a)", "has(a)"],
  ["has( a )", "has(a)"],
  ["has(\ta\t)", "has(a)"],
  ["a == 'b'", 'a == "b"'],
  ['a=="b"', 'a == "b"'],
  ["a != 'b'", 'a != "b"'],
  ['a == \'say "hi"\'', "a == 'say \"hi\"'"],
  ['a in {"b"}', 'a in {"b"}'],
  ["a in {'c', 'b', 'c'}", 'a in {"b", "c"}'],
  ["a in {}", "a in {}"],
  ['a in {"a",}', 'a in {"a"}'],
  ["a in{'x'}", 'a in {"x"}'],
  ["a not in {'b'}", 'a not in {"b"}'],
  ["a notin {'b'}", 'a not in {"b"}'],
  ["a not \t in {'b'}", 'a not in {"b"}'],
  ["a contains 'b'", 'a contains "b"'],
  ["a contains\"b\"", 'a contains "b"'],
  ["a starts with 'b'", 'a starts with "b"'],
  ["a startswith 'b'", 'a starts with "b"'],
  ["a starts   with 'b'", 'a starts with "b"'],
  ["a ends with 'b'", 'a ends with "b"'],
  ["a endswith 'b'", 'a ends with "b"'],
  ["a == 'b' && c == 'd'", '(a == "b" && c == "d")'],
  ["a == 'b' || c == 'd'", '(a == "b" || c == "d")'],
  ["a == 'b' || c == 'd' && e == 'f'", '(a == "b" || (c == "d" && e == "f"))'],
  ["(a == 'b' || c == 'd') && e == 'f'", '((a == "b" || c == "d") && e == "f")'],
  ["!(k == 'v')", '!k == "v"'],
  ["!k == 'v'", '!k == "v"'],
  ["!!k == 'v'", 'k == "v"'],
  ["!!!k == 'v'", '!k == "v"'],
  ["! (has( b)||! has(a ))", "!(has(b) || !has(a))"],
  ["!a == 'x' && b == 'y'", '(!a == "x" && b == "y")'],
  ["!all()", "!all()"],
  // Keywords are contextual: they are labels where a label is expected.
  ["contains contains 'x'", 'contains contains "x"'],
  ["in in {'x'}", 'in in {"x"}'],
  ["not == 'x'", 'not == "x"'],
  // '"' (0x22) sorts before "'" (0x27).
  ["a in {\"'\", '\"'}", "a in {'\"', \"'\"}"],
  ["projectcalico.org/namespace == 'ns1'", 'projectcalico.org/namespace == "ns1"'],
  ["a == 'ünïcode'", 'a == "ünïcode"'],
  ["x".repeat(512) + " == 'v'", "x".repeat(512) + ' == "v"'],
];

describe("parseSelector canonical form", () => {
  test.each(canonicalRows)("%j prints as %j", (input, canonical) => {
    const sel = parseSelector(input);
    expect(sel.toString()).toBe(canonical);
    // Canonical printing is a fixed point.
    expect(parseSelector(canonical).toString()).toBe(canonical);
  });
});

/** Negative rows: the exact code and the offset of the offending token. */
const errorRows: Array<[string, string, number]> = [
  ['a == "b', "selector/unterminated-string", 5],
  ["a == 'b", "selector/unterminated-string", 5],
  ["a = 'b'", "selector/invalid-operator", 2],
  ["a == 'b' & c == 'd'", "selector/invalid-operator", 9],
  ["a == 'b' | c == 'd'", "selector/invalid-operator", 9],
  ["a containsx 'v'", "selector/expected-operator", 2],
  ["a inx {'v'}", "selector/expected-operator", 2],
  ["a starts 'v'", "selector/expected-operator", 2],
  ["a ends wit 'v'", "selector/expected-operator", 2],
  ["a not 'v'", "selector/expected-operator", 2],
  ["a b", "selector/expected-operator", 2],
  ["a (", "selector/expected-operator", 2],
  ["a && b == 'c'", "selector/expected-operator", 2],
  ["a", "selector/unexpected-end", 1],
  ["a ==", "selector/expected-string", 4],
  ["a == b", "selector/expected-string", 5],
  ["a in 'b'", "selector/expected-set", 5],
  ["a in {,}", "selector/expected-rbrace", 6],
  ["a in {'a' 'b'}", "selector/expected-rbrace", 10],
  ["a in {'a'", "selector/expected-rbrace", 9],
  ["has()", "selector/has-missing-label", 4],
  ["has(a b)", "selector/unclosed-call", 6],
  ["all(x)", "selector/unclosed-call", 4],
  ["global( x)", "selector/unclosed-call", 8],
  ["all ()", "selector/expected-operator", 4],
  ["has (a)", "selector/expected-operator", 4],
  ["(a == 'b'", "selector/expected-rparen", 9],
  ["()", "selector/unexpected-token", 1],
  ["!", "selector/unexpected-end", 1],
  ["a == 'b' &&", "selector/unexpected-end", 11],
  ["&& a == 'b'", "selector/unexpected-token", 0],
  ["a == 'b')", "selector/trailing-content", 8],
  ["a == 'b' c == 'd'", "selector/trailing-content", 9],
  ["a == 'b'\n", "selector/unexpected-character", 8],
  ["a ==\r'b'", "selector/unexpected-character", 4],
  ["@a == 'b'", "selector/unexpected-character", 0],
  ["ä == 'b'", "selector/unexpected-character", 0],
  ["x".repeat(513) + " == 'v'", "selector/label-too-long", 0],
  ["has(" + "y".repeat(513) + ")", "selector/label-too-long", 4],
];

describe("parseSelector errors", () => {
  test.each(errorRows)("%j fails with %s at %d", (input, code, offset) => {
    let caught: unknown;
    try {
      parseSelector(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SelectorError);
    expect({ code: (caught as SelectorError).code, offset: (caught as SelectorError).offset }).toEqual({
      code,
      offset,
    });
    expect((caught as SelectorError).message.length).toBeGreaterThan(10);
  });
});

describe("selector identity", () => {
  test("equivalent spellings share a UID; different selectors do not", () => {
    const a = parseSelector("a == 'b' && c in {'y', 'x'}");
    const b = parseSelector('a=="b"&&c in {"x","y","x"}');
    const c = parseSelector("a == 'b' && c in {'x'}");
    expect(a.uid()).toBe(b.uid());
    expect(a.uid()).not.toBe(c.uid());
    expect(a.uid()).toMatch(/^s:[A-Za-z0-9_-]{38}$/);
  });

  test("labelKeys lists every label read", () => {
    const s = parseSelector("a == 'b' && (has(c) || !d in {'x'}) && all()");
    expect([...s.labelKeys()].sort()).toEqual(["a", "c", "d"]);
  });
});
