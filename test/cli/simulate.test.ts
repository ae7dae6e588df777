import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import {
  enterpriseRecord,
  expectNoStackTrace,
  INVENTORY,
  parseJson,
  run,
  TEMPLATE,
  TEMPLATE_POLICIES,
  templateSnapshotLines,
  tempDir,
  type SimulateJson,
  type TempDir,
} from "./helpers.js";

/**
 * `tierguard simulate` on small flow files written for each case: unreadable input (a truncated gzip, malformed
 * and over-long lines, a missing file) is reported with its line while every readable record is still replayed;
 * Goldmane flows, unresolved endpoints and the 3.31 trace names. Policies are the bundled template's.
 */
const POLICIES = TEMPLATE_POLICIES.map((p) => `${TEMPLATE}/${p}`);
const INV = `${TEMPLATE}/${INVENTORY}`;

/** A Goldmane flow frontend → adservice on `port`, recorded at the destination with the given policy hits. */
function goldmaneFlow(port: number, action: "Allow" | "Deny", policies: Record<string, unknown>): string {
  return JSON.stringify({
    Key: {
      sourceName: "frontend-wdtnk7lxn-*",
      sourceNamespace: "boutique",
      sourceType: "WorkloadEndpoint",
      destName: "adservice-d5vlts8wj-*",
      destNamespace: "boutique",
      destType: "WorkloadEndpoint",
      destPort: String(port),
      proto: "tcp",
      reporter: "Dst",
      action,
      policies,
    },
    startTime: "1748955900",
    endTime: "1748956200",
    sourceLabels: ["app=frontend", "pod-template-hash=wdtnk7lxn"],
    destLabels: ["app=adservice", "pod-template-hash=d5vlts8wj"],
    numConnectionsStarted: "1",
  });
}

const endOfTier = (tier: string, index: number, trigger: string) => ({
  kind: "EndOfTier", tier, action: "Pass", policyIndex: String(index), ruleIndex: "-1", trigger: { kind: "GlobalNetworkPolicy", name: trigger, tier },
});
const adservice = (index: number, action: string, rule: number) => ({
  kind: "CalicoNetworkPolicy", namespace: "boutique", name: "adservice", tier: "application", action, policyIndex: String(index), ruleIndex: String(rule),
});

/** What the cluster records for frontend → adservice:9555 at adservice: the same as tierguard computes. */
const AGREEING = goldmaneFlow(9555, "Allow", {
  enforcedPolicies: [endOfTier("security", 0, "block-threat-feed"), endOfTier("platform", 1, "allow-ingress-to-frontend"), adservice(2, "Allow", 0)],
  pendingPolicies: [
    endOfTier("security", 0, "block-threat-feed"),
    endOfTier("platform", 1, "allow-prometheus-scrape"),
    { kind: "StagedNetworkPolicy", namespace: "boutique", name: "boutique-isolation", tier: "namespace-isolation", action: "Pass", policyIndex: "2" },
    adservice(3, "Allow", 0),
  ],
});
/** A record that claims port 9556 was allowed by a rule adservice does not have. */
const DISAGREEING = goldmaneFlow(9556, "Allow", { enforcedPolicies: [adservice(0, "Allow", 1)] });

describe("simulate", () => {
  let dir: TempDir;
  const simulate = (flows: string, ...rest: string[]) =>
    run(["simulate", "--policies", ...POLICIES, "--inventory", INV, "--flows", flows, ...rest], { cwd: dir.path });
  const json = async (flows: string, ...rest: string[]) => {
    const r = await simulate(flows, "--output", "json", ...rest);
    expectNoStackTrace(r);
    return { ...r, out: parseJson<SimulateJson>(r.stdout) };
  };

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  test("a truncated .gz: the records before the cut are reported, then flows/truncated (exit 1)", async () => {
    const whole = gzipSync(Buffer.from(templateSnapshotLines().slice(0, 3000).join("\n") + "\n"));
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    await dir.write("cut.jsonl.gz", cut);
    // What a reader can decompress before the cut: every complete line of it is a record.
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString("utf8");
    const complete = readable.split("\n").length - 1;
    expect(complete).toBeGreaterThan(100);
    expect(complete).toBeLessThan(3000);

    const r = await json("cut.jsonl.gz");
    expect(r.code).toBe(1);
    expect(r.out.results.map((e) => e.line)).toEqual(Array.from({ length: complete }, (_, i) => i + 1));
    expect(r.out.problems).toEqual([
      {
        code: "flows/truncated",
        severity: "error",
        message: `the gzip stream is truncated or corrupt; records after line ${complete} were not read`,
        file: "cut.jsonl.gz",
        line: complete + 1,
        col: 1,
        path: "",
      },
    ]);
    expect(r.stderr).toContain(`cut.jsonl.gz:${complete + 1}:1: error [flows/truncated]`);
    expect(r.stderr).toContain(`tierguard: cut.jsonl.gz was read only up to line ${complete + 1}: the gzip stream is truncated or corrupt; the results cover the ${complete} records before it`);
  });

  test("malformed lines are reported with their line and column; the other records are still replayed", async () => {
    const good = enterpriseRecord();
    await dir.write("malformed.jsonl", [good, good, '{"source_type": "wep", oops}', good, "", "[1, 2]", good].join("\n") + "\n");
    const r = await json("malformed.jsonl");
    expect(r.code).toBe(1);
    expect(r.out.results.map((e) => [e.line, e.verdict])).toEqual([[1, "allow"], [2, "allow"], [4, "allow"], [7, "allow"]]);
    expect(r.out.problems.map((p) => [p.code, p.line, p.col])).toEqual([
      ["flows/malformed-json", 3, 24],
      ["flows/not-an-object", 6, 1],
    ]);
    expect(r.out.summary.skippedLines).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      'malformed.jsonl:3:24: error [flows/malformed-json] malformed JSON at column 24: expected a double-quoted property name, found "o"',
    );
  });

  test("--max-problems limits the problems printed, not those counted", async () => {
    await dir.write("junk.jsonl", ["x", "y", "z", enterpriseRecord()].join("\n"));
    const r = await simulate("junk.jsonl", "--output", "summary", "--max-problems", "1");
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("Replayed 1 record (1 flow); 3 lines skipped.");
    expect(r.stderr.split("\n")).toEqual([
      "junk.jsonl:1:1: error [flows/malformed-json] malformed JSON at column 1: unexpected \"x\" where a value was expected",
      "... and 2 more problems",
      "tierguard: 3 lines of junk.jsonl could not be read; their records are missing from the results",
      "",
    ]);
  });

  test.each([
    ["plain", "long.jsonl", (t: string) => Buffer.from(t)],
    ["gzipped", "long.jsonl.gz", (t: string) => gzipSync(Buffer.from(t))],
  ])("an over-long line (%s) is refused under --max-line-bytes, and the rest replayed", async (_kind, file, encode) => {
    const long = enterpriseRecord({ source_labels: { labels: ["app=frontend", "pod-template-hash=wdtnk7lxn", `note=${"x".repeat(60)}`] } });
    const short = enterpriseRecord();
    expect(long.length).toBeGreaterThan(short.length + 60);
    await dir.write(file, encode([short, long, short].join("\n") + "\n"));
    const r = await json(file, "--max-line-bytes", String(short.length + 10));
    expect(r.code).toBe(1);
    expect(r.out.results.map((e) => e.line)).toEqual([1, 3]);
    expect(r.out.problems).toEqual([
      { code: "flows/line-too-long", severity: "error", message: `the line is ${long.length} bytes long; the limit is ${short.length + 10}`, file, line: 2, col: 1, path: "" },
    ]);
    const roomy = await json(file, "--max-line-bytes", String(long.length));
    expect(roomy.code).toBe(0);
    expect(roomy.out.results.length).toBe(3);
  });

  test.each([
    ["a missing flows file", "absent.jsonl", "tierguard: cannot read --flows absent.jsonl: no such file or directory\n"],
    ["a folder as the flows file", ".", "tierguard: cannot read --flows .: not a regular file\n"],
  ])("%s is invalid input: exit 1, one message, no report", async (_name, flows, message) => {
    for (const output of ["json", "text", "summary"]) {
      const r = await simulate(flows, "--output", output);
      expect(r).toEqual({ code: 1, stdout: "", stderr: message });
    }
  });

  test("an unreadable inventory is invalid input", async () => {
    await dir.write("one.jsonl", enterpriseRecord());
    const r = await run(["simulate", "--policies", ...POLICIES, "--inventory", "no-inventory.yaml", "--flows", "one.jsonl"], { cwd: dir.path });
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "no-inventory.yaml:1:1: error [inventory/unreadable] no such file or directory\ntierguard: cannot use the inventory no-inventory.yaml\n",
    });
  });

  test("policies with errors: exit 1 and nothing is simulated", async () => {
    await dir.write("bad-policies/p.yaml", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: app ==\n");
    await dir.write("one.jsonl", enterpriseRecord());
    const r = await run(["simulate", "--policies", "bad-policies", "--flows", "one.jsonl", "--output", "json"], { cwd: dir.path });
    expectNoStackTrace(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      expect.stringMatching(/^bad-policies\/p\.yaml:6:19: error \[selector\/[a-z-]+\] .*\(spec\.selector in GlobalNetworkPolicy p\)$/),
      "tierguard: the policies have errors (run tierguard validate); nothing was simulated",
      "",
    ]);
  });

  test("Goldmane flows: recorded traces are compared, disagreements listed", async () => {
    await dir.write("goldmane.jsonl", [AGREEING, DISAGREEING].join("\n") + "\n");
    const r = await json("goldmane.jsonl", "--compare-recorded");
    expect(r.code).toBe(0);
    expect(r.out.results.map((e) => [e.line, e.src, e.dst, e.port, e.verdict])).toEqual([
      [1, "boutique/frontend-wdtnk7lxn-*", "boutique/adservice-d5vlts8wj-*", 9555, "allow"],
      [2, "boutique/frontend-wdtnk7lxn-*", "boutique/adservice-d5vlts8wj-*", 9556, "deny"],
    ]);
    expect(r.out.comparison).toMatchObject({ compared: 2, verdictAgree: 1, enforcedCompared: 2, enforcedAgree: 1, pendingCompared: 2, pendingAgree: 1 });
    expect(r.out.comparison!.disagreements).toEqual([
      { line: 2, field: "verdict", recorded: "allow", computed: "deny" },
      {
        line: 2,
        field: "enforced_policies",
        recorded: ["0|application|np:boutique/adservice|allow|1"],
        computed: ["0|security|gnp:block-threat-feed|pass|-1", "1|platform|gnp:allow-ingress-to-frontend|pass|-1", "2|application|np:boutique/adservice|deny|-1"],
      },
      {
        line: 2,
        field: "pending_policies",
        recorded: [],
        computed: ["0|security|gnp:block-threat-feed|pass|-1", "1|platform|gnp:allow-prometheus-scrape|pass|-1", "2|namespace-isolation|snp:boutique/boutique-isolation|deny|3"],
      },
    ]);

    const text = await simulate("goldmane.jsonl", "--output", "summary", "--compare-recorded");
    expect(text.stdout).toContain("  verdicts: 1/2 agree (50.0%)\n  enforced policy traces: 1/2 agree (50.0%)\n");
    expect(text.stdout).toContain("    line 2 verdict: recorded allow; tierguard deny\n");
  });

  test("--format enterprise refuses a Goldmane file line by line", async () => {
    await dir.write("goldmane1.jsonl", AGREEING + "\n");
    const r = await json("goldmane1.jsonl", "--format", "enterprise");
    expect(r.code).toBe(1);
    expect(r.out.results).toEqual([]);
    // Not one record was replayed: that is said too, so an all-refused file never reads as "nothing denied".
    expect(r.out.problems.map((p) => [p.code, p.line])).toEqual([["flows/mixed-formats", 1], ["flows/no-records", 1]]);
  });

  test("a record whose labels are aggregated away still gets its entry, marked unresolved with the reason", async () => {
    const aggregated = { source_name: "-", source_name_aggr: "ghost-5f7c9d-*", source_ip: "-", source_labels: "-" };
    await dir.write("unresolved.jsonl", [enterpriseRecord(), enterpriseRecord(aggregated)].join("\n"));

    const withInventory = await json("unresolved.jsonl");
    expect(withInventory.code).toBe(0);
    expect(withInventory.out.results.length).toBe(2);
    expect(withInventory.out.results[0].unresolved).toBeUndefined();
    expect(withInventory.out.results[1]).toMatchObject({
      line: 2,
      src: "boutique/ghost-5f7c9d-*",
      unresolved: ["source: labels of boutique/ghost-5f7c9d-* are aggregated in the record and the pod is not in the inventory"],
    });
    expect(withInventory.out.summary.unresolved).toEqual({
      records: 1,
      flows: 1,
      reasons: { "labels aggregated in the record": 1 },
    });

    const noInventory = await run(["simulate", "--policies", ...POLICIES, "--flows", "unresolved.jsonl", "-o", "json"], { cwd: dir.path });
    expect(parseJson<SimulateJson>(noInventory.stdout).results[1].unresolved).toEqual(["source: labels of boutique/ghost-5f7c9d-* are aggregated in the record"]);

    const text = await simulate("unresolved.jsonl");
    expect(text.stdout.split("\n")[1]).toMatch(/^line 2: boutique\/ghost-5f7c9d-\* -> boutique\/adservice-d5vlts8wj-bsp4q:9555\/TCP \w+ by .*\[unresolved\]$/);
  });

  test("--calico-version 3.31 writes traces with tier-prefixed names", async () => {
    await dir.write("first.jsonl", templateSnapshotLines()[0] + "\n");
    const v332 = await json("first.jsonl");
    const v331 = await json("first.jsonl", "--calico-version", "3.31");
    expect(v332.out.results[0].ingress.trace).toEqual(["0|security|gnp:block-threat-feed|pass|-1", "1|__PROFILE__|pro:kns.kube-system|allow|0"]);
    expect(v331.out.results[0].ingress.trace).toEqual(["0|security|security.block-threat-feed|pass|-1", "1|__PROFILE__|__PROFILE__.kns.kube-system|allow|0"]);
    expect(v331.out.results[0].egress.trace).toEqual(["0|security|security.allow-dns|allow|1"]);
    // Untiered names are warnings under 3.31, which do not stop the simulation.
    expect(v331.code).toBe(0);
  });

  test("relative paths resolve against the command's working directory", async () => {
    const r = await run(["simulate", "--policies", ...TEMPLATE_POLICIES, "--inventory", INVENTORY, "--flows", `${dir.path}/first.jsonl`, "-o", "summary"], { cwd: TEMPLATE });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Replayed 1 record (1 flow).");
  });
});
