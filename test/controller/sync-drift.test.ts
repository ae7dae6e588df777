import { describe, expect, test } from "@jest/globals";
import { detectDrift } from "../../src/controller/sync-drift.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";
import { sync } from "./sync-helpers.js";

const V1 = manyPolicies(["a", "b"]);
const input = { resources: resources(V1), model: "v3.32" as const, provenance: DEFAULT_PROVENANCE, environment: "prod" };

describe("drift", () => {
  test("an edit and a deletion by hand are reported (Event, field path) and the next sync restores Git's version", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, V1);
    expect(await detectDrift(cluster.port(), input)).toEqual([]);
    cluster.edit({ kind: "NetworkPolicy", namespace: "shop", name: "a" }, (o) => void ((o.spec.ingress as Array<{ source: { selector: string } }>)[0].source.selector = "all()"));
    cluster.remove({ kind: "NetworkPolicy", namespace: "shop", name: "b" });
    const findings = await detectDrift(cluster.port(), input);
    expect(findings.map((f) => [f.drift, f.ref.name, f.path, f.actual])).toEqual([
      ["edited", "a", "spec.ingress[0].source.selector", "all()"],
      ["deleted", "b", undefined, undefined],
    ]);
    expect(cluster.events.filter((e) => e.reason === "Drift").map((e) => [e.type, e.message])).toEqual([
      ["Warning", 'NetworkPolicy shop/a was edited in the cluster: spec.ingress[0].source.selector is "all()", Git says "app == \\"web\\""'],
      ["Warning", "NetworkPolicy shop/b was deleted from the cluster; Git still defines it"],
    ]);
    const restored = await sync(cluster, V1);
    expect(restored.writes).toEqual([
      { verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "a" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "b" },
    ]);
    expect(await detectDrift(cluster.port(), input)).toEqual([]);
  });

  test("a sync names the edits by hand it restores (a warning each); a change made in Git is not drift", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, V1);
    cluster.edit({ kind: "NetworkPolicy", namespace: "shop", name: "a" }, (o) => void ((o.spec.ingress as Array<{ action: string }>)[0].action = "Deny"));
    const restored = await sync(cluster, V1);
    expect(restored.drift.map((f) => [f.drift, f.ref.name, f.path, f.expected, f.actual])).toEqual([["edited", "a", "spec.ingress[0].action", "Allow", "Deny"]]);
    expect(restored.lines.filter((l) => l.obj.drift).map((l) => [l.level, l.msg])).toEqual([["warn", 'NetworkPolicy shop/a was edited in the cluster: spec.ingress[0].action is "Deny", Git says "Allow"; restoring Git\'s version']]);
    const changed = await sync(cluster, manyPolicies(["a", "b"], { action: "Deny" }));
    expect([changed.writes.length, changed.drift]).toEqual([2, []]);
  });
});
