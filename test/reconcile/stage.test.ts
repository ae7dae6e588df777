import { describe, expect, test } from "@jest/globals";
import { diffResources } from "../../src/review/index.js";
import { desiredObjects, otherPullRequestsStaging, planStage, planUnstage, PR_LABEL, ROLE_LABEL, MANAGED_LABEL, type ClusterObject, type PlannedChange } from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "./helpers.js";

const KNP = (name: string, port: number) => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: ${port} }] }]\n`;
const BASE = manyPolicies(["a", "b"]) + KNP("k", 80);
const HEAD = manyPolicies(["a", "c"], {}).replace('app == "a"', 'app == "a2"') + "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: lb, namespace: shop }\nspec: { nets: [10.0.0.0/8] }\n";
const changes = diffResources(resources(BASE, "base.yaml"), resources(HEAD, "head.yaml"));
const tier: ClusterObject = { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } };

const steps = (cs: readonly PlannedChange[]) => cs.map((c) => `${c.write.verb} ${c.write.kind} ${c.write.namespace ?? "-"}/${c.write.name}`);

/** What the cluster holds after the plan's writes (creates and updates stored, deletes removed). */
function applied(observed: readonly ClusterObject[], cs: readonly PlannedChange[]): ClusterObject[] {
  const out = new Map(observed.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
  for (const c of cs) {
    const key = `${c.write.object?.kind ?? c.write.kind}/${c.write.namespace ?? undefined}/${c.write.name}`;
    if (c.write.verb === "delete") out.delete([...out.keys()].find((k) => k.endsWith(`/${c.write.namespace ?? undefined}/${c.write.name}`))!);
    else out.set(key, c.write.object!);
  }
  return [...out.values()];
}

describe("staged previews of a pull request", () => {
  const plan = planStage({ changes, observed: [tier], pullRequest: 42, model: "v3.32", provenance: DEFAULT_PROVENANCE });

  test("added and changed policies as Staged* with stagedAction Set, deletions as stagedAction Delete with only the tier", () => {
    expect(steps(plan.changes)).toEqual([
      "create StagedNetworkPolicy shop/a-pr42",
      "create StagedNetworkPolicy shop/b-pr42",
      "create StagedNetworkPolicy shop/c-pr42",
      "create StagedKubernetesNetworkPolicy shop/k-pr42",
    ]);
    const byName = new Map(plan.changes.map((c) => [c.write.name, c.write.object!]));
    expect(byName.get("a-pr42")!.spec).toMatchObject({ tier: "security", selector: 'app == "a2"', stagedAction: "Set" });
    expect(byName.get("b-pr42")!.spec).toEqual({ tier: "security", stagedAction: "Delete" });
    expect(byName.get("k-pr42")!.spec).toEqual({ stagedAction: "Delete" });
    for (const o of byName.values()) {
      expect(o.metadata.labels).toMatchObject({ [MANAGED_LABEL]: "tierguard", [ROLE_LABEL]: "preview", [PR_LABEL]: "42" });
      expect(o.apiVersion).toBe("projectcalico.org/v3");
    }
    expect(byName.get("a-pr42")!.metadata.annotations?.["tierguard.dev/previews"]).toBe("NetworkPolicy/shop/a");
    expect(plan.skipped).toEqual([{ kind: "NetworkSet", namespace: "shop", name: "lb", file: "head.yaml", reason: "tiers and network sets are applied when the pull request merges; they have no staged form" }]);
  });

  test("no enforced object is written; a second stage of the same head writes nothing", () => {
    expect(plan.changes.every((c) => c.write.kind.startsWith("Staged"))).toBe(true);
    const again = planStage({ changes, observed: applied([tier], plan.changes), pullRequest: 42, model: "v3.32", provenance: DEFAULT_PROVENANCE });
    expect(again.changes).toEqual([]);
  });

  test("3.31 names keep the tier prefix in front", () => {
    const v31 = planStage({ changes, observed: [tier], pullRequest: 42, model: "v3.31", provenance: DEFAULT_PROVENANCE });
    expect(steps(v31.changes)).toContain("create StagedNetworkPolicy shop/security.a-pr42");
    expect(v31.changes.find((c) => c.write.name === "security.a-pr42")!.write.object!.metadata.annotations?.["tierguard.dev/previews"]).toBe("NetworkPolicy/shop/security.a");
  });

  test("a policy in a tier the cluster does not have yet is skipped, with why", () => {
    const none = planStage({ changes, observed: [], pullRequest: 42, model: "v3.32", provenance: DEFAULT_PROVENANCE });
    expect(none.skipped.filter((s) => s.kind === "NetworkPolicy").map((s) => [s.name, s.reason])).toEqual([
      ["a", "tier security is not in the cluster yet; its policies are previewed once the tier is promoted"],
      ["b", "tier security is not in the cluster yet; its policies are previewed once the tier is promoted"],
      ["c", "tier security is not in the cluster yet; its policies are previewed once the tier is promoted"],
    ]);
  });

  test("two pull requests on one policy: two staged copies, each knows of the other", () => {
    const after42 = applied([tier], plan.changes);
    const mine = diffResources(resources(manyPolicies(["a"]), "b.yaml"), resources(manyPolicies(["a"], { action: "Deny" }), "h.yaml"));
    const plan43 = planStage({ changes: mine, observed: after42, pullRequest: 43, model: "v3.32", provenance: DEFAULT_PROVENANCE });
    expect(steps(plan43.changes)).toEqual(["create StagedNetworkPolicy shop/a-pr43"]);
    const both = applied(after42, plan43.changes);
    expect(otherPullRequestsStaging(both, "NetworkPolicy/shop/a", 43)).toEqual([42]);
    expect(otherPullRequestsStaging(both, "NetworkPolicy/shop/a", 42)).toEqual([43]);
    expect(otherPullRequestsStaging(both, "NetworkPolicy/shop/c", 42)).toEqual([]);
    // Unstaging 43 removes exactly its copy.
    expect(steps(planUnstage(both, 43))).toEqual(["delete StagedNetworkPolicy shop/a-pr43"]);
  });

  test("a push that drops a change removes that preview; unstage removes exactly the pull request's managed objects", () => {
    const after = applied([tier], plan.changes);
    const fewer = diffResources(resources(BASE, "base.yaml"), resources(BASE.replace('app == "a"', 'app == "a3"'), "head.yaml"));
    const replanned = planStage({ changes: fewer, observed: after, pullRequest: 42, model: "v3.32", provenance: DEFAULT_PROVENANCE });
    expect(steps(replanned.changes)).toEqual([
      "update StagedNetworkPolicy shop/a-pr42",
      "delete StagedKubernetesNetworkPolicy shop/k-pr42",
      "delete StagedNetworkPolicy shop/b-pr42",
      "delete StagedNetworkPolicy shop/c-pr42",
    ]);
    const lookalike: ClusterObject = { apiVersion: "projectcalico.org/v3", kind: "StagedNetworkPolicy", metadata: { name: "z", namespace: "shop", labels: { [PR_LABEL]: "42" } }, spec: {} };
    const enforced = desiredObjects(resources(manyPolicies(["a"])), { model: "v3.32", provenance: DEFAULT_PROVENANCE }).map((d) => d.object);
    expect(steps(planUnstage([...after, lookalike, ...enforced], 42))).toEqual([
      "delete StagedKubernetesNetworkPolicy shop/k-pr42",
      "delete StagedNetworkPolicy shop/a-pr42",
      "delete StagedNetworkPolicy shop/b-pr42",
      "delete StagedNetworkPolicy shop/c-pr42",
    ]);
  });
});
