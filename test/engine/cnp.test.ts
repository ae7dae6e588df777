import { describe, expect, test } from "@jest/globals";
import { harness } from "../helpers/engine.js";

/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) in the engine, as Calico 3.32 enforces it
 * (libcalico-go conversion/clusternetworkpolicy.go; calico-semantics §8.1, §4.4): Admin in kube-admin (order 1000),
 * Baseline in kube-baseline (order 10,000,000, after default), order = priority, Accept/Deny/Pass, both tiers
 * default to Pass; and the 3.31 model of AdminNetworkPolicy / BaselineAdminNetworkPolicy.
 */
const docs = (...parts: string[]) => parts.join("\n---\n");

const cnp = (name: string, tier: "Admin" | "Baseline", priority: number, body: string) => `
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tier}
  priority: ${priority}
${body}`;

const knpAllowFrom = (ns: string, app: string, from: string) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-${from}, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: ${app} } }
  ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: ${from} } } }] }]
`;

const nsSubject = (ns: string) => `  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: ${ns} } } }`;

describe("tier mapping and priority → order", () => {
  const h = harness(
    docs(
      cnp("b-admin", "Admin", 5, `${nsSubject("shop")}\n  ingress: [{ action: Pass, from: [{ namespaces: {} }] }]`),
      cnp("a-admin", "Admin", 5, `${nsSubject("shop")}\n  ingress: [{ action: Pass, from: [{ namespaces: {} }] }]`),
      cnp("first", "Admin", 0, `${nsSubject("shop")}\n  ingress: [{ action: Pass, from: [{ namespaces: {} }] }]`),
      cnp("base", "Baseline", 1000, `${nsSubject("shop")}\n  ingress: [{ action: Accept, from: [{ namespaces: {} }] }]`),
    ),
  );

  test("Admin → kube-admin, Baseline → kube-baseline; lower priority first, equal priorities by name; kcnp names", () => {
    expect(h.order()).toEqual([
      "kube-admin|kcnp:first",
      "kube-admin|kcnp:a-admin",
      "kube-admin|kcnp:b-admin",
      "kube-baseline|kcnp:base",
    ]);
    expect(h.set.policies.map((p) => p.order)).toEqual([0, 5, 5, 1000]);
  });

  test("a Pass moves to the next tier; past kube-baseline the namespace profile", () => {
    const t = h.trace(h.pod("web", { app: "x" }), h.pod("shop", { app: "api" }));
    expect(t).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|pro:kns.web|allow|0"],
      ingress: ["0|kube-admin|kcnp:first|pass|0", "1|kube-baseline|kcnp:base|allow|0"],
    });
  });
});

describe("Admin before NetworkPolicy, Baseline after it", () => {
  const policies = docs(
    cnp("deny-from-dev", "Admin", 10, `${nsSubject("shop")}
  ingress:
    - { action: Deny, from: [{ namespaces: { matchLabels: { env: dev } } }] }
    - { action: Pass, from: [{ namespaces: { matchLabels: { env: qa } } }] }`),
    knpAllowFrom("shop", "api", "web"),
    cnp("baseline-deny", "Baseline", 50, `${nsSubject("shop")}
  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`),
  );
  const h = harness(policies);
  const api = h.pod("shop", { app: "api" });
  const db = h.pod("shop", { app: "db" });
  const from = (ns: string, env: string, app = "web") => h.pod(ns, { app }, { namespaceLabels: { "kubernetes.io/metadata.name": ns, env } });

  test.each([
    {
      name: "Admin Deny wins over a NetworkPolicy that allows",
      src: () => from("dev1", "dev"), dst: () => api, verdict: "deny",
      ingress: ["0|kube-admin|kcnp:deny-from-dev|deny|0"],
    },
    {
      name: "Admin Pass hands the decision to the NetworkPolicy (allow)",
      src: () => from("qa1", "qa"), dst: () => api, verdict: "allow",
      ingress: ["0|kube-admin|kcnp:deny-from-dev|pass|1", "1|default|knp:shop/allow-web|allow|0"],
    },
    {
      name: "Admin Pass hands the decision to the NetworkPolicy (its end-of-tier deny)",
      src: () => from("qa1", "qa", "other"), dst: () => api, verdict: "deny",
      ingress: ["0|kube-admin|kcnp:deny-from-dev|pass|1", "1|default|knp:shop/allow-web|deny|-1"],
    },
    {
      name: "no Admin rule matches: end of kube-admin passes, the NetworkPolicy decides, Baseline is never reached",
      src: () => from("prod", "prod"), dst: () => api, verdict: "allow",
      ingress: ["0|kube-admin|kcnp:deny-from-dev|pass|-1", "1|default|knp:shop/allow-web|allow|0"],
    },
    {
      name: "a pod no NetworkPolicy selects: Baseline decides",
      src: () => from("prod", "prod"), dst: () => db, verdict: "deny",
      ingress: ["0|kube-admin|kcnp:deny-from-dev|pass|-1", "1|kube-baseline|kcnp:baseline-deny|deny|0"],
    },
  ])("$name", ({ src, dst, verdict, ingress }) => {
    const t = h.trace(src(), dst());
    expect(t.verdict).toBe(verdict);
    expect(t.ingress).toEqual(ingress);
  });
});

describe("subjects, peers and ports", () => {
  const h = harness(
    docs(
      cnp("pods-subject", "Admin", 1, `  subject:
    pods:
      namespaceSelector: { matchLabels: { team: a } }
      podSelector: { matchLabels: { app: db } }
  ingress:
    - action: Accept
      from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }]
      protocols: [{ tcp: { destinationPort: { number: 5432 } } }, { tcp: { destinationPort: { range: { start: 9000, end: 9002 } } } }]
    - action: Accept
      from: [{ namespaces: { matchLabels: { team: a } } }]
      protocols: [{ udp: { destinationPort: { number: 53 } } }, { destinationNamedPort: metrics }]
    - action: Deny
      from: [{ namespaces: {} }]
  egress:
    - action: Accept
      to: [{ networks: [10.1.0.0/16] }]
      protocols: [{ tcp: { destinationPort: { number: 443 } } }]
    - action: Deny
      to: [{ networks: [0.0.0.0/0] }]`),
    ),
  );
  const teamA = { "kubernetes.io/metadata.name": "a1", team: "a" };
  const db = h.pod("a1", { app: "db" }, { namespaceLabels: teamA, namedPorts: [{ name: "metrics", protocol: 6, port: 9100 }] });
  const dbElsewhere = h.pod("b1", { app: "db" });
  const api = h.pod("b1", { app: "api" });
  const web = h.pod("b1", { app: "web" });
  const sibling = h.pod("a1", { app: "tool" }, { namespaceLabels: teamA });

  test.each([
    { name: "pods peer, TCP port", src: () => api, dst: () => db, port: 5432, proto: "TCP", verdict: "allow", rule: 0 },
    { name: "pods peer, TCP range start", src: () => api, dst: () => db, port: 9000, proto: "TCP", verdict: "allow", rule: 0 },
    { name: "pods peer, TCP range end (inclusive)", src: () => api, dst: () => db, port: 9002, proto: "TCP", verdict: "allow", rule: 0 },
    { name: "pods peer, port outside the range", src: () => api, dst: () => db, port: 9003, proto: "TCP", verdict: "deny", rule: 3 },
    { name: "pods peer, UDP on a TCP port", src: () => api, dst: () => db, port: 5432, proto: "UDP", verdict: "deny", rule: 3 },
    { name: "other pod in another namespace", src: () => web, dst: () => db, port: 5432, proto: "TCP", verdict: "deny", rule: 3 },
    { name: "namespaces peer, UDP 53", src: () => sibling, dst: () => db, port: 53, proto: "UDP", verdict: "allow", rule: 2 },
    // Protocols sort "" (the named port, any protocol) before "UDP": one Calico rule per protocol, in that order.
    { name: "namespaces peer, named port", src: () => sibling, dst: () => db, port: 9100, proto: "TCP", verdict: "allow", rule: 1 },
  ])("$name → $verdict", ({ src, dst, port, proto, verdict, rule }) => {
    const t = h.trace(src(), dst(), port, proto);
    expect(t.verdict).toBe(verdict);
    expect(t.ingress).toEqual([`0|kube-admin|kcnp:pods-subject|${verdict}|${rule}`]);
  });

  test("the subject's pods selector: db outside a team-a namespace is not selected", () => {
    expect(h.trace(api, dbElsewhere, 5432).ingress).toEqual(["0|__PROFILE__|pro:kns.b1|allow|0"]);
  });

  test.each([
    { ip: "10.1.2.3", port: 443, verdict: "allow", hit: "0|kube-admin|kcnp:pods-subject|allow|0" },
    { ip: "10.1.2.3", port: 80, verdict: "deny", hit: "0|kube-admin|kcnp:pods-subject|deny|1" },
    { ip: "192.0.2.1", port: 443, verdict: "deny", hit: "0|kube-admin|kcnp:pods-subject|deny|1" },
  ])("egress networks peer: $ip:$port → $verdict", ({ ip, port, verdict, hit }) => {
    const t = h.trace(db, h.external(ip), port);
    expect(t.verdict).toBe(verdict);
    expect(t.egress).toEqual([hit]);
  });

  test("no protocols: all traffic", () => {
    const all = harness(cnp("all", "Admin", 1, `${nsSubject("shop")}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`));
    for (const [port, proto] of [[1, "TCP"], [53, "UDP"], [0, "ICMP"]] as const) {
      expect(all.trace(all.pod("x", { app: "a" }), all.pod("shop", { app: "b" }), port, proto).verdict).toBe("deny");
    }
  });
});

describe("mixed sets: Calico tiers, Calico policies in kube-admin/kube-baseline, Kubernetes policies, both CNP tiers", () => {
  const h = harness(
    docs(
      `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 500, defaultAction: Pass }`,
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: quarantine }
spec:
  tier: security
  selector: quarantined == 'true'
  ingress: [{ action: Deny }]`,
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: admin-gnp }
spec:
  tier: kube-admin
  order: 7
  selector: app == 'api'
  ingress: [{ action: Deny, source: { selector: app == 'evil' } }]`,
      cnp("admin-cnp", "Admin", 3, `${nsSubject("shop")}\n  ingress: [{ action: Pass, from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: evil } } } }] }]`),
      cnp("admin-late", "Admin", 9, `${nsSubject("shop")}\n  ingress: [{ action: Accept, from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: evil } } } }] }]`),
      knpAllowFrom("shop", "api", "web"),
      `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: baseline-gnp }
spec:
  tier: kube-baseline
  order: 2000
  selector: all()
  ingress: [{ action: Allow }]`,
      cnp("baseline-cnp", "Baseline", 100, `${nsSubject("shop")}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`),
    ),
  );

  test("evaluation order across tiers and kinds", () => {
    expect(h.order()).toEqual([
      "security|gnp:quarantine",
      "kube-admin|kcnp:admin-cnp",
      "kube-admin|gnp:admin-gnp",
      "kube-admin|kcnp:admin-late",
      "default|knp:shop/allow-web",
      "kube-baseline|kcnp:baseline-cnp",
      "kube-baseline|gnp:baseline-gnp",
    ]);
  });

  test.each<{ name: string; src: Record<string, string>; dst: Record<string, string>; verdict: string; ingress: string[] }>([
    {
      name: "a CNP Pass skips the rest of kube-admin (the GNP at order 7 and the later CNP) to the NetworkPolicy",
      src: { app: "evil" }, dst: { app: "api" }, verdict: "deny",
      ingress: ["0|kube-admin|kcnp:admin-cnp|pass|0", "1|default|knp:shop/allow-web|deny|-1"],
    },
    {
      name: "an earlier Calico tier decides before kube-admin",
      src: { app: "web" }, dst: { app: "api", quarantined: "true" }, verdict: "deny",
      ingress: ["0|security|gnp:quarantine|deny|0"],
    },
    {
      name: "Baseline CNP (priority 100) before the Calico policy placed in kube-baseline (order 2000)",
      src: { app: "web" }, dst: { app: "cache" }, verdict: "deny",
      ingress: ["0|kube-admin|kcnp:admin-late|pass|-1", "1|kube-baseline|kcnp:baseline-cnp|deny|0"],
    },
  ])("$name", ({ src, dst, verdict, ingress }) => {
    const t = h.trace(h.pod("shop", src), h.pod("shop", dst));
    expect(t.verdict).toBe(verdict);
    expect(t.ingress).toEqual(ingress);
  });
});

describe("unsupported peers fail closed as Calico converts them", () => {
  const h = harness(
    cnp("nodes", "Admin", 1, `${nsSubject("shop")}
  egress:
    - { action: Accept, to: [{ nodes: { matchLabels: { role: infra } } }] }
    - { action: Pass, to: [{ domainNames: [example.com] }] }
    - { action: Accept, to: [{ networks: [10.0.0.0/8] }] }`),
  );

  test("an Accept rule with a nodes peer is dropped; a Pass rule with a domainNames peer becomes deny-all", () => {
    const t = h.trace(h.pod("shop", { app: "a" }), h.external("10.1.1.1"));
    expect(t.verdict).toBe("deny");
    expect(t.egress).toEqual(["0|kube-admin|kcnp:nodes|deny|0"]);
    expect(h.set.policies[0].egress.map((r) => `${r.action} ${r.path}`)).toEqual(["Deny spec.egress[1]", "Allow spec.egress[2].to[0]"]);
    expect(h.set.notes.map((n) => `${n.code} ${n.path}`)).toEqual(["engine/rule-not-converted spec.egress[0]", "engine/rule-not-converted spec.egress[1]"]);
  });
});

describe("versions: ClusterNetworkPolicy under 3.32+, AdminNetworkPolicy / BaselineAdminNetworkPolicy under 3.31", () => {
  const v1alpha1 = docs(
    `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: guard }
spec:
  priority: 10
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: shop } } }
  ingress:
    - { action: Deny, from: [{ namespaces: { matchLabels: { env: dev } } }], ports: [{ portNumber: { port: 22 } }] }
    - { action: Pass, from: [{ namespaces: {} }] }`,
    `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: { name: default }
spec:
  subject: { namespaces: {} }
  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`,
    cnp("modern", "Admin", 1, `${nsSubject("shop")}\n  ingress: [{ action: Deny, from: [{ namespaces: {} }] }]`),
  );
  const dev = (h: ReturnType<typeof harness>) => h.pod("dev1", { app: "x" }, { namespaceLabels: { "kubernetes.io/metadata.name": "dev1", env: "dev" } });

  test("3.31: the v1alpha1 kinds in their own tiers, with kanp./kbanp. names; the CNP is not evaluated", () => {
    const h = harness(v1alpha1, { version: "3.31" });
    expect(h.order()).toEqual([
      "adminnetworkpolicy|kanp.adminnetworkpolicy.guard",
      "baselineadminnetworkpolicy|kbanp.baselineadminnetworkpolicy.default",
    ]);
    expect(h.set.policies.map((p) => p.order)).toEqual([10, 1000]);
    expect(h.set.notes.map((n) => `${n.code} ${n.policy.kind}`)).toEqual(["engine/not-enforced ClusterNetworkPolicy"]);
    expect(h.trace(dev(h), h.pod("shop", { app: "db" }), 22).ingress).toEqual(["0|adminnetworkpolicy|kanp.adminnetworkpolicy.guard|deny|0"]);
    expect(h.trace(dev(h), h.pod("shop", { app: "db" }), 80).ingress).toEqual([
      "0|adminnetworkpolicy|kanp.adminnetworkpolicy.guard|pass|1",
      "1|baselineadminnetworkpolicy|kbanp.baselineadminnetworkpolicy.default|deny|0",
    ]);
  });

  test("3.31: an AdminNetworkPolicy namedPort converts to nothing, so the rule matches all traffic (Calico 3.31)", () => {
    const h = harness(docs(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: named }
spec:
  priority: 1
  subject: { namespaces: {} }
  ingress: [{ action: Deny, from: [{ namespaces: {} }], ports: [{ portNumber: { port: 22 } }, { namedPort: ssh }] }]`), { version: "3.31" });
    expect(h.trace(h.pod("a", { app: "x" }), h.pod("b", { app: "y" }), 8080, "UDP").verdict).toBe("deny");
  });

  test("3.32: only the ClusterNetworkPolicy is evaluated; the v1alpha1 kinds are noted as not enforced", () => {
    const h = harness(v1alpha1);
    expect(h.order()).toEqual(["kube-admin|kcnp:modern"]);
    expect(h.set.notes.map((n) => `${n.code} ${n.policy.kind}`)).toEqual([
      "engine/not-enforced AdminNetworkPolicy",
      "engine/not-enforced BaselineAdminNetworkPolicy",
    ]);
  });
});
