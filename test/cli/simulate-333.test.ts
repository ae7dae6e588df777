import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { parseJson, run, tempDir, type SimulateJson, type TempDir } from "./helpers.js";

/**
 * `simulate --compare-recorded` under Calico 3.33 and 3.32, in-process. From 3.33 a staged policy never decides a
 * flow log's verdict (projectcalico/calico#13410); up to 3.32.1 Felix could record a staged policy's verdict when a
 * flow's rule match changed mid-flow, dropping the staged hit from the enforced list. The records are generated here:
 * web → db:5432 in namespace shop, where only a StagedNetworkPolicy (deny from web) selects db, so tierguard's enforced
 * verdict is the profile's allow and its pending verdict the staged deny.
 */
const POLICY = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: lockdown, namespace: shop }
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
    - action: Deny
      source: { selector: app == 'web' }
`;

const STAGED_DENY = { kind: "StagedNetworkPolicy", namespace: "shop", name: "lockdown", tier: "default", action: "Deny", policyIndex: "0", ruleIndex: "0" };
const PROFILE_ALLOW = { kind: "Profile", name: "kns.shop", action: "Allow", policyIndex: "0", ruleIndex: "0" };
const ENFORCED_TRACE = ["0|__PROFILE__|pro:kns.shop|allow|0"];
const PENDING_TRACE = ["0|default|snp:shop/lockdown|deny|0"];

function flow(action: "Allow" | "Deny", policies?: Record<string, unknown>): string {
  return JSON.stringify({
    Key: {
      sourceName: "web-*", sourceNamespace: "shop", sourceType: "WorkloadEndpoint",
      destName: "db-*", destNamespace: "shop", destType: "WorkloadEndpoint",
      destPort: "5432", proto: "tcp", reporter: "Dst", action, ...(policies ? { policies } : {}),
    },
    startTime: "1748955900", endTime: "1748956200",
    sourceLabels: ["app=web"], destLabels: ["app=db"], numConnectionsStarted: "1",
  });
}

const NOTE = (version: string) =>
  `Calico ${version} is evaluated with the 3.32 model and what 3.33 changed: its CRD size limits in validation, and flow-log verdicts that staged policies never decide (simulate --compare-recorded)`;

/** The staged policy's verdict recorded as the flow's (a v3.32.1 collector after a mid-flow rule change). */
const STAGED_VERDICT = flow("Deny", { enforcedPolicies: [], pendingPolicies: [STAGED_DENY] });
/** What every version records when nothing went wrong: the profile allows, the staged policy would deny. */
const AGREEING = flow("Allow", { enforcedPolicies: [PROFILE_ALLOW], pendingPolicies: [STAGED_DENY] });
/** A recorded deny without traces: it matches only tierguard's pending verdict, which must never count. */
const UNTRACED_DENY = flow("Deny");

/** `n` of each kind, in turn: lines 1, 4, 7 ... are staged verdicts, 2, 5, 8 ... agree, 3, 6, 9 ... are untraced denies. */
const generated = (n: number) => Array.from({ length: n }, () => [STAGED_VERDICT, AGREEING, UNTRACED_DENY]).flat().join("\n") + "\n";

describe("simulate --compare-recorded: Calico 3.33 against 3.32", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await tempDir();
    await dir.write("policies/lockdown.yaml", POLICY);
    await dir.write("one-each.jsonl", generated(1));
    await dir.write("ten-each.jsonl", generated(10));
  });
  afterAll(async () => {
    await dir.cleanup();
  });
  const simulate = (version: string, flows: string, ...rest: string[]) =>
    run(["simulate", "--policies", "policies", "--flows", flows, "--calico-version", version, "--compare-recorded", ...rest], { cwd: dir.path });
  const comparison = async (version: string, flows: string) => {
    const r = await simulate(version, flows, "--output", "json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(version === "3.32" ? "" : `tierguard: note: ${NOTE(version)}\n`);
    return parseJson<SimulateJson>(r.stdout).comparison;
  };

  test("3.32, as before: the staged verdict is compared with the enforced one and disagrees", async () => {
    expect(await comparison("3.32", "one-each.jsonl")).toEqual({
      compared: 3, verdictAgree: 1, enforcedCompared: 2, enforcedAgree: 1, pendingCompared: 2, pendingAgree: 2,
      notComparable: 0, uncertainDiffer: 0,
      disagreements: [
        { line: 1, field: "verdict", recorded: "deny", computed: "allow" },
        { line: 1, field: "enforced_policies", recorded: [], computed: ENFORCED_TRACE },
        { line: 3, field: "verdict", recorded: "deny", computed: "allow" },
      ],
    });
  });

  test("3.33: the staged verdict is set aside, the untraced deny still disagrees with the enforced verdict", async () => {
    expect(await comparison("3.33", "one-each.jsonl")).toEqual({
      compared: 2, verdictAgree: 1, enforcedCompared: 1, enforcedAgree: 1, pendingCompared: 2, pendingAgree: 2,
      notComparable: 0, uncertainDiffer: 0, stagedVerdict: 1, verdictsComparedWith: "enforced",
      disagreements: [{ line: 3, field: "verdict", recorded: "deny", computed: "allow" }],
    });
  });

  test("the records' traces are what tierguard computes, so only the verdicts are at stake", async () => {
    const r = parseJson<SimulateJson>((await simulate("3.33", "one-each.jsonl", "--output", "json")).stdout);
    expect(r.results.map((e) => [e.verdict, e.pendingVerdict])).toEqual([["allow", "deny"], ["allow", "deny"], ["allow", "deny"]]);
  });

  test("on 30 generated records the counts scale: 3.32 lists every staged verdict, 3.33 sets them aside", async () => {
    const c32 = await comparison("3.32", "ten-each.jsonl");
    const c33 = await comparison("v3.33.0", "ten-each.jsonl");
    expect([c32!.compared, c32!.verdictAgree, c32!.stagedVerdict]).toEqual([30, 10, undefined]);
    expect([c33!.compared, c33!.verdictAgree, c33!.stagedVerdict]).toEqual([20, 10, 10]);
    const verdictLines = (c: Record<string, any>) => c.disagreements.filter((d: { field: string }) => d.field === "verdict").map((d: { line: number }) => d.line);
    expect(verdictLines(c32!)).toEqual(Array.from({ length: 20 }, (_, i) => (i >> 1) * 3 + (i % 2 === 0 ? 1 : 3)));
    expect(verdictLines(c33!)).toEqual(Array.from({ length: 10 }, (_, i) => i * 3 + 3));
  });

  test("3.34 behaves as 3.33", async () => {
    expect(await comparison("3.34", "one-each.jsonl")).toMatchObject({ compared: 2, stagedVerdict: 1, verdictsComparedWith: "enforced" });
  });

  test("the text output says so under 3.33 and not under 3.32", async () => {
    const r33 = await simulate("3.33", "one-each.jsonl", "--output", "summary");
    expect(r33.code).toBe(0);
    const lines33 = r33.stdout.slice(r33.stdout.indexOf("Compared with")).split("\n");
    expect(lines33.slice(0, 2)).toEqual(["Compared with the verdicts the cluster recorded:", "  verdicts: 1/2 agree (50.0%)"]);
    expect(lines33).toContain(
      "  Calico 3.33: recorded verdicts are compared with tierguard's enforced verdict only; from 3.33 a staged policy never decides a flow log's verdict (staged policies show only in pending_policies)");
    expect(lines33.find((l) => l.startsWith("  set aside:"))).toBe(
      "  set aside: 1 record whose own trace gives the verdict to a staged policy, which Calico 3.33 never writes (3.32.1 and earlier could, " +
        "when a flow's rule match changed mid-flow): their verdicts and enforced traces were not compared; if these logs come from before an upgrade, " +
        "compare them with --calico-version 3.32");

    const r32 = await simulate("3.32", "one-each.jsonl", "--output", "summary");
    expect(r32.stdout).toContain("  verdicts: 1/3 agree (33.3%)\n");
    expect(r32.stdout).not.toContain("enforced verdict only");
    expect(r32.stdout).not.toContain("set aside");
  });

  test("3.33 without staged verdicts in the records still says what the verdicts were compared with", async () => {
    await dir.write("agreeing.jsonl", AGREEING + "\n");
    const r = await simulate("3.33", "agreeing.jsonl", "--output", "summary");
    expect(r.stdout).toContain("enforced verdict only");
    expect(r.stdout).not.toContain("set aside");
    expect(await comparison("3.33", "agreeing.jsonl")).toMatchObject({ compared: 1, verdictAgree: 1, stagedVerdict: 0, disagreements: [] });
  });
});
