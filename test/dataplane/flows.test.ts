import { describe, expect, test } from "@jest/globals";
import { connectionFlowRecords } from "../../src/dataplane/index.js";
import { evaluateFlow } from "../../src/engine/index.js";
import { parseEnterpriseRecord } from "../../src/flows/index.js";
import { PODS, STAGED } from "./fixtures.js";
import { build, inventoryDocs } from "./helpers.js";

/**
 * The node's live connections as aggregated flow-log records (dataplane/flows.ts): one record per reporter, source
 * and destination aggregate, protocol and port, with the engine's verdict and enforced and pending policies, and
 * the number of connections folded in; readable by tierguard's own flow reader.
 */
const docs = inventoryDocs([...PODS, { ns: "shop", name: "web-2", ip: "10.0.1.11", labels: { app: "web", v: "2" }, sa: "web" }], { shop: { team: "shop" }, ops: {} }, { "shop/web": {}, "shop/api": {} });
// web-1 and web-2 come from one ReplicaSet: Calico aggregates them as web-*.
for (const item of (docs[0] as { items: Array<{ kind: string; metadata: Record<string, unknown> }> }).items) {
  if (item.kind === "Pod" && String(item.metadata.name).startsWith("web-")) item.metadata.generateName = "web-";
}
const built = build(STAGED, docs);
if (!built.result.ok) throw new Error("refused");
const ruleset = built.result.ruleset;

const CONNECTIONS = [
  { protocol: 6, src: "10.0.1.10", dst: "10.0.1.20", dport: 9090 },
  { protocol: 6, src: "10.0.1.11", dst: "10.0.1.20", dport: 9090 },
  { protocol: 6, src: "10.0.1.10", dst: "10.0.1.20", dport: 9090 },
  { protocol: 17, src: "10.0.1.20", dst: "8.8.8.8", dport: 53 },
  // Between two pods of another node: not this node's to report.
  { protocol: 6, src: "10.0.2.30", dst: "10.0.3.40", dport: 5432 },
];

describe("connectionFlowRecords", () => {
  const records = connectionFlowRecords(ruleset, built.set, CONNECTIONS, "v3.32", 1_700_000_000_000);

  test("aggregated by reporter, aggregates, protocol and port; other nodes' connections left out", () => {
    expect(records.map((r) => [r.reporter, r.source_name_aggr, r.dest_name_aggr, r.proto, r.dest_port, r.num_flows])).toEqual([
      ["dst", "web-*", "api-1", 6, 9090, 3],
      ["src", "api-1", "pub", 17, 53, 1],
      ["src", "web-*", "api-1", 6, 9090, 3],
    ]);
  });

  test("labels are the intersection over the pods aggregated; names and IPs aggregated away", () => {
    const web = records.find((r) => r.reporter === "src" && r.source_name_aggr === "web-*")!;
    expect(web).toMatchObject({ source_type: "wep", source_namespace: "shop", source_name: "-", source_ip: "-", source_labels: { labels: ["app=web"] } });
    expect(records.find((r) => r.dest_name_aggr === "pub")).toMatchObject({ dest_type: "net", dest_namespace: "-", dest_labels: "-" });
  });

  test("the verdict and policies are the engine's for the flow, enforced and pending", () => {
    const ingress = records.find((r) => r.reporter === "dst")!;
    const engine = evaluateFlow(built.set, {
      src: ruleset.endpoints.find((e) => e.pod.name === "web-1")!.endpoint,
      dst: ruleset.endpoints.find((e) => e.pod.name === "api-1")!.endpoint,
      protocol: 6,
      dstPort: 9090,
    });
    expect(ingress.action).toBe(engine.ingress!.enforced.verdict);
    expect(ingress.policies).toEqual({
      enforced_policies: ["0|default|np:shop/api|allow|0"],
      pending_policies: ["0|security|snp:shop/api-tight|allow|0"],
    });
  });

  test("every record reads back through the Calico Enterprise reader without a problem", () => {
    for (const [i, r] of records.entries()) expect(parseEnterpriseRecord(r, i + 1).diagnostics).toEqual([]);
    const read = parseEnterpriseRecord(records[0], 1).record!;
    expect([read.numFlows, read.src.nameAggr, read.dst.nameAggr]).toEqual([3, "web-*", "api-1"]);
  });
});
