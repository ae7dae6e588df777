import { describe, expect, test } from "@jest/globals";
import type { Endpoint } from "../../src/engine/index.js";
import { harness, type Harness } from "../helpers/engine.js";

/**
 * Kubernetes NetworkPolicy as Calico converts it (calico-semantics §8, §13.12): default tier, order 1000, every rule
 * Allow, one rule per protocol per peer (protocols sorted, outer; peers, inner), ipBlock → nets/notNets,
 * podSelector+namespaceSelector in one peer ANDed, `{}` namespaceSelector = all namespaces, absent = this one,
 * a port with no protocol is TCP. The fixtures are the examples of the Kubernetes documentation page
 * "Network Policies" (concepts/services-networking/network-policies).
 */

const NS: Record<string, Record<string, string>> = {
  default: { "kubernetes.io/metadata.name": "default" },
  myproject: { "kubernetes.io/metadata.name": "myproject", project: "myproject" },
  other: { "kubernetes.io/metadata.name": "other" },
  alice: { "kubernetes.io/metadata.name": "alice", user: "alice" },
  bob: { "kubernetes.io/metadata.name": "bob", user: "bob" },
};
let nextIp = 1;
const pod = (h: Harness, ns: string, labels: Record<string, string>, ip = `10.244.9.${nextIp++}`) =>
  h.pod(ns, labels, { ip, namespaceLabels: NS[ns] });

describe("the documentation's test-network-policy (ipBlock with except, namespaceSelector, podSelector, ports)", () => {
  const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - from:
        - ipBlock:
            cidr: 172.17.0.0/16
            except:
              - 172.17.1.0/24
        - namespaceSelector:
            matchLabels:
              project: myproject
        - podSelector:
            matchLabels:
              role: frontend
      ports:
        - protocol: TCP
          port: 6379
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 5978
`);
  const db = pod(h, "default", { role: "db" }, "10.244.0.10");
  const NAME = "knp:default/test-network-policy";

  const ingressRows: Array<{ why: string; src: () => Endpoint; port: number; proto: string; want: string }> = [
    { why: "an address in the ipBlock", src: () => h.external("172.17.0.5"), port: 6379, proto: "TCP", want: `0|default|${NAME}|allow|0` },
    { why: "an address in the except range", src: () => h.external("172.17.1.5"), port: 6379, proto: "TCP", want: `0|default|${NAME}|deny|-1` },
    { why: "a pod IP inside the ipBlock (ipBlock includes pod IPs)", src: () => pod(h, "other", { app: "x" }, "172.17.0.9"), port: 6379, proto: "TCP", want: `0|default|${NAME}|allow|0` },
    { why: "any pod of a namespace labelled project=myproject", src: () => pod(h, "myproject", { app: "anything" }), port: 6379, proto: "TCP", want: `0|default|${NAME}|allow|1` },
    { why: "a role=frontend pod of the policy's namespace", src: () => pod(h, "default", { role: "frontend" }), port: 6379, proto: "TCP", want: `0|default|${NAME}|allow|2` },
    { why: "a role=frontend pod of another namespace", src: () => pod(h, "other", { role: "frontend" }), port: 6379, proto: "TCP", want: `0|default|${NAME}|deny|-1` },
    { why: "an allowed peer on another port", src: () => pod(h, "default", { role: "frontend" }), port: 80, proto: "TCP", want: `0|default|${NAME}|deny|-1` },
    { why: "an allowed peer over UDP", src: () => h.external("172.17.0.5"), port: 6379, proto: "UDP", want: `0|default|${NAME}|deny|-1` },
  ];
  test.each(ingressRows)("ingress to db from $why", ({ src, port, proto, want }) => {
    const r = h.trace(src(), db, port, proto);
    expect(r.ingress).toEqual([want]);
    expect(r.verdict).toBe(want.includes("|allow|") ? "allow" : "deny");
  });

  const egressRows: Array<{ why: string; dst: () => Endpoint; port: number; want: string }> = [
    { why: "an address in 10.0.0.0/24 on 5978", dst: () => h.external("10.0.0.5"), port: 5978, want: `0|default|${NAME}|allow|0` },
    { why: "an address outside the block", dst: () => h.external("10.0.1.5"), port: 5978, want: `0|default|${NAME}|deny|-1` },
    { why: "the right address on another port", dst: () => h.external("10.0.0.5"), port: 80, want: `0|default|${NAME}|deny|-1` },
    { why: "a pod outside the block", dst: () => pod(h, "default", { role: "frontend" }), port: 5978, want: `0|default|${NAME}|deny|-1` },
  ];
  test.each(egressRows)("egress from db to $why", ({ dst, port, want }) => {
    expect(h.trace(db, dst(), port).egress).toEqual([want]);
  });

  test("pods the podSelector does not select are not affected", () => {
    const web = pod(h, "default", { role: "web" });
    expect(h.trace(h.external("192.0.2.1"), web)).toEqual({ verdict: "allow", ingress: ["0|__PROFILE__|pro:kns.default|allow|0"] });
  });
});

describe("namespaceSelector and podSelector: one peer (AND) versus two peers (OR)", () => {
  const policy = (from: string) =>
    harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
    - from:
${from}
`);
  const and = policy(`        - namespaceSelector: { matchLabels: { user: alice } }
          podSelector: { matchLabels: { role: client } }`);
  const or = policy(`        - namespaceSelector: { matchLabels: { user: alice } }
        - podSelector: { matchLabels: { role: client } }`);
  const rows = [
    { src: ["alice", "client"], and: "allow|0", or: "allow|0" },
    { src: ["alice", "other"], and: "deny|-1", or: "allow|0" },
    { src: ["default", "client"], and: "deny|-1", or: "allow|1" },
    { src: ["bob", "client"], and: "deny|-1", or: "deny|-1" },
  ];
  test.each(rows)("a role=$src.1 pod in namespace $src.0: AND $and, OR $or", ({ src, and: wantAnd, or: wantOr }) => {
    const [ns, role] = src;
    expect(and.trace(pod(and, ns, { role }), pod(and, "default", { app: "db" })).ingress).toEqual([`0|default|knp:default/p|${wantAnd}`]);
    expect(or.trace(pod(or, ns, { role }), pod(or, "default", { app: "db" })).ingress).toEqual([`0|default|knp:default/p|${wantOr}`]);
  });
});

describe("the documentation's default policies", () => {
  const PROFILE = "0|__PROFILE__|pro:kns.default|allow|0";
  const cases = [
    {
      name: "default-deny-ingress",
      spec: "podSelector: {}\n  policyTypes: [Ingress]",
      want: { verdict: "deny", egress: [PROFILE], ingress: ["0|default|knp:default/default-deny-ingress|deny|-1"] },
    },
    {
      name: "allow-all-ingress",
      spec: "podSelector: {}\n  ingress: [{}]\n  policyTypes: [Ingress]",
      want: { verdict: "allow", egress: [PROFILE], ingress: ["0|default|knp:default/allow-all-ingress|allow|0"] },
    },
    {
      name: "default-deny-egress",
      spec: "podSelector: {}\n  policyTypes: [Egress]",
      want: { verdict: "deny", egress: ["0|default|knp:default/default-deny-egress|deny|-1"], ingress: [PROFILE] },
    },
    {
      name: "allow-all-egress",
      spec: "podSelector: {}\n  egress: [{}]\n  policyTypes: [Egress]",
      want: { verdict: "allow", egress: ["0|default|knp:default/allow-all-egress|allow|0"], ingress: [PROFILE] },
    },
    {
      name: "default-deny-all",
      spec: "podSelector: {}\n  policyTypes: [Ingress, Egress]",
      want: {
        verdict: "deny",
        egress: ["0|default|knp:default/default-deny-all|deny|-1"],
        ingress: ["0|default|knp:default/default-deny-all|deny|-1"],
      },
    },
  ];
  test.each(cases)("$name", ({ name, spec, want }) => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: default }
spec:
  ${spec}
`);
    expect(h.trace(pod(h, "default", { app: "a" }), pod(h, "default", { app: "b" }))).toEqual(want);
    // Only pods of the policy's namespace are selected by podSelector {}.
    expect(h.trace(pod(h, "other", { app: "a" }), pod(h, "other", { app: "b" })).verdict).toBe("allow");
  });

  test("allow-all-ingress also admits addresses outside the cluster", () => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-all-ingress, namespace: default }
spec:
  podSelector: {}
  ingress: [{}]
  policyTypes: [Ingress]
`);
    expect(h.trace(h.external("203.0.113.9"), pod(h, "default", { app: "b" })).ingress).toEqual([
      "0|default|knp:default/allow-all-ingress|allow|0",
    ]);
  });
});

describe("ports (§8: no protocol = TCP, `{}` = TCP on any port, protocol alone = all its ports, endPort)", () => {
  const cases: Array<{ why: string; ports: string; flows: Array<[number, string, string]> }> = [
    {
      why: "a port with no protocol is TCP",
      ports: "[{ port: 80 }]",
      flows: [[80, "TCP", "allow|0"], [80, "UDP", "deny|-1"], [81, "TCP", "deny|-1"]],
    },
    {
      why: "an empty port entry `{}` is TCP on every port, not all traffic",
      ports: "[{}]",
      flows: [[12345, "TCP", "allow|0"], [53, "UDP", "deny|-1"]],
    },
    {
      why: "a protocol without a port is every port of that protocol",
      ports: "[{ protocol: UDP }]",
      flows: [[53, "UDP", "allow|0"], [9999, "UDP", "allow|0"], [53, "TCP", "deny|-1"]],
    },
    {
      why: "an all-ports entry overrides specific ports of the same protocol",
      ports: "[{ protocol: UDP, port: 53 }, { protocol: UDP }]",
      flows: [[9999, "UDP", "allow|0"]],
    },
    {
      why: "each protocol gets its own rule, in sorted order (TCP before UDP)",
      ports: "[{ protocol: UDP, port: 53 }, { protocol: TCP, port: 80 }]",
      flows: [[80, "TCP", "allow|0"], [53, "UDP", "allow|1"], [53, "TCP", "deny|-1"]],
    },
    {
      why: "ports of one protocol share a rule",
      ports: "[{ port: 80 }, { port: 81 }, { port: 443 }]",
      flows: [[81, "TCP", "allow|0"], [443, "TCP", "allow|0"], [82, "TCP", "deny|-1"]],
    },
    {
      why: "endPort makes an inclusive range",
      ports: "[{ protocol: TCP, port: 32000, endPort: 32768 }]",
      flows: [[31999, "TCP", "deny|-1"], [32000, "TCP", "allow|0"], [32768, "TCP", "allow|0"], [32769, "TCP", "deny|-1"], [32000, "UDP", "deny|-1"]],
    },
    {
      why: "a string port is a named port of the destination pod",
      ports: "[{ port: http }]",
      flows: [[8080, "TCP", "allow|0"], [80, "TCP", "deny|-1"]],
    },
    {
      why: "no ports at all allows every protocol and port",
      ports: "[]",
      flows: [[1, "UDP", "allow|0"], [0, "ICMP", "allow|0"], [22, "TCP", "allow|0"]],
    },
  ];
  test.each(cases)("$why", ({ ports, flows }) => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ ports: ${ports} }]
`);
    const web = h.pod("default", { app: "web" }, { ip: "10.244.0.10", namedPorts: [{ name: "http", protocol: 6, port: 8080 }] });
    const src = h.external("192.0.2.1");
    const got = flows.map(([port, proto]) => [port, proto, h.trace(src, web, port, proto).ingress![0].replace("0|default|knp:default/p|", "")]);
    expect(got).toEqual(flows);
  });

  test("the documentation's multi-port-egress example (endPort on egress to an ipBlock)", () => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: multi-port-egress
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 32000
          endPort: 32768
`);
    const db = pod(h, "default", { role: "db" }, "10.244.0.10");
    const verdicts = [
      ["10.0.0.5", 32000],
      ["10.0.0.5", 32768],
      ["10.0.0.5", 32769],
      ["10.0.1.5", 32000],
    ].map(([ip, port]) => h.trace(db, h.external(ip as string), port as number).verdict);
    expect(verdicts).toEqual(["allow", "allow", "deny", "deny"]);
  });
});

describe("peers (§8: empty from = all, namespaceSelector {} = all namespaces, absent = this namespace)", () => {
  const sources = (h: Harness): Array<[string, Endpoint]> => [
    ["default/x", pod(h, "default", { app: "x" })],
    ["default/y", pod(h, "default", { app: "y" })],
    ["myproject/x", pod(h, "myproject", { app: "x" })],
    ["other/y", pod(h, "other", { app: "y" })],
    ["external", h.external("192.0.2.1")],
  ];
  const cases = [
    { why: "from absent: every source", rule: "{ ports: [{ port: 80 }] }", allowed: ["default/x", "default/y", "myproject/x", "other/y", "external"] },
    { why: "from []: every source", rule: "{ from: [], ports: [{ port: 80 }] }", allowed: ["default/x", "default/y", "myproject/x", "other/y", "external"] },
    { why: "podSelector alone: that namespace only", rule: "{ from: [{ podSelector: { matchLabels: { app: x } } }] }", allowed: ["default/x"] },
    { why: "podSelector {} alone: every pod of that namespace", rule: "{ from: [{ podSelector: {} }] }", allowed: ["default/x", "default/y"] },
    {
      why: "namespaceSelector {} with podSelector: matching pods in every namespace",
      rule: "{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: x } } }] }",
      allowed: ["default/x", "myproject/x"],
    },
    { why: "namespaceSelector {} alone: every pod in every namespace, no outside address", rule: "{ from: [{ namespaceSelector: {} }] }", allowed: ["default/x", "default/y", "myproject/x", "other/y"] },
    { why: "namespaceSelector with labels: every pod of matching namespaces", rule: "{ from: [{ namespaceSelector: { matchLabels: { project: myproject } } }] }", allowed: ["myproject/x"] },
    {
      why: "namespaceSelector on kubernetes.io/metadata.name",
      rule: "{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: other } } }] }",
      allowed: ["other/y"],
    },
  ];
  test.each(cases)("$why", ({ rule, allowed }) => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [${rule}]
`);
    const web = pod(h, "default", { app: "web" });
    expect(sources(h).filter(([, s]) => h.trace(s, web).verdict === "allow").map(([n]) => n)).toEqual(allowed);
  });

  test("egress peers go to the destination the same way", () => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: x } } }] }]
`);
    const web = pod(h, "default", { app: "web" });
    expect(sources(h).filter(([, d]) => h.trace(web, d).verdict === "allow").map(([n]) => n)).toEqual(["default/x", "myproject/x"]);
  });
});

describe("podSelector conversion (§8: matchLabels, then matchExpressions In, NotIn, Exists, DoesNotExist)", () => {
  const cases = [
    { sel: "{ matchLabels: { app: web, tier: front } }", selected: ["web-front"] },
    { sel: "{ matchExpressions: [{ key: tier, operator: In, values: [front, back] }] }", selected: ["web-front", "api-back"] },
    { sel: "{ matchExpressions: [{ key: tier, operator: NotIn, values: [front] }] }", selected: ["api-back", "bare"] },
    { sel: "{ matchExpressions: [{ key: tier, operator: Exists }] }", selected: ["web-front", "api-back"] },
    { sel: "{ matchExpressions: [{ key: tier, operator: DoesNotExist }] }", selected: ["bare"] },
    { sel: "{ matchLabels: { app: api }, matchExpressions: [{ key: tier, operator: Exists }] }", selected: ["api-back"] },
    { sel: "{}", selected: ["web-front", "api-back", "bare"] },
  ];
  test.each(cases)("podSelector $sel", ({ sel, selected }) => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: ${sel}
  policyTypes: [Ingress]
`);
    const pods: Array<[string, Endpoint]> = [
      ["web-front", pod(h, "default", { app: "web", tier: "front" })],
      ["api-back", pod(h, "default", { app: "api", tier: "back" })],
      ["bare", pod(h, "default", { app: "bare" })],
    ];
    const src = h.external("192.0.2.1");
    expect(pods.filter(([, p]) => h.trace(src, p).verdict === "deny").map(([n]) => n)).toEqual(selected);
  });
});

describe("policyTypes defaulting (§8: by the API server for NetworkPolicy; not for StagedKubernetesNetworkPolicy)", () => {
  const PROFILE = "0|__PROFILE__|pro:kns.default|allow|0";
  const spec = `
  podSelector: { matchLabels: { app: web } }
  egress: [{ to: [{ podSelector: { matchLabels: { app: db } } }] }]`;

  test("NetworkPolicy with egress rules and no policyTypes: Ingress and Egress (so ingress is denied)", () => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:${spec}
`);
    const web = pod(h, "default", { app: "web" });
    expect(h.trace(web, pod(h, "default", { app: "db" })).egress).toEqual(["0|default|knp:default/p|allow|0"]);
    expect(h.trace(web, pod(h, "default", { app: "cache" })).egress).toEqual(["0|default|knp:default/p|deny|-1"]);
    expect(h.trace(pod(h, "default", { app: "db" }), web).ingress).toEqual(["0|default|knp:default/p|deny|-1"]);
  });

  test("NetworkPolicy with ingress rules only and no policyTypes: Ingress only", () => {
    const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: api } } }] }]
`);
    const web = pod(h, "default", { app: "web" });
    expect(h.trace(web, pod(h, "default", { app: "db" })).egress).toEqual([PROFILE]);
  });

  test("StagedKubernetesNetworkPolicy with empty policyTypes: Ingress only, its egress rules ignored (pending)", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: { name: p, namespace: default }
spec:${spec}
`);
    const web = pod(h, "default", { app: "web" });
    const cache = pod(h, "default", { app: "cache" });
    // Egress from web is not governed, so the egress rule (only to db) does not deny web → cache.
    expect(h.pending(web, cache)).toEqual({ verdict: "allow", egress: [PROFILE], ingress: [PROFILE] });
    // Ingress to web is governed and has no rules: the pending verdict denies; the enforced one ignores staged policy.
    expect(h.pending(cache, web)).toEqual({ verdict: "deny", egress: [PROFILE], ingress: ["0|default|sknp:default/p|deny|-1"] });
    expect(h.trace(cache, web)).toEqual({ verdict: "allow", egress: [PROFILE], ingress: [PROFILE] });
  });
});

describe("rule indices follow Calico's expansion (§8: protocols sorted outer, peers inner)", () => {
  const h = harness(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - from:
        - podSelector: { matchLabels: { app: a } }
        - podSelector: { matchLabels: { app: b } }
      ports:
        - { protocol: UDP, port: 53 }
        - { protocol: TCP, port: 53 }
        - { protocol: SCTP, port: 53 }
    - from:
        - podSelector: { matchLabels: { app: c } }
`);
  const web = pod(h, "default", { app: "web" });
  // k8s rule 0 → SCTP×a 0, SCTP×b 1, TCP×a 2, TCP×b 3, UDP×a 4, UDP×b 5; k8s rule 1 → c 6.
  test.each([
    { src: "a", proto: "SCTP", index: 0 },
    { src: "b", proto: "SCTP", index: 1 },
    { src: "a", proto: "TCP", index: 2 },
    { src: "b", proto: "TCP", index: 3 },
    { src: "a", proto: "UDP", index: 4 },
    { src: "b", proto: "UDP", index: 5 },
    { src: "c", proto: "UDP", index: 6 },
  ])("$src over $proto hits rule $index", ({ src, proto, index }) => {
    expect(h.trace(pod(h, "default", { app: src }), web, 53, proto).ingress).toEqual([`0|default|knp:default/p|allow|${index}`]);
  });
});
