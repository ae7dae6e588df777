import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { EngineUniverse, formatHits, PolicySet } from "../../src/engine/index.js";
import { createFlowValueParser } from "../../src/flows/detect.js";
import { parseInventory } from "../../src/flows/inventory.js";
import { Replayer } from "../../src/impact/replay.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import { resolveEndpointSpec } from "../../src/impact/endpoint-spec.js";
import { loadBundle, loadText } from "../../src/policy/index.js";
import { resources } from "../helpers/engine.js";
import { TEMPLATE, templateFiles } from "../helpers/template.js";
import { join } from "node:path";

function templatePolicies() {
  return loadBundle([...templateFiles()].map(([file, text]) => ({ file, text })));
}

function templateInventory() {
  const loaded = loadText("inventory.yaml", readFileSync(join(TEMPLATE, "flows/inventory.yaml"), "utf8"));
  return parseInventory(loaded.documents.map((d) => d.value)).inventory;
}

describe("replay of the bundled snapshot", () => {
  const bundle = templatePolicies();
  const inventory = templateInventory();
  const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter((l) => l.trim() !== "");

  test("the policies load without errors", () => {
    expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  test("the fast path (raw-field caches) gives exactly the full path's outcome for every record", () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(bundle.resources, { universe });
    const fast = new Replayer(set, new EndpointResolver(universe, inventory));
    const full = new Replayer(set, new EndpointResolver(universe, inventory));
    const parse = createFlowValueParser();
    // Compared in plain code and reported together: an expect() per field of every record costs seconds.
    const differences: string[] = [];
    let compared = 0;
    lines.forEach((text, i) => {
      const v = parse(text, i + 1);
      if (v.diagnostics) throw new Error(`line ${i + 1} does not parse: ${JSON.stringify(v.diagnostics)}`);
      const a = fast.replayValue(v.value!, v.format!, i + 1, false);
      const b = full.replayValue(v.value!, v.format!, i + 1, true);
      if ("problems" in a || "problems" in b) throw new Error(`line ${i + 1} did not replay`);
      if (!b.record) differences.push(`line ${i + 1}: the full path gave no record`);
      const facts = (r: typeof a) => {
        const e = r.outcome.evaluation;
        const hits = (t: typeof e.ingress) => formatHits(t?.enforced.hits ?? [], "v3.32");
        return JSON.stringify([r.numFlows, e.verdict, e.pendingVerdict, hits(e.ingress), hits(e.egress)]);
      };
      if (facts(a) !== facts(b)) differences.push(`line ${i + 1}: fast ${facts(a)}, full ${facts(b)}`);
      compared++;
    });
    expect(differences).toEqual([]);
    expect(compared).toBe(lines.length);
    expect(fast.cacheStats.fastHits).toBe(lines.length);
    // Replicas and repeated windows share evaluations: far fewer evaluations than records.
    expect(fast.cacheStats.evaluations).toBeLessThan(lines.length / 20);
  });
});

const POLICIES = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: threats, labels: { feed: threats } }
spec: { nets: [203.0.113.0/24] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: block-threats }
spec:
  selector: all()
  types: [Egress]
  egress:
    - action: Deny
      destination: { selector: feed == 'threats' }
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  selector: app == 'db'
  ingress:
    - action: Allow
      source: { selector: role == 'reader' }
`;

describe("endpoint resolution", () => {
  test("Goldmane-style intersected labels: a label outside the intersection is unknown, not absent", () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(resources(POLICIES), { universe });
    const replayer = new Replayer(set, new EndpointResolver(universe));
    const record = (labelsAggregated: boolean) => ({
      format: "goldmane" as const,
      line: 1,
      src: { type: "wep" as const, namespace: "shop", nameAggr: "api-*", labels: { app: "api" }, labelsAggregated },
      dst: { type: "wep" as const, namespace: "shop", nameAggr: "db-*", labels: { app: "db" }, labelsAggregated: false },
      protocol: "tcp",
      dstPort: 5432,
      numFlows: 1,
      bytes: 0,
      packets: 0,
    });
    const partial = replayer.replay(record(true)).evaluation;
    expect(partial.verdict).toBe("deny");
    expect(partial.uncertain.join("\n")).toMatch(/labels of shop\/api-\* are aggregated.*role/);
    const complete = replayer.replay(record(false)).evaluation;
    expect(complete.verdict).toBe("deny");
    // Still uncertain about addresses (Goldmane records carry none), but no longer about labels.
    expect(complete.uncertain.join("\n")).not.toMatch(/aggregated/);
  });

  test("a hypothetical workload given by labels is in no network set, certainly", () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(resources(POLICIES), { universe });
    const src = resolveEndpointSpec("shop/api", { universe, labels: { app: "api" } });
    const dst = resolveEndpointSpec("shop/db", { universe, labels: { app: "db", role: "reader" } });
    if ("error" in src || "error" in dst) throw new Error("unresolved");
    const replayer = new Replayer(set, new EndpointResolver(universe));
    // Through the engine directly: egress from api passes the threat check with no uncertainty.
    const outcome = (replayer as unknown as { outcome: Function }).outcome(
      { id: 1, endpoint: src.endpoint },
      { id: 2, endpoint: dst.endpoint },
      6,
      5432,
      undefined,
    );
    expect(outcome.evaluation.egress.enforced.verdict).toBe("allow");
    expect(outcome.evaluation.uncertain).toEqual([]);
  });

  test("an aggregated record without addresses stays uncertain about network-set membership", () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(resources(POLICIES), { universe });
    const replayer = new Replayer(set, new EndpointResolver(universe));
    const e = replayer.replay({
      format: "enterprise",
      line: 1,
      src: { type: "wep", namespace: "shop", nameAggr: "api-*", labels: { app: "api" }, labelsAggregated: false },
      dst: { type: "net", nameAggr: "pub", labelsAggregated: false },
      protocol: "tcp",
      dstPort: 443,
      numFlows: 1,
      bytes: 0,
      packets: 0,
    }).evaluation;
    expect(e.verdict).toBe("allow");
    expect(e.uncertain.join("\n")).toMatch(/not in the record; it may lie in a network set/);
  });

  test("memo tables stay bounded however many distinct external addresses stream by", () => {
    const universe = new EngineUniverse();
    const set = new PolicySet(resources(POLICIES), { universe });
    const replayer = new Replayer(set, new EndpointResolver(universe), { cacheSize: 1000 });
    for (let i = 0; i < 20_000; i++) {
      const ip = `198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const e = replayer.replay({
        format: "enterprise",
        line: i + 1,
        src: { type: "wep", namespace: "shop", nameAggr: "api-*", labels: { app: "api" }, labelsAggregated: false },
        dst: { type: "net", nameAggr: "pub", ip, labelsAggregated: false },
        protocol: "tcp",
        dstPort: 443,
        numFlows: 1,
        bytes: 0,
        packets: 0,
      }).evaluation;
      expect(e.verdict).toBe("allow");
    }
    // All these addresses fall in one class (no CIDR contains them): one evaluation serves them all.
    expect(replayer.cacheStats.evaluations).toBe(1);
    expect(replayer.cacheStats.tuples).toBeLessThanOrEqual(1000);
  });
});
