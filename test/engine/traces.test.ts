import { describe, expect, test } from "@jest/globals";
import { flowLogPolicyName, type PolicyKind } from "../../src/engine/index.js";
import { harness } from "../helpers/engine.js";

/**
 * Flow-log policy strings: calico-semantics §10.1 (Enterprise / v3.31: `<idx>|<tier>|<ns>/<tier>.<name>|<action>|<rule>`,
 * `knp.default.`, `staged:`, `__PROFILE__.kns.<ns>`) and §10.2 (v3.32+: `<kind>:<ns>/<name>`, `pro:kns.<ns>`);
 * §9 for the name-prefix rule (a name already carrying its tier prefix is not prefixed again).
 */

describe("the Enterprise documentation's example, reproduced with --version 3.31 (§10.1)", () => {
  test("a Pass at rule 3 of a tier1 policy, then an Allow at rule 2 of a default-tier policy", () => {
    const h = harness(
      `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: tier1 }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: tier1.policy1, namespace: policy-demo }
spec:
  tier: tier1
  selector: app == 'nginx'
  ingress:
    - { action: Deny, source: { selector: app == 'blocked' } }
    - { action: Deny, protocol: UDP }
    - { action: Allow, source: { selector: app == 'admin' } }
    - { action: Pass, source: { selector: app == 'access' } }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: access-nginx, namespace: policy-demo }
spec:
  selector: app == 'nginx'
  ingress:
    - { action: Deny, source: { selector: app == 'blocked' } }
    - { action: Log }
    - { action: Allow, source: { selector: app == 'access' } }
`,
      { version: "3.31" },
    );
    const access = h.pod("policy-demo", { app: "access" });
    const nginx = h.pod("policy-demo", { app: "nginx" });
    expect(h.trace(access, nginx)).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|__PROFILE__.kns.policy-demo|allow|0"],
      ingress: ["0|tier1|policy-demo/tier1.policy1|pass|3", "1|default|policy-demo/default.access-nginx|allow|2"],
    });
  });
});

describe("policy names by kind and version (§10.1, §10.2, §9)", () => {
  // Each fixture is one policy that denies all ingress at rule 0 (staged ones are read from the pending trace).
  const cases: Array<{ kind: string; yaml: string; v332: string; v331: string }> = [
    {
      kind: "NetworkPolicy in the default tier",
      yaml: "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: foo, namespace: shop }\nspec: { ingress: [{ action: Deny }] }",
      v332: "0|default|np:shop/foo|deny|0",
      v331: "0|default|shop/default.foo|deny|0",
    },
    {
      kind: "NetworkPolicy already named default.<name>",
      yaml: "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: default.foo, namespace: shop }\nspec: { ingress: [{ action: Deny }] }",
      v332: "0|default|np:shop/default.foo|deny|0",
      v331: "0|default|shop/default.foo|deny|0",
    },
    {
      kind: "NetworkPolicy in tier1 named tier1.<name>",
      yaml: "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: tier1.foo, namespace: shop }\nspec: { tier: tier1, ingress: [{ action: Deny }] }",
      v332: "0|tier1|np:shop/tier1.foo|deny|0",
      v331: "0|tier1|shop/tier1.foo|deny|0",
    },
    {
      kind: "GlobalNetworkPolicy in the default tier",
      yaml: "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: { name: g }\nspec: { ingress: [{ action: Deny }] }",
      v332: "0|default|gnp:g|deny|0",
      v331: "0|default|default.g|deny|0",
    },
    {
      kind: "GlobalNetworkPolicy in tier1",
      yaml: "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: { name: tier1.g }\nspec: { tier: tier1, ingress: [{ action: Deny }] }",
      v332: "0|tier1|gnp:tier1.g|deny|0",
      v331: "0|tier1|tier1.g|deny|0",
    },
    {
      kind: "Kubernetes NetworkPolicy (end of tier)",
      yaml: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: k, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Ingress] }",
      v332: "0|default|knp:shop/k|deny|-1",
      v331: "0|default|shop/knp.default.k|deny|-1",
    },
    {
      kind: "StagedNetworkPolicy in tier1",
      yaml: "apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata: { name: tier1.s, namespace: shop }\nspec: { tier: tier1, ingress: [{ action: Deny }] }",
      v332: "0|tier1|snp:shop/tier1.s|deny|0",
      v331: "0|tier1|shop/staged:tier1.s|deny|0",
    },
    {
      kind: "StagedGlobalNetworkPolicy in the default tier",
      yaml: "apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\nmetadata: { name: sg }\nspec: { ingress: [{ action: Deny }] }",
      v332: "0|default|sgnp:sg|deny|0",
      v331: "0|default|staged:default.sg|deny|0",
    },
    {
      kind: "StagedKubernetesNetworkPolicy (end of tier)",
      yaml: "apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata: { name: sk, namespace: shop }\nspec: { podSelector: {} }",
      v332: "0|default|sknp:shop/sk|deny|-1",
      v331: "0|default|shop/staged:knp.default.sk|deny|-1",
    },
  ];
  const tier1 = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: tier1 }\nspec: { order: 10 }\n---\n";

  test.each(cases)("$kind", ({ yaml, v332, v331 }) => {
    for (const [version, want] of [["3.32", v332], ["3.31", v331]]) {
      const h = harness(tier1 + yaml, { version });
      // The pending trace treats staged policies as enforced and equals the enforced trace for enforced ones.
      expect(h.pending(h.pod("shop", { app: "a" }), h.pod("shop", { app: "b" })).ingress).toEqual([want]);
    }
  });

  test.each([
    { version: "3.32", want: "0|__PROFILE__|pro:kns.shop|allow|0" },
    { version: "3.31", want: "0|__PROFILE__|__PROFILE__.kns.shop|allow|0" },
  ])("the namespace profile, Calico $version", ({ version, want }) => {
    const h = harness("", { version });
    expect(h.trace(h.pod("shop", { app: "a" }), h.pod("shop", { app: "b" }))).toEqual({ verdict: "allow", egress: [want], ingress: [want] });
  });

  test("flowLogPolicyName strips only the policy's own tier prefix, not another tier's", () => {
    const ref = (kind: PolicyKind, name: string, tier: string, namespace?: string) => ({ kind, name, tier, namespace });
    expect([
      flowLogPolicyName(ref("GlobalNetworkPolicy", "tier1.g", "tier1"), "v3.31"),
      flowLogPolicyName(ref("GlobalNetworkPolicy", "tier2.g", "tier1"), "v3.31"),
      flowLogPolicyName(ref("KubernetesNetworkPolicy", "knp.default.k", "default", "shop"), "v3.31"),
      flowLogPolicyName(ref("NetworkPolicy", "default.n", "default", "shop"), "v3.32"),
    ]).toEqual(["tier1.g", "tier1.tier2.g", "shop/knp.default.k", "np:shop/default.n"]);
  });
});

describe("trace indexes count hits across tiers (§10.1: `index` is the hit order from 0)", () => {
  test("pass hits and end-of-tier pass hits each take an index, v3.31 and v3.32", () => {
    const yaml = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: t1 }
spec: { order: 1 }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: t2 }
spec: { order: 2, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: t1.a }
spec: { tier: t1, ingress: [{ action: Pass }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: t2.b, namespace: shop }
spec: { tier: t2, ingress: [{ action: Deny, source: { selector: app == 'nobody' } }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: c, namespace: shop }
spec: { ingress: [{ action: Deny, protocol: UDP }, { action: Allow }] }
`;
    const run = (version: string) => {
      const h = harness(yaml, { version });
      return h.trace(h.pod("shop", { app: "a" }), h.pod("shop", { app: "b" })).ingress;
    };
    expect(run("3.32")).toEqual(["0|t1|gnp:t1.a|pass|0", "1|t2|np:shop/t2.b|pass|-1", "2|default|np:shop/c|allow|1"]);
    expect(run("3.31")).toEqual(["0|t1|t1.a|pass|0", "1|t2|shop/t2.b|pass|-1", "2|default|shop/default.c|allow|1"]);
  });
});
