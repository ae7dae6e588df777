import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, parseJson, run, tempDir, type TempDir } from "./helpers.js";

/**
 * `tierguard validate --calico-version 3.33` in-process on a generated policy past every 3.33 size limit: each limit
 * reported at file:line:col with its field path; the same file is valid for 3.32, whose CRDs have no such limits.
 */
const list = (n: number, item: (i: number) => string) => `[${Array.from({ length: n }, (_, i) => item(i)).join(", ")}]`;
const BIG = [
  "apiVersion: projectcalico.org/v3",
  "kind: GlobalNetworkPolicy",
  "metadata:",
  "  name: big",
  "spec:",
  `  selector: a == '${"x".repeat(1018)}'`,
  "  ingress:",
  "    - action: Allow",
  "      protocol: TCP",
  "      destination:",
  `        nets: ${list(257, (i) => `10.${i >> 8}.${i & 255}.0/24`)}`,
  `        ports: ${list(51, (i) => String(i + 1))}`,
  ...Array.from({ length: 1024 }, () => "    - action: Deny"),
  "",
].join("\n");

interface Found {
  code: string;
  line: number;
  col: number;
  path: string;
}

describe("tierguard validate --calico-version 3.33", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
    await dir.write("big.yaml", BIG);
  });
  afterAll(async () => {
    await dir.cleanup();
  });
  const validate = (version: string) => run(["validate", "--output", "json", "--calico-version", version, "big.yaml"], { cwd: dir.path });

  test("every limit past its bound, at its line and column", async () => {
    const r = await validate("3.33");
    expectNoStackTrace(r);
    expect(r.code).toBe(1);
    const out = parseJson(r.stdout);
    expect(out.diagnostics.map(({ code, line, col, path }: Found) => ({ code, line, col, path }))).toEqual([
      { code: "selector/too-long", line: 6, col: 13, path: "spec.selector" },
      { code: "policy/too-many-rules", line: 7, col: 3, path: "spec.ingress" },
      { code: "net/too-many", line: 11, col: 9, path: "spec.ingress[0].destination.nets" },
      { code: "port/too-many", line: 12, col: 9, path: "spec.ingress[0].destination.ports" },
    ]);
    expect(out.diagnostics.map((d: { message: string }) => d.message)).toEqual([
      "selector is 1025 characters; Calico 3.33 allows at most 1024. Split the policy or select on a shared label instead of listing values",
      "1025 ingress rules; Calico 3.33 allows at most 1024 per direction. Split the policy",
      "257 CIDRs in one list; Calico 3.33 allows at most 256. Move them into a NetworkSet or GlobalNetworkSet and select it",
      '51 ports in one list; Calico 3.33 allows at most 50. Merge adjacent ports into "lo:hi" ranges or split the rule',
    ]);
  });

  test("the same file is valid for Calico 3.32", async () => {
    const r = await validate("3.32");
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout).diagnostics).toEqual([]);
    expect(r.stderr).toBe("");
  });
});
