import { describe, expect, test } from "@jest/globals";
import { CLUSTER_KINDS, toClusterObject, fromClusterObject } from "../../src/reconcile/index.js";
import { checkOwnership, type Principal } from "../../src/review/ownership.js";
import { promotionPlan } from "../../src/review/promotion/index.js";
import { reviewContext } from "../helpers/review.js";
import { brief, lint } from "./lint/world.js";

/**
 * ClusterNetworkPolicy in the review: ownership of the kube-admin and kube-baseline tiers from tierguard.yaml like
 * any tier (a CNP's spec.tier says Admin or Baseline, never a tier name), the priority-tie lint, the promotion plan's
 * tier, and the controller's kind table.
 */
const cnp = (name: string, tier: "Admin" | "Baseline", priority: number, action = "Deny") => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  priority: ${priority}
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: shop } } }
  ingress: [{ action: ${action}, from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: dev } } }] }]
`;
const CONFIG = `
admins: ["@acme/secops"]
tiers:
  kube-admin: { owners: ["@acme/secops"] }
  kube-baseline: { owners: ["@acme/platform"] }
`;
const bob: Principal = { login: "bob", teams: ["acme/platform"] };

function ownership(head: Record<string, string>, base: Record<string, string> = {}) {
  const ctx = reviewContext({ base, head, config: CONFIG });
  return checkOwnership(ctx, { author: bob, approvals: [], configChanged: false, changedTests: [] })
    .map((f) => ({ code: f.code, file: f.file, line: f.line, approvers: f.approvers, resource: f.resource }));
}

describe("ownership of the kube-admin and kube-baseline tiers", () => {
  test("an Admin policy needs the kube-admin owners; a Baseline one is its author's own tier", () => {
    expect(ownership({ "admin.yaml": cnp("guard", "Admin", 10), "baseline.yaml": cnp("floor", "Baseline", 10) })).toEqual([
      { code: "ownership/not-owner", file: "admin.yaml", line: 5, approvers: ["acme/secops"], resource: "ClusterNetworkPolicy guard" },
    ]);
  });

  test("moving a policy from Baseline to Admin needs the owners of the tier it moves into", () => {
    const found = ownership({ "p.yaml": cnp("p", "Admin", 10) }, { "p.yaml": cnp("p", "Baseline", 10) });
    expect(found.map((f) => [f.code, f.approvers])).toEqual([["ownership/not-owner", ["acme/secops"]]]);
  });
});

describe("the review's diff", () => {
  test.each([
    { name: "a priority change", head: cnp("p", "Admin", 11), meaning: true, summary: "spec changed" },
    { name: "Admin to Baseline", head: cnp("p", "Baseline", 10), meaning: true, summary: "spec.tier changed from kube-admin to kube-baseline" },
    { name: "reformatting only", head: cnp("p", "Admin", 10).replace("priority: 10", "priority:   10  # same"), meaning: false, summary: undefined },
  ])("$name", ({ head, meaning, summary }) => {
    const [c] = reviewContext({ base: { "p.yaml": cnp("p", "Admin", 10) }, head: { "p.yaml": head } }).changes;
    expect(c.meaningChanged).toBe(meaning);
    if (summary !== undefined) expect(c.summary).toBe(summary);
  });
});

describe("lint/cnp-priority-tie", () => {
  test("two ClusterNetworkPolicies of one tier at one priority: a warning at spec.priority; other tiers and priorities are fine", () => {
    const found = lint({
      base: { "a.yaml": cnp("a", "Admin", 10) },
      head: { "b.yaml": cnp("b", "Admin", 10), "c.yaml": cnp("c", "Baseline", 10), "d.yaml": cnp("d", "Admin", 11) },
    }, "lint/cnp-priority-tie");
    expect(found.map(brief)).toEqual([{ code: "lint/cnp-priority-tie", severity: "warning", file: "b.yaml", line: 6, path: "spec.priority" }]);
    expect(found[0].message).toContain("shares priority 10 in the Admin tier with a");
  });
});

describe("promotion and the controller", () => {
  test("the promotion plan applies a ClusterNetworkPolicy with its Calico tier", () => {
    const plan = promotionPlan(reviewContext({ base: {}, head: { "admin.yaml": cnp("guard", "Admin", 10), "base.yaml": cnp("floor", "Baseline", 3) } }).changes);
    expect(plan.apply.map((i) => ({ action: i.action, kind: i.kind, name: i.name, tier: i.tier }))).toEqual([
      { action: "create", kind: "ClusterNetworkPolicy", name: "floor", tier: "kube-baseline" },
      { action: "create", kind: "ClusterNetworkPolicy", name: "guard", tier: "kube-admin" },
    ]);
  });

  test("CLUSTER_KINDS holds ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, cluster-wide), and objects round-trip", () => {
    expect(CLUSTER_KINDS.find((k) => k.kind === "ClusterNetworkPolicy")).toEqual({
      kind: "ClusterNetworkPolicy", group: "policy.networking.k8s.io", version: "v1alpha2", plural: "clusternetworkpolicies", apiKind: "ClusterNetworkPolicy", namespaced: false,
    });
    const [r] = reviewContext({ base: {}, head: { "a.yaml": cnp("guard", "Admin", 10) } }).head.resources;
    const obj = toClusterObject(r, { model: "v3.32", provenance: { commit: "c0ffee", time: "2026-01-01T00:00:00Z" } });
    expect([obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace]).toEqual(["policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", "guard", undefined]);
    const back = fromClusterObject(obj);
    expect([back?.kind, back?.spec]).toEqual([r.kind, r.spec]);
  });
});
