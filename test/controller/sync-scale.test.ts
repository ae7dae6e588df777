import { describe, expect, test } from "@jest/globals";
import { manyPolicies } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";
import { sync } from "./sync-helpers.js";

/**
 * A promotion of 2,000 policies: API writes equal what changed (all of them, then none, then the ten edited),
 * and the planning stays linear enough to finish well within the test's bound.
 */
const NAMES = Array.from({ length: 2000 }, (_, i) => `p${String(i).padStart(4, "0")}`);

describe("sync at scale", () => {
  test("2,000 policies: 2,001 writes, then none, then exactly the 10 changed", async () => {
    const cluster = new MemoryCluster();
    cluster.recordStates = false;
    const first = await sync(cluster, manyPolicies(NAMES));
    expect([first.converged, first.writes.length]).toEqual([true, 2001]);
    const second = await sync(cluster, "", { resources: first.planned.map((c) => c.after!) });
    expect([second.converged, second.writes.length]).toEqual([true, 0]);
    const edited = manyPolicies(NAMES).replace(/app == "(p000\d)"/g, 'app == "$1-v2"');
    const third = await sync(cluster, edited);
    expect([third.converged, third.writes.map((w) => `${w.verb} ${w.name}`)]).toEqual([true, NAMES.slice(0, 10).map((n) => `update ${n}`)]);
    expect(cluster.writes.length).toBe(2011);
  }, 20000);
});
