import { describe, expect, test } from "@jest/globals";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { DEFAULT_BUNDLE_OPTIONS, loadBundle } from "../../src/policy/index.js";
import { SelectorParses } from "../../src/selector/index.js";

/**
 * Issue 17 (loading): validation and the engine's compile parse each distinct selector text once per run, through
 * the memo the bundle hands on; a text that does not parse keeps its error for both.
 */
const policy = (name: string, selector: string, peers: string[]) =>
  [
    "apiVersion: projectcalico.org/v3",
    "kind: NetworkPolicy",
    `metadata: { name: ${name}, namespace: ns }`,
    "spec:",
    `  selector: ${selector}`,
    "  ingress:",
    ...peers.flatMap((p) => ["    - action: Allow", `      source: { selector: ${p} }`]),
  ].join("\n");

const yaml = [
  policy("a", "app == 'web'", ["app == 'api'", "app == 'api'", "app == 'db'"]),
  policy("b", "app == 'web'", ["app == 'api'"]),
  policy("c", "app == 'api'", ["app = 'x'"]),
].join("\n---\n");

describe("selector parses shared between validation and compile", () => {
  test("each distinct text is parsed once, and compiling the bundle parses nothing more", () => {
    const bundle = loadBundle([{ file: "p.yaml", text: yaml }], DEFAULT_BUNDLE_OPTIONS);
    // app == 'web', app == 'api', app == 'db', app = 'x'
    expect(bundle.selectors?.parsed).toBe(4);
    expect(bundle.diagnostics.map((d) => [d.code, d.line, d.col, d.path])).toEqual([["selector/invalid-operator", 30, 31, "spec.ingress[0].source.selector"]]);
    const set = new PolicySet(bundle.resources, { universe: new EngineUniverse(bundle.selectors) });
    expect(bundle.selectors?.parsed).toBe(4);
    expect(set.policies).toHaveLength(3);
    // The engine still notes the selector that does not parse, from the memo's kept error.
    expect(set.notes.filter((n) => n.code === "engine/invalid-selector").map((n) => [n.policy.name, n.path])).toEqual([["c", "spec.ingress[0].source.selector"]]);
  });

  test("a memo returns the same selector for a repeated text and rethrows a parse error with its code and offset", () => {
    const memo = new SelectorParses();
    expect(memo.parse("app == 'x'")).toBe(memo.parse("app == 'x'"));
    for (let i = 0; i < 2; i++) expect(() => memo.parse("app = 'x'")).toThrow(expect.objectContaining({ code: "selector/invalid-operator", offset: 4 }));
    expect(memo.parsed).toBe(2);
  });
});
