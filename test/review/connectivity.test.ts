import { describe, expect, test } from "@jest/globals";
import type { ImpactReport } from "../../src/impact/index.js";
import { defaultConfig } from "../../src/review/config.js";
import { connectivityDiff, connectivityFindings, type ConnectivityChange } from "../../src/review/connectivity/index.js";
import { reviewContext } from "../helpers/review.js";
import { DENY_SHOP, INVENTORY, SHOP_TO_INTERNET, WEB_TO_DB } from "./connectivity-fixtures.js";

/**
 * The connectivity diff on small repositories with an inventory and no flow snapshot: only the diff can reveal
 * these exposures, since no recorded flow exercised them.
 */
const brief = (c: ConnectivityChange) => `${c.source.name} -> ${c.destination.name} ${c.protocol} ${c.ports.join(",")}`;
const KNP_DENY_END = "default|knp:shop/default-deny|deny|-1";
const GNP_OPEN = "default|gnp:open-shop|allow|0";

describe("connectivity diff", () => {
  test("a Calico GlobalNetworkPolicy opening namespace shop to 0.0.0.0/0: the whole namespace from anywhere, ranked first, a warning at its rule", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable.map(brief)).toEqual([
      "anywhere outside the cluster -> namespace shop TCP 5432",
      "namespace shop -> namespace shop TCP 5432",
      "namespace other -> namespace shop TCP 5432",
    ]);
    const first = report.newlyReachable[0];
    expect(first).toMatchObject({ source: { kind: "anywhere", network: "0.0.0.0/0" }, destination: { kind: "namespace", namespace: "shop" }, exercised: false });
    expect(first.before).toEqual({ verdict: "deny", decidedBy: KNP_DENY_END, tier: "default", policy: "KubernetesNetworkPolicy shop/default-deny", rule: -1, direction: "ingress" });
    expect(first.after).toEqual({ verdict: "allow", decidedBy: GNP_OPEN, tier: "default", policy: "GlobalNetworkPolicy open-shop", rule: 0, direction: "ingress" });
    expect(report.newlyUnreachable).toEqual([]);
    const findings = connectivityFindings(report, ctx);
    expect(findings.map((f) => [f.code, f.severity, f.file, f.line, f.path])).toEqual([
      ["impact/newly-reachable-from-internet", "warning", "open.yaml", 9, "spec.ingress[0]"],
      ["impact/newly-reachable", "notice", "open.yaml", 9, "spec.ingress[0]"],
    ]);
    expect(findings[0].message).toContain("ingress rule 0 of GlobalNetworkPolicy open-shop makes reachable 1 connection class: anywhere outside the cluster -> namespace shop TCP 5432");
  });

  test("the internet exposure is configurable like impact.newlyAllowed: an error, or off", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY, config: "impact:\n  newlyReachableFromInternet: error\n  newlyReachable: off\n" });
    expect(connectivityFindings(connectivityDiff(ctx), ctx).map((f) => [f.code, f.severity])).toEqual([["impact/newly-reachable-from-internet", "error"]]);
  });

  test("a Kubernetes NetworkPolicy change: one port between two workloads, named by their identifying labels and the deciding rules", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "db.yaml": WEB_TO_DB }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable).toEqual([
      {
        source: { kind: "workload", namespace: "shop", labels: { app: "web" }, name: "shop/{app=web}" },
        destination: { kind: "workload", namespace: "shop", labels: { app: "db" }, name: "shop/{app=db}" },
        protocol: "TCP",
        ports: ["9000"],
        exercised: false,
        before: { verdict: "deny", decidedBy: KNP_DENY_END, tier: "default", policy: "KubernetesNetworkPolicy shop/default-deny", rule: -1, direction: "ingress" },
        after: { verdict: "allow", decidedBy: "default|knp:shop/db-from-web|allow|0", tier: "default", policy: "KubernetesNetworkPolicy shop/db-from-web", rule: 0, direction: "ingress" },
        mode: "enforced",
        breadth: 2,
      },
    ]);
    // Only db's ingress changed: web's egress and every other class were never evaluated as subjects.
    expect(report.stats.changedClasses).toBe(1);
  });

  test("ranking: a namespace opened to the internet comes before one port between two pods", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET, "db.yaml": WEB_TO_DB }, inventory: INVENTORY });
    const list = connectivityDiff(ctx).newlyReachable.map(brief);
    expect(list[0]).toBe("anywhere outside the cluster -> namespace shop TCP 5432");
    expect(list[list.length - 1]).toBe("shop/{app=web} -> shop/{app=db} TCP 9000");
  });

  test("a new Kubernetes default deny: namespace shop newly unreachable from everywhere, on any protocol and port, decided by the end of tier", () => {
    const ctx = reviewContext({ base: {}, head: { "deny.yaml": DENY_SHOP }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable).toEqual([]);
    expect(report.newlyUnreachable.map(brief)).toEqual([
      "anywhere outside the cluster -> namespace shop any 1:65535",
      "namespace shop -> namespace shop any 1:65535",
      "namespace other -> namespace shop any 1:65535",
    ]);
    expect(report.newlyUnreachable.every((c) => c.after.decidedBy === KNP_DENY_END && c.before.decidedBy === "__PROFILE__|pro:kns.shop|allow|0")).toBe(true);
  });

  test("no change of meaning: both lists empty and nothing evaluated", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, head: { "deny.yaml": DENY_SHOP + "# a comment\n", "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable).toEqual([]);
    expect(report.newlyUnreachable).toEqual([]);
    expect(report.stats.evaluations).toBe(0);
  });

  test("a change a recorded flow exercised is marked so, and is not a finding (the replay reports it)", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const side = (verdict: "allow" | "deny", decidedBy: string) => ({ verdict, decidedBy, tier: "default" });
    const impact: ImpactReport = {
      sources: ["snapshot"],
      newlyDenied: [],
      newlyAllowed: [{ src: "203.0.113.9", dst: "shop/db-*", port: 5432, protocol: "tcp", records: 1, flows: 1, bytes: 10, before: side("deny", KNP_DENY_END), after: side("allow", GNP_OPEN) }],
      pendingChanged: [],
      zeroHitPolicies: [],
      totals: { records: 1, flows: 1, skippedLines: 0, problems: [], unresolved: { records: 0, reasons: {} }, uncertain: { records: 0 } },
    };
    const report = connectivityDiff(ctx, impact);
    expect(report.newlyReachable.map((c) => c.exercised)).toEqual([true, false, false]);
    expect(connectivityFindings(report, { ...ctx, config: defaultConfig() }).map((f) => f.code)).toEqual(["impact/newly-reachable"]);
  });
});
