import { describe, expect, test } from "@jest/globals";
import { evaluateFlow, type PolicySet } from "../../src/engine/index.js";
import { harness } from "../helpers/engine.js";

/**
 * A policy set without staged policies walks each direction once: the pending walk would see the same policies and
 * end the same way. Counted by the rule lists the walk reads; the verdicts, hits and uncertainty must equal two walks'.
 */
const POLICIES = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: guard }
spec:
  tier: security
  order: 1
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - action: Deny
      source: { selector: quarantine == 'true' }
    - action: Pass
  egress:
    - action: Pass
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'web' && owner == 'team-a' }
      destination: { ports: [8080] }
`;

/** Counts reads of every policy's rule lists while `fn` runs. */
function countRuleReads(set: PolicySet, fn: () => void): number {
  let reads = 0;
  for (const p of set.policies) {
    for (const key of ["ingress", "egress"] as const) {
      const rules = p[key];
      Object.defineProperty(p, key, { configurable: true, get: () => (reads++, rules) });
    }
  }
  try {
    fn();
  } finally {
    for (const p of set.policies) for (const key of ["ingress", "egress"] as const) Object.defineProperty(p, key, { configurable: true, writable: true, value: p[key] });
  }
  return reads;
}

describe("one walk per direction when no policy is staged", () => {
  const h = harness(POLICIES);
  const web = h.pod("shop", { app: "web" });
  const api = h.pod("shop", { app: "api" });
  const flow = { src: web, dst: api, protocol: 6, dstPort: 8080 };

  test("the set knows its modes agree", () => {
    expect(h.set.modesAgree).toBe(true);
  });

  test("fewer rule-list reads than walking both modes, and the same evaluation", () => {
    const once = countRuleReads(h.set, () => evaluateFlow(h.set, flow));
    const twice = Object.create(h.set, { modesAgree: { value: false } }) as PolicySet;
    const both = countRuleReads(h.set, () => evaluateFlow(twice, flow));
    expect(once).toBeGreaterThan(0);
    expect(once).toBeLessThan(both);
    expect(evaluateFlow(h.set, flow)).toEqual(evaluateFlow(twice, flow));
  });

  test("a staged policy: both walks, the modes may differ", () => {
    const staged = harness(`${POLICIES}---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: lock, namespace: shop }
spec:
  order: 1
  selector: app == 'api'
  types: [Ingress]
  ingress:
    - action: Deny
`);
    expect(staged.set.modesAgree).toBe(false);
    const e = evaluateFlow(staged.set, { src: staged.pod("shop", { app: "web", owner: "team-a" }), dst: staged.pod("shop", { app: "api" }), protocol: 6, dstPort: 8080 });
    expect([e.verdict, e.pendingVerdict]).toEqual(["allow", "deny"]);
  });
});
