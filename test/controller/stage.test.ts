import { describe, expect, test } from "@jest/globals";
import { runStage, runUnstage } from "../../src/controller/stage.js";
import { diffResources } from "../../src/review/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "../reconcile/helpers.js";
import { MemoryCluster } from "../support/memory-cluster.js";
import { sync } from "./sync-helpers.js";

const BASE = manyPolicies(["a", "b"]);
const pr = (head: string) => diffResources(resources(BASE, "base.yaml"), resources(head, "head.yaml"));
const input = (head: string, pullRequest: number) => ({ changes: pr(head), pullRequest, model: "v3.32" as const, provenance: { ...DEFAULT_PROVENANCE, pullRequest }, environment: "prod" });

async function enforcedBase(): Promise<{ cluster: MemoryCluster; enforced: Map<string, string> }> {
  const cluster = new MemoryCluster();
  await sync(cluster, BASE);
  return { cluster, enforced: new Map([...cluster.objects].map(([k, o]) => [k, JSON.stringify(o)])) };
}

describe("stage and unstage", () => {
  test("stage writes only the pull request's previews; unstage removes exactly them; enforced objects untouched throughout", async () => {
    const { cluster, enforced } = await enforcedBase();
    const head = manyPolicies(["a", "c"], { action: "Deny" });
    const staged = await runStage(cluster.port(), input(head, 42));
    expect(staged.converged).toBe(true);
    expect(staged.writes).toEqual([
      { verb: "create", kind: "StagedNetworkPolicy", namespace: "shop", name: "a-pr42" },
      { verb: "create", kind: "StagedNetworkPolicy", namespace: "shop", name: "b-pr42" },
      { verb: "create", kind: "StagedNetworkPolicy", namespace: "shop", name: "c-pr42" },
    ]);
    expect(cluster.get({ kind: "StagedNetworkPolicy", namespace: "shop", name: "b-pr42" })!.spec).toEqual({ tier: "security", stagedAction: "Delete" });
    expect(cluster.events.slice(-3).map((e) => [e.reason, e.regarding.name])).toEqual([["Staged", "a-pr42"], ["Staged", "b-pr42"], ["Staged", "c-pr42"]]);
    for (const [k, text] of enforced) expect([k, JSON.stringify(cluster.objects.get(k))]).toEqual([k, text]);
    // Staging the same head again writes nothing.
    const n = cluster.writes.length;
    expect((await runStage(cluster.port(), input(head, 42))).writes).toEqual([]);
    expect(cluster.writes.length).toBe(n);

    const unstaged = await runUnstage(cluster.port(), { pullRequest: 42, provenance: DEFAULT_PROVENANCE, environment: "prod" });
    expect(unstaged.writes.map((w) => `${w.verb} ${w.name}`)).toEqual(["delete a-pr42", "delete b-pr42", "delete c-pr42"]);
    expect(cluster.events.at(-1)?.reason).toBe("Unstaged");
    expect(new Map([...cluster.objects].map(([k, o]) => [k, JSON.stringify(o)]))).toEqual(enforced);
  });

  test("two pull requests on one policy: one staged copy each, and each is told of the other", async () => {
    const { cluster } = await enforcedBase();
    await runStage(cluster.port(), input(manyPolicies(["a", "b"], { action: "Deny" }), 42));
    const second = await runStage(cluster.port(), input(BASE.replace('app == "a"', 'app == "a2"'), 43));
    expect(second.writes).toEqual([{ verb: "create", kind: "StagedNetworkPolicy", namespace: "shop", name: "a-pr43" }]);
    expect(second.shared).toEqual([{ policy: "NetworkPolicy/shop/a", pullRequests: [42] }]);
    const again = await runStage(cluster.port(), input(manyPolicies(["a", "b"], { action: "Deny" }), 42));
    expect(again.shared).toEqual([{ policy: "NetworkPolicy/shop/a", pullRequests: [43] }]);
    await runUnstage(cluster.port(), { pullRequest: 43, provenance: DEFAULT_PROVENANCE, environment: "prod" });
    expect(cluster.get({ kind: "StagedNetworkPolicy", namespace: "shop", name: "a-pr42" })).toBeDefined();
    expect(cluster.get({ kind: "StagedNetworkPolicy", namespace: "shop", name: "a-pr43" })).toBeUndefined();
  });

  test("a preview name held by an object that is not the pull request's is a conflict, left alone", async () => {
    const { cluster } = await enforcedBase();
    cluster.seed({ apiVersion: "projectcalico.org/v3", kind: "StagedNetworkPolicy", metadata: { name: "a-pr42", namespace: "shop" }, spec: { tier: "security" } });
    const r = await runStage(cluster.port(), input(manyPolicies(["a", "b"], { action: "Deny" }), 42));
    expect(r.converged).toBe(false);
    expect(r.problems).toEqual(["conflict: StagedNetworkPolicy shop/a-pr42 exists and is not pull request #42's preview; it is left alone (head.yaml:8)"]);
    expect(cluster.get({ kind: "StagedNetworkPolicy", namespace: "shop", name: "a-pr42" })!.metadata.labels).toBeUndefined();
  });
});
