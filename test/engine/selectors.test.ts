import { describe, expect, test } from "@jest/globals";
import type { Endpoint } from "../../src/engine/index.js";
import { harness, type Harness } from "../helpers/engine.js";

/**
 * Which endpoints a policy applies to and which addresses a rule selector matches: calico-semantics §2 (implicit
 * labels), §3.1-§3.3 (selector rewriting by the update processors), §1.5 (all() and global() in context),
 * §5 (ServiceAccountMatch), §6 (network sets), §13 items 5 and 6.
 */

const NS_LABELS: Record<string, Record<string, string>> = {
  ns1: { team: "a", "kubernetes.io/metadata.name": "ns1" },
  ns2: { team: "b", "kubernetes.io/metadata.name": "ns2" },
};

function pod(h: Harness, ns: string, labels: Record<string, string>, ip: string, extras: { serviceAccount?: string; serviceAccountLabels?: Record<string, string> } = {}) {
  return h.pod(ns, labels, { ip, namespaceLabels: NS_LABELS[ns], ...extras });
}

describe("where a policy applies (§3.1 NetworkPolicy, §3.2 GlobalNetworkPolicy, §2 implicit labels)", () => {
  // Each policy is a default deny for ingress: a selected pod is denied, an unselected one reaches its profile.
  const cases: Array<{ why: string; yaml: string; selected: string[] }> = [
    {
      why: "a NetworkPolicy applies only in its own namespace, even with selector all()",
      yaml: "kind: NetworkPolicy\nmetadata: { name: p, namespace: ns1 }\nspec: { selector: all(), types: [Ingress] }",
      selected: ["ns1/web", "ns1/admin"],
    },
    {
      why: "a GlobalNetworkPolicy with no selector applies everywhere",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { types: [Ingress] }",
      selected: ["ns1/web", "ns1/admin", "ns2/web"],
    },
    {
      why: "GNP namespaceSelector reads namespace labels (pcns. prefix)",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { namespaceSelector: team == 'b', types: [Ingress] }",
      selected: ["ns2/web"],
    },
    {
      why: "GNP namespaceSelector on projectcalico.org/name (set from the namespace name by the kns. profile)",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { namespaceSelector: projectcalico.org/name == 'ns1', types: [Ingress] }",
      selected: ["ns1/web", "ns1/admin"],
    },
    {
      why: "GNP namespaceSelector on the Kubernetes auto-label kubernetes.io/metadata.name",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { namespaceSelector: kubernetes.io/metadata.name == 'ns2', types: [Ingress] }",
      selected: ["ns2/web"],
    },
    {
      why: "GNP namespaceSelector all() means every namespaced endpoint",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { namespaceSelector: all(), types: [Ingress] }",
      selected: ["ns1/web", "ns1/admin", "ns2/web"],
    },
    {
      why: "GNP selector plus namespaceSelector are ANDed",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { selector: app == 'web', namespaceSelector: team == 'a', types: [Ingress] }",
      selected: ["ns1/web"],
    },
    {
      why: "projectcalico.org/namespace is directly selectable in a GNP selector",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { selector: projectcalico.org/namespace == 'ns2', types: [Ingress] }",
      selected: ["ns2/web"],
    },
    {
      why: "GNP serviceAccountSelector reads service-account labels (pcsa. prefix)",
      yaml: "kind: GlobalNetworkPolicy\nmetadata: { name: p }\nspec: { serviceAccountSelector: role == 'admin', types: [Ingress] }",
      selected: ["ns1/admin"],
    },
    {
      why: "NP serviceAccountSelector by SA name (pcsa.projectcalico.org/name), still limited to the namespace",
      yaml: "kind: NetworkPolicy\nmetadata: { name: p, namespace: ns2 }\nspec: { serviceAccountSelector: projectcalico.org/name == 'robot', types: [Ingress] }",
      selected: ["ns2/web"],
    },
  ];

  test.each(cases)("$why", ({ yaml, selected }) => {
    const h = harness(`apiVersion: projectcalico.org/v3\n${yaml}`);
    const targets: Array<[string, Endpoint]> = [
      ["ns1/web", pod(h, "ns1", { app: "web" }, "10.0.1.1", { serviceAccount: "robot" })],
      ["ns1/admin", pod(h, "ns1", { app: "admin" }, "10.0.1.2", { serviceAccount: "boss", serviceAccountLabels: { role: "admin" } })],
      ["ns2/web", pod(h, "ns2", { app: "web" }, "10.0.2.1", { serviceAccount: "robot" })],
    ];
    const src = h.external("192.0.2.1");
    const denied = targets.filter(([, t]) => h.trace(src, t).verdict === "deny").map(([name]) => name);
    expect(denied).toEqual(selected);
  });
});

describe("rule source selectors (§3.3 GetEntityRuleSelector, §1.5, §6)", () => {
  const sets = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: blocked-ranges, labels: { role: blocked } }
spec: { nets: [10.9.0.0/16, 198.51.100.0/24] }
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: { name: corp, namespace: ns1, labels: { role: corp } }
spec: { nets: [203.0.113.0/24] }
`;
  /** The sources every case is checked against, destination ns1/web (10.0.1.10). */
  const sources = (h: Harness): Array<[string, Endpoint]> => [
    ["ns1/api", pod(h, "ns1", { app: "api" }, "10.0.1.1")],
    ["ns1/other", pod(h, "ns1", { app: "other" }, "10.0.1.2")],
    ["ns2/api", pod(h, "ns2", { app: "api" }, "10.0.2.1")],
    ["ns2/in-gns", pod(h, "ns2", { app: "other" }, "10.9.0.5")], // a pod whose IP lies inside the GlobalNetworkSet
    ["ext", h.external("192.0.2.10")], // in no network set
    ["corp-ip", h.external("203.0.113.5")], // inside NetworkSet ns1/corp
    ["gns-ip", h.external("198.51.100.5")], // inside GlobalNetworkSet blocked-ranges
  ];
  const ALL = ["ns1/api", "ns1/other", "ns2/api", "ns2/in-gns", "ext", "corp-ip", "gns-ip"];

  const npCases: Array<{ why: string; source: string; allowed: string[] }> = [
    { why: "no source fields: any IP", source: "{}", allowed: ALL },
    { why: "selector S: endpoints in the policy's namespace matching S", source: "{ selector: app == 'api' }", allowed: ["ns1/api"] },
    {
      why: "selector all(): every endpoint and NetworkSet in the namespace, but no outside IP",
      source: "{ selector: all() }",
      allowed: ["ns1/api", "ns1/other", "corp-ip"],
    },
    {
      why: "namespaceSelector alone: endpoints and NetworkSets in matching namespaces, any namespace",
      source: "{ namespaceSelector: team == 'b' }",
      allowed: ["ns2/api", "ns2/in-gns"],
    },
    {
      why: "namespaceSelector NS + selector S: matches S and lies in a namespace matching NS",
      source: "{ namespaceSelector: projectcalico.org/name == 'ns2', selector: app == 'api' }",
      allowed: ["ns2/api"],
    },
    {
      why: "namespaceSelector all(): every namespaced endpoint and NetworkSet",
      source: "{ namespaceSelector: all() }",
      allowed: ["ns1/api", "ns1/other", "ns2/api", "ns2/in-gns", "corp-ip"],
    },
    {
      why: "namespaceSelector global(): only non-namespaced sets; a pod IP inside a GlobalNetworkSet matches too",
      source: "{ namespaceSelector: global() }",
      allowed: ["ns2/in-gns", "gns-ip"],
    },
    {
      why: "namespaceSelector global() + selector: GlobalNetworkSets matching the selector",
      source: "{ namespaceSelector: global(), selector: role == 'blocked' }",
      allowed: ["ns2/in-gns", "gns-ip"],
    },
    {
      why: "selector alone never reaches a GlobalNetworkSet from a NetworkPolicy",
      source: "{ selector: role == 'blocked' }",
      allowed: [],
    },
    { why: "selector matches a NetworkSet of the policy's namespace", source: "{ selector: role == 'corp' }", allowed: ["corp-ip"] },
    {
      why: "namespaceSelector + notSelector: endpoints in matching namespaces except those matching the notSelector",
      source: "{ namespaceSelector: team == 'b', notSelector: app == 'api' }",
      allowed: ["ns2/in-gns"],
    },
    {
      why: "selector + notSelector: both, within the namespace",
      source: "{ selector: has(app), notSelector: app == 'api' }",
      allowed: ["ns1/other"],
    },
    {
      why: "notSelector alone is scoped to the namespace: endpoints in ns1 not matching it, no outside IPs",
      source: "{ notSelector: app == 'api' }",
      allowed: ["ns1/other", "corp-ip"],
    },
  ];

  test.each(npCases)("NetworkPolicy in ns1, $why", ({ source, allowed }) => {
    const h = harness(`${sets}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: ns1 }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: ${source} }]
`, { namespaceLabels: NS_LABELS });
    const web = pod(h, "ns1", { app: "web" }, "10.0.1.10");
    const got = sources(h).filter(([, s]) => h.trace(s, web).verdict === "allow").map(([n]) => n);
    expect(got).toEqual(allowed);
    // Nothing here depended on unknown facts.
    for (const [, s] of sources(h)) expect(h.eval(s, web).uncertain).toEqual([]);
  });

  const gnpCases: Array<{ why: string; source: string; allowed: string[] }> = [
    {
      why: "selector all(): every known endpoint and network set anywhere, but not an unknown IP",
      source: "{ selector: all() }",
      allowed: ["ns1/api", "ns1/other", "ns2/api", "ns2/in-gns", "corp-ip", "gns-ip"],
    },
    {
      why: "notSelector alone matches any IP except endpoints and sets matching it (outside IPs included)",
      source: "{ notSelector: app == 'api' }",
      allowed: ["ns1/other", "ns2/in-gns", "ext", "corp-ip", "gns-ip"],
    },
    {
      why: "selector on a GlobalNetworkSet label: its IPs, including a pod IP inside its CIDR (IP-set membership)",
      source: "{ selector: role == 'blocked' }",
      allowed: ["ns2/in-gns", "gns-ip"],
    },
    { why: "selector matches a namespaced NetworkSet too", source: "{ selector: role == 'corp' }", allowed: ["corp-ip"] },
    {
      why: "selector S: endpoints in every namespace",
      source: "{ selector: app == 'api' }",
      allowed: ["ns1/api", "ns2/api"],
    },
    {
      why: "namespaceSelector: endpoints and NetworkSets in matching namespaces",
      source: "{ namespaceSelector: team == 'a' }",
      allowed: ["ns1/api", "ns1/other", "corp-ip"],
    },
  ];

  test.each(gnpCases)("GlobalNetworkPolicy, $why", ({ source, allowed }) => {
    const h = harness(`${sets}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: p }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: ${source} }]
`, { namespaceLabels: NS_LABELS });
    const web = pod(h, "ns1", { app: "web" }, "10.0.1.10");
    const got = sources(h).filter(([, s]) => h.trace(s, web).verdict === "allow").map(([n]) => n);
    expect(got).toEqual(allowed);
  });

  test("a NetworkSet is matched by an NP rule selector only in its own namespace", () => {
    const h = harness(`${sets}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: ns2 }
spec:
  ingress: [{ action: Allow, source: { selector: role == 'corp' } }]
`);
    const web2 = pod(h, "ns2", { app: "web" }, "10.0.2.10");
    expect(h.trace(h.external("203.0.113.5"), web2)).toEqual({ verdict: "deny", ingress: ["0|default|np:ns2/p|deny|-1"] });
  });

  test("destination selectors follow the same rules on egress (selector all() does not match an outside IP)", () => {
    const h = harness(`${sets}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: ns1 }
spec:
  egress: [{ action: Allow, destination: { selector: all() } }]
`);
    const web = pod(h, "ns1", { app: "web" }, "10.0.1.10");
    expect(h.trace(web, h.external("192.0.2.10")).egress).toEqual(["0|default|np:ns1/p|deny|-1"]);
    expect(h.trace(web, h.external("203.0.113.5")).egress).toEqual(["0|default|np:ns1/p|allow|0"]);
    expect(h.trace(web, pod(h, "ns1", { app: "db" }, "10.0.1.20")).egress).toEqual(["0|default|np:ns1/p|allow|0"]);
  });
});

describe("serviceAccounts in rules (§3.3, §5 ServiceAccountMatch, §2)", () => {
  const sa62 = "s".repeat(62);
  const sa63 = "t".repeat(63);
  const sources = (h: Harness): Array<[string, Endpoint]> => [
    ["ns1/api-sa", pod(h, "ns1", { app: "a" }, "10.0.1.1", { serviceAccount: "api-sa", serviceAccountLabels: { tier: "front" } })],
    ["ns2/api-sa", pod(h, "ns2", { app: "a" }, "10.0.2.1", { serviceAccount: "api-sa", serviceAccountLabels: { tier: "front" } })],
    ["ns1/other-sa", pod(h, "ns1", { app: "a" }, "10.0.1.2", { serviceAccount: "other-sa", serviceAccountLabels: { tier: "back" } })],
    ["ns1/sa62", pod(h, "ns1", { app: "a" }, "10.0.1.3", { serviceAccount: sa62 })],
    ["ns1/sa63", pod(h, "ns1", { app: "a" }, "10.0.1.4", { serviceAccount: sa63 })],
  ];
  const cases: Array<{ why: string; kind: string; source: string; allowed: string[] }> = [
    { why: "NP: names match pods of the policy's namespace only", kind: "NetworkPolicy", source: "{ serviceAccounts: { names: [api-sa] } }", allowed: ["ns1/api-sa"] },
    {
      why: "NP: names + namespaceSelector all() match in any namespace",
      kind: "NetworkPolicy",
      source: "{ serviceAccounts: { names: [api-sa] }, namespaceSelector: all() }",
      allowed: ["ns1/api-sa", "ns2/api-sa"],
    },
    { why: "GNP: names match in any namespace", kind: "GlobalNetworkPolicy", source: "{ serviceAccounts: { names: [api-sa] } }", allowed: ["ns1/api-sa", "ns2/api-sa"] },
    {
      why: "selector reads service-account labels",
      kind: "NetworkPolicy",
      source: "{ serviceAccounts: { selector: tier == 'back' } }",
      allowed: ["ns1/other-sa"],
    },
    {
      why: "names AND selector",
      kind: "NetworkPolicy",
      source: "{ serviceAccounts: { names: [api-sa, other-sa], selector: tier == 'front' } }",
      allowed: ["ns1/api-sa"],
    },
    {
      why: "a name of 63 or more characters gets no projectcalico.org/serviceaccount label, so names never match it",
      kind: "NetworkPolicy",
      source: `{ serviceAccounts: { names: [${sa62}, ${sa63}] } }`,
      allowed: ["ns1/sa62"],
    },
    {
      why: "the same long name still matches through pcsa.projectcalico.org/name in a selector",
      kind: "NetworkPolicy",
      source: `{ serviceAccounts: { selector: projectcalico.org/name == '${sa63}' } }`,
      allowed: ["ns1/sa63"],
    },
  ];
  test.each(cases)("$why", ({ kind, source, allowed }) => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: { name: p${kind === "NetworkPolicy" ? ", namespace: ns1" : ""} }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: ${source} }]
`);
    const web = pod(h, "ns1", { app: "web" }, "10.0.1.10");
    const got = sources(h).filter(([, s]) => h.trace(s, web).verdict === "allow").map(([n]) => n);
    expect(got).toEqual(allowed);
  });
});

describe("label inheritance order (§2: the endpoint's own label wins over profile labels)", () => {
  test("a pod label named like a namespace label shadows the inherited pcns. label", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: p, namespace: ns1 }
spec:
  ingress: [{ action: Allow, source: { namespaceSelector: team == 'a' } }]
`);
    const web = pod(h, "ns1", { app: "web" }, "10.0.1.10");
    expect(h.trace(pod(h, "ns1", { app: "x" }, "10.0.1.1"), web).ingress).toEqual(["0|default|np:ns1/p|allow|0"]);
    expect(h.trace(pod(h, "ns1", { app: "x", "pcns.team": "forged" }, "10.0.1.2"), web).ingress).toEqual(["0|default|np:ns1/p|deny|-1"]);
  });
});
