import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, parseJson, run, tempDir, TEMPLATE_POLICIES, type TempDir } from "./helpers.js";

/**
 * `tierguard validate PATH...`: every problem, each with code, file, line, column and field path; exit 1 on errors.
 * Each row writes one file into a temporary folder and asserts the exact diagnostics `--output json` reports.
 */
interface Found {
  code: string;
  line: number;
  col: number;
  path: string;
}

const GNP = (spec: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: a\nspec:\n${spec}`;
const NP = (spec: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: a\n  namespace: shop\nspec:\n${spec}`;

/** 150 expansions of one alias, inside labels so the file is otherwise valid. */
const ALIAS_BOMB = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: bomb
  labels:
    base: &v "x"
${Array.from({ length: 150 }, (_, i) => `    k${i}: *v`).join("\n")}
spec:
  nets: ["10.0.0.0/8"]
`;

interface Row {
  name: string;
  file: string;
  content: string | Buffer;
  args?: string[];
  expected: Found[];
  /** A fragment of the first diagnostic's message: the part that says how to fix it. */
  message?: string;
}

const rows: Row[] = [
  {
    name: "malformed YAML (a nested mapping in a compact one)",
    file: "malformed.yaml",
    content: GNP("  selector: all()\n").replace("name: a", "name: a: b"),
    expected: [{ code: "yaml/syntax", line: 4, col: 9, path: "" }],
  },
  {
    name: "an unclosed double-quoted string: reported where it opens, not at the end of the file",
    file: "open-dq.yaml",
    content: GNP('  selector: "app == x\n  order: 10\n  types: [Ingress]\n'),
    expected: [{ code: "yaml/syntax", line: 6, col: 13, path: "" }],
    message: 'Missing closing "quote: the string that opens here is never closed',
  },
  {
    name: "an unclosed single-quoted string in the second document: where it opens",
    file: "open-sq.yaml",
    content: `${GNP("  selector: all()\n")}---\n${GNP("  selector: 'app == x\n  order: 10\n")}`,
    expected: [{ code: "yaml/syntax", line: 13, col: 13, path: "" }],
    message: "Missing closing 'quote: the string that opens here is never closed",
  },
  {
    name: "malformed YAML (an unclosed flow sequence)",
    file: "unclosed.yaml",
    content: GNP("  selector: all()\n  types: [Ingress\n  order: 10\n"),
    expected: [{ code: "yaml/syntax", line: 8, col: 3, path: "" }],
  },
  {
    name: "a binary file",
    file: "binary.yaml",
    content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x41]),
    expected: [{ code: "load/binary-file", line: 1, col: 8, path: "" }],
    message: "binary, not YAML or JSON",
  },
  {
    name: "an unknown kind, with a suggestion",
    file: "kind.yaml",
    content: "apiVersion: projectcalico.org/v3\nkind: NetworkPolicey\nmetadata:\n  name: a\nspec: {}\n",
    expected: [{ code: "resource/unknown-kind", line: 2, col: 7, path: "kind" }],
    message: 'did you mean "NetworkPolicy"?',
  },
  {
    name: "an unknown field, with a suggestion",
    file: "field.yaml",
    content: NP("  selector: app == 'x'\n  ingres: []\n"),
    expected: [{ code: "schema/unknown-field", line: 8, col: 3, path: "spec.ingres" }],
    message: 'did you mean "ingress"?',
  },
  {
    name: "wrong types, every one reported",
    file: "types.yaml",
    content: NP('  order: "ten"\n  types: Ingress\n'),
    expected: [
      { code: "schema/wrong-type", line: 7, col: 10, path: "spec.order" },
      { code: "schema/wrong-type", line: 8, col: 10, path: "spec.types" },
    ],
    message: 'spec.order must be a number; found the string "ten"',
  },
  {
    name: "invalid selectors, at the offending character inside the string",
    file: "selectors.yaml",
    content: NP(
      "  selector: app == 'web' && role ~ 'x'\n" +
        "  ingress:\n    - action: Allow\n      source:\n        selector: \"tier == 'db' && $x\"\n" +
        "    - action: Allow\n      source:\n        selector: app == 'x' || !has(\n",
    ),
    expected: [
      // `~` is character 22 of the plain scalar that starts at column 13.
      { code: "selector/expected-operator", line: 7, col: 34, path: "spec.selector" },
      // `$` is character 17 of the double-quoted string whose text starts at column 20.
      { code: "selector/unexpected-character", line: 11, col: 36, path: "spec.ingress[0].source.selector" },
      // The selector ends too early: the position just past its last character.
      { code: "selector/has-missing-label", line: 14, col: 38, path: "spec.ingress[1].source.selector" },
    ],
    message: "expected an operator after the label",
  },
  {
    name: "invalid CIDRs",
    file: "cidr.yaml",
    content: NP('  ingress:\n    - action: Allow\n      source:\n        nets: ["10.0.0.0/33", "10.1.2.3/8", "300.1.1.1"]\n'),
    expected: [
      { code: "net/invalid", line: 10, col: 16, path: "spec.ingress[0].source.nets[0]" },
      { code: "net/host-bits", line: 10, col: 31, path: "spec.ingress[0].source.nets[1]" },
      { code: "net/invalid", line: 10, col: 45, path: "spec.ingress[0].source.nets[2]" },
    ],
    message: "write it as 10.0.0.0/8",
  },
  {
    name: "bad ports and port ranges",
    file: "ports.yaml",
    content: NP('  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: ["90:80", 70000, "1:2:3"]\n'),
    expected: [
      { code: "port/range-order", line: 11, col: 17, path: "spec.ingress[0].destination.ports[0]" },
      { code: "port/out-of-range", line: 11, col: 26, path: "spec.ingress[0].destination.ports[1]" },
      { code: "port/invalid", line: 11, col: 33, path: "spec.ingress[0].destination.ports[2]" },
    ],
    message: 'write it as "80:90"',
  },
  {
    name: "a YAML alias bomb",
    file: "bomb.yaml",
    content: ALIAS_BOMB,
    expected: [{ code: "yaml/alias-limit", line: 1, col: 1, path: "" }],
    message: "the limit of 100",
  },
  {
    name: "an alias bomb under a raised --max-alias-count",
    file: "bomb.yaml",
    content: ALIAS_BOMB,
    args: ["--max-alias-count", "1000"],
    expected: [],
  },
  {
    name: "a file larger than --max-file-bytes",
    file: "big.yaml",
    content: GNP("  selector: all()\n"),
    args: ["--max-file-bytes", "20"],
    expected: [{ code: "load/file-too-large", line: 1, col: 1, path: "" }],
    message: "raise it with --max-file-bytes",
  },
  {
    name: "a document larger than --max-document-bytes",
    file: "doc.yaml",
    content: GNP("  selector: all()\n"),
    args: ["--max-document-bytes", "20"],
    expected: [{ code: "load/document-too-large", line: 1, col: 1, path: "" }],
    message: "raise it with --max-document-bytes",
  },
  {
    name: "a JSON policy file, with a position inside it",
    file: "policy.json",
    content: JSON.stringify(
      { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector: "all()", ingress: [{ action: "Allow", source: { nets: ["10.0.0.0/33"] } }] } },
      null,
      2,
    ),
    expected: [{ code: "net/invalid", line: 14, col: 13, path: "spec.ingress[0].source.nets[0]" }],
  },
  {
    name: "a valid JSON policy file",
    file: "good.json",
    content: JSON.stringify({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "p" }, spec: { selector: "all()" } }),
    expected: [],
  },
];

describe("tierguard validate", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  test.each(rows)("$name", async ({ file, content, args = [], expected, message }) => {
    await dir.write(file, content);
    const r = await run(["validate", "--output", "json", ...args, file], { cwd: dir.path });
    expectNoStackTrace(r);
    const out = parseJson(r.stdout);
    const found = out.diagnostics.map(({ code, line, col, path }: Found) => ({ code, line, col, path }));
    expect(found).toEqual(expected);
    for (const d of out.diagnostics) expect(d.file).toBe(file);
    if (message) expect(out.diagnostics[0].message).toContain(message);
    expect(r.code).toBe(expected.length > 0 ? 1 : 0);
    expect(r.stderr).toBe("");
  });

  test("text output: one compiler-style line per problem, then the totals", async () => {
    await dir.write("text/cidr.yaml", NP('  ingress:\n    - action: Allow\n      source:\n        nets: ["10.0.0.0/33"]\n'));
    const r = await run(["validate", "text/cidr.yaml"], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")).toEqual([
      'text/cidr.yaml:10:16: error [net/invalid] "10.0.0.0/33" is not a CIDR or IP address; write it as 10.0.0.0/8 or fd00::/8 (spec.ingress[0].source.nets[0] in NetworkPolicy shop/a)',
      "1 error, 0 warnings, 0 notices in 1 file (1 resource)",
      "",
    ]);
  });

  test("every problem in every file of a folder is reported, not just the first", async () => {
    await dir.write("many/a.yaml", NP('  order: "ten"\n  types: Ingress\n'));
    await dir.write("many/b.yml", NP('  ingress:\n    - action: Allow\n      source:\n        nets: ["10.0.0.0/33"]\n').replace("name: a", "name: b"));
    await dir.write("many/sub/c.json", '{"apiVersion": "projectcalico.org/v3", "kind": "Nope", "metadata": {"name": "x"}}');
    await dir.write("many/ignored.txt", "not: [a policy");
    await dir.write("many/.hidden/d.yaml", "not: [a policy");
    const r = await run(["validate", "-o", "json", "many"], { cwd: dir.path });
    expect(r.code).toBe(1);
    const out = parseJson(r.stdout);
    expect(out.diagnostics.map((d: Found & { file: string }) => `${d.file} ${d.code}`)).toEqual([
      "many/a.yaml schema/wrong-type",
      "many/a.yaml schema/wrong-type",
      "many/b.yml net/invalid",
      "many/sub/c.json resource/unknown-kind",
    ]);
    expect(out.summary).toEqual({ errors: 4, warnings: 0, notices: 0, files: 3, resources: 2, calicoVersion: "v3.32" });
  });

  test("a missing path is a diagnostic (exit 1), and the other paths are still validated", async () => {
    await dir.write("present.yaml", NP('  order: "ten"\n'));
    const r = await run(["validate", "-o", "json", "absent.yaml", "present.yaml"], { cwd: dir.path });
    expectNoStackTrace(r);
    expect(r.code).toBe(1);
    const out = parseJson(r.stdout);
    expect(out.diagnostics.map((d: Found & { file: string; message: string }) => [d.file, d.code, d.message])).toEqual([
      ["absent.yaml", "load/not-found", "no such file or directory"],
      ["present.yaml", "schema/wrong-type", 'spec.order must be a number; found the string "ten"'],
    ]);
  });

  test("an empty directory: load/no-policy-files and exit 1, not a clean 0 files", async () => {
    await dir.write("nothing/README.md", "no policies here\n");
    const r = await run(["validate", "nothing"], { cwd: dir.path });
    expect(r).toEqual({
      code: 1,
      stdout: "nothing:1:1: error [load/no-policy-files] no policy files (.yaml, .yml or .json) were found in this directory\n1 error, 0 warnings, 0 notices in 0 files (0 resources)\n",
      stderr: "",
    });
  });

  test("--namespace names the namespace of resources that give none", async () => {
    const cidr = '  ingress:\n    - action: Allow\n      source:\n        nets: ["10.0.0.0/33"]\n';
    await dir.write("nsless.yaml", NP(cidr).replace("  namespace: shop\n", ""));
    const dflt = parseJson((await run(["validate", "-o", "json", "nsless.yaml"], { cwd: dir.path })).stdout);
    const shop = parseJson((await run(["validate", "-o", "json", "--namespace", "team-a", "nsless.yaml"], { cwd: dir.path })).stdout);
    expect(dflt.diagnostics[0].resource).toBe("NetworkPolicy default/a");
    expect(shop.diagnostics[0].resource).toBe("NetworkPolicy team-a/a");
  });

  test("the bundled template is valid under 3.32; under 3.31 its untiered names are warnings, with --quiet hiding them", async () => {
    const ok = await run(["validate", ...TEMPLATE_POLICIES]);
    expect(ok).toEqual({ code: 0, stdout: "0 errors, 0 warnings, 0 notices in 24 files (27 resources)\n", stderr: "" });

    const old = await run(["validate", "--calico-version", "3.31", "-o", "json", ...TEMPLATE_POLICIES]);
    expect(old.code).toBe(0);
    const out = parseJson(old.stdout);
    expect(out.summary).toEqual({ errors: 0, warnings: 18, notices: 0, files: 24, resources: 27, calicoVersion: "v3.31" });
    expect(new Set(out.diagnostics.map((d: Found) => d.code))).toEqual(new Set(["names/tier-prefix"]));
    const allowDns = out.diagnostics.find((d: { file: string }) => d.file === "security/allow-dns.yaml");
    expect(allowDns).toMatchObject({ line: 8, col: 9, path: "metadata.name", severity: "warning" });
    expect(allowDns.message).toContain('rename it to "security.allow-dns"');

    const quiet = await run(["validate", "--calico-version", "3.31", "--quiet", ...TEMPLATE_POLICIES]);
    expect(quiet).toEqual({ code: 0, stdout: "0 errors, 18 warnings, 0 notices in 24 files (27 resources)\n", stderr: "" });
  });

  test("--calico-version 3.30 is accepted and the note says which model evaluates it (the two modelled versions)", async () => {
    const r = await run(["validate", "--calico-version", "3.30", "--quiet", ...TEMPLATE_POLICIES]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("tierguard: note: Calico 3.30 is evaluated with the 3.31 model: tierguard models 3.31 (for 3.29 to 3.31: tier-prefixed policy names, knp.default.) and 3.32 (for 3.32 and later)\n");
    expect((await run(["validate", "--calico-version", "3.32", ...TEMPLATE_POLICIES])).stderr).toBe("");
  });
});

describe("validate on a policy repository's root (it holds tierguard.yaml)", () => {
  test("the template: the files its policies list names, the tests as tests, the configuration; the inventory is skipped and said so", async () => {
    const r = await run(["validate", "."]);
    expect(r).toEqual({
      code: 0,
      stdout:
        ".: a policy repository (tierguard.yaml): validated 24 policy files its policies name, 3 test files as policy tests and tierguard.yaml as the configuration; skipped 1 file: flows/inventory.yaml (the inventory)\n" +
        "0 errors, 0 warnings, 0 notices in 28 files (27 resources)\n",
      stderr: "",
    });
  });

  test("a broken test file is reported as a test (test/invalid-file at its line), tierguard.yaml as configuration, a stray file skipped", async () => {
    const repo = await tempDir();
    try {
      await repo.write("tierguard.yaml", 'calicoVersion: "3.31"\npolicies: [policies]\ntests: tests\nimpact:\n  newlyDenied: loud\n');
      await repo.write("policies/a.yaml", NP("  selector: all()\n").replace("name: a", "name: default.a"));
      await repo.write("tests/t.yaml", "tests:\n  - name: t\n    from: { namespace: shop }\n    to: { namespace: shop }\n    port: 70000\n    expect: allow\n");
      await repo.write(".github/workflows/ci.yaml", "on: push\n");
      await repo.write("notes/data.json", "{}\n");
      const r = await run(["validate", "-o", "json", repo.path], { cwd: repo.path });
      expect(r.code).toBe(1);
      const out = parseJson(r.stdout);
      expect(out.diagnostics.map((d: Found & { file: string }) => [d.file, d.code, d.line, d.col])).toEqual([
        ["tests/t.yaml", "test/invalid-file", 5, 11],
        ["tierguard.yaml", "config/invalid-value", 5, 16],
      ]);
      expect(out.summary).toMatchObject({ errors: 2, files: 3, resources: 1, calicoVersion: "v3.31" });
      expect(out.repositories).toEqual([{ path: repo.path, policyFiles: 1, testFiles: 1, skipped: [{ file: "notes/data.json", why: "not under tierguard.yaml's policies" }] }]);
    } finally {
      await repo.cleanup();
    }
  });
});
