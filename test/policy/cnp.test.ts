import { describe, expect, test } from "@jest/globals";
import { buildResources, loadText, validateResources } from "../../src/policy/index.js";
import { found, validateYaml, version, type Found, type Row } from "./validate-helpers.js";

/**
 * ClusterNetworkPolicy v1alpha2 and AdminNetworkPolicy/BaselineAdminNetworkPolicy v1alpha1 validation
 * (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go, apis/v1alpha1/*): each row asserts the code and
 * the line and column the diagnostic points at.
 */
const head = (kind = "ClusterNetworkPolicy", version = "v1alpha2") => [
  `apiVersion: policy.networking.k8s.io/${version}`, // 1
  `kind: ${kind}`, // 2
  "metadata: { name: p }", // 3
  "spec:", // 4
];
/** spec lines start at line 5, column 3. */
const cnp = (...spec: string[]) => [...head(), ...spec.map((l) => `  ${l}`)].join("\n") + "\n";
const subject = "subject: { namespaces: {} }";

const rows: Row[] = [
  { name: "a valid Admin policy", yaml: cnp("tier: Admin", "priority: 0", subject, "ingress:", "  - { action: Accept, from: [{ namespaces: {} }] }"), expected: [] },
  { name: "priority above 1000", yaml: cnp("tier: Admin", "priority: 1001", subject), expected: [{ code: "cnp/priority-range", line: 6, col: 13, path: "spec.priority" }] },
  { name: "priority below 0", yaml: cnp("tier: Baseline", "priority: -1", subject), expected: [{ code: "cnp/priority-range", line: 6, col: 13, path: "spec.priority" }] },
  { name: "priority 1000 is the bound", yaml: cnp("tier: Baseline", "priority: 1000", subject), expected: [] },
  { name: "subject with both namespaces and pods", yaml: cnp("tier: Admin", "priority: 1", "subject: { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }"),
    expected: [{ code: "cnp/subject-one-of", line: 7, col: 12, path: "spec.subject" }] },
  { name: "empty subject", yaml: cnp("tier: Admin", "priority: 1", "subject: {}"), expected: [{ code: "cnp/subject-one-of", line: 7, col: 12, path: "spec.subject" }] },
  { name: "subject label selector operator", yaml: cnp("tier: Admin", "priority: 1", "subject: { namespaces: { matchExpressions: [{ key: a, operator: in, values: [x] }] } }"),
    expected: [{ code: "k8s/selector-operator", line: 7, col: 67, path: "spec.subject.namespaces.matchExpressions[0].operator" }] },
  { name: "peer with two fields", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Deny", "    to: [{ namespaces: {}, networks: [10.0.0.0/8] }]"),
    expected: [{ code: "cnp/peer-one-of", line: 10, col: 12, path: "spec.egress[0].to[0]" }] },
  { name: "empty from", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", "  - action: Deny", "    from: []"),
    expected: [{ code: "cnp/peer-count", line: 10, col: 7, path: "spec.ingress[0].from" }] },
  { name: "network that is not a CIDR", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Deny", "    to: [{ networks: [10.0.0.1, 10.0.0.0/33] }]"),
    expected: [
      { code: "cnp/invalid-cidr", line: 10, col: 25, path: "spec.egress[0].to[0].networks[0]" },
      { code: "cnp/invalid-cidr", line: 10, col: 35, path: "spec.egress[0].to[0].networks[1]" },
    ] },
  { name: "26 networks", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Deny",
    `    to: [{ networks: [${Array.from({ length: 26 }, (_, i) => `10.${i}.0.0/16`).join(", ")}] }]`),
    expected: [{ code: "cnp/too-many-networks", line: 10, col: 24, path: "spec.egress[0].to[0].networks" }] },
  { name: "25 networks is the bound", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Deny",
    `    to: [{ networks: [${Array.from({ length: 25 }, (_, i) => `10.${i}.0.0/16`).join(", ")}] }]`), expected: [] },
  { name: "protocols entry with tcp and udp", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", "  - action: Deny", "    from: [{ namespaces: {} }]",
    "    protocols: [{ tcp: { destinationPort: { number: 80 } }, udp: { destinationPort: { number: 53 } } }]"),
    expected: [{ code: "cnp/protocol-one-of", line: 11, col: 19, path: "spec.ingress[0].protocols[0]" }] },
  { name: "port 0 and 65536", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", "  - action: Deny", "    from: [{ namespaces: {} }]",
    "    protocols: [{ tcp: { destinationPort: { number: 0 } } }, { udp: { destinationPort: { number: 65536 } } }]"),
    expected: [
      { code: "cnp/port-range", line: 11, col: 55, path: "spec.ingress[0].protocols[0].tcp.destinationPort.number" },
      { code: "cnp/port-range", line: 11, col: 100, path: "spec.ingress[0].protocols[1].udp.destinationPort.number" },
    ] },
  { name: "range start not below end", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", "  - action: Deny", "    from: [{ namespaces: {} }]",
    "    protocols: [{ sctp: { destinationPort: { range: { start: 90, end: 90 } } } }]"),
    expected: [{ code: "cnp/port-range-order", line: 11, col: 55, path: "spec.ingress[0].protocols[0].sctp.destinationPort.range" }] },
  { name: "named port with a networks peer (CEL)", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Accept", "    to: [{ networks: [10.0.0.0/8] }]",
    "    protocols: [{ destinationNamedPort: http }]"),
    expected: [{ code: "cnp/named-port-with-networks", line: 11, col: 18, path: "spec.egress[0].protocols" }] },
  { name: "26 ingress rules", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", ...Array.from({ length: 26 }, () => "  - { action: Deny, from: [{ namespaces: {} }] }")),
    expected: [{ code: "cnp/too-many-rules", line: 9, col: 5, path: "spec.ingress" }] },
  { name: "rule name over 100 characters", yaml: cnp("tier: Admin", "priority: 1", subject, "ingress:", `  - { name: ${"r".repeat(101)}, action: Deny, from: [{ namespaces: {} }] }`),
    expected: [{ code: "cnp/rule-name-too-long", line: 9, col: 15, path: "spec.ingress[0].name" }] },
  { name: "invalid domain name", yaml: cnp("tier: Admin", "priority: 1", subject, "egress:", "  - action: Deny", "    to: [{ domainNames: [\"bad domain\"] }]"),
    expected: [{ code: "cnp/invalid-domain-name", line: 10, col: 28, path: "spec.egress[0].to[0].domainNames[0]" }] },
];

const anp = [
  ...head("AdminNetworkPolicy", "v1alpha1"),
  "  priority: 7",
  "  subject: { namespaces: { matchLabels: { team: a } } }",
  "  ingress:",
  "    - { name: no-ssh, action: Deny, from: [{ namespaces: {} }], ports: [{ portNumber: { port: 22 } }, { portRange: { protocol: UDP, start: 1000, end: 2000 } }, { namedPort: web }] }",
  "    - { action: Allow, from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: x } } } }] }",
].join("\n") + "\n";

describe("ClusterNetworkPolicy validation", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });
});

describe("which Calico enforces which kind", () => {
  test("3.32: an AdminNetworkPolicy is an error whose message carries the equivalent ClusterNetworkPolicy", () => {
    const d = validateYaml(anp, "3.32");
    expect(d.map(({ code, line, col, path }) => ({ code, line, col, path }))).toEqual([
      { code: "cnp/admin-policy-not-enforced", line: 2, col: 1, path: "kind" },
    ]);
    const fix = d[0].message.slice(d[0].message.indexOf("apiVersion:"));
    expect(fix).toBe([
      "apiVersion: policy.networking.k8s.io/v1alpha2",
      "kind: ClusterNetworkPolicy",
      "metadata:",
      "  name: p",
      "spec:",
      "  tier: Admin",
      "  priority: 7",
      "  subject:",
      "    namespaces:",
      "      matchLabels:",
      "        team: a",
      "  ingress:",
      "    - name: no-ssh",
      "      action: Deny",
      "      from:",
      "        - namespaces: {}",
      "      protocols:",
      "        - tcp:",
      "            destinationPort:",
      "              number: 22",
      "        - udp:",
      "            destinationPort:",
      "              range:",
      "                start: 1000",
      "                end: 2000",
      "        - destinationNamedPort: web",
      "    - action: Accept",
      "      from:",
      "        - pods:",
      "            namespaceSelector: {}",
      "            podSelector:",
      "              matchLabels:",
      "                app: x",
      "",
    ].join("\n"));
    // The printed fix is itself a valid ClusterNetworkPolicy.
    expect(found(fix, "3.32")).toEqual([]);
  });

  test("3.31: the AdminNetworkPolicy is valid; a ClusterNetworkPolicy is not enforced", () => {
    expect(found(anp, "3.31")).toEqual([]);
    expect(found(cnp("tier: Admin", "priority: 1", subject), "3.31")).toEqual([{ code: "cnp/not-enforced", line: 2, col: 1, path: "kind" }]);
  });

  test("a BaselineAdminNetworkPolicy must be named default; its fix is a Baseline policy at priority 1000", () => {
    const banp = (name: string) => [
      "apiVersion: policy.networking.k8s.io/v1alpha1", "kind: BaselineAdminNetworkPolicy", `metadata: { name: ${name} }`, "spec:",
      "  subject: { namespaces: {} }", "  egress: [{ action: Deny, to: [{ networks: [0.0.0.0/0] }] }]",
    ].join("\n");
    expect(found(banp("other"), "3.31")).toEqual([{ code: "cnp/banp-name", line: 3, col: 19, path: "metadata.name" }]);
    const d = validateYaml(banp("default"), "3.32");
    expect(d.map((x) => x.code)).toEqual(["cnp/admin-policy-not-enforced"]);
    expect(d[0].message).toContain("tier: Baseline\n  priority: 1000\n");
  });
});

describe("experimental peers", () => {
  test("nodes and domainNames are reported as not evaluated, with what Calico does instead", () => {
    const yaml = cnp("tier: Admin", "priority: 1", subject, "egress:",
      "  - { action: Accept, to: [{ nodes: { matchLabels: { role: infra } } }] }",
      "  - { action: Deny, to: [{ domainNames: [example.com] }] }");
    const loaded = loadText("test.yaml", yaml);
    const built = buildResources(loaded.documents);
    const d = validateResources(built.resources, { version: version("3.32") });
    expect(d.map(({ code, line, col, path, severity }) => ({ code, line, col, path, severity }))).toEqual([
      { code: "policy/not-evaluated", line: 9, col: 32, path: "spec.egress[0].to[0].nodes", severity: "warning" },
      { code: "policy/not-evaluated", line: 10, col: 30, path: "spec.egress[1].to[0].domainNames", severity: "warning" },
    ]);
    expect(d[0].message).toContain("drops the whole rule");
    expect(d[1].message).toContain("denies all traffic");
  });
});

describe("built-in tiers of Calico 3.32+ redefined", () => {
  const tier = (name: string, spec: string) => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
  test.each<{ name: string; spec: string; expected: Found[] }>([
    { name: "calico-system", spec: "{ order: 100 }", expected: [] },
    { name: "calico-system", spec: "{ order: 5 }", expected: [{ code: "tier/builtin-order", line: 4, col: 16, path: "spec.order", severity: "warning" }] },
    { name: "calico-system", spec: "{ order: 100, defaultAction: Pass }", expected: [{ code: "tier/builtin-default-action", line: 4, col: 36, path: "spec.defaultAction", severity: "warning" }] },
    { name: "kube-admin", spec: "{ order: 1000, defaultAction: Pass }", expected: [] },
    { name: "kube-admin", spec: "{ order: 999, defaultAction: Pass }", expected: [{ code: "tier/builtin-order", line: 4, col: 16, path: "spec.order" }] },
    { name: "kube-baseline", spec: "{ order: 10000000, defaultAction: Deny }", expected: [{ code: "tier/builtin-default-action", line: 4, col: 41, path: "spec.defaultAction" }] },
    { name: "default", spec: "{ order: 1000000, defaultAction: Deny }", expected: [] },
  ])("$name $spec", ({ name, spec, expected }) => {
    expect(found(tier(name, spec), "3.32")).toEqual(expected);
  });
});
