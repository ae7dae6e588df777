import { describe, expect, test } from "@jest/globals";
import {
  desiredObjects,
  diffCluster,
  driftFindings,
  emptyingRefusal,
  orderChanges,
  orderConstraints,
  planOf,
  PR_LABEL,
  ROLE_LABEL,
  toClusterObject,
  type ClusterObject,
  type PlannedChange,
} from "../../src/reconcile/index.js";
import { DEFAULT_PROVENANCE, manyPolicies, resources } from "./helpers.js";

const OPTS = { model: "v3.32" as const, provenance: DEFAULT_PROVENANCE };

/** The objects as a server holds them after tierguard wrote them: resourceVersion, uid and defaulted fields. */
function live(yaml: string, extra: (o: ClusterObject) => void = () => {}): ClusterObject[] {
  return desiredObjects(resources(yaml), OPTS).map((d, i) => {
    const o = structuredClone(d.object);
    Object.assign(o.metadata, { resourceVersion: String(10 + i), uid: `u${i}` });
    if (o.kind === "NetworkPolicy") o.spec.types ??= ["Ingress"];
    extra(o);
    return o;
  });
}

const steps = (changes: readonly PlannedChange[]) => changes.map((c) => `${c.write.verb} ${c.write.kind} ${c.write.namespace ?? "-"}/${c.write.name}`);

describe("diff: managed objects only", () => {
  test("an empty cluster: everything created, the tier before its policies", () => {
    const desired = desiredObjects(resources(manyPolicies(["b", "a"])), OPTS);
    const { changes, conflicts } = diffCluster({ desired, observed: [] });
    const ordered = orderChanges(changes);
    expect(conflicts).toEqual([]);
    expect(steps(ordered)).toEqual(["create Tier -/security", "create NetworkPolicy shop/a", "create NetworkPolicy shop/b"]);
    expect(orderConstraints(ordered)).toEqual([[0, 1], [0, 2]]);
  });

  test("a built-in tier in the repository is Calico's: neither written nor a conflict", () => {
    const yaml = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: default }\nspec: { order: 1000000, defaultAction: Deny }\n---\n" + manyPolicies(["a"]);
    const calicos: ClusterObject = { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "default" }, spec: { order: 1000000 } };
    const { changes, conflicts } = diffCluster({ desired: desiredObjects(resources(yaml), OPTS), observed: [calicos] });
    expect([conflicts, steps(orderChanges(changes))]).toEqual([[], ["create Tier -/security", "create NetworkPolicy shop/a"]]);
  });

  test("nothing to do when the hash matches and the live spec covers (server defaults cause no write)", () => {
    const yaml = manyPolicies(["a", "b"]);
    const { changes } = diffCluster({ desired: desiredObjects(resources(yaml), { ...OPTS, provenance: { commit: "9".repeat(40), time: "2030-01-01T00:00:00Z" } }), observed: live(yaml) });
    expect(changes).toEqual([]);
  });

  test("a changed repository resource is an update in place carrying the live resourceVersion", () => {
    const observed = live(manyPolicies(["a"]));
    const { changes } = diffCluster({ desired: desiredObjects(resources(manyPolicies(["a"], { action: "Deny" })), OPTS), observed });
    expect(steps(changes)).toEqual(["update NetworkPolicy shop/a"]);
    expect(changes[0].write.object?.metadata.resourceVersion).toBe("11");
    expect(changes[0].before?.spec).toMatchObject({ ingress: [{ action: "Allow" }] });
    expect(changes[0].after?.spec).toMatchObject({ ingress: [{ action: "Deny" }] });
  });

  test("an edit by hand under an unchanged hash is restored (the live spec no longer covers Git's)", () => {
    const observed = live(manyPolicies(["a"]), (o) => {
      if (o.kind === "NetworkPolicy") (o.spec.ingress as Array<{ action: string }>)[0].action = "Deny";
    });
    const desired = desiredObjects(resources(manyPolicies(["a"])), OPTS);
    expect(steps(diffCluster({ desired, observed }).changes)).toEqual(["update NetworkPolicy shop/a"]);
    expect(driftFindings(desired, observed)).toEqual([
      { ref: { kind: "NetworkPolicy", namespace: "shop", name: "a" }, drift: "edited", path: "spec.ingress[0].action", expected: "Allow", actual: "Deny", message: 'NetworkPolicy shop/a was edited in the cluster: spec.ingress[0].action is "Deny", Git says "Allow"' },
    ]);
    const without = observed.filter((o) => o.kind !== "NetworkPolicy");
    expect(driftFindings(desired, without).map((f) => [f.drift, f.message])).toEqual([["deleted", "NetworkPolicy shop/a was deleted from the cluster; Git still defines it"]]);
  });

  test("an unmanaged look-alike is a conflict at the repository line, and never changed; --adopt takes it over", () => {
    const yaml = manyPolicies(["a"]);
    const unmanaged = live(yaml).map((o) => ({ ...o, metadata: { ...o.metadata, labels: { team: "x" }, annotations: {} } }));
    const desired = desiredObjects(resources(yaml), OPTS);
    const { changes, conflicts } = diffCluster({ desired, observed: unmanaged });
    expect(changes).toEqual([]);
    expect(conflicts.map((c) => [c.ref.kind, c.ref.name, c.file, c.line])).toEqual([
      ["Tier", "security", "policies.yaml", 1],
      ["NetworkPolicy", "a", "policies.yaml", 8],
    ]);
    expect(conflicts[1].message).toBe("NetworkPolicy shop/a is an object tierguard does not manage; tierguard never changes it (run with --adopt to take it over)");
    const adopted = diffCluster({ desired, observed: unmanaged, adopt: true });
    expect(adopted.conflicts).toEqual([]);
    expect(steps(orderChanges(adopted.changes))).toEqual(["update Tier -/security", "update NetworkPolicy shop/a"]);
  });

  test("an unmanaged object the repository does not name is left alone; a managed one is deleted, in reverse order", () => {
    const yaml = manyPolicies(["a"]) + "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: { name: lb, namespace: shop }\nspec: { nets: [10.0.0.0/8] }\n";
    const stray = { ...live(manyPolicies(["x"]))[1], metadata: { name: "x", namespace: "shop", labels: {} } };
    const { changes } = diffCluster({ desired: [], observed: [...live(yaml), stray] });
    const ordered = orderChanges(changes);
    expect(steps(ordered)).toEqual(["delete NetworkPolicy shop/a", "delete NetworkSet shop/lb", "delete Tier -/security"]);
    expect(orderConstraints(ordered)).toEqual([[0, 1], [0, 2], [1, 2]]);
  });

  test("a rename creates the new name, then deletes the old one", () => {
    const renamed = manyPolicies(["old"]).replace("name: old", "name: new");
    const { changes } = diffCluster({ desired: desiredObjects(resources(renamed), OPTS), observed: live(manyPolicies(["old"])) });
    const ordered = orderChanges(changes);
    expect(steps(ordered)).toEqual(["create NetworkPolicy shop/new", "delete NetworkPolicy shop/old"]);
    expect(orderConstraints(ordered)).toContainEqual([0, 1]);
  });

  test("the repository's own promotion: the enforced policy first, then its staged twin goes; the plan says so", () => {
    const staged = manyPolicies(["a"]).replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy");
    const { changes } = diffCluster({ desired: desiredObjects(resources(manyPolicies(["a"])), OPTS), observed: live(staged) });
    const ordered = orderChanges(changes);
    expect(steps(ordered)).toEqual(["create NetworkPolicy shop/a", "delete StagedNetworkPolicy shop/a"]);
    expect(ordered[1].twin).toBe(true);
    expect(orderConstraints(ordered)).toContainEqual([0, 1]);
    const plan = planOf(ordered);
    expect(plan.enforce).toEqual([{ action: "create", kind: "NetworkPolicy", namespace: "shop", name: "a", file: "policies.yaml", tier: "security", replacesStaged: "StagedNetworkPolicy", promotedFromRepo: true }]);
    expect(plan.delete).toEqual([]);
  });

  test("the promoted pull request's previews go after the enforced policies; other pull requests' stay", () => {
    const preview = (pr: number): ClusterObject => {
      const o = live(manyPolicies(["a"]).replace("kind: NetworkPolicy", "kind: StagedNetworkPolicy").replace("name: a", `name: a-pr${pr}`))[1];
      o.metadata.labels = { ...o.metadata.labels, [ROLE_LABEL]: "preview", [PR_LABEL]: String(pr) };
      o.metadata.annotations = { ...o.metadata.annotations, "tierguard.dev/previews": "NetworkPolicy/shop/a" };
      return o;
    };
    const { changes } = diffCluster({ desired: desiredObjects(resources(manyPolicies(["a"])), OPTS), observed: [preview(7), preview(8)], pullRequest: 7 });
    const ordered = orderChanges(changes);
    expect(steps(ordered)).toEqual(["create Tier -/security", "create NetworkPolicy shop/a", "delete StagedNetworkPolicy shop/a-pr7"]);
    expect(orderConstraints(ordered)).toContainEqual([1, 2]);
  });
});

describe("refusal to empty", () => {
  const observed = live(manyPolicies(["a", "b", "c", "d"]));
  const deleting = (keep: string[]) => orderChanges(diffCluster({ desired: desiredObjects(resources(manyPolicies(keep)), OPTS), observed }).changes);

  test("deleting every managed policy is refused", () => {
    const all = orderChanges(diffCluster({ desired: [], observed }).changes);
    expect(emptyingRefusal(observed, all)?.message).toBe("refused: this sync would delete every managed policy of the environment; run again with --allow-empty to confirm");
  });

  test("more than half is refused, half is not, and a configured share applies", () => {
    expect(emptyingRefusal(observed, deleting(["a"]))?.message).toBe("refused: this sync would delete 3 of 4 managed policies (more than 50%) of the environment; run again with --allow-empty to confirm");
    expect(emptyingRefusal(observed, deleting(["a", "b"]))).toBeUndefined();
    expect(emptyingRefusal(observed, deleting(["a", "b"]), 0.25)?.deleted).toBe(2);
  });

  test("renaming every policy replaces rather than empties", () => {
    expect(emptyingRefusal(observed, deleting(["e", "f", "g", "h"]))).toBeUndefined();
  });
});
