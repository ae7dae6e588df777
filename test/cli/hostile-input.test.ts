import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, parseJson, run, tempDir, type TempDir } from "./helpers.js";

/**
 * Issue 9 through the command: hostile policy files end in exit 1 with a diagnostic at file:line:col, never in exit
 * 3 ("internal error: Maximum call stack size exceeded") or in minutes of work. The inputs are generated here.
 */
interface Found {
  code: string;
  line: number;
  col: number;
  path: string;
}

const gnp = (name: string, selector: string) =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  selector: ${selector}\n`;

interface Row {
  name: string;
  file: string;
  content: () => string | Buffer;
  args?: string[];
  expected: Found[];
  message?: string;
  /** Text no diagnostic may contain (a hint that costs work for nothing). */
  absent?: string;
}

const rows: Row[] = [
  {
    name: "a selector with 50,000 nested parentheses",
    file: "parens.yaml",
    content: () => gnp("deep", `'${"(".repeat(50_000)}all()${")".repeat(50_000)}'`),
    // The length limit is Calico 3.33's; earlier versions report only the depth.
    args: ["--calico-version", "3.33"],
    expected: [
      { code: "selector/too-long", line: 6, col: 13, path: "spec.selector" },
      // The 129th "(" is at offset 128 of the selector, after the quote at column 13.
      { code: "selector/too-deep", line: 6, col: 142, path: "spec.selector" },
    ],
    message: "selector is 100005 characters",
  },
  {
    name: "a 320,000-character name (the old hint took 48 s)",
    file: "name.yaml",
    content: () => gnp(`a${"-".repeat(320_000)}A`, "all()"),
    expected: [
      { code: "names/invalid", line: 4, col: 9, path: "metadata.name" },
      { code: "names/too-long", line: 4, col: 9, path: "metadata.name" },
    ],
    absent: "; try",
  },
  {
    name: "a flat 4 MiB x: [1,1,...] (two million nodes)",
    file: "flat.yaml",
    content: () => `x: [${"1,".repeat(2_000_000 - 1)}1]\n`,
    expected: [{ code: "load/too-many-nodes", line: 1, col: 2_000_001, path: "" }],
    message: "raise it with --max-nodes",
  },
  {
    name: "a file over --max-nodes",
    file: "nodes.yaml",
    content: () => gnp("a", "all()"),
    args: ["--max-nodes", "5"],
    // apiVersion, its value, kind, its value, metadata: the sixth node is "name".
    expected: [{ code: "load/too-many-nodes", line: 4, col: 3, path: "" }],
  },
  {
    name: "100,000 nested [",
    file: "brackets.yaml",
    content: () => `x: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
    expected: [{ code: "load/too-deep", line: 1, col: 67, path: "" }],
  },
  {
    name: "a UTF-16 file",
    file: "utf16.yaml",
    content: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(gnp("a", "all()"), "utf16le")]),
    expected: [{ code: "load/utf16-file", line: 1, col: 1, path: "" }],
    message: "save it as UTF-8",
  },
];

describe("tierguard validate on hostile input", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  test.each(rows)("$name: exit 1 with the diagnostic", async ({ file, content, args = [], expected, message, absent }) => {
    await dir.write(file, content());
    const r = await run(["validate", "--output", "json", ...args, file], { cwd: dir.path });
    expectNoStackTrace(r);
    expect(r.code).toBe(1);
    const out = parseJson(r.stdout);
    expect(out.diagnostics.map(({ code, line, col, path }: Found) => ({ code, line, col, path }))).toEqual(expected);
    const messages = out.diagnostics.map((d: { message: string }) => d.message).join("\n");
    if (message) expect(messages).toContain(message);
    if (absent) expect(messages).not.toContain(absent);
  }, 10_000);

  test("--max-nodes must be a positive whole number", async () => {
    const r = await run(["validate", "--max-nodes", "many", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-nodes must be a positive whole number, not "many"');
  });
});
