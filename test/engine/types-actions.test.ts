import { describe, expect, test } from "@jest/globals";
import { harness } from "../helpers/engine.js";

/**
 * Defaulting of `types` (calico-semantics §4.6, §13.8) and rule actions (§4.4, §13.9: Log does not terminate;
 * Allow, Deny and Pass do).
 */

const PROFILE = "0|__PROFILE__|pro:kns.shop|allow|0";

describe("types defaulting (§4.6 defaultPolicyTypesField)", () => {
  // Each policy selects app == 'web'. Ingress rules allow from api; egress rules allow to db.
  const ingressRules = "ingress: [{ action: Allow, source: { selector: app == 'api' } }]";
  const egressRules = "egress: [{ action: Allow, destination: { selector: app == 'db' } }]";
  const policy = (body: string) => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  selector: app == 'web'
  ${body.split("\n").join("\n  ")}
`;
  const cases: Array<{ why: string; body: string; ingressFromApi: string[]; ingressFromOther: string[]; egressToDb: string[]; egressToOther: string[] }> = [
    {
      why: "no rules and no types: Ingress only (a default deny for ingress, egress untouched)",
      body: "",
      ingressFromApi: ["0|default|np:shop/p|deny|-1"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: [PROFILE],
      egressToOther: [PROFILE],
    },
    {
      why: "ingress rules only: Ingress",
      body: ingressRules,
      ingressFromApi: ["0|default|np:shop/p|allow|0"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: [PROFILE],
      egressToOther: [PROFILE],
    },
    {
      why: "egress rules only: Egress (ingress untouched)",
      body: egressRules,
      ingressFromApi: [PROFILE],
      ingressFromOther: [PROFILE],
      egressToDb: ["0|default|np:shop/p|allow|0"],
      egressToOther: ["0|default|np:shop/p|deny|-1"],
    },
    {
      why: "both kinds of rules: Ingress and Egress",
      body: `${ingressRules}\n${egressRules}`,
      ingressFromApi: ["0|default|np:shop/p|allow|0"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: ["0|default|np:shop/p|allow|0"],
      egressToOther: ["0|default|np:shop/p|deny|-1"],
    },
    {
      why: "explicit types: [Egress] ignores the ingress rules and, with no egress rules, denies all egress",
      body: `types: [Egress]\n${ingressRules}`,
      ingressFromApi: [PROFILE],
      ingressFromOther: [PROFILE],
      egressToDb: ["0|default|np:shop/p|deny|-1"],
      egressToOther: ["0|default|np:shop/p|deny|-1"],
    },
    {
      why: "explicit types: [Ingress] ignores the egress rules",
      body: `types: [Ingress]\n${ingressRules}\n${egressRules}`,
      ingressFromApi: ["0|default|np:shop/p|allow|0"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: [PROFILE],
      egressToOther: [PROFILE],
    },
    {
      why: "explicit types: [Ingress] with no rules is the default-deny pattern",
      body: "types: [Ingress]",
      ingressFromApi: ["0|default|np:shop/p|deny|-1"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: [PROFILE],
      egressToOther: [PROFILE],
    },
    {
      why: "explicit types: [Ingress, Egress] with no rules denies both directions",
      body: "types: [Ingress, Egress]",
      ingressFromApi: ["0|default|np:shop/p|deny|-1"],
      ingressFromOther: ["0|default|np:shop/p|deny|-1"],
      egressToDb: ["0|default|np:shop/p|deny|-1"],
      egressToOther: ["0|default|np:shop/p|deny|-1"],
    },
  ];

  test.each(cases)("$why", ({ body, ingressFromApi, ingressFromOther, egressToDb, egressToOther }) => {
    const h = harness(policy(body));
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(h.pod("shop", { app: "api" }), web).ingress).toEqual(ingressFromApi);
    expect(h.trace(h.pod("shop", { app: "other" }), web).ingress).toEqual(ingressFromOther);
    expect(h.trace(web, h.pod("shop", { app: "db" })).egress).toEqual(egressToDb);
    expect(h.trace(web, h.pod("shop", { app: "other" })).egress).toEqual(egressToOther);
  });

  test("the same defaulting applies to GlobalNetworkPolicy: egress rules only → Egress", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: g }
spec:
  egress: [{ action: Deny, destination: { selector: app == 'db' } }]
`);
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(web, h.pod("shop", { app: "db" }))).toEqual({
      verdict: "deny",
      egress: ["0|default|gnp:g|deny|0"],
      ingress: [PROFILE],
    });
  });
});

describe("rule actions (§4.4, §13.9)", () => {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: audit }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: log-everything }
spec:
  tier: audit
  selector: app == 'web'
  ingress:
    - action: Log
    - { action: Log, source: { selector: app == 'api' } }
    - { action: Pass, source: { selector: app == 'api' } }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  selector: app == 'web'
  ingress:
    - { action: Log, source: { selector: app == 'api' } }
    - { action: Deny, source: { selector: role == 'blocked' } }
    - { action: Allow, source: { selector: app == 'api' } }
    - { action: Allow, source: { selector: role == 'blocked' } }
`);
  const web = h.pod("shop", { app: "web" });

  test.each([
    {
      why: "Log rules match but do not end evaluation; the next matching rule decides",
      src: { app: "api" },
      want: ["0|audit|gnp:log-everything|pass|2", "1|default|np:shop/web|allow|2"],
    },
    {
      why: "a matching Log as the last rule of a tier still reaches the end of tier",
      src: { app: "other" },
      want: ["0|audit|gnp:log-everything|deny|-1"],
    },
  ])("$why", ({ src, want }) => {
    expect(h.trace(h.pod("shop", src), web).ingress).toEqual(want);
  });

  test("Deny terminates: a later Allow for the same source is never reached", () => {
    const h2 = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 1
  selector: app == 'web'
  ingress:
    - { action: Log }
    - { action: Deny, source: { selector: role == 'blocked' } }
    - { action: Allow }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: later, namespace: shop }
spec:
  order: 2
  selector: app == 'web'
  ingress: [{ action: Allow }]
`);
    const web2 = h2.pod("shop", { app: "web" });
    expect(h2.trace(h2.pod("shop", { app: "x", role: "blocked" }), web2).ingress).toEqual(["0|default|np:shop/web|deny|1"]);
    expect(h2.trace(h2.pod("shop", { app: "x" }), web2).ingress).toEqual(["0|default|np:shop/web|allow|2"]);
  });

  test("a policy whose rules do not match falls through to the next policy of the same tier", () => {
    const h3 = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: a, namespace: shop }
spec:
  order: 1
  ingress: [{ action: Deny, source: { selector: app == 'nobody' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: b, namespace: shop }
spec:
  order: 2
  ingress: [{ action: Log }, { action: Allow, source: { selector: app == 'api' } }]
`);
    expect(h3.trace(h3.pod("shop", { app: "api" }), h3.pod("shop", { app: "web" })).ingress).toEqual(["0|default|np:shop/b|allow|1"]);
  });
});
