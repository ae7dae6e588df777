import { describe, expect, test } from "@jest/globals";
import { buildResources, DEFAULT_LOAD_LIMITS, loadText, validateResources, type Diagnostic } from "../../src/policy/index.js";
import { within } from "../helpers/bounded.js";
import { version } from "./validate-helpers.js";

/**
 * Issue 9, denial of service through policy files: every limit is checked before a parse, work before a hint is
 * bounded, and problems are diagnostics at file:line:col, never a stack overflow. The hostile inputs are built here.
 */
const where = (d: Diagnostic) => ({ code: d.code, line: d.line, col: d.col, path: d.path });

function validate(yaml: string): Diagnostic[] {
  const loaded = loadText("hostile.yaml", yaml);
  const built = buildResources(loaded.documents);
  return [...loaded.diagnostics, ...built.diagnostics, ...validateResources(built.resources, { version: version("3.32") })]
    .filter((d) => d.code !== "policy/not-evaluated");
}

const gnp = (name: string, spec = "  selector: all()\n") =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

/** `x: [1,1,...,1]`: one node per two bytes. */
const flat = (nodes: number) => `x: [${"1,".repeat(nodes - 1)}1]\n`;

describe("names: no hint over an over-long name", () => {
  // /^[-.]+|[-.]+$/g in the old suggest() took 48 s on this name; the hint is now neither computed nor shown.
  test("a 320,000-character name gets too-long and invalid, without a suggested rewrite", () => {
    const name = `a${"-".repeat(320_000)}A`;
    const found = within(3_000, () => validate(gnp(name)));
    expect(found.map(where)).toEqual([
      { code: "names/too-long", line: 4, col: 9, path: "metadata.name" },
      { code: "names/invalid", line: 4, col: 9, path: "metadata.name" },
    ]);
    expect(found[1].message).not.toContain("try");
  });

  test("a short invalid name still gets its suggestion, trimmed of dashes and dots", () => {
    const found = validate(gnp("-.Web_Policy.-"));
    expect(found.map((d) => d.code)).toEqual(["names/invalid"]);
    expect(found[0].message).toContain('try "web-policy"');
  });
});

describe("YAML limits are checked before any parse", () => {
  test("a flat 4 MiB x: [1,1,...] (two million nodes) is too-many-nodes at the node past the limit", () => {
    const text = flat(2_000_000);
    expect(text.length).toBeLessThan(DEFAULT_LOAD_LIMITS.maxDocumentBytes);
    // Seconds at most on a loaded machine; the old loader took 40 s and 2.4 GB here.
    const loaded = within(20_000, () => loadText("flat.yaml", text));
    expect(loaded.documents).toEqual([]);
    // "x" is node 1, "[" node 2, so the 1,000,001st node is the 999,999th "1" at offset 4 + 2 * 999,998.
    expect(loaded.diagnostics.map(where)).toEqual([{ code: "load/too-many-nodes", line: 1, col: 2_000_001, path: "" }]);
    expect(loaded.diagnostics[0].message).toContain("--max-nodes");
  });

  test("the node limit counts the whole file, across documents, and is configurable", () => {
    const text = `${flat(400)}---\n${flat(400)}---\n${flat(400)}`;
    // 402 nodes a document ("x", "[" and 400 "1"): node 1,001 is the 195th "1" of the third document (line 5).
    const limits = { ...DEFAULT_LOAD_LIMITS, maxNodes: 1_000 };
    expect(loadText("f.yaml", text, limits).diagnostics.map(where)).toEqual([{ code: "load/too-many-nodes", line: 5, col: 393, path: "" }]);
    expect(loadText("f.yaml", text, { ...limits, maxNodes: 1_206 }).diagnostics).toEqual([]);
  });

  test("a document over the size limit is reported at its start, from the marker lines alone", () => {
    const small = gnp("a");
    const big = gnp("b", `  selector: all()\n  order: 1\n#${"x".repeat(1_000)}\n`);
    const limits = { ...DEFAULT_LOAD_LIMITS, maxDocumentBytes: 500 };
    const loaded = loadText("docs.yaml", `${small}---\n${big}`, limits);
    expect(loaded.documents).toEqual([]);
    expect(loaded.diagnostics.map(where)).toEqual([{ code: "load/document-too-large", line: 7, col: 1, path: "" }]);
    expect(loaded.diagnostics[0].message).toMatch(/^document 2 is 1\d{3} bytes; the limit is 500 \(raise it with --max-document-bytes\)$/);
  });

  test("more documents than the limit is one diagnostic", () => {
    const text = "a: 1\n---\n".repeat(20);
    const loaded = loadText("many.yaml", text, { ...DEFAULT_LOAD_LIMITS, maxDocuments: 10 });
    expect(loaded.diagnostics.map(where)).toEqual([{ code: "load/too-many-documents", line: 1, col: 1, path: "" }]);
  });

  test.each([
    ["100,000 [", `x: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, 1, 67],
    ["100,000 unclosed [", `x: ${"[".repeat(100_000)}\n`, 1, 67],
    ["100,000 {a: ", `x: ${"{a: ".repeat(100_000)}1${"}".repeat(100_000)}\n`, 1, 256],
    ["JSON, 100,000 [", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, 1, 65],
    ["100,000 compact block sequences - - -", `${"- ".repeat(100_000)}x\n`, 1, 129],
    ["100 indented block mappings", Array.from({ length: 100 }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + " 1\n", 65, 65],
  ])("deep nesting (%s) is load/too-deep where it passes 64 levels", (_name, text, line, col) => {
    const loaded = within(3_000, () => loadText("deep.yaml", text));
    expect(loaded.diagnostics.map(where)).toEqual([{ code: "load/too-deep", line, col, path: "" }]);
  });

  test("nesting within the limit loads", () => {
    const text = `x: ${"[".repeat(60)}1${"]".repeat(60)}\n`;
    const loaded = loadText("ok.yaml", text);
    expect(loaded.diagnostics).toEqual([]);
    expect(JSON.stringify(loaded.documents[0].value)).toBe(`{"x":${"[".repeat(60)}1${"]".repeat(60)}}`);
  });
});

describe("positions", () => {
  test("a diagnostic in the third document points into it (its positions come from its own text)", () => {
    const third = gnp("c", "  selector: all()\n  order: ten\n");
    const text = `${gnp("a")}---\n${gnp("b")}---\n${third}`;
    const found = validate(text);
    expect(found.map(where)).toEqual([{ code: "schema/wrong-type", line: 21, col: 10, path: "spec.order" }]);
  });

  test("anchors take the careful path and still report positions", () => {
    const text = gnp("a", "  selector: &s all()\n  namespaceSelector: *s\n  order: ten\n");
    expect(validate(text).map(where)).toEqual([{ code: "schema/wrong-type", line: 8, col: 10, path: "spec.order" }]);
  });
});

describe("list items after a dropped, wrongly typed entry keep their own positions", () => {
  test("ports: [1.5, 80, \"9:1\"] blames 1.5 and \"9:1\", not 80", () => {
    const text = gnp("p", "  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: [1.5, 80, \"9:1\"]\n");
    expect(validate(text).map(where)).toEqual([
      { code: "schema/wrong-type", line: 10, col: 17, path: "spec.ingress[0].destination.ports[0]" },
      { code: "port/range-order", line: 10, col: 26, path: "spec.ingress[0].destination.ports[2]" },
    ]);
  });

  test("two dropped entries, one of them null, in a nets list", () => {
    const text = gnp("n", "  ingress:\n    - action: Allow\n      source:\n        nets: [1, null, \"10.0.0.0/8\", \"10.0.0.0/33\"]\n");
    expect(validate(text).map(where)).toEqual([
      { code: "schema/wrong-type", line: 9, col: 16, path: "spec.ingress[0].source.nets[0]" },
      { code: "net/invalid", line: 9, col: 39, path: "spec.ingress[0].source.nets[3]" },
    ]);
  });
});

describe("UTF-16 files are named as such, with the fix", () => {
  const text = gnp("u");
  const asUtf8 = (bytes: Buffer) => new TextDecoder("utf-8").decode(bytes);
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.from(text, "utf16le").swap16();
  test.each([
    ["little-endian with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), le]), "little-endian"],
    ["big-endian with a BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), be]), "big-endian"],
    ["little-endian without a BOM", le, "little-endian"],
  ])("%s", (_name, bytes, order) => {
    const loaded = loadText("u16.yaml", asUtf8(bytes));
    expect(loaded.diagnostics.map(where)).toEqual([{ code: "load/utf16-file", line: 1, col: 1, path: "" }]);
    expect(loaded.diagnostics[0].message).toContain(`UTF-16 (${order})`);
    expect(loaded.diagnostics[0].message).toContain("save it as UTF-8");
  });

  test("a binary file is still binary", () => {
    const elf = asUtf8(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x41]));
    expect(loadText("bin.yaml", elf).diagnostics.map(where)).toEqual([{ code: "load/binary-file", line: 1, col: 8, path: "" }]);
  });
});
