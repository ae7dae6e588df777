import { describe, expect, test } from "@jest/globals";
import { ANNOTATIONS, desiredObjects, PR_LABEL, ROLE_LABEL, type ClusterObject } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";
import { expectNoGap, sync } from "./sync-helpers.js";

const V1 = manyPolicies(["a", "b", "c"]);
const V2 = manyPolicies(["a", "b", "d"], { action: "Deny" });
const keys = (c: MemoryCluster) => MemoryCluster.keys(c.objects);
const written = (c: MemoryCluster) => c.writes.map((w) => `${w.verb} ${w.kind} ${w.namespace ?? "-"}/${w.name}${w.failed !== undefined ? ` (${w.failed || "killed"})` : ""}`);

/** A cluster holding V1 as a previous sync left it, plus pull request 7's preview of the new policy d. */
async function promotedV1(): Promise<MemoryCluster> {
  const cluster = new MemoryCluster();
  await sync(cluster, V1);
  const [preview] = desiredObjects(resources(manyPolicies(["d"], { action: "Deny" })).slice(1), { model: "v3.32", provenance: DEFAULT_PROVENANCE, role: "preview", pullRequest: 7 }).map((d) => d.object);
  preview.kind = "StagedNetworkPolicy";
  preview.metadata.name = "d-pr7";
  preview.metadata.annotations = { ...preview.metadata.annotations, "tierguard.dev/previews": "NetworkPolicy/shop/d" };
  return cluster.seed(preview);
}

describe("sync: promotion", () => {
  test("an empty cluster converges in kind order, and a second sync makes no write at all", async () => {
    const cluster = new MemoryCluster();
    const first = await sync(cluster, V1);
    expect(first.converged).toBe(true);
    expect(first.writes).toEqual([
      { verb: "create", kind: "Tier", namespace: null, name: "security" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "a" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "b" },
      { verb: "create", kind: "NetworkPolicy", namespace: "shop", name: "c" },
    ]);
    expect(first.summary).toBe("3 policies become enforced, 1 tier or network set applied");
    expect(first.plan[1]).toEqual({ action: "create", kind: "NetworkPolicy", namespace: "shop", name: "a", file: "policies.yaml", tier: "security", replacesStaged: "StagedNetworkPolicy" });
    const count = cluster.writes.length;
    // The server defaulted `types` and `tier`: still nothing to write, for the same commit or a later one.
    const second = await sync(cluster, V1, { provenance: { ...DEFAULT_PROVENANCE, commit: "b".repeat(40) } });
    expect([second.converged, second.writes, second.plan, cluster.writes.length]).toEqual([true, [], [], count]);
  });

  test("a sync with nothing to write never runs the transitional orderer (it would replay the whole cluster for nothing)", async () => {
    const cluster = new MemoryCluster();
    let calls = 0;
    const counting: Parameters<typeof sync>[2] = { orderWrites: (changes) => (calls++, { order: changes.map((_, i) => i), transitional: [], safe: true }) };
    await sync(cluster, V1, counting);
    const again = await sync(cluster, V1, counting);
    expect([again.converged, again.writes, calls]).toEqual([true, [], 1]);
  });

  test("no gap at any recorded state: updates in place, the enforced policy before its staged preview goes, deletions last", async () => {
    const cluster = await promotedV1();
    const result = await sync(cluster, V2, { provenance: { ...DEFAULT_PROVENANCE, pullRequest: 7 } });
    expect(result.converged).toBe(true);
    expect(written(cluster).slice(4)).toEqual([
      "update NetworkPolicy shop/a",
      "update NetworkPolicy shop/b",
      "create NetworkPolicy shop/d",
      "delete StagedNetworkPolicy shop/d-pr7",
      "delete NetworkPolicy shop/c",
    ]);
    expect(cluster.writes.some((w) => w.verb === "delete" && (w.name === "a" || w.name === "b"))).toBe(false);
    expectNoGap(cluster.states);
    expect(keys(cluster)).toEqual(["NetworkPolicy/shop/a", "NetworkPolicy/shop/b", "NetworkPolicy/shop/d", "Tier//security"]);
  });

  test("a rename creates the new name before deleting the old one", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, V1);
    await sync(cluster, V1.replace("name: c", "name: c2"));
    expect(written(cluster).slice(4)).toEqual(["create NetworkPolicy shop/c2", "delete NetworkPolicy shop/c"]);
    expect(cluster.states.slice(4).every((s) => s.has("NetworkPolicy/shop/c") || s.has("NetworkPolicy/shop/c2"))).toBe(true);
  });

  test("deletions run last in reverse order: policies, then sets, then tiers", async () => {
    const cluster = new MemoryCluster();
    const set = "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: lb, namespace: shop }\nspec: { nets: [10.0.0.0/8] }\n";
    await sync(cluster, manyPolicies(["a"]) + set + "---\n" + manyPolicies(["x"], { tier: "old" }));
    await sync(cluster, manyPolicies(["a"]));
    expect(written(cluster).slice(5)).toEqual(["delete NetworkPolicy shop/x", "delete NetworkSet shop/lb", "delete Tier -/old"]);
  });

  test("every write is an audit record: an Event and a JSON line with commit, pull request, author and meaning", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, manyPolicies(["a"]));
    const r = await sync(cluster, manyPolicies(["a"], { action: "Deny" }), { provenance: { ...DEFAULT_PROVENANCE, pullRequest: 9, author: "bob" } });
    const audit = r.lines.filter((l) => l.obj.audit === true);
    expect(audit).toHaveLength(1);
    expect(audit[0].obj).toEqual({
      audit: true, environment: "prod", verb: "update", kind: "NetworkPolicy", namespace: "shop", name: "a", reason: "Promoted",
      commit: DEFAULT_PROVENANCE.commit, pullRequest: 9, author: "bob", time: DEFAULT_PROVENANCE.time, outcome: "succeeded", pr: 9,
      meaning: ["spec.ingress[0].action: action flipped from Allow to Deny"],
    });
    expect(cluster.events.at(-1)).toEqual({ regarding: { kind: "NetworkPolicy", namespace: "shop", name: "a" }, type: "Normal", reason: "Promoted", namespace: "shop", message: expect.stringContaining("update NetworkPolicy shop/a at 0123456 (#9 by bob)") });
    const a = cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "a" })!;
    expect(a.metadata.annotations?.[ANNOTATIONS.pullRequest]).toBe("9");
    expect(a.metadata.annotations?.[ANNOTATIONS.author]).toBe("bob");
  });

  test("a dry run plans and writes nothing", async () => {
    const cluster = new MemoryCluster();
    const r = await sync(cluster, V1, { dryRun: true });
    expect([r.converged, r.writes.length, r.plan.length, cluster.writes.length]).toEqual([false, 4, 4, 0]);
  });
});

describe("sync: what it never touches", () => {
  const unmanaged = (): ClusterObject => ({ apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "c", namespace: "shop", labels: { owner: "ops" } }, spec: { tier: "security", selector: "all()" } });

  test("an unmanaged look-alike is reported, nothing is applied and sync fails; --adopt takes it over", async () => {
    const cluster = new MemoryCluster().seed(unmanaged(), { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "other" }, spec: {} });
    const r = await sync(cluster, V1);
    expect([r.converged, r.writes, cluster.writes]).toEqual([false, [], []]);
    expect(r.problems).toEqual(["conflict: NetworkPolicy shop/c is an object tierguard does not manage; tierguard never changes it (run with --adopt to take it over) (policies.yaml:36)"]);
    const adopted = await sync(cluster, V1, { adopt: true });
    expect(adopted.converged).toBe(true);
    expect(written(cluster)).toContain("update NetworkPolicy shop/c");
    expect(cluster.get({ kind: "NetworkPolicy", namespace: "shop", name: "c" })!.metadata.labels?.[ROLE_LABEL]).toBe("enforced");
    // The unmanaged policy the repository does not name is never deleted, even when the repository empties.
    await sync(cluster, manyPolicies([]), { allowEmpty: true });
    expect(cluster.get({ kind: "GlobalNetworkPolicy", name: "other" })).toBeDefined();
  });

  test("another pull request's preview survives a promotion", async () => {
    const cluster = await promotedV1();
    await sync(cluster, V2, { provenance: { ...DEFAULT_PROVENANCE, pullRequest: 8 } });
    expect(cluster.get({ kind: "StagedNetworkPolicy", namespace: "shop", name: "d-pr7" })?.metadata.labels?.[PR_LABEL]).toBe("7");
  });

  test("emptying the environment is refused unless confirmed", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, V1);
    const before = cluster.writes.length;
    const r = await sync(cluster, manyPolicies([]));
    expect([r.converged, cluster.writes.length]).toEqual([false, before]);
    expect(r.problems).toEqual(["refused: this sync would delete every managed policy of the environment; run again with --allow-empty to confirm"]);
    expect((await sync(cluster, manyPolicies([]), { allowEmpty: true })).converged).toBe(true);
    expect(keys(cluster)).toEqual(["Tier//security"]);
  });
});

describe("sync: both name models", () => {
  test("3.31 writes tier-prefixed names and converges to no writes", async () => {
    const cluster = new MemoryCluster();
    await sync(cluster, V1, { model: "v3.31" });
    expect(keys(cluster)).toEqual(["NetworkPolicy/shop/security.a", "NetworkPolicy/shop/security.b", "NetworkPolicy/shop/security.c", "Tier//security"]);
    const n = cluster.writes.length;
    expect((await sync(cluster, V1, { model: "v3.31" })).writes).toEqual([]);
    expect(cluster.writes.length).toBe(n);
  });
});
