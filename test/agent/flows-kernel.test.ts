import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readCounterValues } from "../../src/agent/apply.js";
import { aggregatedFlows, conntrackAccounting } from "../../src/agent/index.js";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { parseInventory } from "../../src/flows/index.js";
import { inventoryDocs } from "../dataplane/helpers.js";
import { resources } from "../helpers/engine.js";
import { Lab, labSkipReason } from "./lab.js";
import { compileFor, load, type LabMember } from "./probe.js";
import { RANDOM_NAMESPACES, RANDOM_PODS, RANDOM_SERVICE_ACCOUNTS } from "./random-sets.js";

/**
 * `agent counters --output flows` on a real kernel: loading the agent's ruleset turns conntrack accounting on in
 * the node's namespace (no sysctl written), and a UDP exchange of known size comes back as the flow record's
 * bytes and packets, exactly. Needs root, nft, conntrack and python3; skipped with the reason otherwise.
 */
const skip = labSkipReason();
const suite = skip ? describe.skip : describe;
if (skip) {
  process.stderr.write(`test/agent/flows-kernel.test.ts: the flow-record proof is skipped: ${skip}\n`);
  describe(`flow records' bytes and packets on a real kernel (skipped: ${skip})`, () => {
    test.skip("needs root, nftables, iproute2, conntrack and python3", () => undefined);
  });
}

suite("flow records' bytes and packets from conntrack accounting", () => {
  const lab = new Lab("tgfl", "10.99.0.1/24");
  const pods = RANDOM_PODS.slice(0, 2);
  const members: LabMember[] = [];
  const { inventory } = parseInventory(inventoryDocs(RANDOM_PODS, RANDOM_NAMESPACES, RANDOM_SERVICE_ACCOUNTS));

  beforeAll(async () => {
    lab.setup(pods.length);
    for (const [i, p] of pods.entries()) members.push({ pod: await lab.addPod(i, p.ip, 24, p.tcp, p.udp), namespace: p.ns, name: p.name, tcp: p.tcp, udp: p.udp });
  }, 30_000);

  afterAll(() => lab.teardown(pods.length));

  test("the ruleset turns accounting on; one UDP echo is 1 packet and 32 bytes each way in the records", async () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(resources(""), { universe, namespaceLabels: new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])) });
    // A new network namespace starts with accounting off; the agent's ruleset turns it on when it loads.
    expect(await conntrackAccounting(lab.run)).toBe("off");
    const ruleset = compileFor(set, universe, inventory, members);
    await load(lab, ruleset, set);
    expect(await conntrackAccounting(lab.run)).toBe("on");
    const [a1, a2] = members;
    // lab-agent sends "ping" (4 bytes) and gets it back: 20 (IP) + 8 (UDP) + 4 = 32 bytes per datagram.
    expect(await a1.pod.cmd({ op: "probe", proto: "udp", host: a2.pod.ip, port: 53, timeout: 1.0 })).toBe("allow");
    const flows = await aggregatedFlows(lab.run, { ruleset, set, values: await readCounterValues(lab.run, ruleset.table), nowMs: Date.now() });
    expect(flows.warnings).toEqual([]);
    const udp = flows.records.filter((r) => r.proto === 17 && r.dest_port === 53);
    expect(udp.map((r) => [r.reporter, r.source_name_aggr, r.dest_name_aggr, r.num_flows, r.packets_out, r.bytes_out, r.packets_in, r.bytes_in])).toEqual([
      ["dst", "a1", "a2", 1, 1, 32, 1, 32],
      ["src", "a1", "a2", 1, 1, 32, 1, 32],
    ]);
  }, 20_000);
});
