import { describe, expect, test } from "@jest/globals";
import { harness, type TraceResult } from "../helpers/engine.js";

/**
 * Staged policies: calico-semantics §7 (never enforced; the pending verdict treats them as enforced in their sorted
 * place; a staged and an enforced policy of the same name are both evaluated; stagedAction Delete), §4.4/§4.5 (a tier
 * whose only relevant policies are staged is skipped for enforcement), §10.2 (names in traces), §13 items 3 and 9.
 */

const PROFILE = "0|__PROFILE__|pro:kns.shop|allow|0";

describe("enforced versus pending verdicts (§7)", () => {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 10
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: quarantine, namespace: shop }
spec:
  order: 5
  selector: app == 'web'
  ingress: [{ action: Deny, source: { selector: quarantined == 'true' } }]
`);
  const web = h.pod("shop", { app: "web" });
  const rows: Array<{ why: string; src: Record<string, string>; enforced: TraceResult; pending: TraceResult }> = [
    {
      why: "the staged Deny ranks first (order 5) in the pending walk but is skipped by the enforced walk",
      src: { app: "api", quarantined: "true" },
      enforced: { verdict: "allow", egress: [PROFILE], ingress: ["0|default|np:shop/web|allow|0"] },
      pending: { verdict: "deny", egress: [PROFILE], ingress: ["0|default|snp:shop/quarantine|deny|0"] },
    },
    {
      why: "when the staged policy does not match, the pending walk falls through to the enforced policy",
      src: { app: "api" },
      enforced: { verdict: "allow", egress: [PROFILE], ingress: ["0|default|np:shop/web|allow|0"] },
      pending: { verdict: "allow", egress: [PROFILE], ingress: ["0|default|np:shop/web|allow|0"] },
    },
    {
      why: "no policy matches: both end at the tier; the pending end of tier names the tier's first policy",
      src: { app: "other" },
      enforced: { verdict: "deny", egress: [PROFILE], ingress: ["0|default|np:shop/web|deny|-1"] },
      pending: { verdict: "deny", egress: [PROFILE], ingress: ["0|default|snp:shop/quarantine|deny|-1"] },
    },
  ];
  test.each(rows)("$why", ({ src, enforced, pending }) => {
    const s = h.pod("shop", src);
    expect(h.trace(s, web)).toEqual(enforced);
    expect(h.pending(s, web)).toEqual(pending);
  });
});

describe("a staged policy and an enforced policy with the same name are both evaluated (§7)", () => {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 10
  selector: app == 'web'
  ingress: [{ action: Allow, protocol: TCP, destination: { ports: [80] } }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  order: 10
  selector: app == 'web'
  ingress: [{ action: Deny, protocol: TCP, destination: { ports: [8080] } }]
`);
  const web = h.pod("shop", { app: "web" });
  const api = h.pod("shop", { app: "api" });

  test("order ties break by kind: web/shop/NetworkPolicy before web/shop/StagedNetworkPolicy", () => {
    expect(h.order()).toEqual(["default|np:shop/web", "default|snp:shop/web"]);
  });

  test.each([
    // If the staged policy replaced its twin, port 80 would end at the tier in the pending walk.
    { port: 80, enforced: ["0|default|np:shop/web|allow|0"], pending: ["0|default|np:shop/web|allow|0"] },
    { port: 8080, enforced: ["0|default|np:shop/web|deny|-1"], pending: ["0|default|snp:shop/web|deny|0"] },
    { port: 9090, enforced: ["0|default|np:shop/web|deny|-1"], pending: ["0|default|np:shop/web|deny|-1"] },
  ])("port $port", ({ port, enforced, pending }) => {
    expect(h.trace(api, web, port).ingress).toEqual(enforced);
    expect(h.pending(api, web, port).ingress).toEqual(pending);
  });
});

describe("a tier whose only relevant policies are staged (§4.4, §4.5, §13.3)", () => {
  const h = harness(`
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: lockdown }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: lock }
spec:
  tier: lockdown
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: other-pods, namespace: shop }
spec:
  tier: lockdown
  selector: app == 'db'
  types: [Ingress]
`);
  const web = h.pod("shop", { app: "web" });

  test("is skipped for enforcement: no end-of-tier deny, the profile allows", () => {
    expect(h.trace(h.pod("shop", { app: "x" }), web)).toEqual({ verdict: "allow", egress: [PROFILE], ingress: [PROFILE] });
  });

  test("is evaluated for the pending verdict, with its end-of-tier deny", () => {
    expect(h.pending(h.pod("shop", { app: "x" }), web)).toEqual({
      verdict: "deny",
      egress: [PROFILE],
      ingress: ["0|lockdown|sgnp:lock|deny|-1"],
    });
    expect(h.pending(h.pod("shop", { app: "api" }), web).ingress).toEqual(["0|lockdown|sgnp:lock|allow|0"]);
  });

  test("an enforced policy that selects other endpoints does not make the tier apply", () => {
    const db = h.pod("shop", { app: "db" });
    expect(h.trace(h.pod("shop", { app: "x" }), db).ingress).toEqual(["0|lockdown|np:shop/other-pods|deny|-1"]);
  });
});

describe("the enforced end of tier skips staged policies; the pending one may name one (§10.2)", () => {
  test("a staged policy sorted last is never named in the enforced trace", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: a, namespace: shop }
spec: { order: 1, types: [Ingress] }
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: z, namespace: shop }
spec: { order: 2, types: [Ingress] }
`);
    const web = h.pod("shop", { app: "web" });
    const api = h.pod("shop", { app: "api" });
    expect(h.trace(api, web).ingress).toEqual(["0|default|np:shop/a|deny|-1"]);
    expect(h.pending(api, web).ingress).toEqual(["0|default|np:shop/a|deny|-1"]);
  });

  test("a staged policy sorted first is named by the pending end of tier only", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: a, namespace: shop }
spec: { order: 1, types: [Ingress] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: z, namespace: shop }
spec: { order: 2, types: [Ingress] }
`);
    const web = h.pod("shop", { app: "web" });
    const api = h.pod("shop", { app: "api" });
    expect(h.trace(api, web).ingress).toEqual(["0|default|np:shop/z|deny|-1"]);
    expect(h.pending(api, web).ingress).toEqual(["0|default|snp:shop/a|deny|-1"]);
  });
});

describe("stagedAction Delete (§7)", () => {
  const twins = [
    {
      kind: "NetworkPolicy",
      enforced: `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: lock, namespace: shop }
spec: { selector: app == 'web', types: [Ingress] }`,
      staged: `
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: lock, namespace: shop }
spec: { stagedAction: Delete }`,
      trace: "0|default|np:shop/lock|deny|-1",
    },
    {
      kind: "GlobalNetworkPolicy",
      enforced: `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: lock }
spec: { selector: app == 'web', types: [Ingress] }`,
      staged: `
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: lock }
spec: { stagedAction: Delete }`,
      trace: "0|default|gnp:lock|deny|-1",
    },
    {
      kind: "KubernetesNetworkPolicy",
      enforced: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: lock, namespace: shop }
spec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Ingress] }`,
      staged: `
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: { name: lock, namespace: shop }
spec: { stagedAction: Delete }`,
      trace: "0|default|knp:shop/lock|deny|-1",
    },
  ];

  test.each(twins)("$kind: by default the pending verdict previews deleting the enforced twin", ({ enforced, staged, trace }) => {
    const h = harness(`${enforced}\n---\n${staged}`);
    const api = h.pod("shop", { app: "api" });
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(api, web).ingress).toEqual([trace]);
    expect(h.pending(api, web)).toEqual({ verdict: "allow", egress: [PROFILE], ingress: [PROFILE] });
  });

  test.each(twins)("$kind: with stagedDelete 'ignore' (open-source Felix never sees it) the twin stays", ({ enforced, staged, trace }) => {
    const h = harness(`${enforced}\n---\n${staged}`, { stagedDelete: "ignore" });
    const api = h.pod("shop", { app: "api" });
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(api, web).ingress).toEqual([trace]);
    expect(h.pending(api, web)).toEqual({ verdict: "deny", egress: [PROFILE], ingress: [trace] });
  });

  test("a Delete only removes its own twin: same name in another namespace or of another kind stays", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: lock, namespace: other }
spec: { selector: app == 'web', types: [Ingress] }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: lock }
spec: { selector: app == 'web', namespaceSelector: projectcalico.org/name == 'shop', types: [Ingress] }
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: lock, namespace: shop }
spec: { stagedAction: Delete }
`);
    expect(h.pending(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual(["0|default|gnp:lock|deny|-1"]);
    expect(h.pending(h.pod("other", { app: "api" }), h.pod("other", { app: "web" })).ingress).toEqual(["0|default|np:other/lock|deny|-1"]);
  });
});

describe("stagedAction Learn and Ignore behave like Set in open source (§7)", () => {
  test.each(["Set", "Learn", "Ignore"])("stagedAction %s", (action) => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: s, namespace: shop }
spec: { stagedAction: ${action}, selector: app == 'web', types: [Ingress] }
`);
    const api = h.pod("shop", { app: "api" });
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(api, web).verdict).toBe("allow");
    expect(h.pending(api, web).ingress).toEqual(["0|default|snp:shop/s|deny|-1"]);
  });
});

describe("staged names in traces (§10.2, §7)", () => {
  const yaml = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: tier1 }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: tier1.snp, namespace: shop }
spec:
  tier: tier1
  order: 1
  ingress: [{ action: Pass, source: { selector: step == 'one' } }]
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: tier1.sgnp }
spec:
  tier: tier1
  order: 2
  ingress: [{ action: Pass, source: { selector: step == 'two' } }]
---
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: { name: sknp, namespace: shop }
spec:
  podSelector: {}
  ingress: [{ from: [{ podSelector: { matchLabels: { role: client } } }] }]
`;
  const sources: Record<string, Record<string, string>> = {
    one: { step: "one" },
    two: { step: "two" },
    client: { step: "one", role: "client" },
    none: { app: "x" },
  };
  test.each([
    {
      version: "3.32",
      want: {
        one: ["0|tier1|snp:shop/tier1.snp|pass|0", "1|default|sknp:shop/sknp|deny|-1"],
        two: ["0|tier1|sgnp:tier1.sgnp|pass|0", "1|default|sknp:shop/sknp|deny|-1"],
        client: ["0|tier1|snp:shop/tier1.snp|pass|0", "1|default|sknp:shop/sknp|allow|0"],
        none: ["0|tier1|snp:shop/tier1.snp|deny|-1"],
      },
    },
    {
      version: "3.31",
      want: {
        one: ["0|tier1|shop/staged:tier1.snp|pass|0", "1|default|shop/staged:knp.default.sknp|deny|-1"],
        two: ["0|tier1|staged:tier1.sgnp|pass|0", "1|default|shop/staged:knp.default.sknp|deny|-1"],
        client: ["0|tier1|shop/staged:tier1.snp|pass|0", "1|default|shop/staged:knp.default.sknp|allow|0"],
        none: ["0|tier1|shop/staged:tier1.snp|deny|-1"],
      },
    },
  ])("Calico $version", ({ version, want }) => {
    const h = harness(yaml, { version });
    const web = h.pod("shop", { app: "web" });
    const got = Object.fromEntries(Object.entries(sources).map(([k, labels]) => [k, h.pending(h.pod("shop", labels), web).ingress]));
    expect(got).toEqual(want);
    // None of them is enforced: every enforced walk reaches the profile.
    const profile = version === "3.31" ? "0|__PROFILE__|__PROFILE__.kns.shop|allow|0" : PROFILE;
    for (const labels of Object.values(sources)) expect(h.trace(h.pod("shop", labels), web).ingress).toEqual([profile]);
  });
});
