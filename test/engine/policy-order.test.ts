import { describe, expect, test } from "@jest/globals";
import { harness } from "../helpers/engine.js";

/**
 * Policy ordering inside a tier: calico-semantics §4.3 (PolKVLess), §8 (KNP order 1000 in the default tier),
 * §13.7. v3.32 and later break ties with `<name>/<namespace>/<kind>`; up to v3.31 with the v1 key name
 * (`<ns>/<tier>.<name>`, `<tier>.<name>`, `<ns>/knp.default.<name>`, `staged:` before the name).
 */

const np = (name: string, ns: string, order?: number, kind = "NetworkPolicy") => `
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: ${name}, namespace: ${ns} }
spec:
  ${order === undefined ? "" : `order: ${order}`}
  ingress: [{ action: Deny, source: { selector: app == 'nobody' } }]
`;
const gnp = (name: string, order?: number, kind = "GlobalNetworkPolicy") => `
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: ${name} }
spec:
  ${order === undefined ? "" : `order: ${order}`}
  ingress: [{ action: Deny, source: { selector: app == 'nobody' } }]
`;
const knp = (name: string, ns: string) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec:
  podSelector: {}
  ingress: [{ from: [{ podSelector: { matchLabels: { app: nobody } } }] }]
`;

/** The same eight policies, all in the default tier: four at order 10, two KNPs (order 1000), two unordered. */
const mixed = [
  np("b", "ns1", 10),
  gnp("a", 10),
  np("a", "ns1", 10),
  np("a", "ns1", 10, "StagedNetworkPolicy"),
  knp("allow", "ns1"),
  knp("a", "ns1"),
  np("c", "ns1"),
  gnp("0zz"),
].join("\n---\n");

describe("ordering within a tier (§4.3 PolKVLess)", () => {
  test("v3.32: order ascending, unordered last; ties by `<name>/<namespace>/<kind>`; NP, GNP, KNP and staged interleave", () => {
    expect(harness(mixed).order()).toEqual([
      "default|gnp:a", //          a//GlobalNetworkPolicy    ('/' sorts before 'n')
      "default|np:ns1/a", //       a/ns1/NetworkPolicy
      "default|snp:ns1/a", //      a/ns1/StagedNetworkPolicy ('N' < 'S')
      "default|np:ns1/b",
      "default|knp:ns1/a", //      KNPs at order 1000
      "default|knp:ns1/allow",
      "default|gnp:0zz", //        unordered (+Inf), by name
      "default|np:ns1/c",
    ]);
  });

  test("v3.31: ties by the v1 key name, so global policies sort before namespaced ones and staged names carry `staged:`", () => {
    expect(harness(mixed, { version: "3.31" }).order()).toEqual([
      "default|default.a", //                 default.a
      "default|ns1/default.a", //             ns1/default.a
      "default|ns1/default.b", //             ns1/default.b
      "default|ns1/staged:default.a", //      ns1/staged:default.a  (after b, unlike v3.32)
      "default|ns1/knp.default.a",
      "default|ns1/knp.default.allow",
      "default|default.0zz",
      "default|ns1/default.c",
    ]);
  });

  test.each([
    {
      why: "same name and order: namespace breaks the tie",
      yaml: [np("x", "zeta", 5), np("x", "alpha", 5)],
      v332: ["default|np:alpha/x", "default|np:zeta/x"],
      v331: ["default|alpha/default.x", "default|zeta/default.x"],
    },
    {
      why: "same name, namespace and order: kind breaks the tie (KubernetesNetworkPolicy < NetworkPolicy)",
      yaml: [np("x", "shop", 1000), knp("x", "shop")],
      v332: ["default|knp:shop/x", "default|np:shop/x"],
      v331: ["default|shop/default.x", "default|shop/knp.default.x"],
    },
    {
      why: "name is compared before namespace in v3.32 but after it in v3.31",
      yaml: [np("a", "zeta", 5), np("b", "alpha", 5)],
      v332: ["default|np:zeta/a", "default|np:alpha/b"],
      v331: ["default|alpha/default.b", "default|zeta/default.a"],
    },
    {
      why: "negative and fractional orders sort numerically, not as text",
      yaml: [gnp("p10", 10), gnp("pneg", -1), gnp("p9", 9.5), gnp("p2", 2)],
      v332: ["default|gnp:pneg", "default|gnp:p2", "default|gnp:p9", "default|gnp:p10"],
      v331: ["default|default.pneg", "default|default.p2", "default|default.p9", "default|default.p10"],
    },
  ])("$why", ({ yaml, v332, v331 }) => {
    expect(harness(yaml.join("\n---\n")).order()).toEqual(v332);
    expect(harness(yaml.join("\n---\n"), { version: "3.31" }).order()).toEqual(v331);
  });

  test("a name that already carries its tier prefix is not prefixed again in the v3.31 key", () => {
    const yaml = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: sec }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: sec.b, namespace: shop }
spec: { tier: sec, selector: all() }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: a, namespace: shop }
spec: { tier: sec, selector: all() }
`;
    // keys shop/sec.a and shop/sec.b
    expect(harness(yaml, { version: "3.31" }).order()).toEqual(["sec|shop/sec.a", "sec|shop/sec.b"]);
  });
});

describe("order decides which policy's rule wins (§4.4: first match in sorted order)", () => {
  test("the lower order wins regardless of kind; with equal orders the tie-break decides", () => {
    const yaml = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: zz-deny }
spec:
  order: 5
  ingress: [{ action: Deny, source: { selector: app == 'api' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: aa-allow, namespace: shop }
spec:
  order: 5
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: first, namespace: shop }
spec:
  order: 1
  ingress: [{ action: Allow, source: { selector: app == 'vip' } }]
`;
    const h = harness(yaml);
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(h.pod("shop", { app: "vip" }), web).ingress).toEqual(["0|default|np:shop/first|allow|0"]);
    // v3.32: "aa-allow/shop/NetworkPolicy" < "zz-deny//GlobalNetworkPolicy"
    expect(h.trace(h.pod("shop", { app: "api" }), web).ingress).toEqual(["0|default|np:shop/aa-allow|allow|0"]);
    // v3.31: "default.zz-deny" < "shop/default.aa-allow"
    const old = harness(yaml, { version: "3.31" });
    expect(old.trace(old.pod("shop", { app: "api" }), old.pod("shop", { app: "web" })).ingress).toEqual([
      "0|default|default.zz-deny|deny|0",
    ]);
  });
});

describe("Kubernetes NetworkPolicies run at order 1000 in the default tier (§8, §13.7)", () => {
  const knpAllowApi = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: api } } }] }]
`;
  const calicoDeny = (order: string) => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-all, namespace: shop }
spec:
  ${order}
  selector: app == 'web'
  ingress: [{ action: Deny }]
`;

  test.each([
    { why: "an unordered Calico policy in the default tier runs after the KNP", order: "", want: ["0|default|knp:shop/allow-api|allow|0"] },
    { why: "a Calico policy at order 999 runs before the KNP", order: "order: 999", want: ["0|default|np:shop/deny-all|deny|0"] },
    { why: "a Calico policy at order 1001 runs after the KNP", order: "order: 1001", want: ["0|default|knp:shop/allow-api|allow|0"] },
    // Equal order: "allow-api/shop/KubernetesNetworkPolicy" < "deny-all/shop/NetworkPolicy".
    { why: "at order 1000 the name breaks the tie", order: "order: 1000", want: ["0|default|knp:shop/allow-api|allow|0"] },
  ])("$why", ({ order, want }) => {
    const h = harness(`${knpAllowApi}\n---\n${calicoDeny(order)}`);
    expect(h.trace(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual(want);
  });

  test("a Calico policy in a tier ordered before default runs before every KNP, whatever its own order", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-all, namespace: shop }
spec:
  tier: security
  order: 99999
  selector: app == 'web'
  ingress: [{ action: Deny }]
---
${knpAllowApi}`);
    expect(h.trace(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual([
      "0|security|np:shop/deny-all|deny|0",
    ]);
  });
});
