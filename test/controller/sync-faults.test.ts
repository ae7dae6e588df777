import { describe, expect, test } from "@jest/globals";
import { runSync } from "../../src/controller/sync.js";
import type { OrderWrites } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";
import { expectNoGap, sync } from "./sync-helpers.js";

const V1 = manyPolicies(["a", "b", "c"]);
const V2 = manyPolicies(["a", "b", "d"], { action: "Deny" });
const written = (c: MemoryCluster, from = 0) => c.writes.slice(from).map((w) => `${w.verb} ${w.kind} ${w.namespace ?? "-"}/${w.name}${w.failed !== undefined ? ` (${w.failed || "killed"})` : ""}`);
const specs = (c: MemoryCluster) => new Map([...c.objects].map(([k, o]) => [k, JSON.stringify({ spec: o.spec, labels: o.metadata.labels })]));

async function atV1(): Promise<MemoryCluster> {
  const cluster = new MemoryCluster();
  await sync(cluster, V1);
  return cluster;
}

describe("sync: faults", () => {
  test("a 409 is met by re-reading and writing again", async () => {
    const cluster = await atV1();
    cluster.faults = [{ onWrite: 5, status: 409 }];
    const r = await sync(cluster, V2);
    expect(r.converged).toBe(true);
    expect(written(cluster, 4).slice(0, 3)).toEqual(["update NetworkPolicy shop/a (409)", "update NetworkPolicy shop/a", "update NetworkPolicy shop/b"]);
    expect(r.writes.slice(0, 2)).toEqual([
      { verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "a" },
      { verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "a" },
    ]);
    expect((cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "a" })!.spec.ingress as Array<{ action: string }>)[0].action).toBe("Deny");
  });

  test("409s without end give up after the bound and restore", async () => {
    const cluster = await atV1();
    cluster.faults = Array.from({ length: 10 }, (_, i) => ({ onWrite: 5 + i, status: 409 }));
    const r = await sync(cluster, V2, { conflictRetries: 2 });
    expect(r.converged).toBe(false);
    expect(written(cluster, 4)).toEqual(["update NetworkPolicy shop/a (409)", "update NetworkPolicy shop/a (409)", "update NetworkPolicy shop/a (409)"]);
    expect(r.problems).toEqual(["failed: update NetworkPolicy shop/a: 409 Conflict: injected 409; every change of this run was restored"]);
  });

  test.each([429, 500])("a %s part-way restores what the run changed, in reverse, and reports failure", async (status) => {
    const cluster = await atV1();
    const before = specs(cluster);
    const from = cluster.writes.length;
    cluster.faults = [{ onWrite: from + 3, status }];
    const r = await sync(cluster, V2);
    expect(r.converged).toBe(false);
    expect(written(cluster, from)).toEqual([
      "update NetworkPolicy shop/a",
      "update NetworkPolicy shop/b",
      `create NetworkPolicy shop/d (${status})`,
      "update NetworkPolicy shop/b",
      "update NetworkPolicy shop/a",
    ]);
    expect(specs(cluster)).toEqual(before);
    expect(r.problems[0]).toMatch(new RegExp(`^failed: create NetworkPolicy shop/d: ${status} \\w+: injected ${status}; every change of this run was restored$`));
    expect(cluster.events.filter((e) => e.reason === "Restored").map((e) => e.regarding.name)).toEqual(["b", "a"]);
    expect(cluster.events.filter((e) => e.reason === "SyncFailed").map((e) => [e.type, e.regarding.name])).toEqual([["Warning", "d"]]);
    expectNoGap(cluster.states.slice(4));
  });

  test("killed mid-promotion, a second run finishes it, still with no gap", async () => {
    const cluster = await atV1();
    const from = cluster.writes.length;
    cluster.faults = [{ onWrite: from + 4, crash: true }];
    const killed = await sync(cluster, V2);
    // The run died after three writes (the restore could not run either: the process is gone).
    expect(written(cluster, from)).toEqual(["update NetworkPolicy shop/a", "update NetworkPolicy shop/b", "create NetworkPolicy shop/d", "delete NetworkPolicy shop/c (killed)"]);
    expect(killed.converged).toBe(false);
    expect(killed.problems[0]).toMatch(/^failed: delete NetworkPolicy shop\/c: killed: the process died; could not restore: NetworkPolicy shop\/d: killed/);
    cluster.revive();
    const rerun = await sync(cluster, V2);
    expect(rerun.converged).toBe(true);
    expect(rerun.writes).toEqual([{ verb: "delete", kind: "NetworkPolicy", namespace: "shop", name: "c" }]);
    expectNoGap(cluster.states.slice(4));
    expect((await sync(cluster, V2)).writes).toEqual([]);
  });
});

describe("sync: the transitional orderer", () => {
  test("its order is used; an unsafe order applies nothing unless --allow-transitional", async () => {
    const seen: string[][] = [];
    const unsafe: OrderWrites = (changes, constraints, context) => {
      seen.push([`unchanged: ${context!.unchanged.map((r) => `${r.kind} ${r.metadata.name}`).join(", ")}`, ...changes.map((c) => `${c.write.verb} ${c.write.name}: ${c.before ? "before" : "-"} ${c.after ? "after" : "-"}`), `constraints ${constraints.length}`]);
      return { order: changes.map((_, i) => i), transitional: [{ flow: "web -> db", was: "allow", during: "deny" }], safe: false };
    };
    const cluster = await atV1();
    const n = cluster.writes.length;
    const refused = await sync(cluster, V2, { orderWrites: unsafe });
    expect([refused.converged, refused.writes, cluster.writes.length]).toEqual([false, [], n]);
    expect(refused.transitional).toEqual([{ flow: "web -> db", was: "allow", during: "deny" }]);
    expect(refused.problems).toEqual(["refused: no write order avoids a transitional outage or exposure (1 flow(s)); run with --allow-transitional to apply anyway"]);
    const applied = await sync(cluster, V2, { orderWrites: unsafe, allowTransitional: true });
    expect(applied.converged).toBe(true);
    // The orderer sees each write with the Resources the object holds before and after it.
    expect(seen[0]).toEqual(["unchanged: Tier security", "update a: before after", "update b: before after", "create d: - after", "delete c: before -", "constraints 0"]);
  });

  test("a safe reorder is applied as given; one that breaks a constraint is refused", async () => {
    const reversedUpdates: OrderWrites = (changes) => ({ order: [1, 0, ...changes.slice(2).map((_, i) => i + 2)], transitional: [], safe: true });
    const cluster = await atV1();
    const n = cluster.writes.length;
    await sync(cluster, V2, { orderWrites: reversedUpdates });
    expect(written(cluster, n).slice(0, 2)).toEqual(["update NetworkPolicy shop/b", "update NetworkPolicy shop/a"]);
    const deleteFirst: OrderWrites = (changes) => ({ order: changes.map((_, i) => i).reverse(), transitional: [], safe: true });
    const fresh = new MemoryCluster();
    const r = await sync(fresh, V1, { orderWrites: deleteFirst });
    expect([r.converged, fresh.writes.length]).toEqual([false, 0]);
    expect(r.problems).toEqual(["internal: the write order breaks a no-gap constraint; nothing applied"]);
  });
});

describe("sync: races with other writers", () => {
  test("a create that finds an unmanaged object appeared meanwhile never overwrites it", async () => {
    const cluster = await atV1();
    const port = cluster.port();
    const racing = {
      ...port,
      create: async (obj: Parameters<typeof port.create>[0]) => {
        if (obj.metadata.name === "d") {
          cluster.seed({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "d", namespace: "shop", labels: { owner: "ops" } }, spec: { selector: "all()" } });
        }
        return port.create(obj);
      },
    };
    const r = await runSync(racing, { resources: resources(V2), model: "v3.32", provenance: DEFAULT_PROVENANCE, environment: "prod" });
    expect(r.converged).toBe(false);
    expect(r.problems[0]).toBe("failed: create NetworkPolicy shop/d: NetworkPolicy shop/d is now an object tierguard does not manage; not overwritten; every change of this run was restored");
    expect(cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "d" })!.metadata.labels).toEqual({ owner: "ops" });
  });

  test("an update whose object was deleted meanwhile creates it again", async () => {
    const cluster = await atV1();
    const port = cluster.port();
    const racing = {
      ...port,
      update: async (obj: Parameters<typeof port.update>[0]) => {
        if (obj.metadata.name === "a" && cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "a" })) cluster.remove({ kind: "NetworkPolicy", namespace: "shop", name: "a" });
        return port.update(obj);
      },
    };
    const r = await runSync(racing, { resources: resources(V2), model: "v3.32", provenance: DEFAULT_PROVENANCE, environment: "prod" });
    expect(r.converged).toBe(true);
    expect(r.writes.slice(0, 2)).toEqual([
      { verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "a" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "a" },
    ]);
  });
});
