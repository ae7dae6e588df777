import { describe, expect, test } from "@jest/globals";
import { applyRuleset } from "../../src/agent/apply.js";
import { clearDeniedConnections, parseConntrack } from "../../src/agent/conntrack.js";
import type { CommandRunner } from "../../src/agent/exec.js";
import type { Ruleset } from "../../src/dataplane/index.js";
import { build } from "../dataplane/helpers.js";
import { DOCS, TIERED } from "../dataplane/fixtures.js";

/**
 * The apply path without root: a recording runner stands in for nft and conntrack, so what is run, in which
 * order, and what happens on failure are asserted exactly. test/agent/kernel.test.ts runs the same path for real.
 */
type Call = { command: string; args: string[]; input?: string };

function fakeRunner(answers: (c: Call) => { code: number; stdout?: string; stderr?: string }): { run: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const run: CommandRunner = async (command, args, input) => {
    const call = { command, args: [...args], input };
    calls.push(call);
    const a = answers(call);
    return { code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" };
  };
  return { run, calls };
}

function compiled(): { ruleset: Ruleset; set: ReturnType<typeof build>["set"] } {
  const b = build(TIERED, DOCS);
  if (!b.result.ok) throw new Error("refused");
  return { ruleset: b.result.ruleset, set: b.set };
}

const line = (c: Call) => `${c.command} ${c.args.join(" ")}`;

describe("agent apply --once", () => {
  test("a failed check (nft -c) loads nothing and reports nft's message", async () => {
    const { ruleset, set } = compiled();
    const { run, calls } = fakeRunner((c) => (c.args[0] === "-c" ? { code: 1, stderr: "/dev/stdin:7:3: Error: No such file or directory" } : { code: 1 }));
    const r = await applyRuleset(ruleset, set, { run });
    expect(r).toEqual({ ok: false, stage: "check", message: "/dev/stdin:7:3: Error: No such file or directory" });
    expect(calls.map(line)).toEqual(["nft -j list counters table inet tierguard", "nft -c -f /dev/stdin"]);
  });

  test("a failed load reports the load stage; conntrack is not touched", async () => {
    const { ruleset, set } = compiled();
    const { run, calls } = fakeRunner((c) => (c.args[0] === "-f" ? { code: 1, stderr: "Error: Could not process rule: Too many open files" } : { code: c.args[0] === "-j" ? 1 : 0 }));
    const r = await applyRuleset(ruleset, set, { run });
    expect(r).toEqual({ ok: false, stage: "load", message: "Error: Could not process rule: Too many open files" });
    expect(calls.some((c) => c.command === "conntrack")).toBe(false);
  });

  test("one transaction: declare, delete and re-create the table; counters of unchanged rules are carried over", async () => {
    const { ruleset, set } = compiled();
    const kept = ruleset.counters[0].name;
    const listing = JSON.stringify({
      nftables: [
        { metainfo: { version: "1.0.6" } },
        { counter: { family: "inet", name: kept, table: "tierguard", packets: 42, bytes: 4200 } },
        { counter: { family: "inet", name: "c_gone", table: "tierguard", packets: 7, bytes: 70 } },
      ],
    });
    const { run, calls } = fakeRunner((c) => (c.args[0] === "-j" ? { code: 0, stdout: listing } : c.command === "conntrack" ? { code: 0, stdout: "" } : { code: 0 }));
    const r = await applyRuleset(ruleset, set, { run });
    expect(r).toEqual({ ok: true, hash: ruleset.hash, carried: 1, conntrackDeleted: 0, warnings: [] });
    const loaded = calls.find((c) => c.args[0] === "-f")!.input!;
    expect(loaded.split("\n").slice(0, 3)).toEqual(["table inet tierguard", "delete table inet tierguard", "table inet tierguard {"]);
    expect(loaded).toContain(`counter ${kept} { packets 42 bytes 4200 }`);
    expect(loaded).not.toContain("c_gone");
    expect(calls.map(line)).toEqual(["nft -j list counters table inet tierguard", "nft -c -f /dev/stdin", "nft -f /dev/stdin", "conntrack -L"]);
  });
});

describe("conntrack clean-up", () => {
  test("parses conntrack -L lines, plain and extended", () => {
    expect(parseConntrack([
      "tcp      6 431999 ESTABLISHED src=10.0.1.20 dst=10.0.1.10 sport=40000 dport=8080 src=10.0.1.10 dst=10.0.1.20 sport=8080 dport=40000 [ASSURED] mark=0 use=1",
      "ipv4     2 udp      17 29 src=10.0.1.10 dst=10.0.3.40 sport=5353 dport=53 [UNREPLIED] src=10.0.3.40 dst=10.0.1.10 sport=53 dport=5353 mark=0 use=1",
      "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.",
    ].join("\n"))).toEqual([
      { protocol: 6, src: "10.0.1.20", dst: "10.0.1.10", sport: 40000, dport: 8080 },
      { protocol: 17, src: "10.0.1.10", dst: "10.0.3.40", sport: 5353, dport: 53 },
    ]);
  });

  test("deletes exactly the entries of local endpoints that the new policy denies", async () => {
    const { ruleset, set } = compiled();
    const entries = [
      // api-1 -> web-1:8080: web's ingress allows its http port: kept.
      "tcp 6 100 ESTABLISHED src=10.0.1.20 dst=10.0.1.10 sport=40000 dport=8080 src=10.0.1.10 dst=10.0.1.20 sport=8080 dport=40000 [ASSURED]",
      // api-1 -> web-1:22: denied at the end of the default tier: deleted.
      "tcp 6 100 ESTABLISHED src=10.0.1.20 dst=10.0.1.10 sport=40001 dport=22 src=10.0.1.10 dst=10.0.1.20 sport=22 dport=40001 [ASSURED]",
      // Between two pods of node-b: not this node's to judge.
      "tcp 6 100 ESTABLISHED src=10.0.2.30 dst=10.0.3.40 sport=40002 dport=22 src=10.0.3.40 dst=10.0.2.30 sport=22 dport=40002 [ASSURED]",
    ].join("\n");
    const { run, calls } = fakeRunner((c) => (c.args[0] === "-L" ? { code: 0, stdout: entries } : { code: 0 }));
    expect(await clearDeniedConnections(ruleset, set, run)).toEqual({ deleted: 1, warnings: [] });
    expect(calls.map(line)).toEqual(["conntrack -L", "conntrack -D -p tcp -s 10.0.1.20 -d 10.0.1.10 --sport 40001 --dport 22"]);
  });
});
