import { describe, expect, test } from "@jest/globals";
import { ACCOUNTING_SYSCTL, aggregatedFlows, parseConntrack, type CommandRunner } from "../../src/agent/index.js";
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

/** Answers `conntrack -L` as given and reads the accounting sysctl as `acct` ("1" unless told). */
function runner(conntrack: { code: number; stdout?: string; stderr?: string }, acct = "1\n"): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (command, args) => {
    calls.push([command, ...args].join(" "));
    if (command === "cat") return { code: 0, stdout: acct, stderr: "" };
    return { code: conntrack.code, stdout: conntrack.stdout ?? "", stderr: conntrack.stderr ?? "" };
  };
  return { run, calls };
}

describe("aggregatedFlows", () => {
  test("conntrack's connections aggregated with their peers, then the denied counters", async () => {
    const { run, calls } = runner({ code: 0, stdout: CONNTRACK });
    const r = await aggregatedFlows(run, { ruleset, set: built.set, values, nowMs: 1_700_000_000_000 });
    expect(calls).toEqual(["conntrack -L", `cat ${ACCOUNTING_SYSCTL}`]);
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

/** A `conntrack -L` line as conntrack-tools 1.4.7 prints it with accounting on (captured in the namespace lab). */
function line(o: { proto?: "tcp" | "udp"; src: string; dst: string; sport: number; dport: number; orig?: [number, number]; reply?: [number, number]; unreplied?: boolean; extended?: boolean }): string {
  const acct = (t?: [number, number]) => (t ? ` packets=${t[0]} bytes=${t[1]}` : "");
  const proto = o.proto === "udp" ? "udp      17 29" : "tcp      6 431999 ESTABLISHED";
  return `${o.extended ? "ipv4     2 " : ""}${proto} src=${o.src} dst=${o.dst} sport=${o.sport} dport=${o.dport}${acct(o.orig)}${o.unreplied ? " [UNREPLIED]" : ""} src=${o.dst} dst=${o.src} sport=${o.dport} dport=${o.sport}${acct(o.reply)}${o.proto === "udp" ? "" : " [ASSURED]"} mark=0 use=1`;
}

describe("conntrack accounting: bytes and packets of flow records", () => {
  test("the parser reads each tuple's packets and bytes (original, then reply), and none without accounting", () => {
    const rows: Array<[Parameters<typeof line>[0], object]> = [
      [{ src: "10.0.1.10", dst: "10.0.1.20", sport: 40000, dport: 9090, orig: [3, 180], reply: [2, 112] }, { orig: { packets: 3, bytes: 180 }, reply: { packets: 2, bytes: 112 } }],
      [{ proto: "udp", src: "10.0.1.10", dst: "10.0.3.40", sport: 5353, dport: 53, orig: [1, 32], reply: [0, 0], unreplied: true, extended: true }, { orig: { packets: 1, bytes: 32 }, reply: { packets: 0, bytes: 0 } }],
      [{ src: "10.0.1.20", dst: "10.0.1.10", sport: 40001, dport: 8080, orig: [2 ** 40, 2 ** 50], reply: [7, 9] }, { orig: { packets: 2 ** 40, bytes: 2 ** 50 }, reply: { packets: 7, bytes: 9 } }],
      [{ src: "10.0.1.20", dst: "10.0.1.10", sport: 40002, dport: 8080 }, {}],
    ];
    for (const [o, counts] of rows) {
      expect(parseConntrack(line(o))).toEqual([{ protocol: o.proto === "udp" ? 17 : 6, src: o.src, dst: o.dst, sport: o.sport, dport: o.dport, ...counts }]);
    }
    // A count that is not a number is left out, not read as NaN.
    expect(parseConntrack(line(rows[0][0]).replace("bytes=180", "bytes=x"))[0]).toEqual({ protocol: 6, src: "10.0.1.10", dst: "10.0.1.20", sport: 40000, dport: 9090, reply: { packets: 2, bytes: 112 } });
  });

  test("records carry the reporter's bytes and packets, summed over the connections aggregated; deny counters their packets", async () => {
    const conns = [
      line({ src: "10.0.1.10", dst: "10.0.1.20", sport: 40000, dport: 9090, orig: [3, 180], reply: [2, 112] }),
      line({ src: "10.0.1.10", dst: "10.0.1.20", sport: 40001, dport: 9090, orig: [5, 300], reply: [4, 250] }),
    ].join("\n");
    const { run } = runner({ code: 0, stdout: conns });
    const r = await aggregatedFlows(run, { ruleset, set: built.set, values, nowMs: 1_700_000_000_000 });
    expect(r.warnings).toEqual([]);
    const traffic = (x: Record<string, unknown>) => [x.reporter, x.num_flows, x.packets_in, x.bytes_in, x.packets_out, x.bytes_out];
    // The source sent the original direction (out) and received the reply (in); the destination the other way.
    expect(r.records.filter((x) => !x.tierguard_counter).map(traffic)).toEqual([
      ["dst", 2, 8, 480, 6, 362],
      ["src", 2, 6, 362, 8, 480],
    ]);
    const denied = r.records.find((x) => x.tierguard_counter === denyCounter.name)!;
    const side = denyCounter.direction === "egress" ? { packets_out: 4, bytes_out: 240, packets_in: 0, bytes_in: 0 } : { packets_in: 4, bytes_in: 240, packets_out: 0, bytes_out: 0 };
    expect(denied).toMatchObject(side);
  });

  test("accounting off: a warning that says so, and the live records' bytes and packets are 0", async () => {
    const { run } = runner({ code: 0, stdout: CONNTRACK }, "0\n");
    const r = await aggregatedFlows(run, { ruleset, set: built.set, values, nowMs: 1_700_000_000_000 });
    expect(r.warnings).toEqual([`conntrack accounting is off (${ACCOUNTING_SYSCTL} is 0): bytes and packets of live connections are 0; reloading the agent's ruleset turns it on for connections that begin after that`]);
    expect(r.records.filter((x) => !x.tierguard_counter).map((x) => [x.bytes_in, x.bytes_out, x.packets_in, x.packets_out])).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
  });
});
