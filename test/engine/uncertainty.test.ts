import { describe, expect, test } from "@jest/globals";
import { evaluateFlow } from "../../src/engine/index.js";
import { harness } from "../helpers/engine.js";

/**
 * Uncertainty: a verdict that depends on facts a flow record or inventory does not give is computed as if the unknown
 * labels were absent (the engine's Kleene evaluation) and says why in `uncertain` (`pendingUncertain` for the
 * pending verdict). Implicit labels (calico-semantics §2: projectcalico.org/*, pcns.projectcalico.org/name, and the
 * Kubernetes auto-label kubernetes.io/metadata.name) are always known. A verdict that did not depend on an unknown
 * stays certain.
 */

describe("aggregated pod labels (flow records with labels '-')", () => {
  test("a policy selector on an aggregated label: verdict as if absent, and uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec: { selector: app == 'web', types: [Ingress] }
`);
    const web = h.pod("shop", { app: "web" }, { aggregated: true });
    const r = h.eval(h.pod("shop", { app: "api" }), web);
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({
      verdict: "allow",
      uncertain: ["whether NetworkPolicy shop/p applies to shop/web is unknown: labels app are aggregated in the record"],
    });
  });

  test("a rule selector on an aggregated source label: no match assumed, and uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
`);
    const r = h.eval(h.pod("shop", { app: "api" }, { aggregated: true }), h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({
      verdict: "deny",
      uncertain: ["the labels of shop/api are aggregated in the flow record (app) (NetworkPolicy shop/p spec.ingress[0])"],
    });
  });

  test("a negated selector on an aggregated label: acts as true (label absent), and uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: role != 'blocked' } }]
`);
    const r = h.eval(h.pod("shop", { role: "blocked" }, { aggregated: true, name: "x" }), h.pod("shop", { app: "web" }));
    expect(r.verdict).toBe("allow");
    expect(r.uncertain).toHaveLength(1);
  });

  test.each([
    { why: "selector all()", source: "{ selector: all() }" },
    { why: "a namespaceSelector on projectcalico.org/name", source: "{ namespaceSelector: projectcalico.org/name == 'shop' }" },
    { why: "the implicit projectcalico.org/namespace label", source: "{ selector: projectcalico.org/namespace == 'shop' }" },
    { why: "no selector", source: "{}" },
  ])("selectors that read only implicit labels stay certain: $why", ({ source }) => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: ${source} }]
`);
    const r = h.eval(h.pod("shop", { app: "api" }, { aggregated: true }), h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });
});

describe("unknown namespace labels (no inventory for the namespace)", () => {
  test("a GNP namespaceSelector on a custom namespace label is uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: g }
spec: { namespaceSelector: team == 'a', types: [Ingress] }
`);
    const r = h.eval(h.external("192.0.2.1"), h.pod("shop", { app: "web" }, { unknownNamespace: true }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({
      verdict: "allow",
      uncertain: ["whether GlobalNetworkPolicy g applies to shop/web is unknown: namespace labels of shop are unknown"],
    });
  });

  test("a rule namespaceSelector on a custom namespace label is uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Allow, source: { namespaceSelector: team == 'a' } }]
`);
    const r = h.eval(h.pod("ops", { app: "x" }, { unknownNamespace: true }), h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({
      verdict: "deny",
      uncertain: ["the labels of namespace ops are unknown (give an inventory with its Namespace) (NetworkPolicy shop/p spec.ingress[0])"],
    });
  });

  test.each([
    { why: "projectcalico.org/name", sel: "projectcalico.org/name == 'ops'" },
    { why: "kubernetes.io/metadata.name", sel: "kubernetes.io/metadata.name == 'ops'" },
  ])("namespaceSelector on $why stays known", ({ sel }) => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Allow, source: { namespaceSelector: ${sel} } }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: g }
spec: { namespaceSelector: ${sel}, egress: [{ action: Allow }] }
`);
    const ops = h.pod("ops", { app: "x" }, { unknownNamespace: true });
    const r = h.eval(ops, h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
    expect(h.trace(ops, h.pod("shop", { app: "web" })).egress).toEqual(["0|default|gnp:g|allow|0"]);
  });

  test("a namespaced NetworkSet's namespace labels are unknown without an inventory, its name is not", () => {
    const yaml = (sel: string) => `
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: corp, namespace: ops }
spec: { nets: [203.0.113.0/24] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Allow, source: { namespaceSelector: ${sel} } }]
`;
    const custom = harness(yaml("team == 'a'"));
    const r1 = custom.eval(custom.external("203.0.113.5"), custom.pod("shop", { app: "web" }, { ip: "10.0.0.1" }));
    expect({ verdict: r1.verdict, uncertain: r1.uncertain }).toEqual({
      verdict: "deny",
      uncertain: ["the labels of namespace ops are unknown (give an inventory with its Namespace) (NetworkPolicy shop/p spec.ingress[0])"],
    });
    const byName = harness(yaml("projectcalico.org/name == 'ops'"));
    const r2 = byName.eval(byName.external("203.0.113.5"), byName.pod("shop", { app: "web" }, { ip: "10.0.0.1" }));
    expect({ verdict: r2.verdict, uncertain: r2.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
    // With the namespace labels given, the custom label is known.
    const known = harness(yaml("team == 'a'"), { namespaceLabels: { ops: { team: "a" } } });
    const r3 = known.eval(known.external("203.0.113.5"), known.pod("shop", { app: "web" }, { ip: "10.0.0.1" }));
    expect({ verdict: r3.verdict, uncertain: r3.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });
});

describe("unknown ports and addresses", () => {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: app == 'web'
  ingress:
    - { action: Allow, source: { selector: app == 'admin' } }
    - { action: Allow, protocol: TCP, destination: { ports: [443] } }
`);
  const web = h.pod("shop", { app: "web" });
  const flow = (src: ReturnType<typeof h.pod>, dstPort?: number) => evaluateFlow(h.set, { src, dst: web, protocol: 6, dstPort });

  test("a ports rule with no port in the record is uncertain (and acts as no match)", () => {
    const r = flow(h.pod("shop", { app: "api" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({
      verdict: "deny",
      uncertain: ["the port is not in the record (NetworkPolicy shop/p spec.ingress[1])"],
    });
  });

  test("a verdict decided before the rule that needs the port stays certain", () => {
    const r = flow(h.pod("shop", { app: "admin" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });

  test("with the port given, the same flow is certain", () => {
    const r = flow(h.pod("shop", { app: "api" }), 443);
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });

  test("a nets rule with no address in the record is uncertain", () => {
    const n = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Allow, source: { nets: [10.0.0.0/8] } }]
`);
    const r = n.eval(n.pod("shop", { app: "api" }), n.pod("shop", { app: "web" }));
    expect(r.verdict).toBe("deny");
    expect(r.uncertain).toEqual(["the address of shop/api is not in the record, so CIDRs cannot be checked (NetworkPolicy shop/p spec.ingress[0])"]);
    const known = evaluateFlow(n.set, {
      src: n.pod("shop", { app: "api" }, { ip: "10.1.1.1" }),
      dst: n.pod("shop", { app: "web" }, { ip: "10.1.1.2" }),
      protocol: 6,
      dstPort: 80,
    });
    expect({ verdict: known.verdict, uncertain: known.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });
});

describe("uncertainty counts only where it could change the verdict", () => {
  test("a staged policy whose applicability is unknown makes only the pending verdict uncertain", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: s, namespace: shop }
spec: { selector: app == 'web', types: [Ingress] }
`);
    const r = h.eval(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" }, { aggregated: true }));
    expect(r).toMatchObject({ verdict: "allow", pendingVerdict: "allow", uncertain: [] });
    expect(r.pendingUncertain).toEqual(["whether StagedNetworkPolicy shop/s applies to shop/web is unknown: labels app are aggregated in the record"]);
  });

  test("an uncertain policy ordered after the deciding rule does not make the verdict uncertain; one ordered before does", () => {
    const yaml = (order: number) => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: decides, namespace: shop }
spec:
  order: 10
  ingress: [{ action: Allow }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: unsure, namespace: shop }
spec:
  order: ${order}
  selector: tier == 'secure'
  ingress: [{ action: Deny }]
`;
    const after = harness(yaml(20));
    const r1 = after.eval(after.pod("shop", { app: "api" }), after.pod("shop", { app: "web" }, { aggregated: true }));
    expect({ verdict: r1.verdict, uncertain: r1.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
    const before = harness(yaml(5));
    const r2 = before.eval(before.pod("shop", { app: "api" }), before.pod("shop", { app: "web" }, { aggregated: true }));
    expect({ verdict: r2.verdict, uncertain: r2.uncertain }).toEqual({
      verdict: "allow",
      uncertain: ["whether NetworkPolicy shop/unsure applies to shop/web is unknown: labels tier are aggregated in the record"],
    });
  });

  test("an uncertain rule in a tier never reached (an earlier tier decided) does not count", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: first }
spec: { order: 1 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: deny-api }
spec:
  tier: first
  ingress: [{ action: Deny, source: { namespaceSelector: projectcalico.org/name == 'shop' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
`);
    const r = h.eval(h.pod("shop", { app: "api" }, { aggregated: true }), h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "deny", uncertain: [] });
  });

  test("Log rules never add uncertainty: they cannot change the verdict", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  ingress: [{ action: Log, source: { selector: app == 'api' } }, { action: Allow }]
`);
    const r = h.eval(h.pod("shop", { app: "api" }, { aggregated: true }), h.pod("shop", { app: "web" }));
    expect({ verdict: r.verdict, uncertain: r.uncertain }).toEqual({ verdict: "allow", uncertain: [] });
  });
});
