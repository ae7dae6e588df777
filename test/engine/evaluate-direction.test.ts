import { describe, expect, test } from "@jest/globals";
import { evaluateDirection, evaluateFlow, type Direction, type FlowFacts, type PolicySet } from "../../src/engine/index.js";
import { harness } from "../helpers/engine.js";

/**
 * `evaluateDirection`: one end of a flow (egress at the source, ingress at the destination), both modes, through the
 * walk `evaluateFlow` runs. It must give exactly that walk's traces and uncertainty for the asked side, and never
 * consult the other end's tiers (what makes a connectivity-diff evaluation cost one direction).
 */
const h = harness(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: security.guard }
spec:
  tier: security
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress: [{ action: Deny, source: { selector: quarantined == 'true' } }, { action: Pass }]
  egress: [{ action: Deny, destination: { nets: [192.0.2.0/24] } }, { action: Pass }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 10
  selector: app == 'web'
  types: [Ingress, Egress]
  ingress: [{ action: Allow, protocol: TCP, source: { selector: app == 'api' }, destination: { ports: [8080] } }]
  egress: [{ action: Allow, protocol: TCP, destination: { selector: app == 'db' } }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: lock, namespace: shop }
spec:
  order: 5
  selector: app == 'web'
  types: [Ingress]
  ingress: [{ action: Deny, source: { selector: app == 'api' } }]
`);
const web = h.pod("shop", { app: "web" }, { ip: "10.0.0.1" });
const api = h.pod("shop", { app: "api" }, { ip: "10.0.0.2" });
const db = h.pod("shop", { app: "db" }, { ip: "10.0.0.3" });
const aggregated = h.pod("shop", {}, { aggregated: true });
const outside = h.external("192.0.2.7");

const flows: Array<[string, FlowFacts]> = [
  ["api to web on 8080", { src: api, dst: web, protocol: 6, dstPort: 8080, srcPort: 50000 }],
  ["api to web on 9090", { src: api, dst: web, protocol: 6, dstPort: 9090, srcPort: 50000 }],
  ["web to db", { src: web, dst: db, protocol: 6, dstPort: 5432, srcPort: 50000 }],
  ["web to a denied network", { src: web, dst: outside, protocol: 6, dstPort: 443, srcPort: 50000 }],
  ["an aggregated pod to web (uncertain)", { src: aggregated, dst: web, protocol: 6, dstPort: 8080, srcPort: 50000 }],
];

/** The set with `relevant` counted per direction. */
function counting(set: PolicySet): { calls: Record<Direction, number>; restore: () => void } {
  const calls = { ingress: 0, egress: 0 };
  const original = set.relevant;
  set.relevant = function (this: PolicySet, labels, direction) {
    calls[direction]++;
    return original.call(this, labels, direction);
  };
  return { calls, restore: () => void (set.relevant = original) };
}

describe("evaluateDirection", () => {
  test.each(flows)("%s: the same traces and uncertainty as evaluateFlow's side, in both modes", (_, flow) => {
    const whole = evaluateFlow(h.set, flow);
    for (const direction of ["egress", "ingress"] as const) {
      const side = direction === "egress" ? whole.egress : whole.ingress;
      const one = evaluateDirection(h.set, flow, direction);
      if (!side) {
        expect(one).toBeUndefined();
        continue;
      }
      expect(one).toBeDefined();
      expect({ enforced: one!.enforced, pending: one!.pending }).toEqual({ enforced: side.enforced, pending: side.pending });
      // Uncertainty of the whole flow is the union of its two sides.
      for (const u of one!.uncertain) expect(whole.uncertain).toContain(u);
      for (const u of one!.pendingUncertain) expect(whole.pendingUncertain).toContain(u);
    }
  });

  test("an aggregated source's unknown labels: web's ingress is uncertain in its rules, the source's egress only in which policies apply to it", () => {
    const flow = flows[4][1];
    expect(evaluateDirection(h.set, flow, "ingress")!.uncertain).toEqual([
      "the labels of shop/pod are aggregated in the flow record (quarantined) (GlobalNetworkPolicy security.guard spec.ingress[0])",
      "the labels of shop/pod are aggregated in the flow record (app) (NetworkPolicy shop/web spec.ingress[0])",
    ]);
    expect(evaluateDirection(h.set, flow, "egress")!.uncertain).toEqual(["whether NetworkPolicy shop/web applies to shop/pod is unknown: labels app are aggregated in the record"]);
  });

  test("the other end's tiers are never consulted", () => {
    const { calls, restore } = counting(h.set);
    try {
      evaluateDirection(h.set, { src: api, dst: web, protocol: 6, dstPort: 8080, srcPort: 50000 }, "ingress");
      expect(calls).toEqual({ ingress: 2, egress: 0 });
      evaluateFlow(h.set, { src: api, dst: web, protocol: 6, dstPort: 8080, srcPort: 50000 });
      expect(calls).toEqual({ ingress: 4, egress: 2 });
    } finally {
      restore();
    }
  });

  test("a non-workload end: no policy applies to it, so there is nothing to evaluate", () => {
    expect(evaluateDirection(h.set, { src: outside, dst: web, protocol: 6, dstPort: 8080 }, "egress")).toBeUndefined();
  });
});
