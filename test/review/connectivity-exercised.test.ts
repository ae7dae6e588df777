import { describe, expect, test } from "@jest/globals";
import type { FlowVerdictSide, ImpactFlow, ImpactReport } from "../../src/impact/index.js";
import { connectivityDiff, type ConnectivityChange } from "../../src/review/connectivity/index.js";
import { reviewContext } from "../helpers/review.js";
import { DB_FROM_FRONT, DENY_SHOP, FRONT_INVENTORY, INVENTORY } from "./connectivity-fixtures.js";

/**
 * "Exercised" is exact: a change is exercised when a recorded flow of the snapshot falls into one of its (source
 * class, destination class, protocol, port class) triples, not when a flow merely shares a namespace and a rule.
 */
const brief = (c: ConnectivityChange) => `${c.source.name} -> ${c.destination.name} ${c.protocol} ${c.ports.join(",")}: ${c.exercised ? "exercised" : "not exercised"}`;
const KNP_DENY_END = "default|knp:shop/default-deny|deny|-1";
const side = (verdict: "allow" | "deny", decidedBy: string): FlowVerdictSide => ({ verdict, decidedBy, tier: "default" });

function impact(newlyAllowed: ImpactFlow[]): ImpactReport {
  return {
    sources: ["snapshot"],
    newlyDenied: [],
    newlyAllowed,
    pendingChanged: [],
    zeroHitPolicies: [],
    totals: { records: newlyAllowed.length, flows: newlyAllowed.length, skippedLines: 0, problems: [], unresolved: { records: 0, reasons: {} }, uncertain: { records: 0 } },
  };
}

const flow = (src: string, dst: string, port: number, after: string): ImpactFlow => ({ src, dst, port, protocol: "tcp", records: 1, flows: 1, bytes: 10, before: side("deny", KNP_DENY_END), after: side("allow", after) });

const PARTNERS = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: partners, labels: { role: partner } }
spec:
  nets: [198.51.100.0/24]
`;

const PARTNERS_TO_SHOP = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: partners-to-shop }
spec:
  order: 10
  namespaceSelector: projectcalico.org/name == 'shop'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: role == 'partner' }
      destination: { ports: [5432] }
`;

describe("connectivity diff: exercised, exactly", () => {
  test("a flow from web does not exercise the same rule's change for admin, another class of the same namespace (the old heuristic said it did)", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "db.yaml": DB_FROM_FRONT }, inventory: FRONT_INVENTORY });
    const report = connectivityDiff(ctx, impact([flow("shop/web-*", "shop/db-*", 9000, "default|knp:shop/db-from-front|allow|0")]));
    expect(report.newlyReachable.map(brief)).toEqual([
      "shop/{app=web,role=front} -> shop/{app=db} TCP 9000: exercised",
      "shop/{app=admin,role=front} -> shop/{app=db} TCP 9000: not exercised",
    ]);
  });

  test("a flow between the same classes on a port outside the change.s port class does not exercise it", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "db.yaml": DB_FROM_FRONT }, inventory: FRONT_INVENTORY });
    const report = connectivityDiff(ctx, impact([flow("shop/admin-1", "shop/db-1", 9001, "default|knp:shop/db-from-front|allow|0")]));
    expect(report.newlyReachable.every((c) => !c.exercised)).toBe(true);
  });

  test("a flow from a GlobalNetworkSet exercises the change for the set's addresses (the old heuristic could not place a network set's name)", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP, "gns.yaml": PARTNERS }, head: { "deny.yaml": DENY_SHOP, "gns.yaml": PARTNERS, "gnp.yaml": PARTNERS_TO_SHOP }, inventory: INVENTORY });
    const report = connectivityDiff(ctx, impact([flow("globalnetworkset partners", "shop/db-*", 5432, "default|gnp:partners-to-shop|allow|0")]));
    expect(report.newlyReachable.map(brief)).toEqual(["GlobalNetworkSet partners (198.51.100.0/24) -> namespace shop TCP 5432: exercised"]);
  });

  test("an address flow counts for the region it lies in, not for a neighbouring network set", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP, "gns.yaml": PARTNERS }, head: { "deny.yaml": DENY_SHOP, "gns.yaml": PARTNERS, "gnp.yaml": PARTNERS_TO_SHOP }, inventory: INVENTORY });
    const outside = connectivityDiff(ctx, impact([flow("203.0.113.9", "shop/db-*", 5432, "default|gnp:partners-to-shop|allow|0")]));
    expect(outside.newlyReachable.map(brief)).toEqual(["GlobalNetworkSet partners (198.51.100.0/24) -> namespace shop TCP 5432: not exercised"]);
    const inside = connectivityDiff(ctx, impact([flow("198.51.100.20", "shop/db-*", 5432, "default|gnp:partners-to-shop|allow|0")]));
    expect(inside.newlyReachable.map(brief)).toEqual(["GlobalNetworkSet partners (198.51.100.0/24) -> namespace shop TCP 5432: exercised"]);
  });
});
