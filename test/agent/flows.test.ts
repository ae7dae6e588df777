import { describe, expect, test } from "@jest/globals";
import { aggregatedFlows, type CommandRunner } from "../../src/agent/index.js";
import { build } from "../dataplane/helpers.js";
import { DOCS, STAGED } from "../dataplane/fixtures.js";

/**
 * `agent counters --output flows` without root: a recording runner answers `conntrack -L`. Live connections become
 * aggregated records with their peers; denied ones, which never enter conntrack, come from the enforced deny
 * counters; without conntrack the counters alone, with a warning.
 */
const built = build(STAGED, DOCS);
if (!built.result.ok) throw new Error("refused");
const ruleset = built.result.ruleset;
const denyCounter = ruleset.counters.find((c) => c.mode === "enforced" && c.action === "deny" && c.protocol === 6)!;
const pendingCounter = ruleset.counters.find((c) => c.mode === "pending" && c.kind === "rule" && c.policy?.name === "api-tight")!;
const values = new Map([
  [denyCounter.name, { packets: 4, bytes: 240 }],
  [pendingCounter.name, { packets: 7, bytes: 420 }],
]);
const CONNTRACK = [
  "tcp      6 431999 ESTABLISHED src=10.0.1.10 dst=10.0.1.20 sport=40000 dport=9090 src=10.0.1.20 dst=10.0.1.10 sport=9090 dport=40000 [ASSURED] mark=0 use=1",
  "tcp      6 431999 ESTABLISHED src=10.0.1.10 dst=10.0.1.20 sport=40001 dport=9090 src=10.0.1.20 dst=10.0.1.10 sport=9090 dport=40001 [ASSURED] mark=0 use=1",
].join("\n");

function runner(conntrack: { code: number; stdout?: string; stderr?: string }): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (command, args) => {
    calls.push([command, ...args].join(" "));
    return { code: conntrack.code, stdout: conntrack.stdout ?? "", stderr: conntrack.stderr ?? "" };
  };
  return { run, calls };
}

describe("aggregatedFlows", () => {
  test("conntrack's connections aggregated with their peers, then the denied counters", async () => {
    const { run, calls } = runner({ code: 0, stdout: CONNTRACK });
    const r = await aggregatedFlows(run, { ruleset, set: built.set, values, nowMs: 1_700_000_000_000 });
    expect(calls).toEqual(["conntrack -L"]);
    expect(r.warnings).toEqual([]);
    // The deny counter's record: the local side aggregated to its namespace ("*"), the peer unknown ("-").
    const denied = denyCounter.direction === "egress" ? ["src", "*", "-"] : ["dst", "-", "*"];
    expect(r.records.map((x) => [x.reporter, x.source_name_aggr, x.dest_name_aggr, x.action, x.num_flows, x.tierguard_counter ?? null])).toEqual([
      ["dst", "web-1", "api-1", "allow", 2, null],
      ["src", "web-1", "api-1", "allow", 2, null],
      [...denied, "deny", 4, denyCounter.name],
    ]);
    // The pending counter is not a record of its own here: the live connection carries its pending policy.
    expect(r.records.some((x) => x.tierguard_counter === pendingCounter.name)).toBe(false);
  });

  test("without conntrack: every counter that was hit, and a warning naming why", async () => {
    const { run } = runner({ code: 127, stderr: "conntrack: not found" });
    const r = await aggregatedFlows(run, { ruleset, set: built.set, values, nowMs: 1_700_000_000_000 });
    expect(r.warnings).toEqual(["conntrack -L failed (conntrack: not found): the records are the counters' only, without peers"]);
    expect(r.records.map((x) => x.tierguard_counter).sort()).toEqual([denyCounter.name, pendingCounter.name].sort());
  });
});
