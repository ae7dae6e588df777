import { describe, expect, test } from "@jest/globals";
import { planItemCount, planSummary, promotionPlan, stagedTwinKind } from "../../src/review/promotion/index.js";
import { reviewContext } from "../helpers/review.js";

const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: application }
spec: { order: 400 }
`;
const policy = (kind: string, name: string, port = 80, extra = "") => `apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: ${name}, namespace: shop }
spec:
  tier: application
  selector: app == '${name}'
${extra}  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [${port}] }
`;
const gnp = (name: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ${name} }
spec:
  selector: all()
  egress:
    - action: Allow
      protocol: UDP
      destination: { ports: [53] }
`;
const knp = (name: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  podSelector: { matchLabels: { app: ${name} } }
  policyTypes: [Ingress]
`;
const netset = (name: string, cidr: string) => `apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: ${name}, namespace: shop }
spec: { nets: ["${cidr}"] }
`;

function plan(base: Record<string, string>, head: Record<string, string>) {
  return promotionPlan(reviewContext({ base: { "tiers.yaml": TIERS, ...base }, head: { "tiers.yaml": TIERS, ...head } }).changes);
}

describe("the promotion plan", () => {
  test("created and changed enforced policies become enforced, replacing their staged twins; removals are deletions", () => {
    const p = plan(
      { "web.yaml": policy("NetworkPolicy", "web"), "old.yaml": policy("NetworkPolicy", "old"), "dns.yaml": gnp("allow-dns") },
      { "web.yaml": policy("NetworkPolicy", "web", 8080), "api.yaml": policy("NetworkPolicy", "api"), "dns.yaml": gnp("allow-dns"), "k.yaml": knp("db") },
    );
    expect(p.enforce).toEqual([
      { action: "create", kind: "NetworkPolicy", namespace: "shop", name: "api", file: "api.yaml", tier: "application", replacesStaged: "StagedNetworkPolicy" },
      { action: "update", kind: "NetworkPolicy", namespace: "shop", name: "web", file: "web.yaml", tier: "application", replacesStaged: "StagedNetworkPolicy" },
      { action: "create", kind: "KubernetesNetworkPolicy", namespace: "shop", name: "db", file: "k.yaml", replacesStaged: "StagedKubernetesNetworkPolicy" },
    ]);
    expect(p.delete).toEqual([{ action: "delete", kind: "NetworkPolicy", namespace: "shop", name: "old", file: "old.yaml", tier: "application" }]);
    expect(p.stage).toEqual([]);
    expect(p.apply).toEqual([]);
    expect(p.unchanged).toBe(0);
    expect(planSummary(p)).toBe("3 policies become enforced, 1 resource deleted");
    expect(planItemCount(p)).toBe(4);
  });

  test("a staged policy in the repository replaced by its enforced kind is promoted, not deleted", () => {
    const p = plan({ "web.yaml": policy("StagedNetworkPolicy", "web") }, { "web.yaml": policy("NetworkPolicy", "web") });
    expect(p.enforce).toEqual([
      { action: "create", kind: "NetworkPolicy", namespace: "shop", name: "web", file: "web.yaml", tier: "application", replacesStaged: "StagedNetworkPolicy", promotedFromRepo: true },
    ]);
    expect(p.delete).toEqual([]);
    expect(planSummary(p)).toBe("1 policy becomes enforced");
  });

  test("staged kinds stay staged, with their stagedAction; a staged policy removed without an enforced twin is deleted", () => {
    const p = plan(
      { "gone.yaml": policy("StagedNetworkPolicy", "gone") },
      {
        "s.yaml": policy("StagedNetworkPolicy", "preview"),
        "d.yaml": "apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata: { name: old-web, namespace: shop }\nspec: { tier: application, stagedAction: Delete }\n",
      },
    );
    expect(p.stage.map((i) => [i.action, i.name, i.stagedAction])).toEqual([
      ["create", "old-web", "Delete"],
      ["create", "preview", "Set"],
    ]);
    expect(p.delete.map((i) => [i.kind, i.name])).toEqual([["StagedNetworkPolicy", "gone"]]);
    expect(p.enforce).toEqual([]);
  });

  test("tiers and network sets are applied; deletions run policies first, then sets, then tiers", () => {
    const p = plan(
      { "n.yaml": netset("partners", "192.0.2.0/24"), "w.yaml": policy("NetworkPolicy", "web") },
      { "n.yaml": netset("partners", "198.51.100.0/24"), "t2.yaml": TIERS.replace("application", "payments") },
    );
    expect(p.apply.map((i) => [i.action, i.kind, i.name])).toEqual([
      ["create", "Tier", "payments"],
      ["update", "NetworkSet", "partners"],
    ]);
    const q = plan({ "n.yaml": netset("partners", "192.0.2.0/24"), "w.yaml": policy("NetworkPolicy", "web"), "t2.yaml": TIERS.replace("application", "payments") }, {});
    expect(q.delete.map((i) => i.kind)).toEqual(["NetworkPolicy", "NetworkSet", "Tier"]);
  });

  test("moves and reformatting change nothing in the cluster; a rename deletes the old name and creates the new", () => {
    const p = plan({ "a.yaml": policy("NetworkPolicy", "web") }, { "b.yaml": `# moved\n${policy("NetworkPolicy", "web")}` });
    expect(planItemCount(p)).toBe(0);
    expect(p.unchanged).toBe(1);
    expect(planSummary(p)).toBe("nothing changes in the cluster");
    const r = plan({ "a.yaml": policy("NetworkPolicy", "web") }, { "a.yaml": policy("NetworkPolicy", "web").replace("name: web,", "name: web-v2,") });
    expect(r.enforce.map((i) => [i.action, i.name])).toEqual([["create", "web-v2"]]);
    expect(r.delete.map((i) => [i.action, i.name])).toEqual([["delete", "web"]]);
  });

  test("staged twin kinds", () => {
    expect(["NetworkPolicy", "GlobalNetworkPolicy", "KubernetesNetworkPolicy", "Tier"].map(stagedTwinKind)).toEqual([
      "StagedNetworkPolicy",
      "StagedGlobalNetworkPolicy",
      "StagedKubernetesNetworkPolicy",
      undefined,
    ]);
  });
});
